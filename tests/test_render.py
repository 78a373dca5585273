"""Rendering details the pages rely on, checked on the fragments themselves (no MkDocs build needed).

Plans are the canonical Northwind plan (tests/northwind-logistics.md), edited line by line and read from text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import edited
from mapsite.plan import load_text
from mapsite.site import kinds
from mapsite.site import render as pages

TODAY = dt.date(2026, 11, 24)


def test_a_persons_name_and_role_are_escaped_wherever_the_page_names_them() -> None:
    """A name or role holding markup reads as text, in the person's chip and in its tooltip, named or not."""
    deal, problems = load_text(edited(
        ("    name: Marco Ruiz\n", "    name: 'Marco <b>\"Ruiz\"</b> & co'\n"),
        ("    role: Director of Dispatch, champion\n", "    role: 'Director <i>of</i> \"Dispatch\"'\n"),
        ("    role: Legal counsel\n", "    role: 'Legal <counsel> & co'\n"),
    ), Path("plans/northwind-logistics.md"))
    assert problems == []
    html = "".join(pages.render_page(kind, deal, TODAY) for kind in kinds.DEAL_KINDS)
    assert ('<span class="ms-person ms-side-buyer" title="Director &lt;i&gt;of&lt;/i&gt; &#34;Dispatch&#34;">'
            'Marco &lt;b&gt;&#34;Ruiz&#34;&lt;/b&gt; &amp; co<span class="ms-side-tag">buyer</span></span>') in html
    assert ('<span class="ms-person ms-side-buyer" title="Legal &lt;counsel&gt; &amp; co">Legal &lt;counsel&gt; &amp; co '
            '<em class="ms-tbn">(to be named)</em><span class="ms-side-tag">buyer</span></span>') in html
    assert "<b>" not in html and "<i>of" not in html and "<counsel>" not in html


def test_pages_rendered_in_turn_are_each_deals_own_on_each_day() -> None:
    """A deal's pages share the facts worked out for it (render._LastDeal), and never another deal's or another day's."""
    def deal(*changes: tuple[str, str]):
        found, problems = load_text(edited(*changes), Path("plans/northwind-logistics.md"))
        assert problems == []
        return found

    northwind, contoso = deal(), deal(("title: Northwind Logistics × Acme Analytics", "title: Contoso Freight × Acme Analytics"),
                                      ("go_live: 2027-03-01", "go_live: 2027-04-01"))
    alone = {kind.key: pages.render_page(kind, northwind, TODAY) for kind in kinds.DEAL_KINDS}
    pages.render_page(kinds.SUMMARY, contoso, TODAY)
    in_turn = {kind.key: pages.render_page(kind, northwind, TODAY) for kind in kinds.DEAL_KINDS}
    assert in_turn == alone
    contoso_summary = pages.render_page(kinds.SUMMARY, contoso, TODAY)
    assert "Contoso Freight" in contoso_summary and "Northwind Logistics ×" not in contoso_summary
    assert "97 days left" in alone["summary"] and "128 days left" in contoso_summary
    tomorrow = TODAY + dt.timedelta(days=1)
    assert "97 days left" in pages.render_page(kinds.SUMMARY, northwind, TODAY, updated=TODAY)
    assert "96 days left" in pages.render_page(kinds.SUMMARY, northwind, tomorrow, updated=TODAY)  # only the day differs
    northwind.plan = contoso.plan  # the same deal holding another plan (Deal is not frozen)
    assert "127 days left" in pages.render_page(kinds.SUMMARY, northwind, tomorrow, updated=TODAY)


def _mark(x: float, kind: str = "milestone") -> pages.Mark:
    return pages.Mark(kind, TODAY, "", "", "1", "not_started", x)


def test_close_milestones_take_separate_rows_of_the_timeline_and_far_ones_share_the_first() -> None:
    placed, lanes = pages._in_lanes([_mark(10), _mark(12), _mark(13), _mark(14), _mark(30), _mark(31, "event"), _mark(90)])
    assert [m.lane for m in placed] == [0, 1, 2, 0, 0, 0, 0]  # the fourth row is full: the row furthest behind takes it
    assert lanes == 3
    assert pages._in_lanes([_mark(10), _mark(50)]) == ([_mark(10), _mark(50)], 1)
    fragment = pages.render_page(kinds.MILESTONES, load_text(edited(
        ("    due: 2026-11-27\n    baseline: 2026-11-20\n", "    due: 2026-10-31\n"),
    ), Path("plans/northwind-logistics.md"))[0], TODAY)
    assert 'style="--ms-lanes: 1"' in fragment and "--ms-lane: 1" in fragment  # the track grows by the row it needs
