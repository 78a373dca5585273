"""The team realm through real CI builds: one site key for the deals, one team password, two audiences apart.

Every published file is opened with each buyer's password and with the team's, by `mapsite decrypt`
(the command a user checks with): internal text appears only under the team's password, no buyer's
password opens another deal or the team page, and the team page's existence shows, not its content.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import (MKDOCS_YML, REPO, TODAY, Served, Site, assert_no_plaintext, edited, locks_of, opened, page_file,
                      payload_of, shown_passwords)
from mapsite.security.sitekey import new_key

TEAM_PASSWORD = "tundra-mosaic-plank-ember-quiver-sable-onion-ranch"
INTERNAL = ("Ask Tom to call Dana's boss", "Dana may leave in Q1", "Discount floor", "Champion is nervous")
SHARED_NOTE = "Shared with Marco on Nov 2"
HOSTILE = 'Zebra <script>alert(1)</script> & "Co"'

WITH_INTERNAL = edited(
    ("        due: 2026-12-08\n        status: not_started\n",
     "        due: 2026-12-08\n        status: not_started\n      - task: Ask Tom to call Dana's boss\n        owner: tom\n"
     "        internal: true\n"),
    ("    owner: raj\nkpis:", "    owner: raj\n  - risk: Dana may leave in Q1\n    owner: tom\n    internal: true\nkpis:"),
    ("    amount: $24,000 one-time\n", "    amount: $24,000 one-time\n  - item: Discount floor\n    amount: 15%\n    internal: true\n"),
    ("cadence: Weekly", "notes:\n  - text: Shared with Marco on Nov 2\n    internal: false\n  - text: Champion is nervous\n"
                       "cadence: Weekly"),
)
ZEBRA_NOTE = "Zebra wants the price held until March"  # its only internal item: a note, which the summary alone shows
PLAIN = edited(("share_id: k7qm2xtz9p", "share_id: p2lk8hg4fd"),
               ("  name: Northwind Logistics\n", f"  name: '{HOSTILE}'\n"),
               ("cadence: Weekly", f"notes:\n  - text: {ZEBRA_NOTE}\ncadence: Weekly"))
DEALS = {"northwind-logistics": ("northwind-logistics-k7qm2xtz9p", WITH_INTERNAL),
         "zebra-deal": ("zebra-deal-p2lk8hg4fd", PLAIN)}


def team_site(root, options: str = "      team: true\n") -> Site:
    (root / "plans").mkdir(parents=True)
    config = MKDOCS_YML.format(theme=REPO / "theme_overrides", today=TODAY)
    (root / "mkdocs.yml").write_text(config.replace("      plans_dir: plans\n", "      plans_dir: plans\n" + options))
    for slug, (_, text) in DEALS.items():
        (root / "plans" / f"{slug}.md").write_text(text, encoding="utf-8")
    return Site(root)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """One CI build with only the site key and the team's password, and each deal's password as `mapsite password` tells it."""
    site = team_site(tmp_path_factory.mktemp("team") / "project")
    env = {"CI": "true", "MAPSITE_KEY": new_key(), "MAPSITE_TEAM_PASSWORD": TEAM_PASSWORD}
    site.build(env=env)
    return site, env, shown_passwords(site, DEALS, env)


def test_each_buyer_opens_only_its_own_deal_and_never_an_internal_item(published):
    site, _, buyers = published
    for slug, password in buyers.items():
        pages = opened(site, password)
        folder = DEALS[slug][0]
        assert sorted(pages) == sorted(f"{folder}/{p}index.html" for p in ("", "milestones/", "people/")), slug
        for html in pages.values():
            for text in (*INTERNAL, ZEBRA_NOTE):  # in no element, hidden or not, and in no data block
                assert text.replace("'", "&#39;") not in html and text not in html, (slug, text)
            assert "ms-internal" not in html and "ms-team-view" not in html
    assert SHARED_NOTE in opened(site, buyers["northwind-logistics"])[f"{DEALS['northwind-logistics'][0]}/index.html"]


def test_the_team_password_opens_every_deal_with_its_internal_items_and_the_team_page(published):
    site, _, _ = published
    pages = opened(site, TEAM_PASSWORD)
    assert len(pages) == 2 * 3 + 2 and "team/index.html" in pages and "team/actions/index.html" in pages
    northwind = "\n".join(html for path, html in pages.items() if path.startswith(DEALS["northwind-logistics"][0]))
    for text in INTERNAL:
        assert text.replace("'", "&#39;") in northwind or text in northwind, text
    assert northwind.count('class="ms-internal"') >= 4  # each marked as internal
    zebra = {path: html for path, html in pages.items() if path.startswith(DEALS["zebra-deal"][0])}
    assert ZEBRA_NOTE in zebra[DEALS["zebra-deal"][0] + "/index.html"]
    for page in ("milestones/", "people/"):  # the one view both open holds no internal text and says no team's view
        html = zebra[DEALS["zebra-deal"][0] + f"/{page}index.html"]
        assert ZEBRA_NOTE not in html and "ms-team-view" not in html and "ms-internal" not in html
    team = pages["team/index.html"]
    assert "Northwind Logistics" in team and "Zebra &lt;script&gt;" in team and "<script>alert(1)" not in team
    assert "Ask Tom to call Dana" not in team, "the open items are not in the team page itself"
    actions = json.loads(pages["team/actions/index.html"])  # but in its own file, which the team's password opens
    assert "Ask Tom to call Dana's boss" in {item[2] for item in actions["items"]}
    assert {deal[0] for deal in actions["deals"]} == set(DEALS)


def test_every_view_carries_one_policy_its_own(published):
    """The team's view is the buyer's page with the team's content in it, given a policy of its own: not a second."""
    site, _, buyers = published
    for password in (TEAM_PASSWORD, *buyers.values()):
        for path, html in opened(site, password).items():
            if path != "team/actions/index.html":  # data, not a page
                assert html.count('http-equiv="Content-Security-Policy"') == 1, path


def test_a_deal_with_internal_items_has_a_view_only_the_team_opens_and_one_without_has_one_view(published):
    """Internal items are in the team's view, ops under the team's lock only; the buyer's page has both locks."""
    site, _, _ = published
    northwind = payload_of(page_file(site, DEALS["northwind-logistics"][0] + "/").read_text())
    zebra = payload_of(page_file(site, DEALS["zebra-deal"][0] + "/").read_text())  # its note: the summary only
    for payload in (northwind, zebra):  # the team's view: ops on the buyer's page, which the team's key opens too
        assert [[lock["for"] for lock in view["locks"]] for view in payload["views"]] == [["team"], ["deal", "team"]]
        assert payload["views"][0]["patches"] == 1 and "patches" not in payload["views"][1]
        assert len(payload["views"][0]["ciphertext"]) < len(payload["views"][1]["ciphertext"]) / 4, "not a second page"
    for page in ("milestones/", "people/"):  # pages its note cannot change: one view, both locks
        shared = payload_of(page_file(site, DEALS["zebra-deal"][0] + "/" + page).read_text())
        assert [[lock["for"] for lock in view["locks"]] for view in shared["views"]] == [["deal", "team"]], page
    team = payload_of(page_file(site, "team/").read_text())
    assert [[lock["for"] for lock in view["locks"]] for view in team["views"]] == [["team"]]
    actions = payload_of((site.out / "team" / "actions" / "index.html").read_text())
    assert [[lock["for"] for lock in view["locks"]] for view in actions["views"]] == [["team"]]
    # one team salt for the whole site: the team's key is derived once, not once per deal
    team_salts = {lock["salt"] for p in (northwind, zebra, team, actions) for lock in locks_of(p) if lock["for"] == "team"}
    assert len(team_salts) == 1


def test_no_buyer_password_opens_the_team_page_and_its_shell_names_no_deal(published):
    site, _, buyers = published
    for password in buyers.values():
        assert not {"team/index.html", "team/actions/index.html"} & set(opened(site, password))
    assert (site.out / "team" / "index.html").is_file()  # its existence shows...
    shell = (site.out / "team" / "actions" / "index.html").read_text()  # and its actions' file is a team lock page
    assert "This page is for the deal team" in shell
    assert_no_plaintext(site.out, [*INTERNAL, SHARED_NOTE, ZEBRA_NOTE, "Northwind", "Zebra", "Dana Whitfield", "Raj Patel"])


def test_the_sitemap_and_search_index_do_not_name_the_team_page(published):
    site, _, _ = published
    sitemap = (site.out / "sitemap.xml").read_text()
    assert "team/" not in sitemap and "northwind" not in sitemap
    index = site.out / "search" / "search_index.json"
    if index.exists():
        assert all(not d["location"].startswith("team/") for d in json.loads(index.read_text())["docs"])


def test_without_the_team_password_a_ci_build_fails_naming_it_and_the_site_key_never_stands_in(tmp_path):
    site = team_site(tmp_path / "project")
    result = site.build(env={"CI": "true", "MAPSITE_KEY": new_key()}, check=False)
    assert result.returncode != 0
    assert "MAPSITE_TEAM_PASSWORD" in result.stderr and "Traceback" not in result.stderr
    assert "never derived from MAPSITE_KEY" in result.stderr
    assert not (site.out / "team").exists()


def test_a_team_password_weaker_than_a_generated_one_is_refused(tmp_path):
    site = team_site(tmp_path / "project")
    for weak in ("team-password-2026", "Xq7#mPz2!vL9Rk4$wT8n"):  # a guessable one, and one fine for a deal but not for every deal
        result = site.build(env={"CI": "true", "MAPSITE_KEY": new_key(), "MAPSITE_TEAM_PASSWORD": weak}, check=False)
        assert result.returncode != 0 and "the team page" in result.stderr and "too weak" in result.stderr, weak
        assert weak not in result.stderr and "mapsite password --team --rotate" in result.stderr


def test_a_password_that_would_open_two_realms_is_refused_and_nothing_is_published(tmp_path):
    site = team_site(tmp_path / "project")
    shared = "quarry-lantern-velvet-orbit-mango-thistle-8"  # strong: only its second holder makes it wrong
    cases = {"two deals": {"MAPSITE_PASSWORD_NORTHWIND_LOGISTICS": shared, "MAPSITE_PASSWORD_ZEBRA_DEAL": shared,
                           "MAPSITE_TEAM_PASSWORD": TEAM_PASSWORD},
             "a deal and the team": {"MAPSITE_PASSWORD_ZEBRA_DEAL": TEAM_PASSWORD, "MAPSITE_TEAM_PASSWORD": TEAM_PASSWORD}}
    for case, secrets_ in cases.items():
        result = site.build(env={"CI": "true", "MAPSITE_KEY": new_key(), **secrets_}, check=False)
        assert result.returncode != 0 and "one password opens all of these" in result.stderr, case
        assert "zebra-deal" in result.stderr and "MAPSITE_PASSWORD_ZEBRA_DEAL" in result.stderr, case
        assert ("northwind-logistics" if case == "two deals" else "the team page") in result.stderr, case
        assert shared not in result.stderr and TEAM_PASSWORD not in result.stderr and "Traceback" not in result.stderr
        assert not site.out.exists() or not any(site.out.rglob("index.html")), case


def test_a_team_path_that_is_a_deals_folder_or_not_a_folder_name_is_refused(tmp_path):
    clash = team_site(tmp_path / "a", "      team: true\n      team_path: zebra-deal-p2lk8hg4fd\n")
    result = clash.build(check=False)
    assert result.returncode != 0 and "team_path: `zebra-deal-p2lk8hg4fd` is also the folder of the deal zebra-deal" in result.stderr
    odd = team_site(tmp_path / "b", "      team: true\n      team_path: ../up\n")
    result = odd.build(check=False)
    assert result.returncode != 0 and "is not a folder name like `team`" in result.stderr and "Traceback" not in result.stderr


def test_rotating_one_deal_leaves_the_others_and_the_team_password_working(tmp_path):
    site = team_site(tmp_path / "project")
    env = {"CI": "true", "MAPSITE_KEY": new_key(), "MAPSITE_TEAM_PASSWORD": TEAM_PASSWORD}
    before = {slug: site.mapsite("password", slug, env=env).stdout.strip() for slug in DEALS}
    rotated = site.mapsite("password", "zebra-deal", "--rotate", env=env)
    assert rotated.returncode == 0, rotated.stderr
    site.build(env=env)
    assert opened(site, before["zebra-deal"]) == {}
    assert len(opened(site, rotated.stdout.strip())) == 3
    assert len(opened(site, before["northwind-logistics"])) == 3
    assert len(opened(site, TEAM_PASSWORD)) == 8  # 2 deals x 3 pages, the team page and its actions


def test_mapsite_password_team_shows_the_teams_password_and_makes_one_locally(tmp_path):
    site = team_site(tmp_path / "project")
    made = site.mapsite("password", "--team")
    assert made.returncode == 0 and "opens the team page and every deal" in made.stderr
    again = site.mapsite("password", "--team")
    assert again.stdout == made.stdout and len(made.stdout.split("-")) >= 6
    site.build()
    assert len(opened(site, made.stdout.strip())) == 8  # the local build used the same one
    from_env = site.mapsite("password", "--team", env={"MAPSITE_TEAM_PASSWORD": TEAM_PASSWORD})
    assert from_env.stdout.strip() == TEAM_PASSWORD and "MAPSITE_TEAM_PASSWORD" in from_env.stderr
    both = site.mapsite("password", "zebra-deal", "--team")
    assert both.returncode != 0 and "not both" in both.stderr


def test_in_chromium_the_team_unlocks_its_page_downloads_the_csv_and_opens_a_deal_without_a_second_prompt(published, browser):
    site, _, buyers = published
    server = Served(site.out)
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        server.watch(page)
        page.goto(server.base + "team/")
        assert page.inner_text("h1") == "This page is for the deal team"
        page.fill("#mapsite-password", buyers["northwind-logistics"])  # a buyer's password opens no team page
        page.click("#mapsite-submit")
        page.wait_for_selector(".lock__status--error")
        assert "not the team's password" in page.inner_text("#mapsite-status")
        page.fill("#mapsite-password", TEAM_PASSWORD)
        page.click("#mapsite-submit")
        page.wait_for_selector(f'a[href*="{DEALS["northwind-logistics"][0]}"]', timeout=20_000)
        with page.expect_download() as download:  # built in the browser from the decrypted page
            page.click("[data-ms-csv]")
        csv = Path(download.value.path()).read_bytes().decode("utf-8")
        listed = site.mapsite("list", "--csv")
        assert listed.returncode == 0, listed.stderr
        assert sorted(csv.splitlines()) == sorted(listed.stdout.splitlines())  # the same rows as `mapsite list --csv`
        assert csv.splitlines()[0].startswith("slug,title,buyer,url") and len(csv.splitlines()) == 1 + len(DEALS)
        page.click("#ms-tab-actions")  # fetched and opened with the team's key kept at unlock: no second prompt
        page.wait_for_selector("[data-ms-actions] tr", timeout=20_000)
        assert "Ask Tom to call Dana's boss" in page.inner_text("[data-ms-actions]")
        page.click("#ms-tab-deals")
        page.click(f'a[href*="{DEALS["northwind-logistics"][0]}"]')
        page.wait_for_selector(".ms-deal", timeout=20_000)  # opened with the team's key: no password asked
        assert page.locator(".ms-team-view").count() == 1 and page.locator(".ms-internal").count() >= 2
        # the team's view is ops on the buyer's page, applied here: the page Python's decrypt makes of them
        made = opened(site, TEAM_PASSWORD)[DEALS["northwind-logistics"][0] + "/index.html"]
        assert page.locator("li.ms-item").count() == made.count('<li class="ms-item ') > 0
        assert page.locator(".ms-internal").count() == made.count('<span class="ms-internal">')
        page.goto(server.base + DEALS["zebra-deal"][0] + "/")  # its internal note: ops on the summary too
        page.wait_for_selector(".ms-deal", timeout=20_000)
        assert ZEBRA_NOTE in page.inner_text(".ms-deal") and page.locator(".ms-team-view").count() == 1
        page.goto(server.base + DEALS["zebra-deal"][0] + "/milestones/")  # one view, two locks: the team's opens it too
        page.wait_for_selector(".ms-deal", timeout=20_000)
        assert page.locator(".ms-team-view").count() == 0
        page.click("[data-ms-lock]")  # Lock forgets the team's key as well as the deal's
        page.wait_for_selector("#mapsite-password", timeout=20_000)
        page.goto(server.base + "team/")
        page.wait_for_selector("#mapsite-password")
        page.wait_for_timeout(500)
        assert page.locator("#mapsite-password").is_visible()
        page.fill("#mapsite-password", TEAM_PASSWORD)  # and the team page's own Lock
        page.click("#mapsite-submit")
        page.wait_for_selector("[data-ms-team-lock]", timeout=20_000)
        page.click("[data-ms-team-lock]")
        page.wait_for_selector("#mapsite-password", timeout=20_000)
        page.goto(server.base + DEALS["zebra-deal"][0] + "/")
        page.wait_for_selector("#mapsite-password")
        page.wait_for_timeout(500)
        assert page.locator("#mapsite-password").is_visible() and page.locator(".ms-deal").count() == 0
        assert server.errors == [] and server.outside_requests() == []
    finally:
        context.close()
        server.close()
