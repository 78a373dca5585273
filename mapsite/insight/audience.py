"""Whose view a deal's facts are computed on: a named decision, not an accident of the caller.

- `BUYER`: the buyer's pages show, and count, only what the buyer sees (`public_view`). A
  team-only item never changes what the buyer reads: an internal blocked step does not turn
  their page "at risk", and their progress counts only the milestones they see.
- `TEAM`: `mapsite list` is the team's view of every deal and counts the full plan, internal
  items included, so the team sees an internal blocked step in the deal's status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from mapsite.insight import derive
from mapsite.plan.model import Plan, public_view

Audience = Literal["buyer", "team"]
BUYER: Audience = "buyer"
TEAM: Audience = "team"


def view_for(plan: Plan, audience: Audience) -> Plan:
    """The plan as `audience` sees it, and so what its facts are computed on."""
    if audience == BUYER:
        return public_view(plan)
    if audience == TEAM:
        return plan
    raise ValueError(f"unknown audience {audience!r}")


@dataclass(frozen=True)
class Facts:
    """The headline facts of one deal, for one audience."""

    done: int  # milestones done
    total: int  # milestones in all
    health: derive.Health


def facts_for(plan: Plan, audience: Audience, today: dt.date) -> Facts:
    """Progress and health of the plan as `audience` sees it."""
    seen = view_for(plan, audience)
    done, total = derive.progress(seen)
    return Facts(done, total, derive.health(seen, today))
