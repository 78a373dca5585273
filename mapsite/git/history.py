"""How each milestone's date moved, read from the plans' git history.

Two git processes for the whole site, however many plans: one `git log` to list the versions,
one `git cat-file --batch` to read them. Milestones are matched by title.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from mapsite.git.dates import plan_versions
from mapsite.git.runner import GitError, run
from mapsite.plan.loader import split_front_matter

MAX_VERSIONS = 30  # per plan: enough for a deal's life, bounded for a repo with years of history


class _TextLoader(getattr(yaml, "CBaseLoader", yaml.BaseLoader)):  # type: ignore[misc]
    """libyaml when installed, composing nodes whose tags nobody reads: no resolver runs for each of 1,000,000s."""

    def resolve(self, kind, value, implicit):
        return ""

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass


MILESTONES = re.compile(r"^milestones[ \t]*:", re.M)
TOP_LEVEL = re.compile(r"^[^\s#-]", re.M)  # a line at column 0 that is no comment and no item of a sequence
ALIAS = re.compile(r"(?:^|[:\[{,-])[ \t]*\*[^\s*]", re.M)  # `key: *name`, not Markdown's *emphasis* or **bold**


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
    texts = _read_blobs(list(dict.fromkeys(blob for plan in versions.values() for *_, blob in plan)), repo)
    moves: dict[Path, dict[str, list[Move]]] = {}
    for path, committed in versions.items():
        found: dict[str, list[Move]] = defaultdict(list)
        last: dict[str, dt.date] = {}
        for _, day, _, blob in committed:
            for title, due in _milestone_dates(texts.get(blob, "")).items():  # a deleted plan's blob: none
                if title in last and last[title] != due:
                    found[title].append(Move(day, last[title], due))
                last[title] = due
        if found:
            moves[path] = dict(found)
    return moves


def _read_blobs(objects: list[str], repo: Path) -> dict[str, str]:
    """Many blobs, by id, through one `git cat-file --batch`.

    By id, not as `commit:path`: that makes git search the commit's tree for the path, one entry after
    another, and a plans folder of 10,000 files made reading 750 versions 15 times slower (0.77 s against 0.05 s).
    """
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


def _milestones_only(front: str) -> str | None:
    """The `milestones:` key and its value, cut from the front matter's text; None when it cannot be cut plainly.

    Old versions are read by the 10,000 (three a deal, 93 s of one core at 10,000 deals), and the
    milestones are only part of a plan. The cut is parsed, so one that is not YAML falls back to the whole.
    """
    found = list(MILESTONES.finditer(front))
    if len(found) != 1 or ALIAS.search(front):  # an alias may take its value from outside the cut
        return None
    start = found[0].start()
    after = TOP_LEVEL.search(front, found[0].end())
    return front[start:after.start() if after else len(front)]


def _read(front: str) -> list[yaml.Node] | None:
    """The nodes of the `milestones:` list in a front matter's text, or None when it holds no such list.

    Composed, not constructed: libyaml makes the nodes, and only two scalars of each milestone are read.
    """
    try:
        root = yaml.compose(front, Loader=_TextLoader)  # noqa: S506 (compose runs no constructor)
    except yaml.YAMLError:
        return None
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "milestones" and isinstance(value, yaml.SequenceNode):
                return value.value
    return None


def _milestone_dates(text: str) -> dict[str, dt.date]:
    """Milestone title -> due date in one old version; anything unreadable is simply skipped."""
    parts = split_front_matter(text)
    if not parts:
        return {}
    cut = _milestones_only(parts[0])
    milestones = (_read(cut) if cut is not None else None) or _read(parts[0]) or []
    dates = {}
    for milestone in milestones:
        if not isinstance(milestone, yaml.MappingNode):
            continue
        fields = {k.value: v.value for k, v in milestone.value if isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)}
        if "title" in fields:
            try:
                dates[fields["title"]] = dt.date.fromisoformat(fields.get("due", "").strip())
            except ValueError:
                continue
    return dates
