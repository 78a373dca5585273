"""`mapsite remind`: who is reminded of what, in which words, and delivery through a real SMTP server on loopback.

Every delivery test runs the real command against aiosmtpd (tests/smtpserver.py), never a mock: plain,
STARTTLS with a self-signed certificate, implicit TLS, AUTH, and a server that refuses one recipient.
"""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import TODAY, edited, new_site
from mapsite.insight.reminders import reminders
from mapsite.plan import load_plans
from smtpserver import Collector, SmtpServer, self_signed

DAY = dt.date.fromisoformat(TODAY)  # 2026-11-24
FROM = "Acme deal desk <deals@acme.example>"
LENA, MARCO, RAJ = "lena.fischer@acme.example", "marco.ruiz@northwind.example", "raj.patel@acme.example"
SECRET = "s3cret pass/word"  # percent-encoded in the URL


def _lena_and_marco(extra: tuple[str, str] = ("", "")) -> list[tuple[str, str]]:
    """Lena (seller) and Marco (buyer) with email addresses; each owns an internal step due tomorrow (Lena's looks
    like HTML)."""
    return [
        ("    role: Director of Dispatch, champion\n",
         f"    role: Director of Dispatch, champion\n    email: {MARCO}\n"),
        ("    role: Solutions Engineer\n", f"    role: Solutions Engineer\n    email: {LENA}\n"),
        ("        owner: lena\n        due: 2026-11-18\n        status: in_progress\n",
         "        owner: lena\n        due: 2026-11-18\n        status: in_progress\n"
         "      - task: Pricing <b>sign-off</b> & approval\n        owner: lena\n        due: 2026-11-25\n        internal: true\n"),
        ("        owner: marco\n        due: 2026-11-26\n        status: not_started\n",
         "        owner: marco\n        due: 2026-11-26\n        status: not_started\n"
         "      - {task: Internal call prep with Marco, owner: marco, due: 2026-11-25, internal: true}\n"),
        *([extra] if extra[0] else []),
    ]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """Two deals: the canonical one (English, buyers not reminded) and a German one that reminds buyers."""
    site = new_site(tmp_path_factory.mktemp("remind"))
    (site.root / "mkdocs.yml").write_text((site.root / "mkdocs.yml").read_text() + "site_url: https://deals.example.com/\n")
    site.add_plan("northwind-logistics.md", edited(*_lena_and_marco()))
    site.add_plan("northwind-emea.md", edited(*_lena_and_marco(), ("title: Northwind Logistics × Acme Analytics\n",
                                              "title: Northwind EMEA × Acme Analytics\nlanguage: de\nremind_buyers: true\n"),
                                              ("share_id: k7qm2xtz9p", "share_id: emea4x9q2w")))
    return site


@pytest.fixture(scope="module")
def deals(project):
    found, problems = load_plans(project.plans)
    assert not problems
    return found


def by_email(found):
    return {r.email: r for r in found}


# --- Who is reminded of what (direct calls) --------------------------------------------------------


def test_sellers_always_buyers_only_where_the_plan_asks(deals):
    found, _ = reminders(deals, DAY, 7, "en")
    people = by_email(found)
    assert set(people) == {LENA, MARCO}, "Raj's items are due later than a week; Marco only where remind_buyers"
    assert [part.deal.slug for part in people[MARCO].deals] == ["northwind-emea"]
    assert [part.deal.slug for part in people[LENA].deals] == ["northwind-emea", "northwind-logistics"], "one email, both deals"


def test_items_are_late_first_within_the_window_and_internal_ones_only_for_the_team(deals):
    found, _ = reminders(deals, DAY, 7, "en")
    lena = [item.title for item in by_email(found)[LENA].deals[1].items]
    assert lena == ["Configure the pilot workspace and routing rules", "Pricing <b>sign-off</b> & approval",
                    "Pilot on the Midwest region"], "late (18 Nov) first, then 25 Nov, 27 Nov; 11 Dec is outside the week"
    marco = [item.title for item in by_email(found)[MARCO].deals[0].items]
    assert marco == ["Review pilot results with depot managers", "Pilot on the Midwest region"], "not his internal step"


def test_days_widens_the_window_and_people_without_email_are_skipped(deals):
    found, skipped = reminders(deals, DAY, 30, "en")
    assert RAJ in by_email(found), "Business case approved, 18 Dec, is within 30 days"
    assert {(s.deal.slug, s.person.id) for s in skipped} == {("northwind-emea", "priya"), ("northwind-emea", "legal")}
    _, none_skipped = reminders(deals, DAY, 0, "en")
    assert none_skipped == []


def test_one_language_per_person_the_first_deals(deals):
    found, _ = reminders(deals, DAY, 7, "en")
    assert by_email(found)[LENA].language == "de", "northwind-emea (German) comes first by slug"


# --- The command, against a real SMTP server ---------------------------------------------------------


def remind(project, *args, **env):
    return project.mapsite("remind", *args, env={k: v for k, v in env.items() if v is not None})


def test_dry_run_prints_each_message_and_needs_no_smtp(project):
    result = remind(project, "--dry-run")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"To: Marco Ruiz <{MARCO}>" in out and f"To: Lena Fischer <{LENA}>" in out
    assert "Subject: 2 offene Aufgaben fällig bis 1. Dezember 2026" in out
    assert "Guten Tag Marco Ruiz," in out and "Review pilot results with depot managers" in out
    assert ("- Configure the pilot workspace and routing rules (Schritt zu Pilot on the Midwest region): In Arbeit, "
            "fällig am 18. November 2026 (6 Tage überfällig)") in out  # Lena's late step, in German words
    assert "Plan öffnen: https://deals.example.com/northwind-emea-emea4x9q2w/milestones/" in out
    assert "https://deals.example.com/northwind-logistics-k7qm2xtz9p/milestones/" in out
    assert "#k=" not in out and "Traceback" not in result.stderr
    assert "2 reminders for items due by 2026-12-01 (dry run: nothing sent)" in result.stderr
    wider = remind(project, "--dry-run", "--days", "30")
    assert ("skipped: plans/northwind-emea.md: priya (buyer side) has 2 items due and no email\n"
            "skipped: plans/northwind-emea.md: legal (buyer side) has 1 item due and no email\n") in wider.stderr


def test_without_site_url_there_is_no_link(tmp_path):
    site = new_site(tmp_path)
    site.add_plan("northwind-logistics.md", edited(*_lena_and_marco()))
    result = site.mapsite("remind", "--dry-run")
    assert result.returncode == 0 and "Pricing <b>sign-off</b> & approval" in result.stdout
    assert "Open the plan" not in result.stdout and "milestones/" not in result.stdout


def test_delivers_text_and_escaped_html_and_reports_a_refused_recipient(project):
    collector = Collector(refuse={MARCO})
    with SmtpServer(collector) as server:
        result = remind(project, MAPSITE_SMTP_URL=server.url(), MAPSITE_MAIL_FROM=FROM)
    assert result.returncode == 1, "a reminder was not delivered"
    assert f"mapsite: not delivered to Marco Ruiz <{MARCO}>: 550 5.1.1 <{MARCO}>: mailbox unavailable" in result.stderr
    assert "1 reminder sent, 1 not delivered" in result.stderr and "Traceback" not in result.stderr
    [got] = collector.received
    assert got.recipients == [LENA]
    message = got.message
    assert message["From"] == FROM and message.get_content_type() == "multipart/alternative"
    assert message["Content-Language"] == "de" and message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Pricing <b>sign-off</b> & approval" in text
    assert "Pricing &lt;b&gt;sign-off&lt;/b&gt; &amp; approval" in html and "<b>sign-off" not in html
    assert '<a href="https://deals.example.com/northwind-logistics-k7qm2xtz9p/milestones/">Plan öffnen</a>' in html


def test_starttls_with_a_checked_certificate_and_auth(project, tmp_path):
    cert, key = self_signed(tmp_path)
    collector = Collector()
    with SmtpServer(collector, certificate=(cert, key), logins={"deals@acme.example": SECRET}) as server:
        url = server.url("deals%40acme.example", SECRET.replace(" ", "%20").replace("/", "%2F"))
        result = remind(project, MAPSITE_SMTP_URL=url, MAPSITE_MAIL_FROM=FROM, SSL_CERT_FILE=str(cert))
        untrusted = remind(project, MAPSITE_SMTP_URL=url, MAPSITE_MAIL_FROM=FROM)  # the system's CAs don't know it
    assert result.returncode == 0, result.stderr
    assert sorted(r.recipients[0] for r in collector.received) == [LENA, MARCO]
    assert all(r.tls and r.login == "deals@acme.example" for r in collector.received)
    assert untrusted.returncode == 1 and "certificate verify failed" in untrusted.stderr
    assert "no reminder was sent" in untrusted.stderr and len(collector.received) == 2
    assert SECRET not in result.stderr + untrusted.stderr and "Traceback" not in untrusted.stderr


def test_implicit_tls_with_smtps(project, tmp_path):
    cert, key = self_signed(tmp_path)
    collector = Collector()
    with SmtpServer(collector, certificate=(cert, key), implicit_tls=True) as server:
        result = remind(project, MAPSITE_SMTP_URL=server.url(), MAPSITE_MAIL_FROM=FROM, SSL_CERT_FILE=str(cert))
    assert result.returncode == 0, result.stderr
    assert len(collector.received) == 2 and all(r.tls for r in collector.received)


def test_a_wrong_login_and_a_password_without_tls_are_refused(project, tmp_path):
    cert, key = self_signed(tmp_path)
    collector = Collector()
    with SmtpServer(collector, certificate=(cert, key), logins={"deals": "right"}) as server:
        wrong = remind(project, MAPSITE_SMTP_URL=server.url("deals", "wrong-one"), MAPSITE_MAIL_FROM=FROM,
                       SSL_CERT_FILE=str(cert))
    with SmtpServer(collector) as plain:  # offers no STARTTLS
        clear = remind(project, MAPSITE_SMTP_URL=plain.url("deals", "right"), MAPSITE_MAIL_FROM=FROM)
    assert wrong.returncode == 1 and "refused the login of user 'deals'" in wrong.stderr and "wrong-one" not in wrong.stderr
    assert clear.returncode == 1 and "offers no STARTTLS, and the password is never sent unencrypted" in clear.stderr
    assert collector.received == []
    assert "Traceback" not in wrong.stderr + clear.stderr


@pytest.mark.parametrize("url, sender, expected", [
    (None, FROM, "MAPSITE_SMTP_URL is not set"),
    ("http://user:pw-123@mail.example", FROM, "MAPSITE_SMTP_URL must start with smtp:// or smtps://"),
    ("smtp://user:pw-123@mail.example:99999", FROM, "MAPSITE_SMTP_URL has a port that is not a number"),
    ("smtp://user:pw-123@mail.example/inbox", FROM, "MAPSITE_SMTP_URL must be a server and nothing more"),
    ("smtp://user:pw-123@mail.example", None, "MAPSITE_MAIL_FROM must be the sender's address"),
    ("smtp://user:pw-123@mail.example", "deal desk", "MAPSITE_MAIL_FROM must be the sender's address"),
])
def test_bad_mail_settings_are_one_clear_line(project, url, sender, expected):
    result = remind(project, MAPSITE_SMTP_URL=url, MAPSITE_MAIL_FROM=sender)
    assert result.returncode == 1
    assert result.stderr.startswith(f"mapsite: {expected}") and result.stderr.count("\n") == 1, result.stderr
    assert "pw-123" not in result.stderr, "the password is never quoted"


def test_an_unreachable_server_sends_nothing_and_says_so(project):
    with SmtpServer(Collector()) as server:
        url = server.url()
    result = remind(project, MAPSITE_SMTP_URL=url, MAPSITE_MAIL_FROM=FROM)  # stopped: nothing listens there
    assert result.returncode == 1 and "cannot send through 127.0.0.1:" in result.stderr
    assert "no reminder was sent" in result.stderr and "Traceback" not in result.stderr
