"""A buyer's Done / New date / Question, in real Chromium: the mailto: link a page builds, and `mapsite apply` taking it back.

One site (built once for the module) holds the canonical plan with comments, quoting and a flow-style step
written into it, and a plan whose titles try to break out of the message.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import shutil
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from conftest import Served, assert_no_plaintext, edited, new_site, passwords_env, screenshot, unlock

PASSWORD = "northwind-kelut-vodaf-ripem-zunog"
HOSTILE_PASSWORD = "hostile-kelut-vodaf-ripem-zunog"
COMMENTED = edited(
    ("share_id: k7qm2xtz9p\n", "share_id: k7qm2xtz9p          # part of the address; never change it\n"),
    ("milestones:\n", "milestones:\n  # worked back from go-live with Marco, 2 Oct\n"),
    ("    role: IT Security Lead\n", "    role: IT Security Lead\n    email: \"priya.shah@northwind.example\"\n"),
    ("      - task: Security review meeting\n        owner: priya\n        due: 2026-12-08\n        status: not_started\n",
     "      - task: Security review meeting   # Priya books the room\n        owner: priya\n        due: '2026-12-08'\n"
     "        status: not_started  # waiting on the SOC 2 report\n\n"),
    ("      - task: Redlines returned\n        owner: legal\n        due: 2026-12-22\n",
     "      - {task: Redlines returned, owner: legal, due: 2026-12-22}  # legal's queue\n"),
)
# A title that tries a second update line, a header, a recipient and markup: none of it may work.
INJECTION = ('Q&A "sign-off" <b>bold</b> & cc=evil@x.example\r\nBcc: evil@x.example\n'
             'mapsite-update: deal=northwind-logistics item=m:~420baa2b status=done')
HOSTILE = edited(
    ("share_id: k7qm2xtz9p", "share_id: h0stile42x"),
    ("  - title: Business case approved\n", f"  - title: {json.dumps(INJECTION)}\n"),
)


GERMAN = edited(("share_id: k7qm2xtz9p", "share_id: deutsch42x"),
                ("title: Northwind Logistics × Acme Analytics\n", "title: Northwind Logistics × Acme Analytics\nlanguage: de\n"))
GERMAN_PASSWORD = "mueller-kelut-vodaf-ripem-zunog"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    site = new_site(tmp_path_factory.mktemp("actions"))
    site.add_plan("northwind-logistics.md", COMMENTED)
    site.add_plan("hostile.md", HOSTILE)
    site.add_plan("mueller.md", GERMAN)
    site.build(env=passwords_env(northwind_logistics=PASSWORD, hostile=HOSTILE_PASSWORD, mueller=GERMAN_PASSWORD))
    # What the links need travels inside each page's encryption only.
    assert_no_plaintext(site.out, ["priya.shah@northwind.example", "raj.patel@acme.example", INJECTION[:20],
                                   "Security review meeting"])
    server = Served(site.out)
    server.site = site
    yield server
    server.close()


@pytest.fixture
def page(browser, served):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    served.watch(page)
    yield page
    context.close()
    assert served.errors == [], "console errors on a deal page"
    assert served.outside_requests() == [], "a deal page asked another host for something"


def _open(page, served, folder: str, password: str, path: str = "milestones/") -> None:
    page.goto(served.base + folder + "/")
    unlock(page, password)
    page.goto(served.base + folder + "/" + path)
    page.wait_for_selector(".ms-deal", timeout=20_000)
    page.wait_for_selector(".ms-actions:not([hidden])", state="attached")
    # A click on a mailto: link would hand it to the system's mail program: keep it in the page.
    page.evaluate("document.addEventListener('click', e => { if (e.target.closest('a[href^=\"mailto:\"]')) e.preventDefault(); })")


def _mail(href: str) -> dict:
    """The parts of a mailto: link as a mail program reads them (RFC 6068)."""
    parts = urlsplit(href)
    assert parts.scheme == "mailto"
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
    return {"to": unquote(parts.path), **{key: values[0] for key, values in query.items()}}


def _step_row(page, task: str):
    row = page.locator("tr.ms-step", has_text=task)
    row.locator("xpath=ancestor::details[@data-ms-milestone]").evaluate("d => d.open = true")
    return row


def test_done_on_a_step_round_trips_through_apply_changing_only_its_status_line(page, served, tmp_path):
    _open(page, served, "northwind-logistics-k7qm2xtz9p", PASSWORD)
    row = _step_row(page, "Security review meeting")
    row.locator(".ms-actions__toggle").click()
    row.scroll_into_view_if_needed()
    screenshot(page, "actions-step-open")
    done = row.locator("[data-ms-action=done]")
    done.click()
    mail = _mail(done.get_attribute("href"))

    assert mail["to"] == "raj.patel@acme.example"  # Lena, the seller owner, has no email: the deal's seller contact
    assert mail["cc"] == "priya.shah@northwind.example"  # the step's buyer-side owner
    assert mail["subject"] == "Done: Security review meeting (Northwind Logistics × Acme Analytics)"
    body = mail["body"]
    assert "\r\n" in body and "“Security review meeting” is done." in body
    update_lines = [line for line in body.split("\r\n") if line.startswith("mapsite-update:")]
    assert len(update_lines) == 1 and update_lines[0].endswith(" status=done")

    project = tmp_path / "project"
    shutil.copytree(served.site.root, project, ignore=shutil.ignore_patterns("site"))
    plan = project / "plans" / "northwind-logistics.md"
    before = plan.read_text(encoding="utf-8")
    result = served.site.__class__(project).mapsite("apply", "--yes", input=body)
    assert result.returncode == 0, result.stderr
    after = plan.read_text(encoding="utf-8")
    changed = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0, lineterm="")
               if line[:1] in "+-" and line[:3] not in ("---", "+++")]
    assert changed == ["-        status: not_started  # waiting on the SOC 2 report",
                       "+        status: done  # waiting on the SOC 2 report"]
    comments = [line[line.index("#"):] for line in before.splitlines() if "#" in line]
    assert len(comments) >= 5 and comments == [line[line.index("#"):] for line in after.splitlines() if "#" in line]


def test_new_date_and_question_links_name_the_item_and_the_change(page, served):
    _open(page, served, "northwind-logistics-k7qm2xtz9p", PASSWORD)
    box = page.locator("details[data-ms-milestone='3'] .ms-milestone__body > .ms-actions")
    box.evaluate("d => d.closest('details[data-ms-milestone]').open = true")
    box.locator(".ms-actions__toggle").click()
    propose = box.locator("[data-ms-action=due]")
    assert propose.get_attribute("href") is None, "the date is still the due date: nothing to propose"
    box.locator("[data-ms-action-date]").fill("2026-12-18")
    mail = _mail(propose.get_attribute("href"))
    reference = "m:~" + hashlib.sha256(b"Security and compliance review").hexdigest()[:8]  # no id: its title's key
    assert mail["to"] == "raj.patel@acme.example" and mail["cc"] == "priya.shah@northwind.example"
    assert mail["subject"] == "New date for Security and compliance review: 18 Dec 2026 (Northwind Logistics × Acme Analytics)"
    lines = mail["body"].split("\r\n")
    assert "We propose to move “Security and compliance review” from 11 Dec 2026 to 18 Dec 2026." in lines
    assert lines[-1] == f"mapsite-update: deal=northwind-logistics item={reference} due=2026-12-18"
    question = _mail(box.locator("[data-ms-action=question]").get_attribute("href"))
    assert question["subject"] == "Question about Security and compliance review (Northwind Logistics × Acme Analytics)"
    assert question["body"].split("\r\n")[-1] == f"mapsite-update: deal=northwind-logistics item={reference} question"


def test_the_summary_offers_actions_for_the_items_it_lists(page, served):
    _open(page, served, "northwind-logistics-k7qm2xtz9p", PASSWORD, path="")
    screenshot(page, "actions-summary")
    items = page.locator(".ms-next .ms-item .ms-actions")
    assert items.count() >= 3
    hrefs = items.first.locator("[data-ms-action=done]").get_attribute("href")
    assert _mail(hrefs)["body"].count("mapsite-update:") == 1


def test_hostile_titles_add_no_update_line_header_or_recipient(page, served):
    _open(page, served, "hostile-h0stile42x", HOSTILE_PASSWORD)
    box = page.locator("details[data-ms-milestone='4'] .ms-milestone__body > .ms-actions")
    href = box.locator("[data-ms-action=done]").get_attribute("href")
    assert not re.search(r"[\s<>\"]", href), "a mailto: link is one percent-encoded line"
    query = parse_qs(urlsplit(href).query, keep_blank_values=True, strict_parsing=True)
    assert sorted(query) == ["body", "cc", "subject"] and all(len(v) == 1 for v in query.values()), "no added header"
    mail = _mail(href)
    assert mail["to"] == "raj.patel@acme.example" and mail["cc"] == "dana.whitfield@northwind.example"
    flat = 'Q&A "sign-off" <b>bold</b> & cc=evil@x.example Bcc: evil@x.example mapsite-update -'
    assert mail["subject"].startswith(f"Done: {flat}")
    lines = mail["body"].split("\r\n")
    assert f"“{flat}" in lines[2], "the title stays on its own line of the message, flattened"
    assert [line for line in lines if "mapsite-update:" in line] == [lines[-1]], "one update line, the last"
    assert re.fullmatch(r"mapsite-update: deal=hostile item=m:~[0-9a-f]{8} status=done", lines[-1])
    assert len(href) < 2000
    shown = served.site.mapsite("apply", "--dry-run", input=mail["body"])  # writes nothing: the shared site stays
    assert shown.returncode == 0, shown.stderr
    assert "+++ b/plans/hostile.md" in shown.stdout and "northwind-logistics.md" not in shown.stdout


def test_the_message_speaks_the_deals_language(page, served):
    _open(page, served, "mueller-deutsch42x", GERMAN_PASSWORD)
    box = page.locator("details[data-ms-milestone='4'] .ms-milestone__body > .ms-actions")
    done = _mail(box.locator("[data-ms-action=done]").get_attribute("href"))
    assert done["subject"] == "Erledigt: Business case approved (Northwind Logistics × Acme Analytics)"
    lines = done["body"].split("\r\n")
    assert lines[0] == "Guten Tag," and "„Business case approved“ ist erledigt." in lines
    assert lines[-2] == "Bitte lassen Sie die nächste Zeile unverändert: Damit aktualisiert das Team den Plan."
    assert lines[-1].startswith("mapsite-update: deal=mueller item=m:~")
    box.evaluate("b => b.closest('details[data-ms-milestone]').open = true")
    box.locator(".ms-actions__toggle").click()
    assert box.locator(".ms-actions__toggle").inner_text() == "Aktualisieren"
    box.locator("[data-ms-action-date]").fill("2027-01-05")
    moved = _mail(box.locator("[data-ms-action=due]").get_attribute("href"))
    assert "Wir schlagen vor, „Business case approved“ vom 18. Dezember 2026 auf den 5. Januar 2027 zu verschieben." in \
        moved["body"].split("\r\n"), moved["body"]
