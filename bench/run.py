#!/usr/bin/env python
"""Benchmark: full `mkdocs build`s of mapsite from 10 to 10,000 deals, against plain MkDocs + Material.

    python bench/run.py --sizes 1000 10000                          # issue 18's run, ~45 minutes
    python bench/run.py --sizes 10 100 1000                         # the older full set, ~20 minutes
    python bench/run.py --sizes 10 100 --runs 1 --no-serve-all      # a quick look
    python bench/run.py --sizes 20 60 --runs 1 --kinds cold rebuild changed shards --work /tmp/b

For every size N it generates N synthetic plans (bench/genplans.py) in a git repository with a
short history (bench/project.py; kept in --work and reused), then measures, each build in a fresh
subprocess with `today` fixed (bench/scale.py):

- cold: CI=true, the site key MAPSITE_KEY, an empty MAPSITE_CACHE_DIR: every key derived.
- rebuild: the same with the cache folder the cold build wrote (unchanged plans).
- changed: one plan edited and committed, as a rep's push, then a rebuild with the cache warm.
- shards (largest N): MAPSITE_SHARD=i/n builds one after the other, then `mapsite merge`.
- passwords: cold with a password per deal (MAPSITE_PASSWORDS_FILE); warm: a local rebuild with
  keys from `.mapsite/keys`; plain: the same pages as plain MkDocs (its navigation in every page).
- preview (largest N): `mapsite preview <slug>`'s first page and edit-to-rebuild.

Each build reports wall and CPU time, the peak RSS of the main build process and of the whole
process tree, output size, pages and the largest page. Prints an estimate first, then a table and
the issues' targets (PASS/FAIL); keeps both with the machine in bench/results/ (JSON and .txt).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import genplans  # noqa: E402
import scale  # noqa: E402
from measure import REPO, base_env, features, machine, measure_site, run_build  # noqa: E402, F401 (ab.py, team_unlock.py)
from preview import measure_serve  # noqa: E402
from project import make_mapsite_project, make_plain_project  # noqa: E402
from report import checks, estimate, summarise, table  # noqa: E402

KINDS = ("cold", "rebuild", "changed", "shards", "passwords", "warm", "plain", "preview")
HUGE = 5000  # from this many deals on, a default run takes 1 run of the issue 18 kinds only
SERVE_ALL_MAX = 1000  # `mkdocs serve` of every deal grows with the square of the deals


def plan(args: argparse.Namespace) -> tuple[list[str], int]:
    """The kinds and runs of this run: what was asked, or a full set that fits ~45 minutes at 10,000 deals."""
    huge = max(args.sizes) >= HUGE
    kinds = args.kinds or (["cold", "rebuild", "changed", "shards", "preview"] if huge else list(KINDS))
    return kinds, args.runs or (1 if huge else 3)


def shard_mode(args: argparse.Namespace, cold_s: float) -> str:
    if args.shard_mode != "auto":
        return args.shard_mode
    return "cold" if cold_s <= args.shard_cold_max else "rebuild"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000], help="numbers of deals")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, help="what to measure (default: all below 5,000 deals; "
                        "cold rebuild changed shards preview from there)")
    parser.add_argument("--runs", type=int, help="timed builds per kind and size, median reported (default 3; 1 from 5,000 deals)")
    parser.add_argument("--plain-runs-large", type=int, default=1,
                        help="plain MkDocs builds at sizes >= --large (~300 s each at 1,000 deals)")
    parser.add_argument("--large", type=int, default=1000, help="sizes from which --plain-runs-large applies")
    parser.add_argument("--shards", type=int, default=4, help="n of MAPSITE_SHARD=i/n at the largest size")
    parser.add_argument("--shard-mode", choices=("auto", "cold", "rebuild"), default="auto",
                        help="shards from an empty cache or a warm one (auto: cold when a cold build took at most "
                             "--shard-cold-max seconds)")
    parser.add_argument("--shard-cold-max", type=float, default=300)
    parser.add_argument("--history", type=int, default=3, help="commits of each plan in the project's git history")
    parser.add_argument("--edits", type=int, default=5, help="timed edits in the one-deal preview")
    parser.add_argument("--no-plain", action="store_true", help="skip plain MkDocs")
    parser.add_argument("--no-preview", action="store_true", help="skip the preview measurements")
    parser.add_argument("--no-serve-all", action="store_true", help="skip `mkdocs serve` of every deal (comparison)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=None,
                        help="folder for the generated projects, reused when already there (default: a temp dir)")
    parser.add_argument("--out", type=Path, default=None, help="JSON (default bench/results/n<sizes>.json; .txt beside it)")
    parser.add_argument("--estimate", action="store_true", help="print what the run would measure and its time, then stop")
    args = parser.parse_args()
    args.sizes = sorted(set(args.sizes))
    kinds, runs = plan(args)
    kinds = [k for k in kinds if not (k == "plain" and args.no_plain) and not (k == "preview" and args.no_preview)]
    out = args.out or HERE / "results" / ("n" + "-".join(map(str, args.sizes)) + ".json")

    began = time.perf_counter()
    info = machine()
    info["features"] = have = features()
    print(f"# {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB; PBKDF2 600k: "
          f"{info['pbkdf2_cpu_s_per_key'] * 1000:.0f} ms CPU a key, {info['pbkdf2_keys_per_s_all_cores']:.1f} keys/s "
          f"on all cores; load {info['load_avg_at_start']}", flush=True)
    print(f"# kinds {' '.join(kinds)}, {runs} run(s) each; wrapped-key cache in this checkout: "
          f"{'yes' if have['cache'] else 'no (a rebuild costs a cold build)'}; shards: "
          f"{'yes' if have['merge'] else 'not available (' + have['merge_why'] + ')'}", flush=True)
    estimates = {}
    for count in args.sizes:
        largest = count == args.sizes[-1]
        guess = count / info["pbkdf2_keys_per_s_all_cores"] + count * 0.037
        estimates[count] = estimate(count, kinds, runs, info, have, args.history, shard_mode(args, guess), largest,
                                    largest and count <= SERVE_ALL_MAX and not args.no_serve_all)
        print(f"# estimate at {count:,} deals: {sum(estimates[count].values()) / 60:.1f} min ("
              + ", ".join(f"{k} {v / 60:.1f}" for k, v in estimates[count].items()) + ")", flush=True)
    total = sum(sum(parts.values()) for parts in estimates.values())
    print(f"# estimated total: {total / 60:.0f} min, done at about "
          f"{time.strftime('%H:%M', time.localtime(time.time() + total))}", flush=True)
    if args.estimate:
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="mapsite-bench-"))
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    print(f"# work dir {work}", flush=True)

    results: dict = {"machine": info, "kinds": kinds, "runs": runs, "estimate_s": estimates,
                     "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}, "sizes": {}}

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - began:7.1f}s] {message}", flush=True)

    for count in args.sizes:
        entry: dict = {}
        results["sizes"][str(count)] = entry
        started = time.perf_counter()
        measure_size(count, entry, kinds, runs, count == args.sizes[-1], args, work, logs, progress)
        progress(f"N={count} done in {(time.perf_counter() - started) / 60:.1f} min "
                 f"(estimated {sum(v for k, v in estimates[count].items() if k != 'preview') / 60:.1f} min)")

    if "preview" in kinds:
        count = args.sizes[-1]
        project = work / f"mapsite-{count}"
        slug, data, _ = genplans.plan_data(count // 2, args.seed)
        folder = f"{slug}-{data['share_id']}"
        results["preview"] = {"deals": count, "slug": slug}
        results["preview"]["one_deal"] = measure_serve(project, slug, folder, args.edits, True, logs / "preview.log")
        progress(f"N={count} preview of one deal: edit-to-rebuild {results['preview']['one_deal']['edit_to_rebuild_s']}")
        if not args.no_serve_all and count <= SERVE_ALL_MAX:
            results["preview"]["every_deal"] = measure_serve(project, slug, folder, 2, False, logs / "serve-all.log", 900)
            progress(f"N={count} mkdocs serve of every deal: {results['preview']['every_deal']['edit_to_rebuild_s']}")

    results["machine"]["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["checks"] = checks(results)
    results["total_s"] = round(time.perf_counter() - began, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    printed = table(results)
    out.with_suffix(".txt").write_text(printed + "\n", encoding="utf-8")
    print()
    print(printed)
    print(f"\nwritten to {out} and {out.with_suffix('.txt').name} in {results['total_s'] / 60:.1f} min "
          f"(estimated {total / 60:.1f} min)")


def measure_size(count: int, entry: dict, kinds: list[str], runs: int, largest: bool, args: argparse.Namespace,
                 work: Path, logs: Path, progress) -> None:
    """Every kind asked for at one size, in the order each needs: the cache a cold build wrote first."""
    from mapsite.security.sitekey import new_key

    project = work / f"mapsite-{count}"
    start = time.perf_counter()
    entry["reused"] = (project / ".bench-project.json").is_file()
    slugs = make_mapsite_project(project, count, args.history, args.seed, reuse=True)
    entry["generate_s"] = round(time.perf_counter() - start, 1)
    progress(f"N={count} project {'reused' if entry['reused'] else 'generated'} in {entry['generate_s']:.1f} s")
    size = scale.Size(count, project, slugs, new_key(), work / f"scratch-{count}", logs, progress)

    cache = None
    if {"cold", "rebuild", "changed"} & set(kinds) or (largest and "shards" in kinds):
        cold, cache = scale.cold(size, runs if "cold" in kinds else 1)
        if "cold" in kinds:
            entry["cold"] = summarise(cold)
    if "rebuild" in kinds:
        entry["rebuild"] = summarise(scale.rebuild(size, runs, cache))
    if "changed" in kinds:
        entry["changed"] = summarise(scale.changed(size, runs, cache))
    single_pages = measure_site(project / "site")["html_pages"]
    if largest and "shards" in kinds:
        have = features()
        if not have["merge"]:
            entry["shards"] = {"available": False, "why": have["merge_why"]}
            progress(f"N={count} shards: not available ({have['merge_why']})")
        else:
            cold_s = entry.get("cold", {}).get("median_s", cold[-1]["wall_s"])
            entry["shards"] = scale.shards(size, args.shards, shard_mode(args, cold_s), cache, single_pages)
    if "passwords" in kinds:
        entry["passwords"] = summarise(scale.passwords(size, runs))
    if "warm" in kinds:
        entry["first_local"], warm = scale.warm(size, runs)
        entry["warm"] = summarise(warm)
    if "plain" in kinds:
        plain_project = work / f"plain-{count}"
        make_plain_project(plain_project, count, args.seed)
        plain = []
        for run in range(args.plain_runs_large if count >= args.large else runs):
            plain.append(run_build(plain_project, base_env(), logs / f"plain-{count}-{run}.log"))
            progress(f"N={count} plain MkDocs  run {run + 1}: {plain[-1]['wall_s']:.2f} s")
        entry["plain"] = summarise(plain)
        shutil.rmtree(plain_project / "site", ignore_errors=True)  # GBs at 1,000 deals


if __name__ == "__main__":
    main()
