"""`mapsite remind`: email each person their open items overdue or due within the next days, across all deals.

Who gets what is `insight.reminders`; the words, `site.reminder`; the sending, `mail`. The command
reports each recipient the server refused and each person skipped for want of an email address, and
exits 1 when any reminder was not delivered (the others still went out).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from mapsite.cli import _exit_on_problems, _fail, _plans_folder, _settings, main
from mapsite.insight.reminders import due_by, reminders
from mapsite.mail import FROM_VARIABLE, MailError, SmtpSettings, send_all
from mapsite.plan import display_path, load_plans
from mapsite.site.reminder import compose


@main.command()
@click.option("--days", type=click.IntRange(0, 366), default=7, show_default=True,
              help="Remind of items due within this many days from today (overdue items always).")
@click.option("--dry-run", is_flag=True, help="Print the messages instead of sending them (no SMTP settings needed).")
@click.option("--plans", "plans_dir", type=click.Path(path_type=Path), default=None)
def remind(days: int, dry_run: bool, plans_dir: Path | None) -> None:
    """Email each person their open items overdue or due soon: seller side always, buyer side where the
    plan sets remind_buyers: true. SMTP from MAPSITE_SMTP_URL and MAPSITE_MAIL_FROM."""
    settings = _settings()
    smtp = None
    if not dry_run:
        try:
            smtp = SmtpSettings.from_env(os.environ)
        except MailError as error:
            _fail(str(error))
    deals, problems = load_plans(_plans_folder(plans_dir or settings.plans_dir), project=settings.root,
                                 layout=settings.layout)
    _exit_on_problems(problems)
    found, skipped = reminders(deals, settings.today, days, settings.language)
    sender = smtp.sender if smtp else os.environ.get(FROM_VARIABLE, "").strip() or None
    messages = [compose(r, settings.today, days, sender, settings.layout) for r in found]
    for person in skipped:
        click.echo(f"skipped: {display_path(person.deal.path, settings.root)}: {person.person.id} "
                   f"({person.person.side} side) has {person.count} item{'s' if person.count != 1 else ''} due "
                   "and no email", err=True)
    by = due_by(settings.today, days).isoformat()
    if dry_run:
        for message in messages:
            click.echo(_printed(message))
        click.echo(f"{_count(len(messages))} for items due by {by} (dry run: nothing sent)", err=True)
        return
    try:
        failures = send_all(messages, smtp)
    except MailError as error:
        _fail(f"{error}; no reminder was sent")
    for failure in failures:
        click.echo(f"mapsite: not delivered to {failure.recipient}: {failure.reason}", err=True)
    click.echo(f"{_count(len(messages) - len(failures))} sent, {len(failures)} not delivered, items due by {by}", err=True)
    if failures:
        sys.exit(1)


def _count(n: int) -> str:
    return f"{n} reminder{'s' if n != 1 else ''}"


def _printed(message) -> str:
    """A message as a person reads it: its headers and its plain-text part."""
    headers = "".join(f"{name}: {message[name]}\n" for name in ("From", "To", "Subject") if message[name])
    text = message.get_body(("plain",)).get_content()
    return f"{headers}\n{text}{'-' * 72}"
