"""`mapsite merge OUT SITE...`: the sites of shards 1/n to n/n joined into the one site a single build makes.

Each shard holds its own deal folders and the shared files every shard makes alike (the root, 404,
sitemap, assets, search index, the team page). The merge checks everything before it writes: every
shard of one split present once, no deal folder in two shards, the public shared files byte-equal
in every shard (a difference means the shards were built from different commits, settings or days).
It then writes into a new folder beside OUT and renames it: on any error OUT is left as it was.
"""

from __future__ import annotations

import filecmp
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from mapsite.site.shards import MANIFEST, Manifest, ShardError


class MergeError(ShardError):
    """Shards that do not join into one site; the message names the file, folder or shard."""


@dataclass(frozen=True)
class Merged:
    shards: int
    deals: int
    shared: int


def merge(out: Path, sites: list[Path]) -> Merged:
    """Join the shard outputs `sites` into `out` (a new or empty folder), or raise MergeError having written nothing."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise MergeError(f"{out}: is not empty; merge never writes over files: give a new folder")
    shards = _in_order(sites)
    owner = _deal_folders(shards)
    first_site, first = shards[0]
    shared = _shared_files(first_site, first, owner)
    for site, manifest in shards[1:]:
        _same_shared(first_site, shared, site, _shared_files(site, manifest, owner), sealed=first.sealed)
    _write(out, first_site, shared, owner)
    return Merged(len(shards), len(owner), len(shared))


def _in_order(sites: list[Path]) -> list[tuple[Path, Manifest]]:
    """Each site with its manifest, shard 1 first; every shard of one split exactly once."""
    if not sites:
        raise MergeError("no shard outputs given: mapsite merge OUT SITE...")
    found = [(site, Manifest.read(site)) for site in sites]
    count = found[0][1].shard.count
    by_index: dict[int, Path] = {}
    for site, manifest in found:
        if manifest.shard.count != count:
            raise MergeError(f"{site} is shard {manifest.shard}, {found[0][0]} is shard {found[0][1].shard}: "
                             f"give the shards of one build, all split in the same number")
        if manifest.shard.index in by_index:
            raise MergeError(f"{by_index[manifest.shard.index]} and {site} are both shard {manifest.shard}: give each shard once")
        by_index[manifest.shard.index] = site
    missing = [f"{i}/{count}" for i in range(1, count + 1) if i not in by_index]
    if missing:
        raise MergeError(f"shard {', '.join(missing)} missing: a merge needs every shard from 1/{count} to {count}/{count}")
    return sorted(found, key=lambda pair: pair[1].shard.index)


def _deal_folders(shards: list[tuple[Path, Manifest]]) -> dict[str, Path]:
    """Every deal folder, by the site that holds it; a folder two shards hold, or a listed one missing, is an error."""
    owner: dict[str, Path] = {}
    for site, manifest in shards:
        for folder in manifest.deals:
            if folder in owner:
                raise MergeError(f"the deal folder {folder} is in two shards, {owner[folder]} and {site}: "
                                 f"build every shard from the same commit and settings")
            if not (site / folder).is_dir():
                raise MergeError(f"{site}: the deal folder {folder} its {MANIFEST} lists is not there; build the shard again")
            owner[folder] = site
    return owner


def _shared_files(site: Path, manifest: Manifest, owner: dict[str, Path]) -> list[str]:
    """The site's files outside its deal folders (and its manifest), as sorted relative paths."""
    found = []
    for directory, folders, files in os.walk(site):
        here = Path(directory).relative_to(site)
        if here == Path("."):
            folders[:] = [f for f in folders if f not in manifest.deals]
            files = [f for f in files if f != MANIFEST]
        found += [(here / name).as_posix() for name in files]
    for path in found:
        if path.split("/", 1)[0] in owner:
            raise MergeError(f"{site / path}: lies in the deal folder of {owner[path.split('/', 1)[0]]}; "
                             f"build every shard from the same commit and settings")
    return sorted(found)


def _same_shared(first_site: Path, first: list[str], site: Path, files: list[str], *, sealed: tuple[str, ...]) -> None:
    """The shared files of `site` are those of shard 1, byte for byte except the encrypted (sealed) folders."""
    only_one = sorted(set(first) ^ set(files))
    if only_one:
        path = only_one[0]
        has, lacks = (first_site, site) if path in first else (site, first_site)
        raise MergeError(f"{path}: is in {has} but not in {lacks}; build every shard from the same commit and settings")
    for path in files:
        if path.split("/", 1)[0] not in sealed and not filecmp.cmp(first_site / path, site / path, shallow=False):
            raise MergeError(f"{path}: differs between {first_site} and {site}; build every shard from the same commit, "
                             f"settings and SOURCE_DATE_EPOCH")


def _write(out: Path, first_site: Path, shared: list[str], owner: dict[str, Path]) -> None:
    """Shard 1's shared files and every shard's deal folders, into a new folder renamed to `out` when complete."""
    building = out.parent / f".{out.name}.merging-{os.getpid()}"
    try:
        building.mkdir(parents=True)
        for path in shared:
            (building / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(first_site / path, building / path, follow_symlinks=False)
        for folder, site in owner.items():
            shutil.copytree(site / folder, building / folder, symlinks=True)
        os.replace(building, out)  # POSIX: over an empty folder too, in one step
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
