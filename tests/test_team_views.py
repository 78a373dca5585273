"""Which deal pages get a view of their own for the team (`mkdocs.team.has_team_view`), proved by rendering both.

A page without a team view is the buyer's view under both locks: the rule must never leave out a page whose
team view would show more. So each page kind is rendered for both audiences (`render.render_page`, as the
build does) from plans with one kind of internal item each, and the rule is held to what the renders say.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from conftest import edited
from mapsite.insight.audience import BUYER, TEAM
from mkdocs.exceptions import PluginError

from mapsite.mkdocs.team import PROBE, ContentOps, has_team_only, has_team_view, team_page, team_view
from mapsite.plan import load_text
from mapsite.security.patch import apply
from mapsite.site import kinds
from mapsite.site.render import render_page

TODAY = dt.date(2026, 11, 24)
BANNER = re.compile(r'<p class="ms-team-view" role="note">.*?</p>\n?', re.S)  # the one line only the team's view has

# One plan per kind of internal item (the canonical plan, tests/northwind-logistics.md, with that item added).
ITEMS = {
    "risk": ("    owner: raj\nkpis:", "    owner: raj\n  - risk: Dana may leave in Q1\n    owner: tom\n    internal: true\nkpis:"),
    "commercial": ("    amount: $24,000 one-time\n", "    amount: $24,000 one-time\n  - item: Discount floor\n    amount: 15%\n"
                                                     "    internal: true\n"),
    "note": ("cadence: Weekly", "notes:\n  - text: Champion is nervous\ncadence: Weekly"),
    "pipeline": ("go_live: 2027-03-01\n", "go_live: 2027-03-01\nowner: lena\namount: 243500\ncurrency: USD\n"
                                          "forecast: best_case\nclose: 2027-01-19\n"),
    "step": ("        due: 2026-12-08\n        status: not_started\n",
             "        due: 2026-12-08\n        status: not_started\n      - task: Ask Tom to call Dana's boss\n"
             "        owner: tom\n        internal: true\n"),
    "undated step": ("        due: 2026-12-08\n        status: not_started\n",
                     "        due: 2026-12-08\n        status: not_started\n      - task: Price check with finance\n"
                     "        internal: true\n"),
    "milestone": ("milestones:\n", "milestones:\n  - title: Internal deal review\n    due: 2026-12-01\n    internal: true\n"),
}


def _deal(item: str):
    deal, problems = load_text(edited(ITEMS[item]), Path("plans/northwind-logistics.md"))
    assert problems == [], problems
    deal.slug = "northwind-logistics"
    return deal


def _differs(deal, kind) -> bool:
    buyer = render_page(kind, deal, TODAY, audience=BUYER)
    team = render_page(kind, deal, TODAY, audience=TEAM)
    assert BANNER.search(team) and not BANNER.search(buyer)
    return BANNER.sub("", team, count=1) != buyer


# Where the rule gives a view of its own to a page that renders the same for both: an internal step with no owner
# and no date is on no person's list and in no calendar. A second view there costs time, never words; a page that
# renders differently without a view of its own would cost the team its words, and fails below.
SAME_YET_SEALED_APART = {("undated step", "people")}


@pytest.mark.parametrize("item", ITEMS)
@pytest.mark.parametrize("kind", kinds.DEAL_KINDS, ids=lambda kind: kind.key)
def test_a_page_gets_a_team_view_whenever_the_teams_render_shows_more(item, kind):
    deal = _deal(item)
    differs = _differs(deal, kind)
    if item != "pipeline":  # the pipeline fields are the team page's, on no deal page: no view of their own
        assert has_team_only(deal.plan)
    expected = differs or (item, kind.key) in SAME_YET_SEALED_APART
    assert has_team_view(deal.plan, kind) == expected, f"{item} on the {kind.key} page"


def test_internal_work_changes_every_page_and_a_note_only_the_summary():
    """The cases the rule turns on, said plainly (the parametrized test above holds them to the renders)."""
    step, note = _deal("step"), _deal("note")
    assert all(has_team_view(step.plan, kind) for kind in kinds.DEAL_KINDS)
    assert [kind.key for kind in kinds.DEAL_KINDS if has_team_view(note.plan, kind)] == ["summary"]


def test_a_page_kind_the_rule_does_not_know_gets_a_team_view_for_any_internal_item():
    other = kinds.PageKind("extra", "Extra", "extra.md", "summary.html", kinds.DEAL)
    assert has_team_view(_deal("note").plan, other) and not has_team_view(_deal("pipeline").plan, other)


def test_the_teams_content_goes_where_the_buyers_is_once_and_nowhere_else():
    buyer = "<p>" + "open items " * 60 + "</p>"  # longer than the probe, which the frame repeats
    frame = "<html><nav>" + buyer[:PROBE] + "</nav><main>{}</main></html>"
    assert team_page(frame.format(buyer), buyer, "<p>team</p>", "x.md") == frame.format("<p>team</p>")
    for placed in (frame.format(buyer + buyer), frame.format(buyer[:-1]), frame.format("")):
        with pytest.raises(PluginError, match="x.md: the team's view cannot be placed"):
            team_page(placed, buyer, "<p>team</p>", "x.md")
    with pytest.raises(PluginError, match="cannot be placed"):
        team_page(frame.format(""), "", "<p>team</p>", "x.md")


def test_the_teams_view_is_ops_on_the_buyers_lines_unless_they_would_change_a_script_that_runs():
    data = '<script type="application/json" id="ms-calendar">{"steps": %s}</script>'
    runs = "<script>\nvar steps = %s;\n</script>"
    buyer = "<h1>Plan</h1>\n" + data % 1 + "\n" + runs % 1 + "\n<p>end</p>"
    for team, as_ops in [
        (buyer.replace("<h1>Plan</h1>", "<h1>Plan</h1>\n<p>Internal</p>"), True),
        (buyer.replace(data % 1, data % 2), True),  # a data block is no script the policy hashes
        (buyer.replace(runs % 1, runs % 2), False),  # inside a script that runs: its hash would change
        (buyer.replace("<p>end</p>", "<p>end</p>\n<script>alert(1)</script>"), False),
        (buyer.replace("\n<p>end</p>", "<script src=x.js></script>\n<p>end</p>"), False),
    ]:
        content, view = team_view(buyer, team)
        assert content == f"\n{buyer}\n"
        if as_ops:
            assert isinstance(view, ContentOps) and apply(content, view.ops) == f"\n{team}\n"
        else:
            assert view == f"\n{team}\n"
    assert ContentOps([(1, 2, ["x"])]).on_page(10) == [(11, 12, ["x"])]
