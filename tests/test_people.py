"""What each person owes, on the people page: open items late first, their status in words, their own calendar."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from conftest import CANONICAL_PASSWORD, TODAY, Served, edited, unlock
from mapsite.insight import derive
from mapsite.plan import load_text
from mapsite.site import kinds
from mapsite.site import render as pages
from mapsite.site.words import words

DAY = dt.date.fromisoformat(TODAY)  # 2026-11-24
LENA_OPEN = ["Configure the pilot workspace and routing rules", "Pilot on the Midwest region",
             "Security and compliance review"]  # 18 Nov (late), 27 Nov, 11 Dec; her SOC 2 step is done


def deal_from(*changes: tuple[str, str]):
    deal, problems = load_text(edited(*changes), Path("plans/northwind-logistics.md"))
    assert problems == [], "\n".join(map(str, problems))
    return deal


def card(html: str, person: str) -> str:
    match = re.search(rf'<li class="ms-card ms-person-card" id="person-{person}">(.*?)</li>\s*(?:<li class="ms-card|</ul>)',
                      html, re.S)
    assert match, f"no card for {person}"
    return match.group(1)


def owed_titles(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r'<span class="ms-item__title">(.*?)(?: <span class="ms-muted">|</span>\n)', html, re.S)]


def test_owed_is_late_first_not_plan_order():
    """Lena's late step comes before its own milestone, which the plan lists first."""
    plan = deal_from().plan
    owed = derive.owed(plan, "lena")
    assert [i.title for i in owed] == LENA_OPEN
    assert [i.overdue(DAY) for i in owed] == [True, False, False]
    assert [(i.milestone_number, i.step_number) for i in owed] == [(2, 2), (2, None), (3, None)]


def test_the_people_page_lists_each_persons_open_items_with_status_and_days():
    html = pages.render_page(kinds.PEOPLE, deal_from(), DAY)
    lena = card(html, "lena")
    assert owed_titles(lena) == LENA_OPEN
    assert "Send SOC 2 Type II report" not in lena, "done items are not owed"
    late = re.search(r'<li class="ms-item ms-overdue"[^>]*>(.*?)</li>', lena, re.S).group(1)
    assert "Configure the pilot workspace" in late and '<span class="ms-overdue-tag">Overdue</span>' in late
    assert '<span class="ms-status ms-status--in_progress">In progress</span>' in late
    assert '<time datetime="2026-11-18">18 Nov 2026</time>' in late and ">6 days late<" in late
    assert ">3 days left<" in lena and ">17 days left<" in lena
    assert "(step of Pilot on the Midwest region)" in lena
    assert 'data-ms-ics-ids="m2s2 m2 m3"' in lena and 'data-ms-ics="person-lena"' in lena
    assert 'aria-label="Add to calendar: the open items of Lena Fischer"' in lena


def test_someone_with_nothing_open_says_so_and_has_no_calendar():
    deal = deal_from(("    role: Customer Success Manager\n",
                      "    role: Customer Success Manager\n  - {id: ana, name: Ana Souza, side: seller, role: Pricing}\n"))
    ana = card(pages.render_page(kinds.PEOPLE, deal, DAY), "ana")
    assert "Nothing open." in ana and "data-ms-ics" not in ana


def test_an_internal_item_is_never_on_the_buyers_people_page():
    deal = deal_from(("        owner: lena\n        due: 2026-11-18\n        status: in_progress\n",
                      "        owner: lena\n        due: 2026-11-18\n        status: in_progress\n"
                      "      - {task: Internal discount approval, owner: lena, due: 2026-11-19, internal: true}\n"))
    assert derive.owed(deal.plan, "lena")[1].title == "Internal discount approval", "the team's view has it"
    lena = card(pages.render_page(kinds.PEOPLE, deal, DAY), "lena")
    assert "Internal discount" not in lena and 'data-ms-ics-ids="m2s2 m2 m3"' in lena


def test_the_people_page_speaks_the_deals_language():
    html = pages.render_page(kinds.PEOPLE, deal_from(), DAY, env=pages.environment(None, "de"))
    lena = card(html, "lena")
    assert ">Offene Aufgaben<" in lena and ">6 Tage überfällig<" in lena and ">In Arbeit<" in lena
    assert ">Überfällig<" in lena and "Zum Kalender hinzufügen: offene Aufgaben von Lena Fischer" in lena


# --- In Chromium ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(canonical_built):
    server = Served(canonical_built.out)
    yield server
    server.close()


def test_a_persons_calendar_downloads_with_only_their_open_items(browser, served):
    from icalendar import Calendar

    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    served.watch(page)
    page.goto(served.base + "northwind-logistics-k7qm2xtz9p/people/")
    unlock(page, CANONICAL_PASSWORD)
    with page.expect_download() as download:
        page.click("#person-lena [data-ms-ics]")
    assert download.value.suggested_filename == "plan-lena.ics"
    events = list(Calendar.from_ical(Path(download.value.path()).read_bytes()).walk("VEVENT"))
    assert sorted(str(e["SUMMARY"]) for e in events) == sorted(LENA_OPEN)
    assert sorted(e.decoded("DTSTART").isoformat() for e in events) == ["2026-11-18", "2026-11-27", "2026-12-11"]
    # days late or left are counted again on the day the page is viewed, in the catalogue's words
    today = dt.date.fromisoformat(page.evaluate("mapsiteWords.isoToday()"))
    shown = page.locator("#person-lena [data-ms-due-in]").first.inner_text()
    assert shown == words("en").due_in((dt.date(2026, 11, 18) - today).days)
    assert page.locator("#person-lena .ms-item.ms-overdue .ms-overdue-tag").first.is_visible()
    context.close()
    assert served.outside_requests() == [] and served.errors == []
