"""The ledger of lost days: every slip a plan has seen, whose milestone it was, and the totals by person and side.

Three kinds of entry, per milestone:
- `agreed`: its `due` is later than its `baseline` (the originally agreed date);
- `moved`: a later due date committed in git, for a milestone without `baseline` (with one, the
  `agreed` entry already counts those days, and counting both would count them twice);
- `overdue`: open and past its due date today (its lateness under the projection's rule).

Each entry's days count once for every owner, and once for each side among its owners: a
milestone both sides own is both sides' delay. Codes and numbers only: the site words them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mapsite.git.history import Move
from mapsite.insight.derive import slip_days
from mapsite.plan.model import Milestone, Plan, Stakeholder


@dataclass(frozen=True)
class Entry:
    milestone: Milestone
    number: int  # 1-based, for links to #milestone-N
    kind: str  # agreed, moved, overdue
    days: int
    before: dt.date  # the date it moved from, or the due date it is late against
    after: dt.date  # the date it moved to, or today
    owners: tuple[Stakeholder, ...]
    changed_on: dt.date | None = None  # when a `moved` entry was committed


@dataclass(frozen=True)
class Ledger:
    entries: tuple[Entry, ...]
    by_person: tuple[tuple[Stakeholder, int], ...]  # most days first
    by_side: dict[str, int]  # "buyer", "seller" -> days

    @property
    def total(self) -> int:
        return sum(e.days for e in self.entries)


def ledger(plan: Plan, today: dt.date, moves: dict[str, list[Move]] | None = None) -> Ledger:
    """Every slip of `plan` (the view the caller chose); `moves` as `git.history.date_moves` gives them for the plan."""
    entries: list[Entry] = []
    for number, m in enumerate(plan.milestones, start=1):
        owners = tuple(p for p in (plan.stakeholder(o) for o in m.owners) if p is not None)
        if m.baseline is not None and slip_days(m):
            entries.append(Entry(m, number, "agreed", slip_days(m), m.baseline, m.due, owners))
        elif m.baseline is None:
            entries += [Entry(m, number, "moved", move.days, move.before, move.after, owners, move.changed_on)
                        for move in (moves or {}).get(m.title, []) if move.days > 0]
        if m.status != "done" and m.due < today:
            entries.append(Entry(m, number, "overdue", (today - m.due).days, m.due, today, owners))
    people: dict[str, list] = {}
    sides = {"buyer": 0, "seller": 0}
    for entry in entries:
        for person in entry.owners:
            people.setdefault(person.id, [person, 0])[1] += entry.days
        for side in {p.side for p in entry.owners}:
            sides[side] += entry.days
    by_person = tuple(sorted(((p, d) for p, d in people.values()), key=lambda pair: -pair[1]))
    return Ledger(tuple(entries), by_person, sides)


def delays_json(found: Ledger) -> list[dict]:
    """The entries for tools (`mapsite list --json`): milestone, kind, days, dates, owners by name and side."""
    return [{"milestone": e.milestone.title, "kind": e.kind, "days": e.days, "from": e.before.isoformat(),
             "to": e.after.isoformat(),
             "owners": [{"id": p.id, "name": p.name, "role": p.role, "side": p.side} for p in e.owners]}
            for e in found.entries]
