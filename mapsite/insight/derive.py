"""Facts the pages show that no one types: progress, slips, overdue items, next steps, deal health.

Everything takes `today` explicitly; the browser recomputes the day-dependent parts on the
day a page is viewed, and these values are the build-day fallback.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mapsite.insight.projection import Projection, project
from mapsite.plan.model import Milestone, Plan, Stakeholder, Step


@dataclass(frozen=True)
class Item:
    """A milestone or a step with a date, as the summary lists it."""

    kind: str  # "milestone" or "step"
    title: str
    due: dt.date | None
    status: str
    owners: tuple[Stakeholder | None, ...]
    milestone_number: int  # 1-based, for links to #milestone-N
    step_number: int | None = None  # 1-based within its milestone; None for a milestone (see render.calendar_id)
    internal: bool = False  # team-only: only the team's view holds it (and marks it)

    def overdue(self, today: dt.date) -> bool:
        return self.status != "done" and self.due is not None and self.due < today


@dataclass(frozen=True)
class Reason:
    """Why a deal has its health, as a code and its numbers; the site words it (render.reason_text)."""

    code: str  # set_by_team, slipped, overdue, blocked, projected_late, after_go_live, go_live_passed, hard_date, on_dates
    count: int = 0
    title: str = ""  # the milestone concerned, or the team's own note


@dataclass(frozen=True)
class Health:
    level: str  # on_track, at_risk, off_track
    reasons: tuple[Reason, ...]
    slipped_days: int = 0  # at risk only because of slips: the label says how late


def slip_days(milestone: Milestone) -> int:
    """Days the milestone moved past its originally agreed date (0 when on or before it)."""
    if milestone.baseline is None:
        return 0
    return max(0, (milestone.due - milestone.baseline).days)


def progress(plan: Plan) -> tuple[int, int]:
    """(milestones done, milestones in all)."""
    return sum(m.status == "done" for m in plan.milestones), len(plan.milestones)


def items(plan: Plan) -> list[Item]:
    """Every milestone and step, in plan order."""
    found = []
    for number, milestone in enumerate(plan.milestones, start=1):
        found.append(Item("milestone", milestone.title, milestone.due, milestone.status,
                          tuple(plan.stakeholder(o) for o in milestone.owners), number, internal=milestone.internal))
        for index, step in enumerate(milestone.steps, start=1):
            found.append(_step_item(plan, step, number, index))
    return found


def _step_item(plan: Plan, step: Step, number: int, index: int) -> Item:
    owners = (plan.stakeholder(step.owner),) if step.owner else ()
    return Item("step", step.task, step.due, step.status, owners, number, index, step.internal)


def open_items(plan: Plan, every: list[Item] | None = None) -> list[Item]:
    """Items not done, soonest first; undated steps last. `every` is `items(plan)` when the caller has it."""
    pending = [i for i in (items(plan) if every is None else every) if i.status != "done"]
    return sorted(pending, key=lambda i: (i.due or dt.date.max, i.milestone_number, i.kind != "milestone"))


def owed(plan: Plan, stakeholder_id: str, pending: list[Item] | None = None) -> list[Item]:
    """What one person still owes: the open items they own, late first.

    The one rule for "late first" is `open_items`' order (soonest due first): what is late has the
    earliest dates, so it leads whatever the day, and the browser need not reorder it. The people
    page and `mapsite remind` both ask here. `pending` is `open_items(plan)` when the caller has it.
    """
    return [i for i in (open_items(plan) if pending is None else pending)
            if any(owner is not None and owner.id == stakeholder_id for owner in i.owners)]


def next_milestone(plan: Plan) -> Milestone | None:
    return next((m for m in sorted(plan.milestones, key=lambda m: m.due) if m.status != "done"), None)


def overdue(plan: Plan, today: dt.date, pending: list[Item] | None = None) -> list[Item]:
    """Open items past due; `pending` is `open_items(plan)` when the caller has it."""
    return [i for i in (open_items(plan) if pending is None else pending) if i.overdue(today)]


def coming_up(pending: list[Item], today: dt.date) -> list[Item]:
    """Open items not yet overdue, soonest first: "Next up" never repeats what "Overdue" lists."""
    return [i for i in pending if not i.overdue(today)]


@dataclass(frozen=True)
class Total:
    price: float
    currency: str
    per: str | None  # the words every line puts after its price ("per year"), or None


def commercial_total(plan: Plan) -> Total | None:
    """The commercials' total, only where adding them up means something: every line priced as a number
    (`price:`), in one currency, and each qualified alike (all "per year", or none) -- a yearly fee and a
    one-time fee do not make one sum."""
    lines = plan.commercials
    if len(lines) < 2 or any(line.price is None for line in lines):
        return None
    if len({line.currency for line in lines}) != 1 or len({line.amount for line in lines}) != 1:
        return None
    return Total(sum(line.price for line in lines), lines[0].currency, lines[0].amount)


def last_milestone(plan: Plan) -> Milestone | None:
    """The milestone the plan ends with: the latest due date, and of milestones due that day the last written."""
    return max(reversed(plan.milestones), key=lambda m: m.due, default=None)


def value_review(plan: Plan) -> Milestone | None:
    """The last milestone, when it falls after go-live: the value review a plan should end with.

    The one rule for it: health and advice both ask here. None too when there is no milestone:
    the buyer's view of a plan whose milestones are all internal.
    """
    last = last_milestone(plan)
    return last if last and last.due > plan.go_live else None


def health(plan: Plan, today: dt.date, projection: Projection | None = None, every: list[Item] | None = None) -> Health:
    """On track, at risk or off track, with the reasons as codes.

    Computed on the plan it is given: which view that is (the buyer's or the team's) is
    `insight.audience`'s decision, not this function's; `projection`, when given, is `project(plan, today)`,
    `every` is `items(plan)`.
    """
    if plan.status:
        return Health(plan.status, (Reason("set_by_team", title=plan.status_note or ""),))
    reasons: list[Reason] = []
    worst = "on_track"
    slipped = [(slip_days(m), m) for m in plan.milestones if slip_days(m) and m.status != "done"]
    if slipped:
        days, milestone = max(slipped, key=lambda pair: pair[0])
        reasons.append(Reason("slipped", days, milestone.title))
        worst = "at_risk"
    every = items(plan) if every is None else every
    late = overdue(plan, today, open_items(plan, every))
    if late:
        reasons.append(Reason("overdue", len(late)))
        worst = "at_risk"
    blocked = [i for i in every if i.status == "blocked"]
    if blocked:
        reasons.append(Reason("blocked", len(blocked)))
        worst = "at_risk"
    projected = (projection or project(plan, today)).projected
    if projected > plan.go_live:
        reasons.append(Reason("projected_late", (projected - plan.go_live).days))
        worst = "at_risk"
    review = value_review(plan)
    after = [m for m in plan.milestones if m.due > plan.go_live and m is not review and m.status != "done"]
    if after:
        reasons.append(Reason("after_go_live", title=after[0].title))
        worst = "off_track"
    if plan.go_live < today and any(m.status != "done" and m.due <= plan.go_live for m in plan.milestones):
        reasons.append(Reason("go_live_passed"))
        worst = "off_track"
    passed = [e for e in sorted(plan.events, key=lambda e: e.date) if e.hard and plan.go_live <= e.date < projected]
    if passed:
        reasons.append(Reason("hard_date", title=passed[0].title))
        worst = "off_track"
    if worst == "at_risk" and slipped and not late and not blocked:
        return Health("at_risk", tuple(reasons), slipped_days=max(d for d, _ in slipped))
    return Health(worst, tuple(reasons) or (Reason("on_dates"),))


def days_until(day: dt.date, today: dt.date) -> int:
    return (day - today).days

