"""The summary's lists and tables, rendered straight from the canonical plan (no build): each item once, every
late one shown, a total only where it adds up, the companies named once, calendars of open items only."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

import pytest

from conftest import CANONICAL, edited
from mapsite.insight import derive
from mapsite.plan import load_text
from mapsite.site import kinds, render


def _deal(text: str | None = None):
    deal, problems = load_text(text or CANONICAL.read_text(encoding="utf-8"), Path("plans/northwind-logistics.md"))
    assert not problems
    return deal


ITEM = re.compile(r'<li class="ms-item[^"]*"[^>]*?( hidden)?>(?:(?!</li>).)*?<span class="ms-item__title">(.*?)</span>', re.S)
"""A listed item and its title; the buyer's Update actions may come first."""


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", fragment))).strip()


def _shown(page: str, column: str) -> list[str]:
    """The titles a column of the summary shows (`next` or `overdue`), hidden ones left out."""
    start = page.index(f"data-ms-{column}-list")
    return [_text(title) for hidden, title in ITEM.findall(page[start:page.index("</div>", start)]) if not hidden]


def _hidden(page: str, marker: str) -> bool:
    return bool(re.search(marker + r"[^>]*? hidden>", page))


@pytest.mark.parametrize("today", [dt.date(2026, 11, 1) + dt.timedelta(days=9 * n) for n in range(24)])
def test_no_item_is_listed_twice_and_no_late_item_is_hidden(today):
    deal = _deal()
    page = render.render_page(kinds.SUMMARY, deal, today)
    late, coming = _shown(page, "overdue"), _shown(page, "next")
    expected_late = [i.title for i in derive.overdue(deal.plan, today)]
    assert late == expected_late  # every one of them, soonest first: none behind "1 more"
    assert not set(late) & set(coming), "an item under Next up and Overdue both"
    pending = [i.title for i in derive.open_items(deal.plan) if i.title not in expected_late]
    assert coming == pending[:3]  # the three soonest of the rest
    assert f"data-ms-overdue-count>{len(expected_late)}<" in page
    assert _hidden(page, "data-ms-none-overdue") == bool(late)
    assert _hidden(page, "data-ms-none-next") == bool(coming)


def test_when_everything_open_is_late_next_up_says_so():
    page = render.render_page(kinds.SUMMARY, _deal(), dt.date(2027, 7, 1))
    assert _shown(page, "next") == [] and not _hidden(page, "data-ms-none-next")
    assert "Everything still open is overdue." in page


def test_the_companies_are_named_once_when_the_title_names_both():
    def parties(deal) -> str:
        return _text(re.search(r'<p class="ms-parties">(.*?)</p>', render.render_page(kinds.SUMMARY, deal, dt.date(2026, 11, 24)),
                               re.S).group(1))
    assert parties(_deal()).startswith("Updated")  # the title right below says "Northwind Logistics × Acme Analytics"
    other = _deal(edited(("title: Northwind Logistics × Acme Analytics", "title: Dispatch planning pilot")))
    assert parties(other).startswith("Northwind Logistics × and Acme Analytics")  # "and" for screen readers only


def test_why_now_comes_before_the_commercials():
    page = render.render_page(kinds.SUMMARY, _deal(), dt.date(2026, 11, 24))
    assert page.index("Why now") < page.index('id="risks"') < page.index('id="commercials"')


TEXT_PRICES = ("  - item: Annual subscription, 60 planner seats\n    amount: $186,000 per year\n"
               "  - item: Onboarding and integration services\n    amount: $24,000 one-time\n")


def _commercials(lines: str):
    return _deal(edited((TEXT_PRICES, lines))).plan


@pytest.mark.parametrize(("lines", "total"), [
    ("  - {item: Subscription, price: 186000, currency: USD}\n  - {item: Support, price: 24000.5, currency: USD}\n",
     derive.Total(210000.5, "USD", None)),
    ("  - {item: A, price: 100, currency: EUR, amount: per year}\n  - {item: B, price: 50, currency: EUR, amount: per year}\n",
     derive.Total(150, "EUR", "per year")),
    ("  - {item: A, price: 100, currency: EUR, amount: per year}\n  - {item: B, price: 50, currency: EUR, amount: one-time}\n",
     None),  # a yearly and a one-time fee make no one sum
    ("  - {item: A, price: 100, currency: EUR}\n  - {item: B, price: 50, currency: USD}\n", None),
    ("  - {item: A, price: 100, currency: EUR}\n  - {item: B, amount: included}\n", None),
    ("  - {item: A, price: 100, currency: EUR}\n", None),  # one line is its own total
    (TEXT_PRICES, None),
])
def test_commercials_add_up_only_where_the_sum_means_something(lines, total):
    plan = _commercials(lines)
    assert derive.commercial_total(plan) == total
    page = render.render_page(kinds.SUMMARY, _deal(edited((TEXT_PRICES, lines))), dt.date(2026, 11, 24))
    foot = re.search(r"<tfoot>(.*?)</tfoot>", page, re.S)
    assert (foot is not None) == (total is not None)
    if total and total.currency == "USD":
        assert _text(foot.group(1).replace("<td", " <td")) == "Total $210,000.50"


def test_the_calendar_data_says_what_is_done_so_the_browser_exports_open_items_only():
    page = render.render_page(kinds.MILESTONES, _deal(), dt.date(2026, 11, 24))
    data = json.loads(re.search(r'<script type="application/json" id="ms-calendar">(.*?)</script>', page, re.S).group(1))
    status = {entry["title"]: entry.get("status") for entry in data["entries"]}
    assert status["Agree on success criteria"] == "done" and status["Pilot on the Midwest region"] == "in_progress"
    assert status["Export two weeks of Midwest dispatch data"] == "done"
