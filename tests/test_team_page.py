"""The team's pipeline page: its content from direct calls (`actions.open_actions`, `team.render_team`), and
the page itself in real Chromium, served with the theme's scripts beside it and its actions sealed in a file of
their own under a team key the test gives the browser, as unlock.js keeps it.

Deals are the canonical plan (tests/northwind-logistics.md) with the deal fields added and the names changed,
some of them hostile: markup, `&`, quotes, right-to-left text and spreadsheet formulas in titles and names.
"""

from __future__ import annotations

import datetime as dt
import base64
import html
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.extract import extract

from conftest import REPO, Served, edited
from mapsite.insight import listing
from mapsite.insight.actions import open_actions, ordered
from mapsite.insight.rows import deal_row
from mapsite.plan import load_text
from mapsite.security import records
from mapsite.security.keys import RealmKey
from mapsite.security.protect import Lock, open_view, payload_json, seal, views_of
from mapsite.site import team
from mapsite.site.catalogue import KEYWORDS
from mapsite.site.render import environment
from test_languages import english_left, neutral_plan, readable

TODAY = dt.date(2026, 11, 24)
ASSETS = REPO / "theme_overrides" / "assets" / "mapsite"
GO_LIVE = "go_live: 2027-03-01\n"

# slug: (title, buyer, deal fields); owners are the canonical plan's seller stakeholders (raj, lena, tom)
DEALS = {
    "northwind-logistics": ("Northwind Logistics × Acme Analytics", "Northwind Logistics",
                            "owner: lena\namount: 243500\ncurrency: USD\nforecast: best_case\nclose: 2027-01-19\n"),
    "script-co": ("<script>alert(1)</script> & Co", 'Script "Quoted" & <b>Sons</b>',
                  "owner: raj\namount: 120000\ncurrency: EUR\nforecast: commit\nclose: 2027-01-05\n"),
    "formula-gmbh": ("=cmd|' /C calc'!A0", "=HYPERLINK(\"http://evil.example\")",
                     "owner: raj\namount: 80000.5\ncurrency: USD\nforecast: commit\nclose: 2027-02-11\n"),
    "rtl-trading": ("صفقة النقل", "شركة الخليج للتجارة",
                    "owner: tom\namount: 50000\ncurrency: EUR\nforecast: pipeline\nclose: 2027-04-30\n"),
    "plain-ag": ("Plain AG rollout", "Plain AG", "owner: raj\n"),
    "obrien-partners": ("It's fine, really", "O'Brien & Partners",
                  "owner: lena\namount: 15000\ncurrency: EUR\nforecast: omitted\nclose: 2026-12-15\n"),
}
LINKS = {slug: f"../{slug}-k7qm2xtz9p/" for slug in DEALS}
FIRST_ROWS = 1  # the page's table arrives with one row, so every test here also covers the rows team.js adds
ACTIONS_AT = "team/actions/"  # the sealed actions beside the page, as `mkdocs.team` publishes them


def _plan(slug: str) -> str:
    title, buyer, fields = DEALS[slug]
    text = edited(("title: Northwind Logistics × Acme Analytics\n", f"title: {json.dumps(title)}\n"),
                  ("buyer:\n  name: Northwind Logistics\n", f"buyer:\n  name: {json.dumps(buyer)}\n"),
                  (GO_LIVE, GO_LIVE + fields))
    if slug == "plain-ag":  # an internal step, late and blocked: only the team sees it
        text = text.replace("    steps:\n", "    steps:\n      - {task: Internal pricing sign-off, owner: tom, due: 2026-10-01, "
                                           "status: blocked, internal: true}\n", 1)
    return text


def _deals():
    found = []
    for slug in DEALS:
        deal, problems = load_text(_plan(slug), Path(f"plans/{slug}.md"))
        assert problems == [], problems
        deal.slug = slug
        found.append(deal)
    return found


@pytest.fixture(scope="module")
def content():
    deals = _deals()
    rows = [deal_row(deal, LINKS[deal.slug], TODAY) for deal in deals]
    actions = [a for deal in deals for a in open_actions(deal, TODAY)]
    fragment = team.render_team(rows, len(actions), environment(None, "en"), today=TODAY, links=LINKS, actions_at=ACTIONS_AT,
                                first_rows=FIRST_ROWS)
    return rows, actions, fragment


def _block(fragment: str, block_id: str) -> dict:
    found = re.search(rf'<script type="application/json" id="{block_id}">(.*?)</script>', fragment, re.S)
    assert found, block_id
    return json.loads(found.group(1))


# --- Actions: the data ------------------------------------------------------------------------------------

def test_open_actions_are_the_teams_open_items_with_owners_and_sides():
    deal = next(d for d in _deals() if d.slug == "plain-ag")
    actions = open_actions(deal, TODAY)
    internal = [a for a in actions if a.title == "Internal pricing sign-off"]
    assert len(internal) == 1, "the team's view keeps internal items"
    assert internal[0].kind == "step" and internal[0].owners == (("Tom Becker", "seller"),)
    assert internal[0].days_late == (TODAY - dt.date(2026, 10, 1)).days and internal[0].status == "blocked"
    assert internal[0].milestone_title == deal.plan.milestones[internal[0].milestone_number - 1].title
    assert all(a.status != "done" for a in actions)
    assert not any(a.title == "Share current dispatch workflow and daily volumes" for a in actions), "done steps are not open"
    milestone = next(a for a in actions if a.kind == "milestone")
    assert milestone.milestone_title == milestone.title and all(side in ("buyer", "seller") for _, side in milestone.owners)


def test_actions_are_ordered_late_first_then_soonest_due_then_undated():
    actions = ordered([a for deal in _deals() for a in open_actions(deal, TODAY)])
    late = [a for a in actions if a.days_late]
    assert late and actions[:len(late)] == late, "every late item comes before the rest"
    assert [a.days_late for a in late] == sorted((a.days_late for a in late), reverse=True), "the latest first"
    rest = actions[len(late):]
    dated = [a.due for a in rest if a.due]
    assert dated == sorted(dated) and all(a.due is None for a in rest[len(dated):]), "then by due date, undated last"


# --- The fragment -------------------------------------------------------------------------------------------

def test_plan_text_is_escaped_everywhere_in_the_page(content):
    _, _, fragment = content
    assert "<script>alert" not in fragment and "<b>Sons" not in fragment
    assert html.escape("<script>alert(1)</script> & Co", quote=False) in fragment
    assert "Script &#34;Quoted&#34; &amp; &lt;b&gt;Sons&lt;/b&gt;" in fragment  # Jinja's escape of the buyer
    assert "صفقة النقل" in fragment and "O&#39;Brien &amp; Partners" in fragment
    for block in re.findall(r'<script type="application/json" id="[\w-]+">(.*?)</script>', fragment, re.S):
        assert "<" not in block and ">" not in block and "&" not in block, "a data block cannot close its script tag"
    assert len(re.findall(r"<script\b", fragment)) == 3 and "<script src" not in fragment, "only data blocks, no script"
    later = re.search(r'<script type="text/html" id="ms-team-rows">(.*?)</script>', fragment, re.S).group(1)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in later, "the hostile deal is among the rows team.js adds"
    assert not re.search(r"<script|</script|<!--", later, re.I), "the rows' block cannot close its script tag"


def test_the_first_rows_are_in_the_table_and_the_others_once_each_in_the_rows_block(content):
    rows, _, fragment = content
    table = re.search(r"<tbody>(.*?)</tbody>", fragment, re.S).group(1)
    later = re.search(r'<script type="text/html" id="ms-team-rows">(.*?)</script>', fragment, re.S).group(1)
    assert re.findall(r'<tr data-i="(\d+)"', table) == [str(i) for i in range(FIRST_ROWS)]
    assert re.findall(r'<tr data-i="(\d+)"', later) == [str(i) for i in range(FIRST_ROWS, len(rows))]
    assert len(re.findall(r"<tr data-i=", fragment)) == len(rows), "no row is shipped twice"
    whole = team.render_team(rows, 0, environment(None, "en"), today=TODAY, links=LINKS, actions_at=ACTIONS_AT)
    assert len(rows) < team.FIRST_ROWS and len(re.findall(r"<tr data-i=", re.search(r"<tbody>(.*?)</tbody>", whole, re.S).group(1))) \
        == len(rows), "a page of fewer deals than a screenful has them all in its table"


def test_the_actions_are_not_in_the_page_only_where_to_fetch_them(content):
    _, actions, fragment = content
    assert 'data-ms-actions-file="actions/index.html" data-ms-actions-at="team/actions/"' in fragment
    assert "ms-team-actions" not in fragment and "Internal pricing sign-off" not in fragment
    assert f'<span class="ms-count">{len(actions)}</span>' in fragment


def test_the_csv_data_is_listing_csv_rows_formula_safe(content):
    rows, _, fragment = content
    data = _block(fragment, "ms-team-csv")
    assert data == {"header": listing.csv_header(), "rows": [listing.csv_row(r) for r in rows]}
    formula = data["rows"][list(DEALS).index("formula-gmbh")]
    assert formula[1] == "'=cmd|' /C calc'!A0" and formula[2] == "'=HYPERLINK(\"http://evil.example\")"
    assert formula[data["header"].index("amount")] == 80000.5


def test_each_row_links_to_its_deal_and_carries_its_filters(content):
    rows, _, fragment = content
    for row in rows:
        assert f'<a href="{html.escape(LINKS[row.slug])}" dir="auto">' in fragment
    tr = re.search(r'<tr data-i="1"[^>]*>', fragment).group(0)
    assert 'data-owner="raj"' in tr and 'data-forecast="commit"' in tr and 'data-quarter="2027-Q1"' in tr
    assert 'data-amount="120000.0"' in tr and 'data-currency="EUR"' in tr
    assert "€120,000" in fragment and "$243,500" in fragment and "$80,000.50" in fragment


def test_links_may_be_a_function(content):
    rows, actions, _ = content
    made = team.render_team(rows[:1], 1, environment(None, "en"), today=TODAY, links=lambda slug: f"/x/{slug}/",
                            actions_at=ACTIONS_AT)
    assert '<a href="/x/northwind-logistics/" dir="auto">' in made


def test_the_actions_data_is_every_open_item_late_first(content):
    _, actions, _ = content
    data = json.loads(team.actions_json(ordered(actions), LINKS.get))
    assert len(data["items"]) == len(actions)
    shown = [(data["deals"][i[0]][0], i[1], i[2], *data["milestones"][i[3]], i[5], i[7]) for i in data["items"]]
    assert shown == [(a.slug, a.kind, a.title, a.milestone_number, a.milestone_title, a.due.isoformat() if a.due else "",
                      a.days_late) for a in ordered(actions)]
    tom = data["people"].index(["Tom Becker", "seller"])
    internal = next(i for i in data["items"] if i[2] == "Internal pricing sign-off")
    assert internal[4] == [tom] and internal[6] == "blocked"
    assert all(d[3] == LINKS[d[0]] for d in data["deals"])


def test_every_word_team_js_shows_is_in_the_pages_words_block():
    with (ASSETS / "team.js").open("rb") as script:
        said = {m[1] if isinstance(m[1], str) else m[1][0] for m in extract("javascript", script, keywords=KEYWORDS)}
    assert len(said) > 10, "the extraction found team.js's words"
    carried = set(team.BROWSER_MESSAGES) | {one for one, _ in team.BROWSER_PLURALS}
    assert said <= carried, f"team.js says words its block does not carry: {said - carried}"
    german = json.loads(team.team_words(environment(None, "de").globals["words"]))
    assert german["lang"] == "de" and german["messages"]["Step"] == "Schritt"
    assert german["plurals"]["%(num)s day late"]["other"] == "%(num)s Tage überfällig"


def test_the_page_in_german_has_no_english_interface_word():
    deal, problems = load_text(neutral_plan("k7qm2xtz9p", "de").replace(GO_LIVE, GO_LIVE + "forecast: commit\nclose: 2027-01-05\n"),
                               Path("plans/acme.md"))
    assert problems == []
    made = team.render_team([deal_row(deal, "x/", TODAY)], len(open_actions(deal, TODAY)), environment(None, "de"),
                            today=TODAY, links={"acme": "../acme/"}, actions_at=ACTIONS_AT)
    assert english_left(readable(made), "de") == []
    assert "Stand: 24. November 2026" in made and "Q1 2027" in made and "Summen nach Forecast" in made


def test_the_check_finds_english_on_the_team_page(content):
    """The check above can fail: the English page read as German."""
    assert {"Download CSV", "Totals by forecast"} <= set(english_left(readable(content[2]), "de"))


# --- The page in Chromium -------------------------------------------------------------------------------------

def static_page(folder: Path, fragment: str, actions: str, team_key: RealmKey, language: str = "en") -> Path:
    """The fragment in a bare page at `team/` with the theme's styles and scripts, as the site's page loads them, and
    `actions` sealed under `team_key` alone in a file beside it, as the build writes it (the lock page's payload)."""
    assets = folder / "assets"
    assets.mkdir(parents=True)
    for name in ("mapsite.css", "team.css", "keys.js", "mapsite.js", "team.js"):
        shutil.copy(ASSETS / name, assets / name)
    page = folder / "team" / "index.html"
    (folder / "team" / "actions").mkdir(parents=True)
    page.write_text(f'<!doctype html><html lang="{language}"><head><meta charset="utf-8"><title>Team</title>'
                    '<link rel="icon" href="data:,"><link rel="stylesheet" href="../assets/mapsite.css"><link rel="stylesheet" href="../assets/team.css"></head>'
                    f'<body><article class="md-typeset">{fragment}</article><script src="../assets/keys.js"></script>'
                    '<script src="../assets/mapsite.js"></script><script src="../assets/team.js"></script></body></html>',
                    encoding="utf-8")
    sealing = records.sealed(team_key.key, os.urandom(32), team_key.salt, team_key.iterations)  # R, wrapped under P
    payload = payload_json(seal([(actions, [Lock("team", sealing)])], ACTIONS_AT))
    (folder / ACTIONS_AT / "index.html").write_text(f'<!doctype html><title>x</title><script type="application/json" id="mapsite-payload">'
                                     f'{payload}</script>', encoding="utf-8")
    return page


def keep_team_key(page, team_key: RealmKey) -> None:
    """What unlock.js does once the team's password opened the team page: keys.js keeps the team's key for this tab."""
    page.evaluate("""([raw, salt]) => crypto.subtle.importKey("raw", Uint8Array.from(atob(raw), c => c.charCodeAt(0)),
                       "AES-GCM", false, ["decrypt"]).then(key => mapsiteKeys.put(":team", salt, key, false))""",
                  [base64.b64encode(team_key.key).decode(), base64.b64encode(team_key.salt).decode()])


@pytest.fixture(scope="module")
def team_key() -> RealmKey:
    return RealmKey(os.urandom(32), os.urandom(16), 1000)


@pytest.fixture(scope="module")
def served(content, team_key, tmp_path_factory):
    _, actions, fragment = content
    folder = tmp_path_factory.mktemp("team")
    static_page(folder, fragment, team.actions_json(ordered(actions), LINKS.get), team_key)
    server = Served(folder)
    yield server, folder
    server.close()


@pytest.fixture(scope="module")
def team_page(browser, served, team_key):
    server, folder = served
    page = browser.new_page(accept_downloads=True)
    server.watch(page)
    page.goto(server.base + "team/")
    page.wait_for_selector("[data-ms-totals=forecast] tr")
    keep_team_key(page, team_key)
    yield page, folder
    page.close()
    assert server.errors == [], server.errors
    assert server.outside_requests() == [], "nothing from another host"


def _visible_slugs(page) -> list[str]:
    return page.eval_on_selector_all("[data-ms-deals] tbody tr:not([hidden])", "rows => rows.map(r => r.dataset.i)")


def _totals(page, which: str) -> dict[str, list[str]]:
    return page.eval_on_selector_all(
        f"[data-ms-totals={which}] tr",
        "rows => Object.fromEntries(rows.map(r => [r.dataset.key, [r.cells[1].textContent,"
        " ...Array.from(r.cells[2].querySelectorAll('div'), d => d.textContent)]]))")


def test_sort_filter_totals_and_csv_in_chromium(team_page, content):
    page, folder = team_page
    rows = content[0]
    commit = _totals(page, "forecast")["commit"]
    assert commit == ["2", "€120,000", "$80,000.50"], "two currencies, each summed on its own, never together"

    page.click("[data-ms-sort='7']")  # Overdue, ascending
    assert page.get_attribute("th:nth-child(8)", "aria-sort") == "ascending"
    by_overdue = sorted(range(len(rows)), key=lambda i: rows[i].overdue)
    assert _visible_slugs(page) == [str(i) for i in by_overdue]
    page.click("[data-ms-sort='7']")
    assert page.get_attribute("th:nth-child(8)", "aria-sort") == "descending"
    descending = sorted(range(len(rows)), key=lambda i: rows[i].overdue, reverse=True)
    assert _visible_slugs(page) == [str(i) for i in descending]

    before = _totals(page, "forecast")
    page.select_option("[data-ms-filters] select[name=owner]", "raj")
    raj = [i for i in descending if rows[i].owner_id == "raj"]
    assert _visible_slugs(page) == [str(i) for i in raj]
    assert page.inner_text("[data-ms-shown]") == f"{len(raj)} of {len(rows)} deals shown"
    after = _totals(page, "forecast")
    assert after != before and set(after) == {"commit", "none"} and after["none"] == ["1"]
    assert _totals(page, "close")["2027-01"] == ["1", "€120,000"]

    with page.expect_download() as download:
        page.click("[data-ms-csv]")
    saved = folder / "downloaded.csv"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "pipeline-2026-11-24.csv"
    assert saved.read_bytes().decode("utf-8") == listing.as_csv([rows[i] for i in raj])

    page.click("[data-ms-filters] button[type=reset]")
    page.wait_for_function(f"document.querySelectorAll('[data-ms-deals] tbody tr:not([hidden])').length === {len(rows)}")
    page.select_option("[data-ms-period]", "quarter")
    assert _totals(page, "close")["2027-Q1"][0] == "3"
    assert page.locator("[data-ms-chart] svg rect.ms-tp-bar-deals").count() >= 5


def test_every_row_arrives_in_order_and_a_sort_at_once_covers_every_row_in_chromium(browser, served, content):
    """The table shows with its first rows; the others follow in their order, and a sort clicked or a print started the
    moment the table shows (before they are added) covers every deal."""
    server, _ = served
    rows = content[0]
    page = browser.new_page()
    try:  # the moment team.js says the table is built: which rows are in it, then a click on Buyer
        page.add_init_script("""new MutationObserver((changes, observer) => {
            const root = document.querySelector("[data-ms-team][data-ms-ready]");
            if (!root) return;
            observer.disconnect();
            window.atReady = [...root.querySelectorAll("[data-ms-deals] tbody tr")].map(r => r.dataset.i);
            root.querySelector("[data-ms-sort='0']").click();
        }).observe(document, {subtree: true, childList: true, attributes: true});""")
        page.goto(server.base + "team/")
        page.wait_for_selector("[data-ms-totals=forecast] tr")
        assert page.evaluate("window.atReady") == [str(i) for i in range(FIRST_ROWS)], "the table showed with its first rows"
        by_buyer = sorted(range(len(rows)), key=lambda i: rows[i].buyer.casefold())
        page.wait_for_timeout(200)  # a frame or two: no row the sort put in place is added again, out of order
        assert _visible_slugs(page) == [str(i) for i in by_buyer]
        page.click("[data-ms-sort='0']")
        assert _visible_slugs(page) == [str(i) for i in reversed(by_buyer)]
    finally:
        page.close()
    page = browser.new_page()
    try:  # a print the moment the table shows prints every deal
        page.add_init_script("""new MutationObserver((changes, observer) => {
            const root = document.querySelector("[data-ms-team][data-ms-ready]");
            if (!root) return;
            observer.disconnect();
            window.dispatchEvent(new Event("beforeprint"));
            window.atPrint = [...root.querySelectorAll("[data-ms-deals] tbody tr")].map(r => r.dataset.i);
        }).observe(document, {subtree: true, childList: true, attributes: true});""")
        page.goto(server.base + "team/")
        page.wait_for_function(f"document.querySelectorAll('[data-ms-deals] tbody tr').length === {len(rows)}")
        assert page.evaluate("window.atPrint") == [str(i) for i in range(len(rows))]
        assert _visible_slugs(page) == [str(i) for i in range(len(rows))], "the other rows follow, in order"
        assert page.inner_text("[data-ms-shown]") == f"{len(rows)} of {len(rows)} deals shown"
    finally:
        page.close()


def test_actions_view_opens_late_first_and_filters_by_side_in_chromium(team_page, content):
    page, _ = team_page
    _, actions, fragment = content
    assert page.locator("[data-ms-actions] tr").count() == 0, "the actions are built only when their view opens"
    page.click("#ms-tab-actions")
    assert page.is_hidden("#ms-tp-deals") and page.get_attribute("#ms-tab-actions", "aria-selected") == "true"
    page.wait_for_selector("[data-ms-actions] tr")  # fetched and opened with the team's key when the view opens
    first = ordered(actions)[0]
    assert page.locator("[data-ms-actions] tr").count() == min(len(actions), 300)
    assert page.inner_text("[data-ms-actions] tr:first-child td:nth-child(2)") == f"{first.days_late} days late"
    assert page.inner_text("[data-ms-action-count]") == f"{len(actions)} open items"

    page.select_option("[data-ms-action-filters] select[name=side]", "buyer")
    buyers = [a for a in actions if any(side == "buyer" for _, side in a.owners)]
    assert page.inner_text("[data-ms-action-count]") == f"{len(buyers)} open items"
    sides = page.eval_on_selector_all("[data-ms-actions] tr", "rows => rows.map(r => r.dataset.side)")
    assert sides and all("buyer" in s.split() for s in sides)

    page.fill("[data-ms-action-filters] input[name=owner]", "tom")
    assert page.inner_text("[data-ms-actions] tr td") == "No open item matches these filters.", "Tom is on the seller side"
    page.select_option("[data-ms-action-filters] select[name=side]", "seller")
    toms = [a for a in actions if ("Tom Becker", "seller") in a.owners]
    assert page.inner_text("[data-ms-action-count]") == f"{len(toms)} open items"
    page.click("#ms-tab-deals")
    assert page.is_visible("[data-ms-deals]")


def test_without_the_teams_key_the_actions_view_says_so_and_shows_no_item(browser, served):
    """A browser that did not keep the team's key (IndexedDB off, another key) opens no item: the data is only ciphertext."""
    server, _ = served
    page = browser.new_page()
    try:
        page.goto(server.base + "team/")
        page.wait_for_selector("[data-ms-totals=forecast] tr")
        keep_team_key(page, RealmKey(os.urandom(32), os.urandom(16), 1000))  # a key, but not the one the file is sealed under
        page.click("#ms-tab-actions")
        page.wait_for_selector("[data-ms-actions-problem]", state="visible")
        assert "could not be opened" in page.inner_text("[data-ms-actions-problem]")
        assert page.locator("[data-ms-actions] tr").count() == 0
    finally:
        page.close()


def test_the_sealed_actions_open_with_the_team_key_only(served, team_key, content):
    _, folder = served
    shell = (folder / ACTIONS_AT / "index.html").read_text()
    views = views_of(json.loads(re.search(r'id="mapsite-payload">(.*?)</script>', shell).group(1)))
    assert [[lock.audience for lock in view.locks] for view in views] == [["team"]]
    opened = open_view(views[0], lambda salt, iterations: team_key.key, ACTIONS_AT)
    assert json.loads(opened)["items"] and "Internal pricing sign-off" in opened
    assert open_view(views[0], lambda salt, iterations: os.urandom(32), ACTIONS_AT) is None
    assert "Internal pricing sign-off" not in shell and "Tom Becker" not in shell


def test_print_shows_every_deal_shown_and_hides_the_controls(team_page, content):
    page, _ = team_page
    page.click("#ms-tab-deals")
    size = page.viewport_size
    page.set_viewport_size({"width": 1047, "height": 740})  # A4 turned sideways, less 10 mm margins, at 96 dpi
    page.emulate_media(media="print")
    displays = "rows => rows.map(r => getComputedStyle(r).display)"
    try:
        assert page.eval_on_selector_all("[data-ms-deals] tbody tr", displays) == ["table-row"] * len(content[0])
        page.emulate_media(media="screen")
        page.select_option("[data-ms-filters] select[name=forecast]", "commit")
        page.emulate_media(media="print")
        shown = page.eval_on_selector_all("[data-ms-deals] tbody tr", displays)
        assert shown.count("table-row") == 2 and shown.count("none") == len(content[0]) - 2, "a filtered row stays out"
        for control in ("[data-ms-filters]", "[role=tablist]", "[data-ms-csv]", "[data-ms-period]"):
            assert page.eval_on_selector(control, "e => getComputedStyle(e).display") == "none", control
        width = page.evaluate("document.querySelector('[data-ms-deals]').scrollWidth")
        assert width <= 1047, "the table fits the width of an A4 page turned sideways"
    finally:
        page.emulate_media(media="screen")
        page.set_viewport_size(size)
        page.click("[data-ms-filters] button[type=reset]")
