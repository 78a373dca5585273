"""When each plan last changed, from one `git log` call (not one per plan: sites have 1,000s)."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path


def last_changed(paths: list[Path], repo: Path) -> dict[Path, dt.date]:
    """Commit date of the newest commit touching each path; paths git doesn't know are left out."""
    if not paths:
        return {}
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=repo, capture_output=True,
                             text=True, check=True).stdout.strip()
        log = subprocess.run(["git", "log", "--format=%x00%cs", "--name-only", "--no-renames", "--",
                              *[str(p.resolve()) for p in paths]],
                             cwd=repo, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    wanted = {p.resolve(): p for p in paths}
    found: dict[Path, dt.date] = {}
    day = None
    for line in log.splitlines():
        if line.startswith("\0"):
            day = dt.date.fromisoformat(line[1:])
        elif line and day:
            original = wanted.get((Path(top) / line).resolve())
            if original is not None and original not in found:
                found[original] = day
    return found


def edited_now(paths: list[Path], repo: Path) -> set[Path]:
    """Paths with changes not yet committed (staged or not): being edited today, whatever git log says."""
    if not paths:
        return set()
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=repo, capture_output=True,
                             text=True, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "-z", "--untracked-files=no", "--",
                                 *[str(p.resolve()) for p in paths]],
                                cwd=top, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return set()
    wanted = {p.resolve(): p for p in paths}
    changed = {(Path(top) / entry[3:]).resolve() for entry in status.split("\0") if len(entry) > 3}
    return {original for resolved, original in wanted.items() if resolved in changed}
