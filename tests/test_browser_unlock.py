"""The password shell in real Chromium: locked, refused, opened once per deal, remembered, forgotten."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import CANONICAL, CANONICAL_PASSWORD, MKDOCS_YML, REPO, TODAY, Served, Site, passwords_env, screenshot, unlock
from mapsite.security.keys import derive_key
from mapsite.security.realms import deal_salt

PASSWORD = CANONICAL_PASSWORD
DEAL = "northwind-logistics-k7qm2xtz9p/"


def serve_canonical(root: Path, options: str = ""):
    """The canonical plan built with these mapsite options (YAML lines) and served, until the generator closes."""
    (root / "plans").mkdir(parents=True)
    config = MKDOCS_YML.format(theme=REPO / "theme_overrides", today=TODAY)
    (root / "mkdocs.yml").write_text(config.replace("      plans_dir: plans\n", "      plans_dir: plans\n" + options))
    shutil.copy(CANONICAL, root / "plans")
    site = Site(root)
    site.build(env=passwords_env(northwind_logistics=PASSWORD))
    server = Served(site.out)
    yield server
    server.close()


@pytest.fixture(scope="module")
def served(canonical_built):
    """The session's one build of the canonical plan (no extra options), served: the browser only reads it."""
    server = Served(canonical_built.out)
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
    page.wait_for_function("() => document.getElementById('mapsite-status').textContent.includes('not right')", timeout=20_000)
    screenshot(page, "unlock-wrong-password")
    assert page.locator(".ms-deal").count() == 0
    assert "Northwind" not in page.content()


def test_a_wrong_password_stays_typed_and_selected_and_can_be_shown(context, served):
    page = open_page(context, served)
    typed = "correct-horse-battery-stapel-42"  # one slip of the finger
    page.fill("#mapsite-password", typed)
    page.click("#mapsite-submit")
    page.wait_for_function("() => document.getElementById('mapsite-status').textContent.includes('not right')", timeout=20_000)
    field = page.evaluate("""() => { const f = document.getElementById('mapsite-password');
        return [f.value, f.selectionStart, f.selectionEnd, document.activeElement === f, f.type]; }""")
    assert field == [typed, 0, len(typed), True, "password"]  # kept, selected, focused: type over it or fix it
    page.check("#mapsite-show")
    assert page.get_attribute("#mapsite-password", "type") == "text"
    screenshot(page, "unlock-show-password")
    page.uncheck("#mapsite-show")
    assert page.get_attribute("#mapsite-password", "type") == "password"
    page.keyboard.press("End")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.type("le-42")
    page.click("#mapsite-submit")  # fixed in place, it opens
    page.wait_for_selector(".ms-deal", timeout=20_000)


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


KEEP_AS_V2_DID = """async ([deal, salt, raw]) => {
  const bytes = Uint8Array.from(atob(raw), c => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", bytes, "AES-GCM", false, ["decrypt"]);
  await mapsiteKeys.put(deal, salt, key, true);
}"""


def test_a_key_remembered_from_a_v2_page_opens_a_v3_page_without_asking(context, served):
    """Before payload v3 the browser kept P = PBKDF2(password, salt) under the deal and its salt; v3 keeps the same
    P (R sits behind it in each lock), so a buyer who ticked Remember on an older page is not asked again."""
    first = open_page(context, served)
    first.wait_for_selector("#mapsite-password")
    salt = deal_salt(DEAL.rstrip("/"))
    p = derive_key(PASSWORD, salt)  # what v2's unlock.js derived and kept, computed here
    first.evaluate(KEEP_AS_V2_DID, [DEAL.rstrip("/"), base64.b64encode(salt).decode(), base64.b64encode(p).decode()])
    second = open_page(context, served, DEAL + "people/")
    second.wait_for_selector(".ms-teams", timeout=20_000)
    assert second.locator("#mapsite-password").count() == 0
    assert served.errors == []


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


# --- What the browser keeps ------------------------------------------------------------------

WEB_STORAGE = "[localStorage, sessionStorage].flatMap(s => Object.keys(s).map(k => s.getItem(k)))"
CRYPTO_KEYS = """async () => {
  const found = [];
  for (const info of await indexedDB.databases()) {
    const db = await new Promise((ok, fail) => { const r = indexedDB.open(info.name); r.onsuccess = () => ok(r.result); r.onerror = fail; });
    for (const name of db.objectStoreNames) {
      const values = await new Promise(ok => { const r = db.transaction(name).objectStore(name).getAll(); r.onsuccess = () => ok(r.result); });
      for (const value of values) {
        for (const item of [value, ...Object.values(value || {})]) {
          if (item instanceof CryptoKey) found.push({extractable: item.extractable, usages: item.usages});
        }
      }
    }
    db.close();
  }
  return found;
}"""


def raw_key_texts() -> set[str]:
    """The deal's AES key as an older version kept it (base64), and as bytes written out any other common way."""
    key = derive_key(PASSWORD, deal_salt(DEAL.rstrip("/")))
    return {base64.b64encode(key).decode(), base64.urlsafe_b64encode(key).decode().rstrip("="), key.hex()}


@pytest.mark.parametrize("remember", [False, True])
def test_no_raw_key_in_web_storage_and_the_kept_key_cannot_be_read(context, served, remember):
    page = open_page(context, served)
    page.wait_for_selector("#mapsite-password")
    assert not page.is_checked("#mapsite-remember"), "remember is off until the visitor ticks it"
    unlock(page, PASSWORD, remember=remember)
    stored = page.evaluate(WEB_STORAGE)
    assert not any(raw in value for value in stored for raw in raw_key_texts())
    assert PASSWORD not in "".join(stored)
    keys = page.evaluate(CRYPTO_KEYS)
    assert keys and all(k == {"extractable": False, "usages": ["decrypt"]} for k in keys)


AGE_KEPT_KEYS = """async hours => {
  const db = await new Promise(ok => { const r = indexedDB.open("mapsite"); r.onsuccess = () => ok(r.result); });
  const store = db.transaction("keys", "readwrite").objectStore("keys");
  await new Promise(ok => { store.openCursor().onsuccess = e => { const c = e.target.result; if (!c) return ok();
    c.update({...c.value, used: c.value.used - hours * 3600 * 1000}); c.continue(); }; });
  db.close();
}"""


def test_a_tab_key_unused_for_12_hours_is_removed(context, served):
    first = open_page(context, served)
    unlock(first, PASSWORD)
    first.evaluate(AGE_KEPT_KEYS, 13)
    second = open_page(context, served)  # another tab looks, and removes it
    second.wait_for_selector("#mapsite-password")
    second.wait_for_timeout(500)
    assert second.evaluate(CRYPTO_KEYS) == []


def routed(context, base: str, directory: Path) -> None:
    """Serve `directory` at `base` (any host, https) from inside the browser: no DNS, no certificate."""
    prefix = urlparse(base).path

    def fulfil(route):
        path = urlparse(route.request.url).path[len(prefix):]
        file = directory / path
        if file.is_dir():
            file = file / "index.html"
        if file.is_file():
            route.fulfill(path=str(file))
        else:
            route.fulfill(status=404, body="not found")
    context.route(base + "**", fulfil)


@pytest.mark.parametrize("base, offered", [("https://acme.github.io/deal-rooms/", False),
                                           ("https://acme-deals.gitlab.io/", False),
                                           ("https://deals.example.com/", True)])
def test_remember_is_not_offered_on_an_origin_shared_with_other_sites(browser, served, base, offered):
    """On <org>.github.io every Pages site of the org shares one origin, and with it the browser's storage."""
    context = browser.new_context()
    try:
        routed(context, base, served.directory)
        page = context.new_page()
        page.goto(base + DEAL)
        page.wait_for_selector("#mapsite-password")
        page.wait_for_timeout(300)
        assert page.locator("#mapsite-remember").is_visible() == offered
        if not offered:
            unlock(page, PASSWORD)
            again = context.new_page()
            again.goto(base + DEAL)
            again.wait_for_selector("#mapsite-password")
            again.wait_for_timeout(500)
            assert again.locator(".ms-deal").count() == 0, "nothing was kept for the device"
    finally:
        context.close()


# --- Magic links ----------------------------------------------------------------------------


def test_magic_link_opens_a_page_of_the_deal_after_a_wrong_password_in_the_same_tab(context, served):
    page = open_page(context, served, DEAL + "people/")
    page.fill("#mapsite-password", "not-the-password-at-all")
    page.click("#mapsite-submit")
    page.wait_for_function("() => document.getElementById('mapsite-status').textContent.includes('not right')", timeout=20_000)
    page.goto(served.base + DEAL + "people/#k=" + PASSWORD)  # the link arrives while the refusal is showing
    page.wait_for_selector(".ms-teams", timeout=20_000)
    assert "#k=" not in page.url and PASSWORD not in page.url
    assert served.errors == []


def test_magic_link_opens_a_locked_page_already_open_in_the_tab(context, served):
    page = open_page(context, served)
    page.wait_for_selector("#mapsite-password")
    page.goto(served.base + DEAL + "#k=" + PASSWORD)  # the same document: only the fragment changes
    page.wait_for_selector(".ms-deal", timeout=20_000)
    assert "#k=" not in page.url and PASSWORD not in page.url
    page.evaluate("location.hash = '#k=' + 'another-password-in-a-link'")  # a link followed on the open plan
    page.wait_for_function("() => !location.hash.startsWith('#k=')", timeout=5_000)
    assert page.locator(".ms-deal").count() == 1
    assert served.errors == []


@pytest.fixture(scope="module")
def no_links(tmp_path_factory):
    yield from serve_canonical(tmp_path_factory.mktemp("no-links") / "project",
                               "      magic_links: false\n      remember: false\n")


def test_with_magic_links_off_the_password_in_a_link_is_ignored(browser, no_links):
    context = browser.new_context()
    try:
        page = context.new_page()
        no_links.watch(page)
        page.goto(no_links.base + DEAL + "#k=" + PASSWORD)
        page.wait_for_function("() => document.getElementById('mapsite-status').textContent.includes('type')", timeout=5_000)
        assert "#k=" not in page.url
        page.wait_for_timeout(3_000)  # longer than the key derivation would take
        assert page.locator(".ms-deal").count() == 0
        assert page.locator("#mapsite-remember").count() == 0, "remember: false offers it nowhere"
        unlock(page, PASSWORD)  # typed, it opens
        assert no_links.errors == []
    finally:
        context.close()
