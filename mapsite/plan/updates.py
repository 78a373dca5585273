"""Buyer updates applied to a plan's text in place: every byte the change does not need stays as it was.

The edits are targeted: the loader's YAML composer gives each key and value its exact span in the
file, and only those spans change (a value replaced, or one `key: value` added beside its
neighbours in the item's own style, block or `{...}`). Comments, key order, quoting, blank lines
and line endings are never re-written. The edited text is loaded again with the same loader
`mapsite check` uses; a plan it would refuse is never returned.

- done: the item's `status:` becomes `done` (added after `due:` when the item has none);
- a new date: `due:` becomes it, and a milestone without `baseline:` keeps its old date there,
  so the slip is recorded (steps have no baseline);
- a question changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from mapsite.plan.loader import compose, load_text, split_front_matter
from mapsite.plan.model import Milestone, Plan, Step
from mapsite.plan.refs import UnknownItem, resolve


class UpdateError(Exception):
    """Why an update cannot be applied, as `file:line: what` lines."""


@dataclass(frozen=True)
class Applied:
    text: str
    note: str  # what changed, or why nothing had to
    line: int  # the item's line in the plan file


def apply_update(text: str, path: Path, display: str, item: str, change: str, day: dt.date | None) -> Applied:
    """`text` with one update made: `change` is `done` or `due` (with `day`); raises `UpdateError`."""
    deal, problems = load_text(text, path, display)
    if deal is None:
        raise UpdateError("\n".join(str(p) for p in problems) + f"\n{display}: the plan fails `mapsite check` already; fix it first")
    try:
        index, step_index = resolve(deal.plan, item)
    except UnknownItem as error:
        raise UpdateError(f"{display}: {error}") from None
    milestone = deal.plan.milestones[index]
    target: Milestone | Step = milestone if step_index is None else milestone.steps[step_index]
    node = _item_node(text, index, step_index)
    line = _line(node)
    name = milestone.title if step_index is None else target.task
    if change == "done":
        if target.status == "done":
            return Applied(text, f"“{name}” is done already; nothing to change", line)
        edited = _set(text, node, "status", "done", after=("due", "title", "task"))
        note = f"“{name}”: status {target.status} -> done"
    else:
        if target.due == day:
            return Applied(text, f"“{name}” is due {day} already; nothing to change", line)
        edited = _set(text, node, "due", day.isoformat(), after=("title", "task"))
        note = f"“{name}”: due {target.due or '(none)'} -> {day}"
        if step_index is None and milestone.baseline is None:
            edited = _set(edited, _item_node(edited, index, None), "baseline", milestone.due.isoformat(), after=("due",))
            note += f", baseline {milestone.due} (the first agreed date) kept"
    _check(edited, path, display, index, step_index, change, day)
    return Applied(edited, note, line)


def _front(text: str) -> tuple[int, str]:
    """(where the front matter starts in `text`, the front matter)."""
    front = split_front_matter(text)[0]
    return len(text.splitlines(keepends=True)[0]), front  # the `---` line, however it ends


def _item_node(text: str, index: int, step_index: int | None) -> tuple[int, yaml.MappingNode]:
    """The item's mapping node, with the offset of the front matter in `text`."""
    offset, front = _front(text)
    node = _value(compose(front), "milestones").value[index]
    if step_index is not None:
        node = _value(node, "steps").value[step_index]
    return offset, node


def _value(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    return next((v for k, v in mapping.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)


def _line(located: tuple[int, yaml.MappingNode]) -> int:
    return located[1].start_mark.line + 2  # the front matter starts on the file's line 2


def _set(text: str, located: tuple[int, yaml.MappingNode], key: str, value: str, after: tuple[str, ...]) -> str:
    """`key: value` in the item: its value replaced in place (quotes kept), else added after the first of `after`."""
    offset, node = located
    current = _value(node, key)
    if isinstance(current, yaml.ScalarNode) and current.value != "":
        quote = current.style if current.style in ("'", '"') else ""
        start, end = offset + current.start_mark.index, offset + current.end_mark.index
        return text[:start] + quote + value + quote + text[end:]
    if current is not None:
        raise UpdateError(f"line {current.start_mark.line + 2}: `{key}:` is not a plain value; edit it by hand")
    anchor = next(v for name in after if (v := _value(node, name)) is not None)
    newline = "\r\n" if "\r\n" in text else "\n"
    if node.flow_style:  # {task: ..., due: ...}: right after the neighbour's value
        at = offset + anchor.end_mark.index
        return text[:at] + f", {key}: {value}" + text[at:]
    indent = node.value[0][0].start_mark.column
    at = offset + anchor.end_mark.index
    if anchor.end_mark.column != 0:  # the end of the neighbour's line, past any comment on it
        end = text.find("\n", at)
        at = len(text) if end < 0 else end + 1
    return text[:at] + " " * indent + f"{key}: {value}{newline}" + text[at:]


def _check(edited: str, path: Path, display: str, index: int, step_index: int | None, change: str,
           day: dt.date | None) -> None:
    """The edited plan passes the loader, and says what the update meant: else nothing is returned."""
    deal, problems = load_text(edited, path, display)
    if deal is None:
        raise UpdateError("\n".join(str(p) for p in problems) +
                          f"\n{display}: the change would leave the plan failing `mapsite check`; nothing was changed")
    plan: Plan = deal.plan
    item = plan.milestones[index] if step_index is None else plan.milestones[index].steps[step_index]
    if (change == "done" and item.status != "done") or (change == "due" and item.due != day):
        raise UpdateError(f"{display}: the plan's YAML at line {_line(_item_node(edited, index, step_index))} "
                          "is written in a way apply cannot edit safely; make the change by hand")
