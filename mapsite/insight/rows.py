"""One deal's row across deals, as `mapsite list` prints it: the team's view of where each deal stands.

The status and progress are the team's (`audience.TEAM`): the full plan, internal items included.
"""

from __future__ import annotations

import datetime as dt
import json

from mapsite.insight.audience import TEAM, facts_for
from mapsite.insight.ledger import delays_json, ledger
from mapsite.insight.projection import project
from mapsite.plan.loader import Deal


def deal_row(deal: Deal, url: str, today: dt.date) -> dict:
    """The deal's row; `url` is the deal's address as the site publishes it.

    `delays` is the ledger of lost days without git history (agreed dates moved, overdue today), so a
    list of 1,000 deals runs no git process per deal."""
    facts = facts_for(deal.plan, TEAM, today)
    return {
        "slug": deal.slug,
        "title": deal.plan.title,
        "buyer": deal.plan.buyer.name,
        "url": url,
        "go_live": deal.plan.go_live.isoformat(),
        "status": facts.health.level,
        "progress": f"{facts.done}/{facts.total}",
        "projected_go_live": project(deal.plan, today).projected.isoformat(),
        "delays": delays_json(ledger(deal.plan, today)),
    }


def rows_json(rows: list[dict]) -> str:
    """Every row as a JSON array, for tools."""
    return json.dumps(rows, indent=2, ensure_ascii=False)


def row_line(row: dict) -> str:
    """One row as a tab-separated line, for people and `cut`: slug, address, go-live, projected go-live, status,
    progress, title."""
    return (f"{row['slug']}\t{row['url']}\t{row['go_live']}\t{row['projected_go_live']}\t{row['status']}\t"
            f"{row['progress']}\t{row['title']}")
