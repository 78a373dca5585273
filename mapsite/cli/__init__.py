"""The `mapsite` command: check plans, list deals, start and compare plans, passwords, preview.

Every command works on the plans folder beside `mkdocs.yml` (or `--plans`), exits 0 on
success and 1 on invalid input, and prints problems as `file:line:col: message`. One module
per command group: `plans` (check, list, schema), `author` (init, new, diff), `secrets` (password, key, decrypt), `merge`,
`remind`, `serve` (preview), `apply` (buyer updates from email); this one holds the group and what they share.
"""

from __future__ import annotations

import sys
import typing
from pathlib import Path

import click

from mapsite.plan import SLUG, Problem, display_path
from mapsite.mkdocs.settings import SettingsError, SiteSettings

__all__ = ["main"]


class _Commands(click.Group):
    """Every command; a path the system refuses (too long, not readable) ends in one line, not a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OSError as error:
            _fail(f"{error.filename}: {error.strerror}" if error.filename and error.strerror else str(error))


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Mutual action plans as code: plans/<deal>.md -> one protected microsite per deal."""


def _settings() -> SiteSettings:
    """The site's settings, or a one-line error: a command must not run on settings the build would refuse."""
    try:
        return SiteSettings.find()
    except SettingsError as error:
        _fail(str(error))


def _plans_folder(folder: Path) -> Path:
    """`folder`, which must exist: an empty answer for a mistyped plans_dir would look like success."""
    if not folder.is_dir():
        _fail(f"no plans folder at {display_path(folder)}; create it, or set plans_dir in mkdocs.yml (or pass --plans)")
    return folder


def _plan_of(settings: SiteSettings, slug: str) -> Path:
    """The plan file of a deal named on the command line, which must be a deal's slug, not a path."""
    plan = settings.plans_dir / f"{slug}.md"
    if not SLUG.fullmatch(slug) or not plan.is_file():
        _fail(f"no plan {display_path(plan, settings.root)}; give a deal's slug, its plan's file name without .md")
    return plan


def _fail(message: str) -> typing.NoReturn:
    click.echo(f"mapsite: {message}", err=True)
    sys.exit(1)


def _exit_on_problems(problems: list[Problem]) -> None:
    errors = [p for p in problems if p.level == "error"]
    if errors:
        for problem in errors:
            click.echo(str(problem), err=True)
        sys.exit(1)


from mapsite.cli import apply, author, merge, plans, remind, secrets, serve  # noqa: E402,F401  (each registers its commands on `main`)
