"""What late milestones do to the go-live: one rule, worked on the dependencies between milestones.

- An open milestone past its due date is late by the days since that date.
- A milestone's delay is the larger of its own lateness and the largest delay among the milestones
  it comes after; a done milestone has no delay. Its projected date is its due date plus its delay.
- The projected go-live is `go_live` plus the largest delay among the milestones due on or before it.

A milestone comes after the milestones its `after:` names; without `after:`, after the milestone
before it in date order (the plan was worked back from go-live). mapsite.js runs the same rule in
the browser on the day a page is viewed (tests/test_words.py keeps the two in agreement). Codes and
numbers only: the site words them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from mapsite.plan.model import Milestone, Plan
from mapsite.plan.order import predecessors


@dataclass(frozen=True)
class Projected:
    """One milestone under the rule."""

    lateness: int  # its own days past due (0 when done or not yet due)
    delay: int  # what it carries to the milestones after it
    projected: dt.date  # due + delay
    cause: int | None  # index of the milestone whose lateness the delay is; None without delay


@dataclass(frozen=True)
class Projection:
    go_live: dt.date
    projected: dt.date  # the projected go-live
    milestones: tuple[Projected, ...]  # in plan order
    cause: int | None  # index of the milestone that makes the go-live late

    @property
    def days(self) -> int:
        return (self.projected - self.go_live).days


def milestone_keys(milestones: Sequence[Milestone]) -> list[tuple[str | None, list[str] | None, object]]:
    return [(m.id, m.after, m.due) for m in milestones]


def project(plan: Plan, today: dt.date) -> Projection:
    """The rule on `plan` as given: which view that is (the buyer's, the team's) is the caller's choice."""
    milestones = plan.milestones
    preds = predecessors(milestone_keys(milestones))
    results: list[Projected | None] = [None] * len(milestones)
    for i in _topological(preds):
        m = milestones[i]
        if m.status == "done":
            results[i] = Projected(0, 0, m.due, None)
            continue
        lateness = max(0, (today - m.due).days)
        delay, cause = lateness, (i if lateness else None)
        for p in preds[i]:
            before = results[p]
            if before is not None and before.delay > delay:
                delay, cause = before.delay, before.cause
        results[i] = Projected(lateness, delay, m.due + dt.timedelta(days=delay), cause)
    done = tuple(r or Projected(0, 0, m.due, None) for m, r in zip(milestones, results))
    worst = max((r for m, r in zip(milestones, done) if m.due <= plan.go_live), key=lambda r: r.delay, default=None)
    if worst is None or not worst.delay:
        return Projection(plan.go_live, plan.go_live, done, None)
    return Projection(plan.go_live, plan.go_live + dt.timedelta(days=worst.delay), done, worst.cause)


def _topological(preds: list[list[int]]) -> list[int]:
    """Every index after all its predecessors (Kahn); a loop, which the loader refuses, ends the order early."""
    waiting = [len(set(p)) for p in preds]
    followers: list[list[int]] = [[] for _ in preds]
    for i, p in enumerate(preds):
        for j in set(p):
            followers[j].append(i)
    ready = [i for i, n in enumerate(waiting) if n == 0]
    order = []
    while ready:
        i = ready.pop(0)
        order.append(i)
        for k in followers[i]:
            waiting[k] -= 1
            if waiting[k] == 0:
                ready.append(k)
    return order
