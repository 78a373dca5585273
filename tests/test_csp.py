"""Content-Security-Policy in every published page: inline scripts run only when hashed, nothing from other hosts.

GitHub Pages sends no headers, so the policy travels in each page as a <meta> element. Checked two
ways: every file (and every decrypted page) against its own policy, and real Chromium reporting no
violation on any page while refusing a script injected without a hash.
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mapsite.security import csp

from conftest import (CANONICAL, MKDOCS_YML, REPO, TODAY, Served, Site, decrypt_payload, edited, passwords_env,
                      payload_of, unlock)

PASSWORD = "correct-horse-battery-staple-42"
OTHER = "zephyr-freight"
OTHER_PASSWORD = PASSWORD + "-zephyr"  # its own: one password for two deals stops the build
PAGES = ["", "milestones/", "people/"]
META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Site:
    """Two deals whose plans differ in the words a page shows, one of them trying to become a script."""
    root = tmp_path_factory.mktemp("csp") / "project"
    (root / "plans").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(theme=REPO / "theme_overrides", today=TODAY))
    shutil.copy(CANONICAL, root / "plans")
    site = Site(root)
    site.add_plan(f"{OTHER}.md", edited(("title: Northwind Logistics", "title: Zephyr Freight"),
                                        ("  name: Northwind Logistics", "  name: Zephyr Freight"),
                                        ("share_id: k7qm2xtz9p", "share_id: w3pz8hvy5c"),
                                        ("Cut dispatch planning", "Halve routing </script><script>window.pwned = 1</script>"),
                                        ("title: Agree on success criteria", "title: Agree </script><script>window.pwned = 1</script>")))
    site.build(env=passwords_env(northwind_logistics=PASSWORD, zephyr_freight=OTHER_PASSWORD))
    return site


def published(site: Site) -> dict[str, str]:
    """Every HTML file of the site, and every deal page decrypted: {name: html}."""
    found = {}
    for path in sorted(site.out.rglob("*.html")):
        name = path.relative_to(site.out).as_posix()
        found[name] = path.read_text(encoding="utf-8")
        if "mapsite-payload" in found[name]:
            page_path = name.removesuffix("index.html")
            password = OTHER_PASSWORD if name.startswith(OTHER) else PASSWORD
            found[name + " (unlocked)"] = decrypt_payload(payload_of(found[name]), password, page_path)
    return found


def policy_of(html: str) -> dict[str, list[str]]:
    (content,) = META.findall(html)
    head = html[html.index("<head"):]
    assert head.index("Content-Security-Policy") < head.find("<script") or "<script" not in head, "the policy comes first"
    return {d.split()[0]: d.split()[1:] for d in content.split(";") if d.strip()}


def inline_scripts(html: str) -> list[str]:
    """The text of each inline script the browser would run (JSON data blocks never run)."""
    return [text for attributes, text in SCRIPT.findall(html)
            if "src=" not in attributes and not re.search(r'type="(?!text/javascript|module)[^"]+"', attributes)]


def inline_script_hashes(html: str) -> set[str]:
    return {"'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"
            for text in inline_scripts(html)}


def test_every_published_page_carries_a_policy_that_hashes_each_of_its_inline_scripts(built):
    pages = published(built)
    assert "index.html" in pages and "404.html" in pages and any(n.endswith("(unlocked)") for n in pages)
    for name, html in pages.items():
        policy = policy_of(html)
        scripts = [s for s in policy["script-src"] if s.startswith("'sha256-")]
        assert policy["script-src"][0] == "'self'" and "'unsafe-inline'" not in policy["script-src"], name
        assert set(scripts) >= inline_script_hashes(html), name
        assert policy["default-src"] == ["'none'"] and policy["connect-src"] == ["'self'"], name
        for directive, sources in policy.items():
            assert set(sources) - set(scripts) <= {"'self'", "'none'", "'unsafe-inline'", "data:"}, (name, directive)
        assert "frame-ancestors" not in policy, "browsers ignore it in <meta>; only a header can send it"
        if name.endswith("(unlocked)"):
            shell = policy_of(pages[name.removesuffix(" (unlocked)")])
            assert shell == policy, "the shell's policy, which outlives document.open(), allows the page it opens"
            assert set(scripts) == inline_script_hashes(html)


def test_script_hashes_tell_nothing_of_a_plan(built):
    """Two plans that differ in their words get the same hashes, so a hash cannot confirm a guess at a plan;
    plan text that looks like a script stays text (escaped in HTML and in the calendar's JSON)."""
    pages = published(built)
    deals = sorted({name.split("/")[0] for name in pages if "/" in name})
    assert len(deals) == 2
    for page in PAGES:
        first, second = (pages[f"{deal}/{page}index.html"] for deal in deals)
        assert policy_of(first) == policy_of(second), page
        for deal in deals:
            scripts = " ".join(inline_scripts(pages[f"{deal}/{page}index.html (unlocked)"]))
            assert "Zephyr" not in scripts and "Northwind" not in scripts and "pwned" not in scripts


@pytest.fixture(scope="module")
def served(built):
    server = Served(built.out)
    yield server
    server.close()


INJECT = """() => {
  const script = document.createElement("script");
  script.textContent = "window.injected = true";
  document.head.appendChild(script);
  return window.injected === true;
}"""


PIECES = st.sampled_from(["<script", "<SCRIPT", "<scripts", "<script ", " src=x", ' type="application/json"', ">",
                          "</script>", "</SCRIPT ", "</script/", "</scriptx", "</script", "\n", "\r\n", "a", "<", "/", "é"])


@given(st.lists(PIECES, max_size=40).map("".join))
def test_inline_scripts_are_those_the_one_lazy_pattern_finds(html):
    """The tag-by-tag scan hashes exactly what the pattern it replaced (12 times slower) found, on any text."""
    assert list(csp.inline_scripts(html)) == re.findall(r"<script\b([^>]*)>(.*?)</script[\s/>]", html, re.S | re.I)


def test_chromium_reports_no_violation_and_refuses_an_unhashed_script(browser, served):
    context = browser.new_context()
    try:
        page = context.new_page()
        served.watch(page)
        page.goto(served.base + "northwind-logistics-k7qm2xtz9p/")
        page.wait_for_selector("#mapsite-password")
        assert page.evaluate(INJECT) is False
        assert any("Content Security Policy" in e for e in served.errors)
        served.errors.clear()
        unlock(page, PASSWORD)
        for tab, ready in (("Milestones", ".ms-milestones"), ("People", ".ms-teams"), ("Summary", ".ms-value")):
            page.wait_for_timeout(300)
            assert page.evaluate("typeof __md_get") == "function", "Material's hashed start-up script ran"
            assert served.errors == [], tab
            page.click(f".ms-tab >> text={tab}")
            page.wait_for_selector(ready, timeout=20_000)
        assert page.evaluate(INJECT) is False, "the decrypted page keeps the policy"
        assert any("Content Security Policy" in e for e in served.errors)
        served.errors.clear()
        for address in ("", "404.html"):
            page.goto(served.base + address)
            page.wait_for_selector(".md-content")
            assert page.evaluate("typeof __md_get") == "function", address
        assert served.errors == []
        assert served.outside_requests() == []
    finally:
        context.close()


def test_a_meta_policy_set_before_document_open_holds_after_it(browser, tmp_path):
    """Measured, not assumed: the lock shell's policy still applies to the page it writes in."""
    (tmp_path / "shell.html").write_text(
        "<!doctype html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'self'\">"
        "</head><body><script src=\"write.js\"></script></body></html>")
    (tmp_path / "write.js").write_text(
        "addEventListener('load', () => setTimeout(() => { document.open(); "
        "document.write('<!doctype html><p id=done>written</p><script>window.ran = true</script>'); document.close(); }));")
    server = Served(tmp_path)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(server.base + "shell.html")
        page.wait_for_selector("#done")
        assert page.evaluate("window.ran === true") is False
    finally:
        context.close()
        server.close()
