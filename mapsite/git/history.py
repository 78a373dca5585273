"""How each milestone's date moved, read from the plans' git history.

Two git processes for the whole site, however many plans: one `git log` to list the versions,
one `git cat-file --batch` to read them. Milestones are matched by title.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from mapsite.git.dates import plan_versions
from mapsite.git.runner import GitError, run
from mapsite.plan.loader import _Loader, split_front_matter

MAX_VERSIONS = 30  # per plan: enough for a deal's life, bounded for a repo with years of history


class _FastLoader(getattr(yaml, "CSafeLoader", _Loader)):  # type: ignore[misc]
    """libyaml when installed, dates left as text like the plan loader: old versions are only read, never reported on."""


_FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


@dataclass(frozen=True)
class Move:
    """One change of a milestone's due date, as committed."""

    changed_on: dt.date
    before: dt.date
    after: dt.date

    @property
    def days(self) -> int:
        return (self.after - self.before).days


def date_moves(paths: list[Path], repo: Path) -> dict[Path, dict[str, list[Move]]]:
    """{plan path: {milestone title: moves, oldest first}}; empty where git has no history."""
    versions = plan_versions(paths, repo, MAX_VERSIONS)
    if not versions:
        return {}
    texts = _read_blobs([f"{commit}:{name}" for plan in versions.values() for commit, _, name in plan], repo)
    moves: dict[Path, dict[str, list[Move]]] = {}
    for path, committed in versions.items():
        found: dict[str, list[Move]] = defaultdict(list)
        last: dict[str, dt.date] = {}
        for commit, day, name in committed:
            for title, due in _milestone_dates(texts.get(f"{commit}:{name}", "")).items():
                if title in last and last[title] != due:
                    found[title].append(Move(day, last[title], due))
                last[title] = due
        if found:
            moves[path] = dict(found)
    return moves


def _read_blobs(objects: list[str], repo: Path) -> dict[str, str]:
    """Many `commit:path` objects through one `git cat-file --batch`."""
    try:
        out = run(["cat-file", "--batch"], repo, stdin=("\n".join(objects) + "\n").encode(), partial=True)
    except GitError:
        return {}
    texts, position = {}, 0
    for name in objects:
        end = out.find(b"\n", position)
        if end < 0:
            break  # git stopped early: what was read is still good
        header = out[position:end].split()
        position = end + 1
        if len(header) < 3 or header[1] == b"missing":
            continue
        size = int(header[2])
        texts[name] = out[position:position + size].decode("utf-8", "replace")
        position += size + 1
    return texts


def _milestone_dates(text: str) -> dict[str, dt.date]:
    """Milestone title -> due date in one old version; anything unreadable is simply skipped."""
    parts = split_front_matter(text)
    if not parts:
        return {}
    try:
        data = yaml.load(parts[0], Loader=_FastLoader)  # noqa: S506 (a SafeLoader subclass; 7x faster with libyaml)
    except yaml.YAMLError:
        return {}
    dates = {}
    for milestone in data.get("milestones", []) if isinstance(data, dict) else []:
        if isinstance(milestone, dict) and isinstance(milestone.get("title"), str):
            try:
                dates[milestone["title"]] = dt.date.fromisoformat(str(milestone.get("due", "")).strip())
            except ValueError:
                continue
    return dates
