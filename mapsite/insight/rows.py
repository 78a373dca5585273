"""One deal's row in the team's pipeline: where each deal stands, as `mapsite list` (and later the team page) shows it.

The row is data, never sentences: codes, numbers, ISO dates and the plan's own names, so every
reader words it its own way (the terminal table, JSON and CSV in `insight.listing`). Its facts
are the team's (`audience.TEAM`): the full plan, internal items included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mapsite.insight import derive
from mapsite.insight.audience import TEAM, view_for
from mapsite.insight.ledger import delays_json, ledger
from mapsite.insight.projection import project
from mapsite.plan.loader import Deal


@dataclass(frozen=True)
class NextMilestone:
    """The soonest milestone not done, with who owns it."""

    title: str
    owners: tuple[str, ...]  # each owner's label (`Stakeholder.label`)
    due: dt.date


@dataclass(frozen=True)
class Row:
    """One deal in the pipeline. `updated` is the plan's last commit (None when git does not know it)."""

    slug: str
    title: str
    buyer: str
    url: str
    owner: str | None  # the deal owner's label; None when the plan has no seller stakeholder
    owner_id: str | None
    go_live: dt.date
    days_left: int  # to go-live; negative once it has passed
    projected_go_live: dt.date  # go-live moved by the delays it carries (insight.projection)
    delays: tuple[dict, ...]  # the ledger of lost days without git history, as JSON objects
    health: str  # on_track, at_risk, off_track
    reasons: tuple[derive.Reason, ...]
    done: int
    total: int
    slipped_days: int  # the largest slip of a milestone not yet done, as health counts it
    next_milestone: NextMilestone | None
    overdue: int  # milestones and steps past due and not done
    updated: dt.date | None
    amount: float | None
    currency: str | None  # the plan's, else the site's default
    forecast: str | None  # commit, best_case, pipeline, omitted
    close: dt.date | None

    @property
    def close_quarter(self) -> str | None:
        """The calendar quarter of the expected signature, `2027-Q1`: what a pipeline review groups by."""
        return f"{self.close.year}-Q{(self.close.month - 1) // 3 + 1}" if self.close else None

    def as_json(self) -> dict:
        """Every field under a stable name: ISO dates, numbers as numbers, null when unknown.

        `status` is the health code and `progress` "done/total": the names `mapsite list --json` always had.
        """
        later = self.next_milestone
        return {
            "slug": self.slug, "title": self.title, "buyer": self.buyer, "url": self.url,
            "owner": self.owner, "owner_id": self.owner_id,
            "go_live": self.go_live.isoformat(), "days_left": self.days_left,
            "projected_go_live": self.projected_go_live.isoformat(), "delays": list(self.delays),
            "status": self.health,
            "reasons": [{"code": r.code, "count": r.count, "title": r.title} for r in self.reasons],
            "progress": f"{self.done}/{self.total}", "done": self.done, "total": self.total,
            "slipped_days": self.slipped_days,
            "next_milestone": later and {"title": later.title, "owners": list(later.owners), "due": later.due.isoformat()},
            "overdue": self.overdue,
            "last_updated": _iso(self.updated),
            "amount": whole(self.amount), "currency": self.currency, "forecast": self.forecast,
            "close": _iso(self.close), "close_quarter": self.close_quarter,
        }


def deal_row(deal: Deal, url: str, today: dt.date, *, updated: dt.date | None = None,
             currency: str | None = None, pending: list[derive.Item] | None = None,
             every: list[derive.Item] | None = None) -> Row:
    """The deal's row; `url` is its address as the site publishes it, `currency` the site's default, `pending` the
    team's view's open items (`derive.open_items`) and `every` its items (`derive.items`) when the caller has them
    already (the team page does: its actions are the same items). The projection is worked out once and shared
    with health."""
    plan = view_for(deal.plan, TEAM)
    projection = project(plan, today)
    health = derive.health(plan, today, projection, every)
    done, total = derive.progress(plan)
    owner = plan.deal_owner()
    later = derive.next_milestone(plan)
    return Row(
        slug=deal.slug, title=plan.title, buyer=plan.buyer.name, url=url,
        owner=owner.label if owner else None, owner_id=owner.id if owner else None,
        go_live=plan.go_live, days_left=derive.days_until(plan.go_live, today),
        projected_go_live=projection.projected, delays=tuple(delays_json(ledger(plan, today))),
        health=health.level, reasons=health.reasons, done=done, total=total,
        slipped_days=max((derive.slip_days(m) for m in plan.milestones if m.status != "done"), default=0),
        next_milestone=later and NextMilestone(
            later.title, tuple(p.label for p in map(plan.stakeholder, later.owners) if p), later.due),
        overdue=len(derive.overdue(plan, today, pending)),
        updated=updated,
        amount=plan.amount, currency=plan.currency or currency, forecast=plan.forecast, close=plan.close,
    )


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def whole(amount: float | None) -> int | float | None:
    """186000, not 186000.0: a whole amount reads as one in JSON and in a spreadsheet."""
    return int(amount) if amount is not None and amount.is_integer() else amount
