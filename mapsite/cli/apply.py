"""`mapsite apply`: the Done and New date a buyer sent from a deal page, made in `plans/<deal>.md`.

All or nothing: every message is read and every change made in memory first; when any message
cannot be applied, nothing is written. The rep sees the diff before anything is written (or
passes --yes), and the change then goes through the team's pull request like any other edit.
"""

from __future__ import annotations

import difflib
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import click

from mapsite.cli import _fail, _plans_folder, _settings, main
from mapsite.plan import PlanFileError, display_path, read_plan_bytes
from mapsite.plan.messages import MessageError, Update, read_messages, updates_in
from mapsite.plan.refs import UnknownItem, resolve
from mapsite.plan.loader import load_text
from mapsite.plan.updates import UpdateError, apply_update

BOM = "\ufeff"


@dataclass
class _Plan:
    """One plan being edited: its bytes as read, its text as the updates leave it."""

    path: Path
    shown: str
    original: bytes
    bom: str
    text: str
    notes: list[str] = field(default_factory=list)


@main.command("apply")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Apply without asking.")
@click.option("--dry-run", "dry_run", is_flag=True, help="Only show the diff and the questions; write nothing.")
@click.option("--plans", "plans_dir", type=click.Path(path_type=Path), default=None,
              help="Plans folder (default: the one mkdocs.yml names, else ./plans).")
def apply_messages(files: tuple[Path, ...], yes: bool, dry_run: bool, plans_dir: Path | None) -> None:
    """Apply buyer updates from deal-page emails to the plans; list their questions.

    FILES are plain text, .eml or mbox files (replies and forwards too); without FILES, or for `-`,
    standard input. Shows the diff and asks (--yes: applies; --dry-run: only shows). Refuses and
    writes nothing when a message has no update line, names an unknown deal or item, carries a date
    that is not a date, or would leave a plan failing `mapsite check`.

    Exit 0: applied, shown, or nothing to change. Exit 1: refused or not confirmed; nothing written.
    """
    if yes and dry_run:
        raise click.UsageError("--yes applies and --dry-run only shows: pass one of them")
    settings = _settings()
    folder = _plans_folder(plans_dir or settings.plans_dir)
    errors: list[str] = []
    updates = []
    for name, data in _inputs(files):
        for message in read_messages(name, data):
            try:
                updates.append(updates_in(message))
            except MessageError as error:
                errors.append(str(error))
    plans: dict[str, _Plan] = {}
    questions: list[str] = []
    for update in updates:
        try:
            if update.deal not in plans:
                plans[update.deal] = _open(folder, update, settings.root)
            plan = plans[update.deal]
            if update.change == "question":
                questions.append(_question(plan, update))
            else:
                made = apply_update(plan.text, plan.path, plan.shown, update.item, update.change, update.date)
                plan.text = made.text
                plan.notes.append(f"{plan.shown}:{made.line}: {made.note} ({update.where})")
        except (UpdateError, PlanFileError) as error:
            errors.append(f"{update.where}: {error}")
    if errors:
        for line in errors:
            click.echo(line, err=True)
        _fail(f"nothing was written: {len(errors)} message(s) cannot be applied")
    _show(plans.values(), questions)
    changed = [p for p in plans.values() if (p.bom + p.text).encode("utf-8") != p.original]
    if not changed:
        click.echo("Nothing to change in any plan.", err=True)
        return
    if dry_run:
        click.echo(f"Dry run: {len(changed)} plan(s) would change; nothing was written.", err=True)
        return
    if not yes:
        if not sys.stdin.isatty() or not files or Path("-") in files:
            _fail("not applied: there is no terminal to ask on; run again with --yes to apply, or --dry-run to only look")
        if not click.confirm(f"Apply to {len(changed)} plan(s)?", default=False):
            _fail("nothing was written")
    for plan in changed:
        _write(plan)
        click.echo(f"updated {plan.shown}", err=True)


def _inputs(files: tuple[Path, ...]):
    """(name, bytes) of each input; standard input when no file is named, but never by waiting on a terminal."""
    if not files or Path("-") in files:
        if sys.stdin.isatty():
            _fail("give message files (plain text, .eml or mbox), or pipe a message in: mapsite apply < reply.eml")
        stdin = sys.stdin.buffer.read()
    for path in files or (Path("-"),):
        yield ("<stdin>", stdin) if path == Path("-") else (display_path(path), path.read_bytes())


def _open(folder: Path, update: Update, root: Path) -> _Plan:
    """The deal's plan, a regular file in the plans folder itself: apply writes nowhere else."""
    path = folder / f"{update.deal}.md"
    shown = display_path(path, root)
    if path.is_symlink():
        raise PlanFileError(f"{shown} is a link to another file; apply edits only files in the plans folder: "
                            "make the change by hand")
    if not path.is_file():
        raise PlanFileError(f"no deal `{update.deal}`: there is no {shown}")
    raw = read_plan_bytes(path, root)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PlanFileError(f"{shown} is not UTF-8 text; run `mapsite check {shown}`") from None
    bom = BOM if text.startswith(BOM) else ""
    return _Plan(path, shown, raw, bom, text.removeprefix(BOM))


def _question(plan: _Plan, update: Update) -> str:
    """A question to list: which item, from whom, and what they wrote."""
    deal, problems = load_text(plan.text, plan.path, plan.shown)
    if deal is None:
        raise UpdateError("\n".join(str(p) for p in problems))
    try:
        index, step = resolve(deal.plan, update.item)
    except UnknownItem as error:
        raise UpdateError(f"{plan.shown}: {error}") from None
    milestone = deal.plan.milestones[index]
    name = milestone.title if step is None else milestone.steps[step].task
    line = deal.positions.get(("milestones", index) if step is None else ("milestones", index, "steps", step), (1, 1))[0]
    sender = f", from {update.sender}" if update.sender else ""
    words = "\n".join(f"    {line}" for line in update.text.splitlines())
    return f"Question about “{name}” ({plan.shown}:{line}{sender}; {update.where}):\n{words}"


def _show(plans, questions: list[str]) -> None:
    for plan in plans:
        before = (plan.bom + plan.original.decode("utf-8").removeprefix(BOM)).splitlines(keepends=True)
        after = (plan.bom + plan.text).splitlines(keepends=True)
        click.echo("".join(difflib.unified_diff(before, after, f"a/{plan.shown}", f"b/{plan.shown}")), nl=False)
        for note in plan.notes:
            click.echo(note, err=True)
    for question in questions:
        click.echo(question)


def _write(plan: _Plan) -> None:
    """Replace the plan in one step (a temporary file beside it, then a rename), unless it changed meanwhile."""
    if plan.path.read_bytes() != plan.original:
        _fail(f"{plan.shown} changed while apply was running; nothing was written to it: run apply again")
    data = (plan.bom + plan.text).encode("utf-8")
    handle, temporary = tempfile.mkstemp(dir=plan.path.parent, prefix=f".{plan.path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, plan.path.stat().st_mode & 0o7777)
        os.replace(temporary, plan.path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
