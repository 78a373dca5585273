"""The password shell in real Chromium: locked, refused, opened once per deal, remembered, forgotten."""

from __future__ import annotations

import shutil

import pytest

from conftest import CANONICAL, MKDOCS_YML, REPO, TODAY, Served, Site, passwords_env, screenshot, unlock

PASSWORD = "correct-horse-battery-staple-42"
DEAL = "northwind-logistics-k7qm2xtz9p/"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("unlock") / "project"
    (root / "plans").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(theme=REPO / "theme_overrides", today=TODAY))
    shutil.copy(CANONICAL, root / "plans")
    site = Site(root)
    site.build(env=passwords_env(northwind_logistics=PASSWORD))
    server = Served(site.out)
    yield server
    server.close()


@pytest.fixture
def context(browser, served):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    yield context
    context.close()
    assert served.outside_requests() == []


def open_page(context, served, path: str = DEAL):
    page = context.new_page()
    served.watch(page)
    page.goto(served.base + path)
    return page


def test_locked_page_shows_no_plan_text(context, served):
    page = open_page(context, served)
    page.wait_for_selector("#mapsite-password")
    screenshot(page, "unlock-locked")
    text = page.content()
    assert "Northwind" not in text and "Dispatch" not in text
    assert page.title() == "Acme Analytics · Deal rooms"


def test_wrong_password_is_refused_and_shows_nothing(context, served):
    page = open_page(context, served)
    page.fill("#mapsite-password", "not-the-password-at-all")
    page.click("#mapsite-submit")
    page.wait_for_function("document.getElementById('mapsite-status').textContent.includes('not right')", timeout=20_000)
    screenshot(page, "unlock-wrong-password")
    assert page.locator(".ms-deal").count() == 0
    assert "Northwind" not in page.content()


def test_right_password_opens_every_page_of_the_deal_once(context, served):
    page = open_page(context, served)
    unlock(page, PASSWORD)
    assert "Cut dispatch planning" in page.inner_text(".ms-value")
    page.click(".ms-tab >> text=Milestones")
    page.wait_for_selector(".ms-milestones", timeout=20_000)
    page.click(".ms-tab >> text=People")
    page.wait_for_selector(".ms-teams", timeout=20_000)
    assert page.locator("#mapsite-password").count() == 0
    assert served.errors == []


def test_remember_survives_a_new_page_and_lock_forgets(context, served):
    first = open_page(context, served)
    unlock(first, PASSWORD, remember=True)
    second = open_page(context, served, DEAL + "people/")  # a new tab: sessionStorage is not shared
    second.wait_for_selector(".ms-teams", timeout=20_000)
    assert second.locator("[data-ms-remembered]").is_visible()
    second.click("[data-ms-lock]")
    second.wait_for_selector("#mapsite-password", timeout=20_000)
    third = open_page(context, served)
    third.wait_for_selector("#mapsite-password")
    third.wait_for_timeout(500)
    assert third.locator(".ms-deal").count() == 0


def test_without_remember_a_new_tab_asks_again(context, served):
    first = open_page(context, served)
    unlock(first, PASSWORD)
    second = open_page(context, served)
    second.wait_for_selector("#mapsite-password")
    second.wait_for_timeout(500)
    assert second.locator(".ms-deal").count() == 0


def test_magic_link_opens_and_leaves_no_password_in_the_address(context, served):
    page = open_page(context, served, DEAL + "#k=" + PASSWORD)
    page.wait_for_selector(".ms-deal", timeout=20_000)
    assert PASSWORD not in page.url
    assert page.evaluate("location.hash") == ""
    assert PASSWORD not in page.evaluate("JSON.stringify(history.state)")
