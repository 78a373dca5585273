"""Stable references to a plan's milestones and steps, for buyer updates that travel by email.

A reference must still name the same item when the plan changes around it (milestones reordered,
steps added), so it never uses a position:

- a milestone is `m:<id>` when it has an `id:`, else `m:~<hash>`, the first 8 hex digits of the
  SHA-256 of its title (whitespace collapsed);
- a step is its milestone's reference and `/s:~<hash>` of its task.

`m:~<hash>` still finds a milestone that has gained an `id:` since. Renaming a title (or a task
without an id) makes old references unknown: `mapsite apply` then refuses them, never guesses.
"""

from __future__ import annotations

import functools
import hashlib
import re

from mapsite.plan.model import Milestone, Plan, Step

REFERENCE = re.compile(r"m:(?P<milestone>~[0-9a-f]{8}|[A-Za-z0-9_.-]{1,64})(?:/s:(?P<step>~[0-9a-f]{8}))?")


@functools.lru_cache(maxsize=4096)  # a deal's pages and its two audiences' views ask for the same titles again and again
def text_key(text: str) -> str:
    """`~` and 8 hex digits of the text's SHA-256: the same for the same words, however they are wrapped."""
    return "~" + hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:8]


def milestone_ref(milestone: Milestone) -> str:
    return f"m:{milestone.id or text_key(milestone.title)}"


def step_ref(milestone: Milestone, step: Step) -> str:
    return f"{milestone_ref(milestone)}/s:{text_key(step.task)}"


class UnknownItem(Exception):
    """The reference names no item the buyer can see in the plan, or more than one; the message says which."""


def resolve(plan: Plan, reference: str) -> tuple[int, int | None]:
    """(milestone index, step index or None) in the plan's own lists, for items the buyer sees (not `internal`)."""
    match = REFERENCE.fullmatch(reference)
    if not match:
        raise UnknownItem(f"`{reference}` is not an item reference (m:<id> or m:~<8 hex digits>, then /s:~<8 hex digits> for a step)")
    key, step_key = match["milestone"], match["step"]
    found = [i for i, m in enumerate(plan.milestones) if not m.internal and
             (m.id == key or (key.startswith("~") and text_key(m.title) == key))]
    if not found:
        raise UnknownItem(f"no milestone `{key}` in the plan (renamed, removed, or made internal since the message was written?)")
    if len(found) > 1:
        raise UnknownItem(f"`{key}` names {len(found)} milestones with the same title; give each an `id:`")
    index = found[0]
    if step_key is None:
        return index, None
    steps = [i for i, s in enumerate(plan.milestones[index].steps) if not s.internal and text_key(s.task) == step_key]
    if len(steps) != 1:
        what = "no step" if not steps else f"{len(steps)} steps with the same task"
        raise UnknownItem(f"{what} `{step_key}` in milestone “{plan.milestones[index].title}”")
    return index, steps[0]
