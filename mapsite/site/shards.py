"""Sharded builds: which deals shard i of n publishes, and the manifest each shard leaves in its site.

A deal's shard is SHA-256 of its slug, mod n: stable (adding or removing a deal never moves another
deal to another shard, as a sorted round-robin would, so a deal's folder stays with one runner) and
balanced in expectation, whatever the slugs look like. `mapsite merge` (`site.merge`) reads the
manifest to tell a shard's deal folders from the shared files every shard makes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

VARIABLE = "MAPSITE_SHARD"
MANIFEST = "mapsite-shard.json"
MOST = 256  # GitHub's largest job matrix
FORMAT = 1


class ShardError(ValueError):
    """A malformed MAPSITE_SHARD, SOURCE_DATE_EPOCH or manifest; the message says what would be right."""


def shard_of(slug: str, count: int) -> int:
    """The shard (1 to `count`) that publishes the deal `slug`."""
    return int.from_bytes(hashlib.sha256(slug.encode("utf-8")).digest()[:8], "big") % count + 1


@dataclass(frozen=True)
class Shard:
    """Shard `index` of `count`: the deals it publishes."""

    index: int  # 1 to count
    count: int

    def holds(self, slug: str) -> bool:
        return shard_of(slug, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def from_environment(environ: Mapping[str, str] | None = None) -> Shard | None:
    """The shard this build makes (`MAPSITE_SHARD=i/n`), or None when unset or empty: every deal."""
    value = (os.environ if environ is None else environ).get(VARIABLE, "").strip()
    if not value:
        return None
    match = re.fullmatch(r"(\d{1,3})/(\d{1,3})", value)
    if not match or not 1 <= int(match[1]) <= int(match[2]) <= MOST:
        raise ShardError(f"{VARIABLE}: `{value}` is not a shard like 2/4: i/n with 1 <= i <= n <= {MOST}")
    return Shard(int(match[1]), int(match[2]))


def build_day(environ: Mapping[str, str] | None = None) -> dt.date:
    """The day a build speaks of when mkdocs.yml sets no `today`: `SOURCE_DATE_EPOCH` (UTC) when set, else today.

    Shards on several runners share one epoch, so a build that spans midnight still gives every deal
    page, the team page and the sitemap (whose lastmod MkDocs takes from the same variable) one day.
    """
    value = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return dt.date.today()
    if not value.isdigit():
        raise ShardError(f"SOURCE_DATE_EPOCH: `{value}` is not a time in seconds since 1970 like 1795000000")
    return dt.datetime.fromtimestamp(int(value), dt.timezone.utc).date()


@dataclass(frozen=True)
class Manifest:
    """What a shard's site holds: its deal folders (public: they are the addresses) and its encrypted shared folders."""

    shard: Shard
    deals: tuple[str, ...]  # folder names, never slugs: with `slug_in_url: false` a folder is the share_id alone
    sealed: tuple[str, ...]  # shared folders encrypted with fresh nonces in every build (the team page): never byte-equal

    def write(self, site_dir: Path) -> None:
        data = {"mapsite_shard": FORMAT, "shard": self.shard.index, "of": self.shard.count,
                "deals": sorted(self.deals), "sealed": sorted(self.sealed)}
        (site_dir / MANIFEST).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, site_dir: Path) -> Manifest:
        path = site_dir / MANIFEST
        if not site_dir.is_dir() or not path.is_file():
            raise ShardError(f"{site_dir}: not a mapsite shard's output (no {MANIFEST}): build it with "
                             f"{VARIABLE}=i/n set, and give its site folder")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            shard = Shard(int(data["shard"]), int(data["of"]))
            deals, sealed = tuple(map(str, data["deals"])), tuple(map(str, data["sealed"]))
            assert data["mapsite_shard"] == FORMAT and 1 <= shard.index <= shard.count <= MOST
            assert all(_is_folder_name(name) for name in deals + sealed)
        except (ValueError, KeyError, TypeError, AssertionError):
            raise ShardError(f"{path}: not a manifest this mapsite writes; build the shard again with this version") from None
        return cls(shard, deals, sealed)


def _is_folder_name(name: str) -> bool:
    """One folder of the site's root: a manifest must not lead a merge outside the shard's site."""
    return bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name))
