"""What a loaded plan means: the public view, derived facts (progress, slips, overdue, health), and safe text.

Plans are the canonical Northwind plan (tests/northwind-logistics.md), edited line by line,
written to a real file and read with `load_plan`, the way the site reads them.
"""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup
from pydantic import ValidationError

from conftest import edited
from mapsite.insight import derive
from mapsite.plan import load_plan
from mapsite.plan.model import Plan, public_view
from mapsite.site import render
from mapsite.site import text
from mapsite.site.text import block, inline
from mapsite.site.words import words

CANONICAL_TEXT = (Path(__file__).resolve().parent / "northwind-logistics.md").read_text(encoding="utf-8")
TODAY = dt.date(2026, 11, 24)


@pytest.fixture
def plan_from(tmp_path: Path):
    """Write plan text to a real file and load it; the plan must be valid."""

    def load(*changes: tuple[str, str]) -> Plan:
        path = tmp_path / "northwind-logistics.md"
        path.write_text(edited(*changes), encoding="utf-8")
        deal, problems = load_plan(path)
        assert problems == [], "\n".join(map(str, problems))
        return deal.plan

    return load


# --- the model --------------------------------------------------------------------------


def test_plans_are_frozen(plan_from) -> None:
    plan = plan_from()
    with pytest.raises(ValidationError):
        plan.title = "Something else"


def test_public_view_drops_every_internal_item(plan_from) -> None:
    plan = plan_from(
        ("        due: 2026-12-08\n        status: not_started\n",
         "        due: 2026-12-08\n        status: not_started\n      - task: Ask Tom to call Dana's boss\n        owner: tom\n        internal: true\n"),
        ("  - title: Onboarding kick-off\n", "  - title: Onboarding kick-off\n    internal: true\n"),
        ("    owner: raj\nkpis:", "    owner: raj\n  - risk: Dana may leave in Q1\n    owner: tom\n    internal: true\nkpis:"),
        ("    amount: $24,000 one-time\n", "    amount: $24,000 one-time\n  - item: Discount floor\n    amount: 15%\n    internal: true\n"),
        ("cadence: Weekly", "notes:\n  - text: Shared with Marco on Nov 2\n    internal: false\n  - text: Champion is nervous\ncadence: Weekly"),
    )
    assert len(plan.milestones[2].steps) == 3 and len(plan.risks) == 3 and len(plan.commercials) == 3
    assert plan.notes[1].internal is True  # notes are team-only unless said otherwise

    shown = public_view(plan)
    assert [m.title for m in shown.milestones] == [m.title for m in plan.milestones if m.title != "Onboarding kick-off"]
    assert [s.task for s in shown.milestones[2].steps] == [
        "Send SOC 2 Type II report and completed SIG Lite questionnaire", "Security review meeting"]
    assert [r.risk for r in shown.risks] == [r.risk for r in plan.risks[:2]]
    assert [c.item for c in shown.commercials] == ["Annual subscription, 60 planner seats", "Onboarding and integration services"]
    assert [n.text for n in shown.notes] == ["Shared with Marco on Nov 2"]
    # the original is untouched
    assert len(plan.milestones) == 8 and len(plan.milestones[2].steps) == 3


# --- progress and slips ----------------------------------------------------------------


def test_progress_counts_done_milestones(plan_from) -> None:
    assert derive.progress(plan_from()) == (1, 8)
    plan = plan_from(("    baseline: 2026-11-20\n    status: in_progress", "    baseline: 2026-11-20\n    status: done"))
    assert derive.progress(plan) == (2, 8)


def test_slip_days(plan_from) -> None:
    plan = plan_from(
        ("    due: 2027-01-15\n", "    due: 2027-01-15\n    baseline: 2027-01-14\n"),
        ("    due: 2027-03-01\n", "    due: 2027-03-01\n    baseline: 2027-03-10\n"),
    )
    slips = {m.title: derive.slip_days(m) for m in plan.milestones}
    assert slips["Pilot on the Midwest region"] == 7         # due 11-27, agreed 11-20
    assert slips["Onboarding kick-off"] == 1
    assert slips["Rollout to all 14 depots"] == 0            # pulled in, not slipped
    assert slips["Agree on success criteria"] == 0           # no baseline


# --- overdue ----------------------------------------------------------------------------


def test_overdue_on_the_canonical_day(plan_from) -> None:
    plan = plan_from()
    late = derive.overdue(plan, TODAY)
    assert [(i.kind, i.title, i.due) for i in late] == [
        ("step", "Configure the pilot workspace and routing rules", dt.date(2026, 11, 18))]
    assert [o.id for o in late[0].owners] == ["lena"]
    assert late[0].milestone_number == 2


def test_due_today_is_not_overdue_and_done_never_is(plan_from) -> None:
    plan = plan_from()
    titles = lambda day: [i.title for i in derive.overdue(plan, day)]  # noqa: E731
    assert "Review pilot results with depot managers" not in titles(dt.date(2026, 11, 26))
    assert titles(dt.date(2026, 11, 28)) == [
        "Configure the pilot workspace and routing rules",
        "Review pilot results with depot managers",
        "Pilot on the Midwest region",
    ]
    # the SOC 2 step was due 2026-11-20 and is done
    assert "Send SOC 2 Type II report and completed SIG Lite questionnaire" not in titles(dt.date(2026, 12, 1))


def test_open_items_put_undated_steps_last(plan_from) -> None:
    plan = plan_from(("      - task: Redlines returned\n        owner: legal\n        due: 2026-12-22\n",
                      "      - task: Redlines returned\n        owner: legal\n"))
    pending = derive.open_items(plan)
    assert pending[-1].title == "Redlines returned" and pending[-1].due is None
    assert all(i.status != "done" for i in pending)
    assert [i.due for i in pending[:-1]] == sorted(i.due for i in pending[:-1])


# --- health -----------------------------------------------------------------------------

class Worded(NamedTuple):
    level: str
    label: str
    reasons: tuple[str, ...]


def worded(plan, today) -> Worded:
    """derive's health codes in the site's English, as the summary page shows them."""
    health, w = derive.health(plan, today), words("en")
    return Worded(health.level, render.health_label(w, health), tuple(render.reason_text(w, r) for r in health.reasons))



def test_health_of_the_canonical_plan(plan_from) -> None:
    assert worded(plan_from(), TODAY) == Worded(
        "at_risk", "At risk", ("Pilot on the Midwest region slipped 7 days", "1 item overdue"))


def test_health_when_only_slipped_shows_the_days(plan_from) -> None:
    # on November 15 nothing is overdue yet: the slip is the only reason
    assert worded(plan_from(), dt.date(2026, 11, 15)) == Worded(
        "at_risk", "Slipped 7 days", ("Pilot on the Midwest region slipped 7 days",))


def test_health_one_day_slip_is_singular(plan_from) -> None:
    plan = plan_from(("    baseline: 2026-11-20", "    baseline: 2026-11-26"))
    assert worded(plan, dt.date(2026, 11, 15)) == Worded(
        "at_risk", "Slipped 1 day", ("Pilot on the Midwest region slipped 1 day",))


def test_health_on_track(plan_from) -> None:
    plan = plan_from(("    baseline: 2026-11-20\n", ""),
                     ("        due: 2026-11-18\n        status: in_progress", "        due: 2026-11-18\n        status: done"))
    assert worded(plan, TODAY) == Worded("on_track", "On track", ("every milestone on its agreed date",))


def test_health_counts_blocked_items(plan_from) -> None:
    plan = plan_from(("        due: 2026-12-08\n        status: not_started", "        due: 2026-12-08\n        status: blocked"))
    health = worded(plan, TODAY)
    assert health.level == "at_risk" and health.label == "At risk"
    assert health.reasons == ("Pilot on the Midwest region slipped 7 days", "1 item overdue", "1 item blocked")


def test_health_off_track_when_a_milestone_lands_after_go_live(plan_from) -> None:
    plan = plan_from(("    due: 2027-03-01\n", "    due: 2027-03-15\n"))
    health = worded(plan, TODAY)
    assert health.level == "off_track" and health.label == "Off track"
    assert "Rollout to all 14 depots is due after go-live" in health.reasons
    # the value review after go-live is expected, never a reason
    assert not any("Optimization review" in r for r in health.reasons)


def test_health_off_track_when_go_live_passed_with_milestones_open(plan_from) -> None:
    health = worded(plan_from(), dt.date(2027, 3, 2))
    assert health.level == "off_track"
    assert health.reasons[-1] == "go-live date has passed with milestones open"
    assert "11 items overdue" in health.reasons  # every open step and milestone due before March 2
    assert worded(plan_from(), dt.date(2027, 3, 1)).level == "at_risk"  # go-live day itself


def test_health_set_by_hand_wins(plan_from) -> None:
    plan = plan_from(("cadence: Weekly", "status: on_track\nstatus_note: Pilot slip agreed with Dana\ncadence: Weekly"))
    assert worded(plan, TODAY) == Worded("on_track", "On track", ("Pilot slip agreed with Dana",))
    plan = plan_from(("cadence: Weekly", "status: off_track\ncadence: Weekly"))
    assert worded(plan, TODAY) == Worded("off_track", "Off track", ("set by the deal team",))


def test_value_review_and_next_milestone(plan_from) -> None:
    plan = plan_from()
    assert derive.value_review(plan).title == "Optimization review"
    assert derive.next_milestone(plan).title == "Pilot on the Midwest region"
    moved = plan_from(("    due: 2027-05-31\n", "    due: 2027-02-20\n"))
    assert derive.value_review(moved) is None  # nothing after go-live


# --- safe text --------------------------------------------------------------------------


class _Links(HTMLParser):
    """The href of every element, decoded the way a browser decodes attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.hrefs += [value or "" for name, value in attrs if name in ("href", "src")]


def parsed(html: str) -> _Links:
    links = _Links()
    links.feed(str(html))
    links.close()
    return links


def browser_scheme(href: str) -> str:
    cleaned = "".join(ch for ch in href if ch.isprintable() and not ch.isspace())
    return urlsplit(cleaned).scheme.lower()


@pytest.mark.parametrize("source", ["Pilot sign-off", "Kick-off (IT, ops): 45 min, 8 a.m.", "Go-live – €0.4M?", "Ünterschrift"])
def test_plain_text_skips_markdown_and_reads_the_same(source: str) -> None:
    assert text._PLAIN.fullmatch(source)
    assert inline(source) == text._converted(source) == source


ODD = [chr(c) for c in range(0x20, 0x7f) if not chr(c).isalnum()] + list("\t\n\u00a0’–—€£é1")


@pytest.mark.parametrize("source", [f"{a}{odd}{b}" for odd in ODD for a, b in (("", "a"), ("a", ""), ("a", "b"))]
                         + ["1. a", "1) a", "a  b", "a\\*b\\*", "a -- b", "A. b", "a:b", "a (b) c"])
def test_the_plain_text_shortcut_gives_what_markdown_gives(source: str) -> None:
    """Text that skips the converter (`text._PLAIN`) is exactly what Markdown would have made of it: every
    character beside a letter, at the start, the end and within."""
    assert text._inline_html.__wrapped__(source) == text._converted(source)


@given(st.lists(st.sampled_from(["a", "Zé", " ", "1", ",", ".", "(", ")", "’", "-", "–", ":", "%", "*", "_", "<", "&",
                                 "[", "]", "`", "!", "#", "\\", "  "]), max_size=8).map("".join))
def test_the_plain_text_shortcut_holds_for_mixed_text(source: str) -> None:
    assert text._inline_html.__wrapped__(source) == text._converted(source)


def test_raw_html_is_shown_as_text() -> None:
    assert inline("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert inline('Call <b>Dana</b> <img src=x onerror="alert(1)">') == (
        'Call &lt;b&gt;Dana&lt;/b&gt; &lt;img src=x onerror="alert(1)"&gt;')
    html = block("## Why now\n\n<div onclick=\"steal()\">Peak season</div>\n\n<iframe src=https://evil.example></iframe>\n")
    assert parsed(html).tags == ["h3", "p", "p"]
    assert "&lt;div onclick=" in html and "&lt;iframe" in html


@pytest.mark.parametrize("source", [
    "[Open the plan](javascript:alert(1))",
    "[Open the plan](JavaScript:alert(1))",
    "[Open the plan]( javascript:alert(1))",
    "[Open the plan](<javascript:alert(1)>)",
    "[Open the plan](java\tscript:alert(1))",
    "[Open the plan][plan]\n\n[plan]: javascript:alert(1)",
    "[Open the plan](vbscript:msgbox(1))",
    "[Open the plan](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
])
def test_unsafe_links_lose_their_target_and_keep_their_words(source: str) -> None:
    html = block(source)
    assert parsed(html).hrefs == []
    assert "Open the plan" in html
    assert "<a" not in html


@pytest.mark.parametrize("source", [
    "[Open the plan](&#106;avascript:alert(1))",
    "[Open the plan](&#x6A;avascript:alert(1))",
    "[Open the plan](javascript&colon;alert(1))",
])
def test_entity_encoded_javascript_links_are_dropped(source: str) -> None:
    """A browser decodes `&#106;` to `j` in an href, so these are `javascript:` links once shown."""
    html = str(inline(source))
    schemes = [browser_scheme(h) for h in parsed(html).hrefs]
    assert "javascript" not in schemes, f"a browser would run {html}"
    assert "Open the plan" in html


def test_images_become_their_alt_text() -> None:
    assert inline("![Northwind depot map](https://cdn.example/map.png)") == "<span>Northwind depot map</span>"
    assert inline("![](https://tracker.example/pixel.gif)") == "<span></span>"
    html = block("See ![the map](https://cdn.example/map.png \"Depots\") below.")
    assert "<img" not in html and "cdn.example" not in html
    assert html == "<p>See <span>the map</span> below.</p>"


def test_markdown_emphasis_and_safe_links_are_kept() -> None:
    html = inline("**Signed** before the *holiday freeze*: see [the SOC 2 report](https://trust.acme.example/soc2) "
                  "or [email Raj](mailto:raj.patel@acme.example) or [the pilot](/pilots/northwind/)")
    assert html == (
        '<strong>Signed</strong> before the <em>holiday freeze</em>: see '
        '<a href="https://trust.acme.example/soc2" rel="noopener noreferrer" target="_blank">the SOC 2 report</a> '
        'or <a href="mailto:raj.patel@acme.example">email Raj</a> '
        'or <a href="/pilots/northwind/">the pilot</a>'
    )
    assert isinstance(html, Markup)


def test_block_keeps_lists_and_shifts_headings() -> None:
    html = block("## Why now\n\nPeak season starts on **February 15**.\n\n- one\n- two\n")
    assert html == (
        "<h3>Why now</h3>\n<p>Peak season starts on <strong>February 15</strong>.</p>\n"
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"
    )
    assert block("# Title", shift_headings=0) == "<h1>Title</h1>"
    assert block("###### Deep") == "<h6>Deep</h6>"


def test_empty_text() -> None:
    assert inline(None) == "" and block(None) == "" and block("  \n ") == ""
    assert inline(112) == "112"


def test_inline_keeps_paragraphs_when_there_are_several() -> None:
    assert inline("First line\n\nSecond line") == "<p>First line</p>\n<p>Second line</p>"


def test_headings_move_down_a_level_in_the_body_only():
    """The body's headings sit under the page's own; a title's text is never shifted, whatever was converted before."""
    assert block("# A\n\n## B\n\n###### F") == "<h2>A</h2>\n<h3>B</h3>\n<h6>F</h6>"
    from mapsite.site.text import _inline_html  # uncached: `inline` keeps what it converted once

    assert _inline_html("# Heading-like title") == "<h1>Heading-like title</h1>"
