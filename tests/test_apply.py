"""`mapsite apply`: buyer updates from email into the plan, every other byte kept; and every refusal, file unchanged.

The command runs as a real subprocess in a real project (`site` fixture, no build needed); the message
readers and the editor are also called directly where the command's plumbing is not what is tested.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import re
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest

from conftest import build_env, edited
from mapsite.plan import load_text
from mapsite.plan.messages import MessageError, read_messages, updates_in
from mapsite.plan.refs import UnknownItem, milestone_ref, resolve, step_ref
from mapsite.plan.updates import UpdateError, apply_update

SLUG = "northwind-logistics"
PLAN = edited(
    ("share_id: k7qm2xtz9p\n", "share_id: k7qm2xtz9p          # part of the address; never change it\n"),
    ("milestones:\n", "milestones:\n  # worked back from go-live with Marco, 2 Oct\n\n"),
    ("  - title: Pilot on the Midwest region\n", "  - title: Pilot on the Midwest region\n    id: pilot\n"),
    ("  - title: Security and compliance review\n", "  - title: 'Security and compliance review'   # IT's gate\n"
                                                    "    after: [pilot]\n"),
    ("    due: 2026-12-11\n", '    due: "2026-12-11"  # agreed at the kick-off\n'),
    ("      - task: Redlines returned\n        owner: legal\n        due: 2026-12-22\n",
     "      - {task: Redlines returned, owner: legal, due: 2026-12-22}  # legal's queue\n"),
    ("  - title: Business case approved\n    value: Finance sees the savings model built on Northwind's own pilot "
     "numbers.\n    due: 2026-12-18\n    status: not_started\n",
     "  - title: Business case approved\n    value: Finance sees the savings model built on Northwind's own pilot "
     "numbers.\n    due: 2026-12-18   # CFO's board date\n\n"),
)


def key(text: str) -> str:
    """A title's key as the README states the rule: `~` and 8 hex digits of its SHA-256."""
    return "~" + hashlib.sha256(text.encode()).hexdigest()[:8]


CASE = f"m:{key('Business case approved')}"
REVIEW = f"m:{key('Security and compliance review')}"
MEETING = f"{REVIEW}/s:{key('Security review meeting')}"
REDLINES = f"m:{key('Contract and order form signed')}/s:{key('Redlines returned')}"


def line(item: str, change: str, deal: str = SLUG) -> str:
    return f"mapsite-update: deal={deal} item={item} {change}"


@pytest.fixture
def project(site):
    site.add_plan(f"{SLUG}.md", PLAN)
    site.plan = site.plans / f"{SLUG}.md"
    return site


def changed_lines(before: str, after: str) -> list[str]:
    return [d for d in difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), n=0)
            if d[:1] in "+-" and d[:3] not in ("---", "+++")]


# --- References ---------------------------------------------------------------------------------------------

def test_references_survive_reordering_milestones_and_steps(tmp_path):
    plan = load_text(PLAN, tmp_path / f"{SLUG}.md").deal.plan
    head, rest = PLAN.split("milestones:\n", 1)
    body, tail = rest.split("events:\n", 1)
    blocks = re.split(r"(?m)^(?=  - title: )", body)
    lead, blocks = blocks[0], blocks[1:]
    security = next(i for i, b in enumerate(blocks) if "Security and compliance" in b)
    steps = re.split(r"(?m)^(?=      - task: )", blocks[security])
    blocks[security] = steps[0] + "".join(reversed(steps[1:]))  # its two steps swapped
    text = head + "milestones:\n" + lead + "".join(reversed(blocks)) + "events:\n" + tail
    moved = load_text(text, tmp_path / f"{SLUG}.md")
    assert moved.deal, moved.problems
    assert [m.title for m in moved.deal.plan.milestones] == [m.title for m in reversed(plan.milestones)]
    for milestone in plan.milestones:
        index, _ = resolve(moved.deal.plan, milestone_ref(milestone))
        assert moved.deal.plan.milestones[index].title == milestone.title
        for step in milestone.steps:
            index, step_index = resolve(moved.deal.plan, step_ref(milestone, step))
            assert moved.deal.plan.milestones[index].steps[step_index].task == step.task


def test_a_milestone_is_named_by_its_id_and_still_by_its_title_key_after_gaining_one(tmp_path):
    plan = load_text(PLAN, tmp_path / f"{SLUG}.md").deal.plan
    pilot = next(m for m in plan.milestones if m.id == "pilot")
    assert milestone_ref(pilot) == "m:pilot"
    assert resolve(plan, "m:pilot") == resolve(plan, f"m:{key('Pilot on the Midwest region')}") == (1, None)
    with pytest.raises(UnknownItem, match="no milestone `~00000000`"):
        resolve(plan, "m:~00000000")


def test_items_the_buyer_cannot_see_are_unknown(tmp_path):
    text = PLAN.replace("    id: pilot\n", "    id: pilot\n    internal: true\n").replace("    after: [pilot]\n", "")
    text = text.replace("        owner: priya\n        due: 2026-12-08\n", "        owner: priya\n        due: 2026-12-08\n        internal: true\n")
    plan = load_text(text, tmp_path / f"{SLUG}.md").deal.plan
    with pytest.raises(UnknownItem, match="no milestone `pilot`"):
        resolve(plan, "m:pilot")
    with pytest.raises(UnknownItem, match="no step"):
        resolve(plan, MEETING)
    assert resolve(plan, REVIEW) == (2, None)


# --- The edits ----------------------------------------------------------------------------------------------

def edit(item: str, change: str, day: str | None = None, text: str = PLAN, tmp: Path = Path("/tmp")) -> str:
    return apply_update(text, tmp / f"{SLUG}.md", f"plans/{SLUG}.md", item, change,
                        dt.date.fromisoformat(day) if day else None).text


def test_done_adds_a_status_line_in_the_items_own_style():
    block = edit(CASE, "done")
    assert changed_lines(PLAN, block) == ["+    status: done\n"]
    assert "    due: 2026-12-18   # CFO's board date\n    status: done\n\n" in block  # after due, its comment kept
    flow = edit(REDLINES, "done")
    assert changed_lines(PLAN, flow) == [
        "-      - {task: Redlines returned, owner: legal, due: 2026-12-22}  # legal's queue\n",
        "+      - {task: Redlines returned, owner: legal, due: 2026-12-22, status: done}  # legal's queue\n"]


def test_a_new_date_keeps_the_first_agreed_date_as_baseline_once():
    moved = edit(REVIEW, "due", "2026-12-18")
    assert changed_lines(PLAN, moved) == ['-    due: "2026-12-11"  # agreed at the kick-off\n',
                                          '+    due: "2026-12-18"  # agreed at the kick-off\n',
                                          "+    baseline: 2026-12-11\n"]
    again = edit(REVIEW, "due", "2026-12-21", text=moved)
    assert changed_lines(moved, again) == ['-    due: "2026-12-18"  # agreed at the kick-off\n',
                                           '+    due: "2026-12-21"  # agreed at the kick-off\n']
    step = edit(MEETING, "due", "2026-12-09")  # steps have no baseline
    assert changed_lines(PLAN, step) == ["-        due: 2026-12-08\n", "+        due: 2026-12-09\n"]


def test_windows_line_endings_stay():
    crlf = PLAN.replace("\n", "\r\n")
    made = edit(CASE, "done", text=crlf)
    assert made == edit(CASE, "done").replace("\n", "\r\n")


def test_nothing_to_change_when_the_item_already_says_so():
    done = edit(CASE, "done")
    assert edit(CASE, "done", text=done) == done
    assert edit(REVIEW, "due", "2026-12-11") == PLAN


def test_an_edit_that_would_fail_check_is_refused():
    # Pilot has no `after:` and so follows the milestone before it by date; moved past the security review,
    # which waits for it, the two wait for each other.
    with pytest.raises(UpdateError, match=r"plans/northwind-logistics.md:\d+:\d+: these milestones wait for each other"):
        edit("m:pilot", "due", "2026-12-12")


# --- Reading messages ---------------------------------------------------------------------------------------

def eml(body: str, subtype: str = "plain", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = headers.get("sender", "Dana Whitfield <dana.whitfield@northwind.example>")
    message["To"] = "raj.patel@acme.example"
    message["Subject"] = headers.get("subject", "Done: Business case approved")
    message.set_content(body, subtype=subtype, cte="quoted-printable")
    return bytes(message)


def only_update(data: bytes, name: str = "m.eml"):
    [message] = read_messages(name, data)
    return updates_in(message)


def test_eml_quoted_printable_with_an_html_alternative():
    message = EmailMessage()
    message["From"], message["Subject"] = "dana@northwind.example", "Done"
    message.set_content("Hello,\n\n" + "x" * 90 + "\n" + line(CASE, "status=done") + "\n", cte="quoted-printable")
    message.add_alternative(f"<p>Hello,</p><div>{line(CASE, 'status=done')}</div>", subtype="html")
    update = only_update(bytes(message))
    assert (update.deal, update.item, update.change) == (SLUG, CASE, "done")


def test_html_only_email():
    update = only_update(eml(f"<p>Hello &amp; thanks</p><p>{line(CASE, 'due=2027-01-05')}</p>", subtype="html"))
    assert (update.change, update.date) == ("due", dt.date(2027, 1, 5))


def test_quoted_replies_and_inline_forwards_still_work():
    quoted = f"Looks right to me.\n\nOn Tue, Dana wrote:\n> Hello,\n>\n> > {line(CASE, 'status=done')}\n"
    assert only_update(eml(quoted)).item == CASE
    forwarded = f"FYI\n\n---------- Forwarded message ---------\nFrom: Dana\nSubject: Done\n\n{line(REDLINES, 'status=done')}\n"
    assert only_update(eml(forwarded)).item == REDLINES


def test_an_update_line_a_mail_program_wrapped():
    """Thunderbird sends format=flowed, wrapped at 72 characters with a trailing space; others hard-wrap replies."""
    flowed = EmailMessage()
    flowed["From"], flowed["Subject"] = "dana@northwind.example", "Done"
    flowed.set_content(f"Hello,\n\nmapsite-update: deal={SLUG} item={MEETING} \nstatus=done\n", cte="7bit")
    flowed.set_param("format", "flowed")
    assert (only_update(bytes(flowed)).item, only_update(bytes(flowed)).change) == (MEETING, "done")
    hard = f"Thanks!\n\n> mapsite-update: deal={SLUG}\n> item={REDLINES}\n> due=2026-12-23\n"
    assert only_update(hard.encode(), "reply.txt").date == dt.date(2026, 12, 23)


def test_a_forward_as_attachment():
    outer = EmailMessage()
    outer["From"], outer["Subject"] = "marco@northwind.example", "Fwd: Done"
    outer.set_content("See below.")
    outer.add_attachment(_inner(), disposition="inline")
    assert only_update(bytes(outer)).item == MEETING


def _inner() -> EmailMessage:
    inner = EmailMessage()
    inner["From"], inner["Subject"] = "priya@northwind.example", "Done"
    inner.set_content(f"Hello,\n\n{line(MEETING, 'status=done')}\n")
    return inner


def test_an_mbox_of_several_messages(tmp_path):
    box = b"".join(b"From dana@northwind.example Tue Nov 24 10:00:00 2026\n" + eml(f"{line(item, 'status=done')}\n") + b"\n"
                   for item in (CASE, REDLINES))
    messages = read_messages("inbox.mbox", box)
    assert [m.where for m in messages] == ["inbox.mbox: message 1", "inbox.mbox: message 2"]
    assert [updates_in(m).item for m in messages] == [CASE, REDLINES]


@pytest.mark.parametrize("text, expected", [
    ("Hello,\nthanks for the plan.\n", "no `mapsite-update:` line"),
    (f"{line(CASE, 'status=done')}\n{line(REDLINES, 'status=done')}\n", "2 different update lines"),
    ("mapsite-update: deal=northwind-logistics item=m:x status=finished\n", "not one a deal page writes"),
    (line(CASE, "due=2026-02-30") + "\n", "`2026-02-30` is not a real date"),
    (line(CASE, "due=next-week") + "\n", "next-week"),
    (line(CASE, "status=done", deal="../secrets") + "\n", "is not a deal's name"),
])
def test_messages_that_are_refused(text, expected):
    with pytest.raises(MessageError, match=re.escape(expected)):
        only_update(text.encode(), "reply.txt")


def test_the_same_line_quoted_twice_is_one_update():
    text = f"{line(CASE, 'status=done')}\n\n> {line(CASE, 'status=done')}\n"
    assert only_update(text.encode(), "reply.txt").where == "reply.txt:1"


# --- The command ------------------------------------------------------------------------------------------

def test_apply_yes_writes_only_the_change_and_keeps_the_file_mode(project):
    project.plan.chmod(0o640)
    result = project.mapsite("apply", "--yes", input=line(CASE, "status=done") + "\n")
    assert result.returncode == 0, result.stderr
    assert changed_lines(PLAN, project.plan.read_text(encoding="utf-8")) == ["+    status: done\n"]
    assert "+    status: done" in result.stdout and "updated plans/northwind-logistics.md" in result.stderr
    assert project.plan.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in project.plans.iterdir()) == [f"{SLUG}.md"], "no temporary file left"


def test_dry_run_shows_the_diff_and_writes_nothing(project, tmp_path):
    (tmp_path / "reply.eml").write_bytes(eml(line(REVIEW, "due=2026-12-18")))
    result = project.mapsite("apply", "--dry-run", str(tmp_path / "reply.eml"))
    assert result.returncode == 0, result.stderr
    assert '+    due: "2026-12-18"' in result.stdout and "+    baseline: 2026-12-11" in result.stdout
    assert project.plan.read_text(encoding="utf-8") == PLAN


def test_a_question_is_listed_not_applied(project):
    text = f"Hello,\n\nWho signs for IT?\n\n{line(MEETING, 'question')}\n"
    result = project.mapsite("apply", "--yes", input=text)
    assert result.returncode == 0, result.stderr
    assert "Question about “Security review meeting” (plans/northwind-logistics.md:" in result.stdout
    assert "    Who signs for IT?" in result.stdout
    assert project.plan.read_text(encoding="utf-8") == PLAN


REFUSALS = {
    "no update line": ("Hello,\nsee you Tuesday.\n", "no `mapsite-update:` line"),
    "unknown deal": (line(CASE, "status=done", deal="contoso") + "\n", "no deal `contoso`: there is no plans/contoso.md"),
    "unknown item": (line("m:~0badf00d", "status=done") + "\n", "no milestone `~0badf00d`"),
    "unknown step": (line(f"{REVIEW}/s:~0badf00d", "status=done") + "\n", "no step `~0badf00d`"),
    "not a date": (line(CASE, "due=2026-13-01") + "\n", "`2026-13-01` is not a real date"),
    "fails check": (line("m:pilot", "due=2026-12-12") + "\n", "these milestones wait for each other in a loop"),
    "one bad of two": (f"{line(CASE, 'status=done')}\n", "no `mapsite-update:` line"),  # with a second, empty message
}


@pytest.mark.parametrize("case", REFUSALS)
def test_refusals_name_the_reason_and_leave_the_plan_byte_for_byte(project, tmp_path, case):
    text, expected = REFUSALS[case]
    before = project.plan.read_bytes()
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    args = [str(tmp_path / "a.txt")]
    if case == "one bad of two":
        (tmp_path / "b.txt").write_text("Thanks!\n", encoding="utf-8")
        args.append(str(tmp_path / "b.txt"))
    result = project.mapsite("apply", "--yes", *args)
    assert result.returncode == 1
    assert expected in result.stderr and "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert project.plan.read_bytes() == before


def test_without_a_terminal_or_yes_it_refuses_rather_than_hang(project):
    result = project.mapsite("apply", input=line(CASE, "status=done") + "\n", timeout=60)
    assert result.returncode == 1 and "--yes" in result.stderr
    assert project.plan.read_text(encoding="utf-8") == PLAN


def test_yes_and_dry_run_together_is_a_usage_error(project):
    result = project.mapsite("apply", "--yes", "--dry-run", input="")
    assert result.returncode == 2 and "pass one of them" in result.stderr


def test_a_linked_plan_is_refused_so_nothing_outside_plans_is_written(site, tmp_path):
    elsewhere = site.root / "shared"
    elsewhere.mkdir()
    (elsewhere / "deal.md").write_text(PLAN, encoding="utf-8")
    os.symlink(elsewhere / "deal.md", site.plans / f"{SLUG}.md")
    result = site.mapsite("apply", "--yes", input=line(CASE, "status=done") + "\n")
    assert result.returncode == 1 and "is a link to another file" in result.stderr
    assert (elsewhere / "deal.md").read_text(encoding="utf-8") == PLAN


def test_a_plan_with_a_byte_order_mark_keeps_it(project):
    project.plan.write_bytes(b"\xef\xbb\xbf" + PLAN.encode())
    result = project.mapsite("apply", "--yes", input=line(CASE, "status=done") + "\n")
    assert result.returncode == 0, result.stderr
    assert project.plan.read_bytes() == b"\xef\xbb\xbf" + edit(CASE, "done").encode()


def test_the_readme_documents_the_command():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Buyer updates", 1)[1].split("\n## ", 1)[0]
    for words in ("mapsite apply", "--yes", "--dry-run", "forged", "pull request", "m:~", "Exit"):
        assert words in section, words


def test_on_a_terminal_it_asks_and_writes_only_on_yes(project, tmp_path):
    (tmp_path / "reply.txt").write_text(line(CASE, "status=done") + "\n", encoding="utf-8")
    for answer, code, text in (("n\n", 1, PLAN), ("y\n", 0, edit(CASE, "done"))):
        terminal, stdin = os.openpty()
        os.write(terminal, answer.encode())
        try:
            result = subprocess.run([sys.executable, "-m", "mapsite", "apply", str(tmp_path / "reply.txt")],
                                    cwd=project.root, stdin=stdin, capture_output=True, text=True, env=build_env(), timeout=60)
        finally:
            os.close(stdin)
            os.close(terminal)
        assert result.returncode == code, result.stderr
        assert "Apply to 1 plan(s)? [y/N]" in result.stdout and "+    status: done" in result.stdout
        assert project.plan.read_text(encoding="utf-8") == text
