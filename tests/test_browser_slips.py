"""Slips in real Chromium: the summary's projected go-live sentence and the timeline's projected dates, as of the
day the page is viewed (the browser's clock fixed with Playwright's `page.clock`), and the ledger of lost days.

The site is built as of 2026-11-24, when nothing in the Northwind plan is late; viewed on 2026-12-20 the pilot
is 23 days overdue, and only the browser can know it.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from conftest import CANONICAL, MKDOCS_YML, REPO, TODAY, Served, Site, edited, passwords_env, unlock

PASSWORD = "northwind-kelut-vodaf-ripem-zunog"
GERMAN_PASSWORD = PASSWORD + "-de"  # its own: one password for two deals stops the build
GERMAN = "northwind-de"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("slips") / "project"
    (root / "plans").mkdir(parents=True)
    shutil.copy(CANONICAL, root / "plans")
    (root / "plans" / f"{GERMAN}.md").write_text(
        edited(("share_id: k7qm2xtz9p", "share_id: de7qm2xtz9p\nlanguage: de")), encoding="utf-8")
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(theme=REPO / "theme_overrides", today=TODAY))
    site = Site(root)
    site.build(env=passwords_env(northwind_logistics=PASSWORD, northwind_de=GERMAN_PASSWORD))
    server = Served(site.out)
    server.deals = {row["slug"]: row["url"] for row in json.loads(site.mapsite("list", "--json").stdout)}
    yield server
    server.close()


def _open(browser, served, day: str, slug: str = "northwind-logistics", path: str = "", size=(1366, 768)):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    page.clock.set_fixed_time(dt.datetime.fromisoformat(f"{day}T10:00:00"))
    served.watch(page)
    page.goto(served.base + served.deals[slug] + path)
    unlock(page, GERMAN_PASSWORD if slug == GERMAN else PASSWORD)
    return context, page


def test_the_summary_says_the_projected_go_live_on_the_day_it_is_viewed(browser, served) -> None:
    context, page = _open(browser, served, "2026-12-20")
    try:
        sentence = page.locator("[data-ms-projection]")
        assert sentence.inner_text() == ("Go-live now projected for 24 Mar 2027, 23 days late: Pilot on the Midwest "
                                         "region (Marco Ruiz, Lena Fischer) is 23 days overdue.")
        box = sentence.bounding_box()
        assert box and box["y"] + box["height"] <= 768, "the sentence is on the first screen"
        assert "ms-projection--late" in sentence.get_attribute("class")
    finally:
        context.close()
    context, page = _open(browser, served, "2026-12-20", size=(390, 844))
    try:
        box = page.locator("[data-ms-projection]").bounding_box()
        assert box and box["y"] + box["height"] <= 844, "on a phone too"
    finally:
        context.close()
    context, page = _open(browser, served, TODAY)
    try:
        assert page.inner_text("[data-ms-projection]") == "Go-live projected for 1 Mar 2027, as agreed."
    finally:
        context.close()
    assert not served.errors, served.errors


def test_the_sentence_in_german_and_the_timelines_projected_dates(browser, served) -> None:
    context, page = _open(browser, served, "2026-12-20", GERMAN)
    try:
        assert page.inner_text("[data-ms-projection]") == (
            "Go-live jetzt voraussichtlich am 24. März 2027, 23 Tage später: Pilot on the Midwest region "
            "(Marco Ruiz, Lena Fischer) ist 23 Tage überfällig.")
    finally:
        context.close()
    context, page = _open(browser, served, "2026-12-20", path="milestones/")
    try:
        page.wait_for_selector(".ms-timeline")
        golive = page.locator('[data-ms-projected="golive"]')
        golive.wait_for(state="visible")  # mapsite.js projects from the browser's day once the page has opened
        assert golive.inner_text() == "projected 24 Mar 2027"
        assert page.locator('[data-ms-projected="0"]').is_hidden()  # done: no projection beside it
        ledger = page.inner_text(".ms-ledger")  # as of the build day: the pilot's agreed date moved 7 days
        assert "agreed date 20 Nov 2026 moved to 27 Nov 2026" in ledger
        assert "buyer side 7 days, seller side 7 days" in ledger and "Marco Ruiz" in ledger
    finally:
        context.close()
    assert not served.errors, served.errors
