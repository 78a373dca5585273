"""The builds bench/run.py measures at one size: cold, rebuild, one plan changed, sharded, and the older kinds.

All CI builds run with `CI=true` and the site key `MAPSITE_KEY` (one variable for any number of
deals: a JSON object of 10,000 passwords passes Linux's 128 KB limit for one environment string),
and `MAPSITE_CACHE_DIR`, the wrapped-key cache: an empty folder for a cold build, the folder a
previous build wrote for a rebuild. A checkout without the cache ignores the variable, so its
"rebuild" costs a cold build; `cache_files` shows which it was.
"""

from __future__ import annotations

import json
import secrets
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from measure import base_env, measure_site, run_build, run_command
from project import commit_change


@dataclass
class Size:
    """One generated project and the scratch space its builds use."""
    count: int
    project: Path
    slugs: list[str]
    key: str  # the site key every deal's password derives from
    work: Path  # caches, shard outputs, the passwords file
    logs: Path
    progress: Callable[[str], None] = print
    python: str = sys.executable
    merge: list[str] = field(default_factory=list)  # the merge command; default `python -m mapsite merge`

    def ci_env(self, cache: Path) -> dict[str, str]:
        return {**base_env(), "CI": "true", "MAPSITE_KEY": self.key, "MAPSITE_CACHE_DIR": str(cache)}

    def fresh(self, name: str) -> Path:
        folder = self.work / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return folder

    def build(self, kind: str, run: int, env: dict[str, str], site: Path | None = None) -> dict:
        result = run_build(self.project, env, self.logs / f"{kind}-{self.count}-{run}.log", self.python, site)
        self.progress(f"N={self.count} {kind:9} run {run + 1}: {result['wall_s']:.2f} s, "
                      f"peak {result['peak_main_mb']:.0f} MB main, {result['peak_pss_all_mb']:.0f} MB all (PSS)")
        return result


def _files(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file())


def cold(size: Size, runs: int) -> tuple[list[dict], Path]:
    """Cold CI builds, each with an empty cache folder; returns them and the folder the last one wrote."""
    results = []
    for run in range(runs):
        cache = size.fresh(f"cache-cold-{run}")
        shutil.rmtree(size.project / ".mapsite", ignore_errors=True)
        results.append(size.build("cold", run, size.ci_env(cache)))
        results[-1]["cache_files"] = _files(cache)
        assert results[-1]["html_pages"] >= 3 * size.count, results[-1]
    return results, cache


def rebuild(size: Size, runs: int, cache: Path) -> list[dict]:
    """CI rebuilds of unchanged plans with the cache a previous build wrote."""
    return [size.build("rebuild", run, size.ci_env(cache)) | {"cache_files": _files(cache)} for run in range(runs)]


def changed(size: Size, runs: int, cache: Path) -> list[dict]:
    """One plan edited and committed (as a rep's push), then a CI rebuild with the cache warm."""
    slug = size.slugs[size.count // 3]
    results = []
    for run in range(runs):
        what = commit_change(size.project, slug, run)
        results.append(size.build("changed", run, size.ci_env(cache)) | {"changed": what, "cache_files": _files(cache)})
    return results


def passwords(size: Size, runs: int) -> list[dict]:
    """Cold CI builds with a password of its own for every deal, from `MAPSITE_PASSWORDS_FILE`."""
    file = size.work / "passwords.json"
    file.touch(mode=0o600)
    file.write_text(json.dumps({slug: secrets.token_urlsafe(18) for slug in size.slugs}), encoding="utf-8")
    env = {**base_env(), "CI": "true", "MAPSITE_PASSWORDS_FILE": str(file)}
    return [size.build("passwords", run, {**env, "MAPSITE_CACHE_DIR": str(size.fresh("cache-passwords"))})
            for run in range(runs)]


def warm(size: Size, runs: int) -> tuple[dict, list[dict]]:
    """Local builds (no CI): an untimed first one makes passwords and keeps keys, then warm rebuilds."""
    shutil.rmtree(size.project / ".mapsite", ignore_errors=True)
    first = size.build("first", 0, base_env())
    assert (size.project / ".mapsite" / "keys").is_file() and not list((size.project / "site").rglob("keys"))
    return first, [size.build("warm", run, base_env()) for run in range(runs)]


def shards(size: Size, count: int, mode: str, cache: Path | None, single_pages: int) -> dict:
    """`MAPSITE_SHARD=i/count` builds one after the other, then `mapsite merge` of their outputs.

    mode "cold": each shard starts from an empty cache, as on a runner without one; "rebuild":
    each from its own copy of `cache`, as every runner restores the Actions cache.
    """
    base = size.fresh("shards")
    results, sites = [], []
    for index in range(1, count + 1):
        shard_cache = base / f"cache-{index}"
        if mode == "rebuild" and cache is not None:
            shutil.copytree(cache, shard_cache)
        else:
            shard_cache.mkdir()
        sites.append(base / f"site-{index}")
        env = {**size.ci_env(shard_cache), "MAPSITE_SHARD": f"{index}/{count}"}
        results.append(size.build(f"shard{index}", 0, env, sites[-1]) | {"shard": f"{index}/{count}"})
    merged = base / "merged"
    command = size.merge or [size.python, "-m", "mapsite", "merge"]
    merge = run_command([*command, str(merged), *map(str, sites)], size.project,
                        size.ci_env(base / "cache-merge"), size.logs / f"merge-{size.count}.log")
    merge.update(measure_site(merged), peak_main_mb=merge["peak_rss_mb"])  # its largest process: itself, no workers
    size.progress(f"N={size.count} merge of {count} shards: {merge['wall_s']:.2f} s, {merge['html_pages']:,} pages")
    slowest = max(results, key=lambda r: r["wall_s"])
    return {"available": True, "mode": mode, "count": count, "shards": results, "merge": merge,
            "slowest": slowest["shard"], "slowest_s": slowest["wall_s"],
            "slowest_plus_merge_s": round(slowest["wall_s"] + merge["wall_s"], 3),
            "sum_s": round(sum(r["wall_s"] for r in results), 3),
            "single_build_pages": single_pages, "pages_match_single_build": merge["html_pages"] == single_pages}
