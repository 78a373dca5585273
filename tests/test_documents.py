"""Documents in the room: a plan's `files:` checked at file:line, published only as ciphertext, opened after unlock.

Errors go through the real loader on real files (sparse files for the size limits), `mapsite check`
and `mkdocs build` in subprocesses. One real CI build with the team on serves the rest: the leak check
over every published file, each audience's summary opened independently of mapsite's code, and real
Chromium downloading a document and comparing its bytes with the original.
"""

from __future__ import annotations

import base64
import html
import math
import os
import re
import urllib.request
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from conftest import REPO, Served, Site, assert_no_plaintext, decrypt, edited, new_site, unlock
from mapsite.plan import load_plan
from mapsite.plan.documents import MAX_DEAL_BYTES, MAX_FILE_BYTES
from mapsite.security.sitekey import new_key

TEAM_PASSWORD = "tundra-mosaic-plank-ember-quiver-sable-onion-ranch"
ORDER_FORM = b"%PDF-1.7\n% Quuxdoc-7f3a: the secret clause of the order form\n" + os.urandom(300_000)
PRICING = b"PK\x03\x04 Quuxfloor-91: discount floor 15 per cent " + os.urandom(2_000)
TERMS = ORDER_FORM  # the other deal offers the very same bytes under another name
SECRETS = ("Quuxdoc-7f3a", "Quuxfloor-91", "Quuxorder Form", "quuxorder-form.pdf", "Quuxfloor pricing",
           "quuxfloor.xlsx", "zebra-terms.pdf", "Zebraquux terms")
NORTHWIND = "northwind-logistics-k7qm2xtz9p"
ZEBRA = "zebra-zq81pz7rw2"
FILES = "files:\n  - path: northwind/quuxorder-form.pdf\n    title: Quuxorder Form\n" \
        "  - path: northwind/quuxfloor.xlsx\n    title: Quuxfloor pricing\n    internal: true\n"


def with_files(files: str, *changes: tuple[str, str]) -> str:
    """The canonical plan with a `files:` block before `cadence:`."""
    return edited(("cadence: Weekly", files + "cadence: Weekly"), *changes)


# --- 1. Bad input: file:line errors, in check and build, never a traceback ---------------------

def problems_for(site: Site, files: str) -> list[str]:
    plan = site.add_plan("northwind-logistics.md", with_files(files))
    return [str(p) for p in load_plan(plan, "plans/northwind-logistics.md", project=site.root).problems]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(with_files(text).splitlines(), start=1) if needle in line)


def test_each_bad_file_is_an_error_at_its_line(site, tmp_path):
    folder = site.plans / "northwind"
    folder.mkdir()
    (folder / "ok.pdf").write_bytes(b"%PDF-1.7 fine")
    (folder / "script.svg").write_text("<svg/>")
    with open(folder / "huge.pdf", "wb") as huge:  # sparse: the size is checked, never read
        huge.truncate(MAX_FILE_BYTES + 1)
    for n in range(3):
        with open(folder / f"part{n}.pdf", "wb") as part:
            part.truncate(MAX_DEAL_BYTES // 3 + 1)
    (tmp_path / "elsewhere.pdf").write_bytes(b"%PDF outside the project")
    (folder / "escape.pdf").symlink_to(tmp_path / "elsewhere.pdf")
    cases = {
        "northwind/missing.pdf": "does not exist",
        "../../elsewhere.pdf": "outside this project",
        str(tmp_path / "elsewhere.pdf"): "must be a path relative to the plan's folder",
        "northwind/escape.pdf": "links to",
        "northwind/script.svg": "is not a type a deal may offer (.svg); use one of: PDF, PNG, JPEG",
        "northwind/huge.pdf": "over the 10 MB a document may be",
        "northwind": "is not a type a deal may offer (no extension)",
    }
    for path, expected in cases.items():
        block = f"files:\n  - path: {path}\n"
        found = problems_for(site, block)
        assert found == [f"plans/northwind-logistics.md:{line_of(block, 'path:')}:11: " + found[0].split(":11: ", 1)[1]], found
        assert expected in found[0], (path, found)
    block = "files:\n" + "".join(f"  - path: northwind/part{n}.pdf\n" for n in range(3))
    assert [p.split(": ", 1)[0] for p in problems_for(site, block)] == [
        f"plans/northwind-logistics.md:{line_of(block, 'part2.pdf')}:11"]
    assert "over the 25 MB a deal may offer" in problems_for(site, block)[0]
    block = "files:\n  - path: northwind/ok.pdf\n  - path: ./northwind/../northwind/ok.pdf\n    title: Again\n"
    assert problems_for(site, block) == [
        f"plans/northwind-logistics.md:{line_of(block, './northwind')}:11: `./northwind/../northwind/ok.pdf` is listed "
        f"twice (first on line {line_of(block, 'path: northwind/ok.pdf')}); list each document once"]
    assert problems_for(site, "files:\n  - path: northwind/ok.pdf\n    title: Order form\n") == []


def test_check_and_build_stop_at_a_missing_file_without_a_traceback(site):
    block = "files:\n  - path: northwind/order-form.pdf\n"
    site.add_plan("northwind-logistics.md", with_files(block))
    where = f"plans/northwind-logistics.md:{line_of(block, 'path:')}:11: "
    check = site.mapsite("check")
    assert check.returncode != 0 and where + "`northwind/order-form.pdf` does not exist" in check.stdout + check.stderr
    build = site.build(check=False)
    assert build.returncode != 0 and where in build.stderr
    assert "Traceback" not in check.stderr + build.stderr and not (site.out / NORTHWIND).exists()


def test_an_internal_document_is_published_only_with_a_team_to_open_it(site):
    from mapsite.site.documents import offered as published

    (site.plans / "northwind").mkdir()
    (site.plans / "northwind" / "quuxorder-form.pdf").write_bytes(ORDER_FORM)
    (site.plans / "northwind" / "quuxfloor.xlsx").write_bytes(PRICING)
    deal = load_plan(site.add_plan("northwind-logistics.md", with_files(FILES)), project=site.root).deal
    assert [d.name for d in published(deal, NORTHWIND, team=False)] == ["quuxorder-form.pdf"]
    both = published(deal, NORTHWIND, team=True)
    assert [(d.name, d.title, d.label, d.internal) for d in both] == [
        ("quuxorder-form.pdf", "Quuxorder Form", "PDF", False), ("quuxfloor.xlsx", "Quuxfloor pricing", "XLSX", True)]
    again = published(deal, NORTHWIND, team=True)  # every build: new names and keys
    assert not {d.key.path for d in both} & {d.key.path for d in again} and both[0].key.key != again[0].key.key


# --- 2. One real CI build with documents: nothing in plaintext, each audience its own keys ---------

@pytest.fixture(scope="module")
def room(tmp_path_factory):
    """Two deals with documents, the team on, `docs_dir: docs` (where the other deal's document lives)."""
    site = new_site(tmp_path_factory.mktemp("room"))
    config = (site.root / "mkdocs.yml").read_text().replace("docs_dir: plans", "docs_dir: docs")
    (site.root / "mkdocs.yml").write_text(config.replace("      plans_dir: plans\n", "      plans_dir: plans\n      team: true\n"))
    (site.root / "docs").mkdir()
    (site.root / "docs" / "zebra-terms.pdf").write_bytes(TERMS)
    (site.plans / "northwind").mkdir()
    (site.plans / "northwind" / "quuxorder-form.pdf").write_bytes(ORDER_FORM)
    (site.plans / "northwind" / "quuxfloor.xlsx").write_bytes(PRICING)
    site.add_plan("northwind-logistics.md", with_files(FILES))
    site.add_plan("zebra.md", with_files("files:\n  - path: ../docs/zebra-terms.pdf\n    title: Zebraquux terms\n",
                                         ("share_id: k7qm2xtz9p", "share_id: zq81pz7rw2")))
    env = {"CI": "true", "MAPSITE_KEY": new_key(), "MAPSITE_TEAM_PASSWORD": TEAM_PASSWORD}
    site.build(env=env)
    site.buyers = {slug: site.mapsite("password", slug, env=env).stdout.strip() for slug in ("northwind-logistics", "zebra")}
    return site


def offered(summary: str) -> dict[str, dict[str, str]]:
    """Each document a decrypted summary offers, by its file name: its button's data."""
    found = {}
    for button in re.findall(r"<button [^>]*data-ms-file=[^>]*>", summary):
        data = {k or "href": html.unescape(v) for k, v in re.findall(r'data-ms-file-?(\w*)="([^"]*)"', button)}
        found[data["name"]] = data
    return found


def opened_file(site: Site, data: dict[str, str], path: str | None = None) -> bytes:
    """A published document opened with what its summary holds, independently of mapsite's code."""
    sealed = (site.out / data["path"]).read_bytes()
    aad = ("mapsite/v2/file|" + (path or data["path"])).encode()
    return AESGCM(base64.b64decode(data["key"])).decrypt(base64.b64decode(data["nonce"]), sealed, aad)


def test_no_document_byte_name_or_title_is_in_the_site_in_plaintext(room):
    published = sorted(p.relative_to(room.out).as_posix() for p in room.out.rglob("*.bin"))
    assert len(published) == 3 and all(re.fullmatch(r"[a-z0-9-]+/files/[0-9a-f]{16}\.bin", p) for p in published)
    assert_no_plaintext(room.out, list(SECRETS))
    every = [p.read_bytes() for p in room.out.rglob("*") if p.is_file()]
    for original in (ORDER_FORM, PRICING):
        assert not any(original[:64] in data or original[-64:] in data for data in every)
    assert {(room.out / p).stat().st_size for p in published} == {len(ORDER_FORM) + 16, len(PRICING) + 16}


def test_a_buyer_opens_its_documents_and_never_an_internal_one(room):
    summary = decrypt(room, f"{NORTHWIND}/", room.buyers["northwind-logistics"])
    documents = offered(summary)
    assert list(documents) == ["quuxorder-form.pdf"] and "Quuxorder Form" in summary
    assert f"PDF · {math.ceil(len(ORDER_FORM) / 1024)} KB" in summary
    assert opened_file(room, documents["quuxorder-form.pdf"]) == ORDER_FORM
    assert "Quuxfloor" not in summary and "quuxfloor" not in summary
    team_summary = decrypt(room, f"{NORTHWIND}/", TEAM_PASSWORD)
    internal = offered(team_summary)["quuxfloor.xlsx"]
    assert internal["path"] not in summary and internal["key"] not in summary  # no name, no key in the buyer's view
    assert opened_file(room, internal) == PRICING and 'class="ms-internal"' in team_summary
    zebra = offered(decrypt(room, f"{ZEBRA}/", room.buyers["zebra"]))["zebra-terms.pdf"]
    assert opened_file(room, zebra) == TERMS
    with pytest.raises(InvalidTag):  # bound to its path: the file does not open under another name
        opened_file(room, zebra, path=documents["quuxorder-form.pdf"]["path"])
    with pytest.raises(InvalidTag):  # no buyer opens the other deal's summary
        decrypt(room, f"{ZEBRA}/", room.buyers["northwind-logistics"])


def test_chromium_downloads_the_document_after_unlock_byte_for_byte(room, browser):
    served = Served(room.out)
    context = browser.new_context(accept_downloads=True)
    try:
        page = context.new_page()
        served.watch(page)
        page.goto(served.base + NORTHWIND + "/")
        assert page.locator("[data-ms-file]").count() == 0  # nothing offered before the password
        unlock(page, room.buyers["northwind-logistics"])
        assert page.locator("[data-ms-file]").all_inner_texts() == ["Quuxorder Form"]
        with page.expect_download() as download:
            page.get_by_role("button", name="Quuxorder Form").click()
        assert download.value.suggested_filename == "quuxorder-form.pdf"
        assert Path(download.value.path()).read_bytes() == ORDER_FORM
        assert served.outside_requests() == [] and served.errors == []
    finally:
        context.close()
        served.close()


def test_the_team_downloads_an_internal_document_in_chromium(room, browser):
    served = Served(room.out)
    context = browser.new_context(accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(served.base + NORTHWIND + "/")
        unlock(page, TEAM_PASSWORD)
        with page.expect_download() as download:
            page.get_by_role("button", name="Quuxfloor pricing").click()
        assert download.value.suggested_filename == "quuxfloor.xlsx"
        assert Path(download.value.path()).read_bytes() == PRICING
    finally:
        context.close()
        served.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_documents_list_has_no_serious_accessibility_violation(room, browser, scheme):
    axe = REPO / "node_modules" / "axe-core" / "axe.min.js"
    if not axe.exists():
        pytest.skip("axe-core not installed (npm install --no-save axe-core)")
    served = Served(room.out)
    context = browser.new_context(color_scheme=scheme, bypass_csp=True)  # the page's policy refuses axe's inline script
    try:
        page = context.new_page()
        page.goto(served.base + NORTHWIND + "/")
        unlock(page, TEAM_PASSWORD)  # the team's view: both documents, one marked internal
        page.add_script_tag(path=str(axe))
        result = page.evaluate("axe.run({include: ['.ms-files']}, {resultTypes: ['violations']})")
        assert [(v["id"], v["impact"]) for v in result["violations"] if v["impact"] in ("serious", "critical")] == []
    finally:
        context.close()
        served.close()


def test_the_preview_serves_documents_encrypted_too(site):
    from test_preview import free_port, serving

    (site.plans / "northwind").mkdir()
    (site.plans / "northwind" / "quuxorder-form.pdf").write_bytes(ORDER_FORM)
    site.add_plan("northwind-logistics.md", with_files("files:\n  - path: northwind/quuxorder-form.pdf\n"))
    base = f"http://127.0.0.1:{free_port()}/"
    address = base.removeprefix("http://").rstrip("/")
    with serving(["mapsite", "preview", "northwind-logistics", "--dev-addr", address], site.root,
                 f"{base}{NORTHWIND}/") as (_, page):
        data = offered(page)["quuxorder-form.pdf"]  # the preview's page is plain text on loopback: its keys show
        with urllib.request.urlopen(f"{base}{NORTHWIND}/{data['href']}", timeout=10) as response:
            sealed = response.read()
    assert b"Quuxdoc-7f3a" not in sealed and len(sealed) == len(ORDER_FORM) + 16
    assert AESGCM(base64.b64decode(data["key"])).decrypt(
        base64.b64decode(data["nonce"]), sealed, ("mapsite/v2/file|" + data["path"]).encode()) == ORDER_FORM
