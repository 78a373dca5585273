"""Insight across audiences and rules: whose view health is computed on, one value-review rule, `mapsite list` rows.

Plans are the canonical Northwind plan (tests/northwind-logistics.md), edited line by line and
read from text, the way the site reads them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import edited
from mapsite.site import kinds
from mapsite.site import render as pages
from mapsite.insight import derive
from mapsite.insight.advice import advise
from mapsite.insight.audience import BUYER, TEAM, facts_for, view_for
from mapsite.insight.rows import deal_row, row_line
from mapsite.plan import Deal, load_text

TODAY = dt.date(2026, 11, 24)
ON_TRACK = (("    baseline: 2026-11-20\n", ""),
            ("        due: 2026-11-18\n        status: in_progress", "        due: 2026-11-18\n        status: done"))
INTERNAL_BLOCKED_STEP = ("        due: 2026-12-08\n        status: not_started\n",
                         "        due: 2026-12-08\n        status: not_started\n"
                         "      - task: Chase the discount approval\n        owner: tom\n        status: blocked\n        internal: true\n")


def deal_from(*changes: tuple[str, str]) -> Deal:
    """The canonical plan, edited, read from text as the site would read `plans/northwind-logistics.md`."""
    deal, problems = load_text(edited(*changes), Path("plans/northwind-logistics.md"))
    assert problems == [], "\n".join(map(str, problems))
    return deal


def test_an_internal_blocked_step_changes_the_teams_health_and_not_the_buyers() -> None:
    plan = deal_from(*ON_TRACK, INTERNAL_BLOCKED_STEP).plan
    assert facts_for(plan, TEAM, TODAY).health == derive.Health("at_risk", (derive.Reason("blocked", 1),))
    assert facts_for(plan, BUYER, TODAY).health.level == "on_track"
    without = deal_from(*ON_TRACK).plan
    assert facts_for(without, TEAM, TODAY) == facts_for(without, BUYER, TODAY) == facts_for(plan, BUYER, TODAY)


def test_mapsite_list_rows_are_the_teams_view_and_pages_the_buyers() -> None:
    deal = deal_from(*ON_TRACK, INTERNAL_BLOCKED_STEP)
    row = deal_row(deal, "https://deals.example/northwind-logistics-k7qm2xtz9p/", TODAY)
    assert row == {"slug": "northwind-logistics", "title": "Northwind Logistics × Acme Analytics",
                   "buyer": "Northwind Logistics", "url": "https://deals.example/northwind-logistics-k7qm2xtz9p/",
                   "go_live": "2027-03-01", "status": "at_risk", "progress": "1/8", "projected_go_live": "2027-03-01",
                   "delays": []}
    assert row_line(row) == ("northwind-logistics\thttps://deals.example/northwind-logistics-k7qm2xtz9p/\t2027-03-01\t"
                             "2027-03-01\tat_risk\t1/8\tNorthwind Logistics × Acme Analytics")
    summary = pages.render_page(kinds.SUMMARY, deal, TODAY)
    assert "ms-health--on_track" in summary and "Chase the discount approval" not in summary


def test_an_internal_milestone_counts_in_the_teams_progress_only() -> None:
    plan = deal_from(("  - title: Onboarding kick-off\n", "  - title: Onboarding kick-off\n    internal: true\n")).plan
    assert (facts_for(plan, TEAM, TODAY).done, facts_for(plan, TEAM, TODAY).total) == (1, 8)
    assert (facts_for(plan, BUYER, TODAY).done, facts_for(plan, BUYER, TODAY).total) == (1, 7)
    assert view_for(plan, TEAM) is plan
    with pytest.raises(ValueError):
        view_for(plan, "press")  # type: ignore[arg-type]


def test_health_and_advice_agree_on_the_value_review_when_two_milestones_end_the_plan() -> None:
    # a second milestone on the last date: the last written is the value review, for health and for advice
    deal = deal_from(("    owners: [dana, tom]\n",
                      "    owners: [dana, tom]\n"
                      "  - title: Renewal planning\n    value: Both sides agree the next year's goals.\n"
                      "    due: 2027-05-31\n    owners: [marco, raj]\n"))
    assert derive.value_review(deal.plan).title == "Renewal planning"
    assert derive.Reason("after_go_live", title="Optimization review") in derive.health(deal.plan, TODAY).reasons
    after = [p.message for p in advise(deal, "plans/northwind-logistics.md", TODAY) if "after go-live" in p.message]
    assert len(after) == 1 and after[0].startswith("milestone `Optimization review` is due 2027-05-31")


def test_advice_finds_the_value_review_among_the_milestones_the_buyer_sees() -> None:
    # the team's own last milestone is not the buyer's value review: the plan, as the buyer sees it, ends on go-live
    deal = deal_from(("    due: 2027-05-31\n    status: not_started\n",
                      "    due: 2027-05-31\n    status: not_started\n    internal: true\n"))
    ends = [p for p in advise(deal, "plans/northwind-logistics.md", TODAY) if "the plan ends with" in p.message]
    assert [p.message.split(";")[0] for p in ends] == ["the plan ends with `Rollout to all 14 depots` on or before go-live (2027-03-01)"]
    assert derive.value_review(view_for(deal.plan, BUYER)) is None
