"""When each plan last changed, from one `git log` call (not one per plan: sites have 1,000s).

A plan git cannot tell about (no repository, no git) is left out: pages then show the build date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from mapsite.git.runner import GitError, text, top_level


FEW = 64  # up to this many paths, git is asked about each one; more, about their folders

Version = tuple[str, dt.date, str, str]  # (commit, commit date, path in the repository, the blob it held there)


def plan_versions(paths: list[Path], repo: Path, newest: int = 30) -> dict[Path, list[Version]]:
    """The `newest` committed versions of each path, oldest first; paths git doesn't know are left out."""
    if not paths:
        return {}
    wanted = {p.resolve(): p for p in paths}
    try:
        top = top_level(repo)
        log = text(["log", "--format=%x00%H %cs", "--raw", "--no-abbrev", "--no-renames", "--", *pathspecs(wanted)], repo)
    except GitError:
        return {}
    as_listed = {_relative(resolved, top): original for resolved, original in wanted.items()}
    names = {p.name for p in paths} | {p.name for p in wanted}  # a line by another name is no path asked, even by a symlink
    found: dict[Path, list[Version]] = {}
    commit, day = "", dt.date.min
    for line in log.splitlines():
        if line.startswith("\0"):
            commit, stamp = line[1:].split(" ")
            day = dt.date.fromisoformat(stamp)
        elif line.startswith(":"):  # `:mode mode blob-before blob-after status<TAB>path`
            change, _, line = line.partition("\t")
            original = as_listed.get(line) or (line.rpartition("/")[2] in names and wanted.get((top / line).resolve()))
            if original and len(found.setdefault(original, [])) < newest:
                found[original].append((commit, day, line, change.split()[3]))
    return {path: versions[::-1] for path, versions in found.items()}


def pathspecs(resolved: Iterable[Path]) -> list[str]:
    """What to ask git about `resolved` (paths as `resolve()` gives them): the paths themselves when few, else their folders.

    git matches every pathspec against every path of every commit it walks, so 10,000 plans named
    one by one cost seconds where their one folder costs milliseconds; callers keep only the paths
    they asked for. `:(literal)`: a `*` or `[` in a folder's name is not a pattern.
    """
    resolved = list(resolved)
    asked = resolved if len(resolved) <= FEW else sorted({p.parent for p in resolved})
    return [f":(literal){p}" for p in asked]


def _relative(path: Path, top: Path) -> str | None:
    """`path` as git lists it (relative to the repository's top, with /), or None outside it."""
    return path.relative_to(top).as_posix() if path.is_relative_to(top) else None


def last_changed(paths: list[Path], repo: Path) -> dict[Path, dt.date]:
    """Commit date of the newest commit touching each path; paths git doesn't know are left out."""
    return {path: versions[-1][1] for path, versions in plan_versions(paths, repo, newest=1).items()}


def edited_now(paths: list[Path], repo: Path) -> set[Path]:
    """Paths with changes not yet committed (staged or not): being edited today, whatever git log says."""
    if not paths:
        return set()
    wanted = {p.resolve(): p for p in paths}
    try:
        top = top_level(repo)
        status = text(["status", "--porcelain", "-z", "--untracked-files=no", "--", *pathspecs(wanted)], top)
    except GitError:
        return set()
    changed = {(top / entry[3:]).resolve() for entry in status.split("\0") if len(entry) > 3}
    return {original for resolved, original in wanted.items() if resolved in changed}
