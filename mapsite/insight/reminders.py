"""Who gets a reminder, and of what: each person's open items overdue or due within the next days, across deals.

Facts only (items, people, deals); `mapsite.site.reminder` words them and `mapsite.mail` sends them.

- Seller-side people always, on the team's view of the plan: their internal items count.
- Buyer-side people only where the plan sets `remind_buyers: true`, and on the buyer's view: a team-only
  item never reaches a buyer's inbox.
- One reminder per email address across every deal (a person is their address: stakeholder ids are per plan),
  in the language of the first deal (by slug) that lists them, with the other deals' items in that language's
  words too. A person with items due but no `email` is reported as skipped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from mapsite.insight import derive
from mapsite.insight.audience import BUYER, TEAM, view_for
from mapsite.plan import Deal
from mapsite.plan.model import Plan, Stakeholder


@dataclass(frozen=True)
class DealItems:
    """One deal's part of a reminder: the plan as the person sees it, and their items, late first."""

    deal: Deal
    plan: Plan
    items: tuple[derive.Item, ...]


@dataclass
class Reminder:
    """One email: who, in which language, and what they owe in each deal."""

    email: str
    name: str  # "" while the plan names only the role: the greeting then names no one
    language: str
    deals: list[DealItems] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(part.items) for part in self.deals)


@dataclass(frozen=True)
class Skipped:
    """Someone with items due who has no email address in the plan."""

    deal: Deal
    person: Stakeholder
    count: int


def due_by(today: dt.date, days: int) -> dt.date:
    """The last day a reminder covers: today plus `days` (everything before it, overdue included)."""
    return today + dt.timedelta(days=days)


def reminders(deals: list[Deal], today: dt.date, days: int, language: str) -> tuple[list[Reminder], list[Skipped]]:
    """Every reminder to send, and who is skipped; `language` is the site's, for plans that name none."""
    found: dict[str, Reminder] = {}
    skipped: list[Skipped] = []
    last = due_by(today, days)
    for deal in sorted(deals, key=lambda d: d.slug):
        for person, plan, items in _owing(deal, last):
            if not person.email:
                skipped.append(Skipped(deal, person, len(items)))
                continue
            reminder = found.setdefault(person.email.casefold(), Reminder(
                person.email, person.name or "", deal.plan.language or language))
            reminder.deals.append(DealItems(deal, plan, tuple(items)))
    return list(found.values()), skipped


def _owing(deal: Deal, last: dt.date):
    """(person, the plan as they see it, their items due on or before `last`) for everyone reminded in this deal."""
    views = {"seller": view_for(deal.plan, TEAM)}
    if deal.plan.remind_buyers:
        views["buyer"] = view_for(deal.plan, BUYER)
    for side, plan in views.items():
        pending = derive.open_items(plan)
        for person in plan.stakeholders:
            if person.side != side:
                continue
            items = [i for i in derive.owed(plan, person.id, pending) if i.due is not None and i.due <= last]
            if items:
                yield person, plan, items
