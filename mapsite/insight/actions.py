"""Every open item across the deals, for the team page's actions view: who owes what, and how late.

An `Action` is data, never sentences (codes, numbers, dates and the plan's own names), like a
pipeline `Row`: the page words it. Actions are the team's (`audience.TEAM`): internal items count,
since the team page is for the team only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mapsite.insight import derive
from mapsite.insight.audience import TEAM, view_for
from mapsite.plan.loader import Deal


@dataclass(frozen=True)
class Action:
    """One milestone or step not yet done, with its deal and its milestone."""

    slug: str  # the deal
    deal_title: str
    buyer: str
    kind: str  # "milestone" or "step"
    title: str
    milestone_number: int  # 1-based, as the deal's milestones page numbers it
    milestone_title: str  # the item's own title for a milestone, its milestone's for a step
    owners: tuple[tuple[str, str], ...]  # (label, side) of each owner, side "buyer" or "seller"
    due: dt.date | None  # a step may have no date
    status: str  # not_started, in_progress, blocked
    days_late: int  # days past due on `today`; 0 when not late or undated


def open_actions(deal: Deal, today: dt.date, pending: list[derive.Item] | None = None) -> list[Action]:
    """The deal's open milestones and steps, as the team sees the plan (derive's items, in its order); `pending`
    is `derive.open_items` of the team's view when the caller has it already (the team page: its rows count them)."""
    plan = view_for(deal.plan, TEAM)
    found = []
    for item in derive.open_items(plan) if pending is None else pending:
        owners = tuple((person.label, person.side) for person in item.owners if person is not None)
        found.append(Action(
            slug=deal.slug, deal_title=plan.title, buyer=plan.buyer.name, kind=item.kind, title=item.title,
            milestone_number=item.milestone_number, milestone_title=plan.milestones[item.milestone_number - 1].title,
            owners=owners, due=item.due, status=item.status,
            days_late=(today - item.due).days if item.overdue(today) else 0,
        ))
    return found


def by_urgency(action: Action) -> tuple:
    """Sort key: late first (the latest first), then the soonest due, undated last; ties in deal and plan order."""
    return (action.days_late == 0, -action.days_late, action.due is None, action.due or dt.date.max,
            action.slug, action.milestone_number, action.kind != "milestone")


def ordered(actions: list[Action]) -> list[Action]:
    """`actions` of many deals in the order the actions view lists them (`by_urgency`)."""
    return sorted(actions, key=by_urgency)
