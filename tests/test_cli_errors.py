"""Bad input to every command, as a real process: a clear one-line error (or `file:line:col`), never a traceback.

Each test runs `python -m mapsite ...` or `mkdocs build` in a temp project and checks the exit
code, the last line of stderr, and that no "Traceback" appears anywhere in the output.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys

import pytest

from conftest import REPO, TODAY, Site, build_env
from gitrepo import GitRepo

SLUG = "northwind-logistics"
# Every command that reads mkdocs.yml, with arguments that would work on a good site.
COMMANDS = [("check",), ("list",), ("new", "contoso-freight", "--go-live", "2027-03-01"), ("diff",),
            ("password", SLUG), ("preview", SLUG, "--dev-addr", "127.0.0.1:1")]


def stopped(result: subprocess.CompletedProcess, code: int, message: str) -> str:
    """Assert the command exited with `code`, its stderr ends with one line holding `message`, and no traceback."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == code, output
    last = result.stderr.strip().splitlines()[-1]
    assert message in last, output
    return last


def set_option(site: Site, old: str, new: str) -> None:
    config = site.root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"test setup: {old!r}"
    config.write_text(text.replace(old, new), encoding="utf-8")


# --- mkdocs.yml ---------------------------------------------------------------------------

BAD_TODAY = [
    ('today: "soon"', "option 'today': `soon` is not a date; use YYYY-MM-DD"),
    ('today: "2027-02-30"', "option 'today': `2027-02-30` is not a real date"),
    # unquoted, YAML reads it as a date and MkDocs' own reader fails on it, before any plugin
    ("today: 2027-02-30", "mkdocs.yml:33:14: today: `2027-02-30` is not a real date"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize(("today", "message"), BAD_TODAY, ids=["soon", "impossible", "impossible-unquoted"])
def test_a_bad_today_stops_every_command_naming_the_option(canonical_site: Site, command, today, message):
    """Was a ValueError traceback from settings.py for every command but `schema`."""
    set_option(canonical_site, f'today: "{TODAY}"', today)
    assert stopped(canonical_site.mapsite(*command), 1, message).startswith("mapsite: mkdocs.yml")
    assert not (canonical_site.plans / "contoso-freight.md").exists()


@pytest.mark.parametrize(("today", "message"), BAD_TODAY[:2], ids=["soon", "impossible"])
def test_a_bad_today_stops_the_build_naming_the_option(canonical_site: Site, today, message):
    set_option(canonical_site, f'today: "{TODAY}"', today)
    result = canonical_site.build(check=False)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode != 0 and message in result.stderr


def test_the_cli_and_the_build_refuse_a_bad_option_in_the_same_words(canonical_site: Site):
    """mkdocs.yml is validated once, by MkDocs with the plugin's own Config: one message, wherever it is read."""
    set_option(canonical_site, f'today: "{TODAY}"', 'today: "soon"')
    said = stopped(canonical_site.mapsite("list"), 1, "option 'today'").removeprefix("mapsite: mkdocs.yml: ")
    assert said.startswith("Config value 'plugins'") and said in canonical_site.build(check=False).stderr


@pytest.mark.xfail(strict=True, reason="upstream: MkDocs' own YAML reader raises a bare ValueError (a traceback) "
                                       "for an unquoted impossible date anywhere in mkdocs.yml, before plugins load")
def test_an_unquoted_impossible_today_stops_the_build_without_a_traceback(canonical_site: Site):
    set_option(canonical_site, f'today: "{TODAY}"', "today: 2027-02-30")
    result = canonical_site.build(check=False)
    assert result.returncode != 0 and "Traceback" not in result.stdout + result.stderr


def test_an_unquoted_today_is_a_date_for_the_cli_and_the_build(canonical_site: Site):
    """`today: 2026-11-24`, as the README writes it: YAML makes it a date, which was refused (build) or ignored (CLI)."""
    set_option(canonical_site, f'today: "{TODAY}"', "today: 2026-11-20")
    result = canonical_site.mapsite("check")
    assert result.returncode == 0, result.stderr
    assert "was due 2026-11-18 (2 days ago)" in result.stdout  # counted from 2026-11-20, not the real date
    assert canonical_site.build(check=False).returncode == 0


def test_today_may_be_left_out(canonical_site: Site):
    """The shipped mkdocs.yml sets no `today`: the real date is used."""
    set_option(canonical_site, f'today: "{TODAY}"', "")
    assert canonical_site.mapsite("list").returncode == 0
    assert canonical_site.build(check=False).returncode == 0


@pytest.mark.parametrize(("config", "message"), [
    ("site_name: [unclosed\n", "mkdocs.yml: MkDocs encountered an error parsing the configuration file: "),
    ("- just\n- a list\n", "mkdocs.yml: The configuration is invalid. Expected a key-value mapping"),
    ("plugins: [no-such-plugin]\nsite_name: x\ndocs_dir: plans\n", "mkdocs.yml: Config value 'plugins': The \"no-such-plugin\" plugin is not installed"),
    ("", "mkdocs.yml: Config value 'site_name': Required configuration not provided."),
], ids=["syntax", "list", "unknown-plugin", "empty"])
def test_a_broken_mkdocs_yml_stops_the_commands_the_build_would_stop(canonical_site: Site, config, message):
    """Was: `mapsite check` and `list` went on with default settings and said OK while `mkdocs build` failed."""
    (canonical_site.root / "mkdocs.yml").write_text(config, encoding="utf-8")
    for command in ("check", "list"):
        stopped(canonical_site.mapsite(command), 1, f"mapsite: {message}")
    schema = canonical_site.mapsite("schema")  # needs no settings
    assert schema.returncode == 0 and json.loads(schema.stdout)["title"]


def test_plans_dir_pointing_nowhere(canonical_site: Site):
    """Was: `list` printed nothing and exited 0; `check` called the folder an unreadable file."""
    set_option(canonical_site, "plans_dir: plans", "plans_dir: nowhere")
    for command in (("check",), ("list",), ("new", "contoso-freight", "--go-live", "2027-03-01")):
        stopped(canonical_site.mapsite(*command), 1, "mapsite: no plans folder at nowhere")
    stopped(canonical_site.mapsite("password", SLUG), 1, f"mapsite: no plan nowhere/{SLUG}.md")
    result = canonical_site.build(check=False)
    assert result.returncode != 0 and "the plans folder" in result.stderr and "does not exist" in result.stderr


# --- mapsite new --------------------------------------------------------------------------

@pytest.fixture
def with_templates(canonical_site: Site) -> Site:
    shutil.copytree(REPO / "plans" / "_templates", canonical_site.plans / "_templates")
    return canonical_site


@pytest.mark.parametrize(("args", "code", "message"), [
    (("Big Deal", "--go-live", "2027-03-01"), 1, "mapsite: `Big Deal` cannot be a deal's address"),
    ((SLUG, "--go-live", "2027-03-01"), 1, f"mapsite: plans/{SLUG}.md already exists and was left as it is"),
    (("contoso", "--go-live", "2027-03-01", "--template", "nope"), 1, "mapsite: no template `nope` in plans/_templates/"),
    (("contoso", "--go-live", "2027-02-30"), 2, "Invalid value for --go-live: `2027-02-30` is not a real date"),
    (("contoso", "--go-live", "soon"), 2, "Invalid value for --go-live: `soon` is not a date"),
    # was an OverflowError traceback: the value review falls after 9999-12-31
    (("contoso", "--go-live", "9999-12-31"), 2, "`9999-12-31` is not a plausible date; use a year from 1900 to 2999"),
], ids=["slug", "exists", "template", "impossible-date", "not-a-date", "date-overflow"])
def test_new_with_bad_input(with_templates: Site, args, code, message):
    before = sorted(p.name for p in with_templates.plans.iterdir())
    stopped(with_templates.mapsite("new", *args), code, message)
    assert sorted(p.name for p in with_templates.plans.iterdir()) == before


LONG = "c" * 300  # a valid slug, but longer than a file name may be


@pytest.mark.parametrize("command", [("new", LONG, "--go-live", "2027-03-01"), ("password", LONG), ("preview", LONG),
                                     ("check", f"plans/{LONG}.md"), ("check", "--plans", LONG), ("list", "--plans", LONG)],
                         ids=["new", "password", "preview", "check", "check-plans", "list-plans"])
def test_a_name_too_long_for_the_system(with_templates: Site, command):
    """Was an OSError traceback: pathlib's exists()/is_file() raise ENAMETOOLONG."""
    stopped(with_templates.mapsite(*command), 1, "File name too long")


# --- mapsite password ---------------------------------------------------------------------

@pytest.mark.parametrize("slug", ["Big Deal", "_templates/enterprise", "../mkdocs", ""])
def test_password_of_something_that_is_not_a_deal(canonical_site: Site, slug):
    """Was: `_templates/enterprise` (a file under plans/) got a password stored under that name."""
    (canonical_site.plans / "_templates").mkdir()
    (canonical_site.plans / "_templates" / "enterprise.md").write_text("---\n---\n", encoding="utf-8")
    (canonical_site.root / "mkdocs.md").write_text("", encoding="utf-8")
    stopped(canonical_site.mapsite("password", slug), 1, "give a deal's slug, its plan's file name without .md")
    assert not (canonical_site.root / ".mapsite").exists()


@pytest.mark.parametrize(("content", "message"), [
    (b"{not json", "cannot read the local passwords (Expecting property name"),
    (b"\xff\xfe\x00{}", "cannot read the local passwords ('utf-8' codec can't decode"),  # was a UnicodeDecodeError traceback
    (b'["a", "list"]', "not a JSON object of passwords"),  # was: silently replaced, every stored password lost
    (b'{"other-deal": "kept-safe-here", "northwind-logistics": 42}', "not a JSON object of passwords"),
], ids=["not-json", "binary", "list", "not-text"])
def test_password_with_a_corrupt_store_leaves_it_alone(canonical_site: Site, content, message):
    store = canonical_site.root / ".mapsite" / "passwords"
    store.parent.mkdir()
    store.write_bytes(content)
    for args in (("password", SLUG), ("password", SLUG, "--rotate")):
        stopped(canonical_site.mapsite(*args), 1, message)
    assert store.read_bytes() == content
    result = canonical_site.build(check=False)
    assert result.returncode != 0 and message in result.stderr and "Traceback" not in result.stderr


def test_password_store_that_is_a_folder(canonical_site: Site):
    (canonical_site.root / ".mapsite" / "passwords").mkdir(parents=True)
    stopped(canonical_site.mapsite("password", SLUG), 1, "cannot read the local passwords ([Errno 21] Is a directory")


# --- mapsite diff -------------------------------------------------------------------------

def test_diff_outside_a_git_repository(canonical_site: Site):
    stopped(canonical_site.mapsite("diff"), 1, "is not inside a git repository")


@pytest.mark.parametrize("rev", ["no-such-branch", "HEAD~5", "--output=/tmp/x", "-p"])
def test_diff_with_an_unknown_revision(canonical_site: Site, rev):
    GitRepo(canonical_site.root).commit("plans")
    stopped(canonical_site.mapsite("diff", "--", rev), 1, f"mapsite: `{rev}` is not a commit in this repository")


# --- mapsite preview ----------------------------------------------------------------------

def test_preview_of_a_missing_plan(canonical_site: Site):
    stopped(canonical_site.mapsite("preview", "no-such-deal"), 1, "mapsite: no plan plans/no-such-deal.md")


@pytest.mark.parametrize(("address", "message"), [
    ("nonsense", "Must be a string of format 'IP:PORT'"),
    ("127.0.0.1:http", "'http' is not a valid port"),
    ("300.1.1.1:8000", "does not appear to be an IPv4 or IPv6 address"),
    ("127.0.0.1:99999", "the port must be 1-65535"),  # was an OverflowError traceback from bind()
])
def test_preview_with_a_bad_address(canonical_site: Site, address, message):
    last = stopped(canonical_site.mapsite("preview", SLUG, "--dev-addr", address), 2, message)
    assert "--dev-addr" in last


def test_preview_on_a_port_in_use(canonical_site: Site):
    """Was an OSError traceback (Address already in use) from MkDocs' server."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        stopped(canonical_site.mapsite("preview", SLUG, "--dev-addr", address), 1,
                f"mapsite: cannot serve on {address}: Address already in use; pick another with --dev-addr")


# --- mapsite check ------------------------------------------------------------------------

def test_check_of_a_missing_file(canonical_site: Site):
    stopped(canonical_site.mapsite("check", "plans/no-such-deal.md"), 1, "1 of 1 plan invalid")
    assert "plans/no-such-deal.md:1:1: cannot read the file: No such file or directory" in canonical_site.mapsite(
        "check", "plans/no-such-deal.md").stdout


def test_check_of_a_folder_checks_its_plans(canonical_site: Site):
    (canonical_site.root / "empty").mkdir()
    stopped(canonical_site.mapsite("check", "empty"), 0, "0 plans OK")
    stopped(canonical_site.mapsite("check", "plans"), 0, "1 plan OK")


def test_check_of_a_binary_file(canonical_site: Site):
    (canonical_site.plans / "blob.md").write_bytes(bytes(range(256)) * 4)
    result = canonical_site.mapsite("check", "plans/blob.md")
    stopped(result, 1, "1 of 1 plan invalid")
    assert result.stdout.startswith("plans/blob.md:2:1: the file is not UTF-8 text")  # byte 10 ends line 1


def test_check_of_an_executable(canonical_site: Site):
    shutil.copy(os.path.realpath(sys.executable), canonical_site.root / "python")
    result = canonical_site.mapsite("check", "python")
    stopped(result, 1, "1 of 1 plan invalid")
    assert ":1:1: the file is not UTF-8 text" in result.stdout
    outside = canonical_site.mapsite("check", sys.executable)
    stopped(outside, 1, "1 of 1 plan invalid")
    assert ":1:1: the plan links to " in outside.stdout and "outside this project" in outside.stdout


@pytest.mark.parametrize("day", ["9999-12-30", "0001-01-02"])
def test_a_date_at_the_end_of_the_calendar_is_a_problem_in_the_plan(canonical_site: Site, day):
    """Was: `check` said OK and `mkdocs build` died in an OverflowError (the timeline pads dates by a week)."""
    plan = canonical_site.plans / f"{SLUG}.md"
    plan.write_text(plan.read_text(encoding="utf-8").replace("go_live: 2027-03-01", f"go_live: {day}"), encoding="utf-8")
    result = canonical_site.mapsite("check")
    stopped(result, 1, "1 of 1 plan invalid")
    assert f"plans/{SLUG}.md:8:10: go_live: `{day}` is not a plausible date; use a year from 1900 to 2999" in result.stdout
    build = canonical_site.build(check=False)
    assert build.returncode != 0 and "Traceback" not in build.stderr and "not a plausible date" in build.stderr


def test_a_plan_whose_milestones_are_all_internal_builds(canonical_site: Site):
    """Was a ValueError traceback in mkdocs build: the buyer's view had no milestone to end the plan with."""
    plan = canonical_site.plans / f"{SLUG}.md"
    head, milestones = plan.read_text(encoding="utf-8").split("\nmilestones:\n")
    milestones, tail = milestones.split("\nevents:\n")
    milestones = milestones.replace("  - title: ", "  - internal: true\n    title: ")
    plan.write_text(f"{head}\nmilestones:\n{milestones}\nevents:\n{tail}", encoding="utf-8")
    assert canonical_site.mapsite("check").returncode == 0
    result = canonical_site.build(check=False)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr


def test_check_of_a_fifo_is_refused_not_waited_on(canonical_site: Site):
    os.mkfifo(canonical_site.plans / "pipe.md")
    try:
        result = subprocess.run([sys.executable, "-m", "mapsite", "check", "plans/pipe.md"], cwd=canonical_site.root,
                                capture_output=True, text=True, env=build_env(), timeout=10)
    except subprocess.TimeoutExpired:
        pytest.fail("mapsite check waited on a FIFO")
    stopped(result, 1, "1 of 1 plan invalid")
