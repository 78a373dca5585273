"""`mapsite check`, `mapsite list`, `mapsite schema`: plans as they are."""

from __future__ import annotations

import os
import shutil
import sys
import typing
from dataclasses import replace
from pathlib import Path

import click

from mapsite.insight.advice import advise_all
from mapsite.insight.report import FORMATS, render
from mapsite.git.dates import last_changed
from mapsite.insight import listing
from mapsite.insight.listing import matches
from mapsite.insight.rows import deal_row
from mapsite.cli import _exit_on_problems, _fail, _plans_folder, _settings, main
from mapsite.plan.model import Forecast, Health
from mapsite.plan import load_paths, load_plans, placeholders, plan_paths
from mapsite.security.passwords import in_ci
from mapsite.plan.schema import schema_text

FORECASTS = typing.get_args(Forecast)
HEALTHS = typing.get_args(Health)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--plans", "plans_dir", type=click.Path(path_type=Path), default=None,
              help="Plans folder (default: the one mkdocs.yml names, else ./plans).")
@click.option("--strict", is_flag=True, help="Treat best-practice advice (warnings) as errors.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people, github for GitHub Actions annotations, json for tools.")
def check(paths: tuple[Path, ...], plans_dir: Path | None, strict: bool, fmt: str) -> None:
    """Validate plans (default: every plan in the plans folder) and advise on best practice.

    Exit 1 when any plan is invalid, or with --strict when there is any advice.
    """
    settings = _settings()
    files = _plan_files(paths) if paths else plan_paths(_plans_folder(plans_dir or settings.plans_dir))
    deals, problems = load_paths(files, project=settings.root, layout=settings.layout)
    problems = sorted(problems + placeholders.left_in(deals, in_ci())
                      + advise_all(deals, settings.today, settings.root, language=settings.language), key=lambda p: (p.path, p.line, p.col))
    if strict:
        problems = [replace(p, level="error") for p in problems]
    if problems or fmt == "json":
        click.echo(render(problems, fmt))
    warnings = sum(p.level == "warning" for p in problems)
    if any(p.level == "error" for p in problems):
        bad = len({p.path for p in problems if p.level == "error"})
        click.echo(f"{bad} of {len(files)} plan{'s' if len(files) != 1 else ''} invalid", err=True)
        sys.exit(1)
    advice = f", {warnings} warning{'s' if warnings != 1 else ''} (--strict makes them errors)" if warnings else ""
    click.echo(f"{len(deals)} plan{'s' if len(deals) != 1 else ''} OK{advice}", err=True)


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array (every field) instead of a table.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (RFC 4180, a header row) for a CRM or spreadsheet.")
@click.option("--owner", "owners", multiple=True, metavar="ID|NAME", help="Only deals this person owns (repeatable).")
@click.option("--forecast", "forecasts", multiple=True, type=click.Choice(FORECASTS), help="Only this forecast category (repeatable).")
@click.option("--health", "healths", multiple=True, type=click.Choice(HEALTHS), help="Only deals in this health (repeatable).")
@click.option("--plans", "plans_dir", type=click.Path(path_type=Path), default=None)
def list_deals(as_json: bool, as_csv: bool, owners: tuple[str, ...], forecasts: tuple[str, ...],
               healths: tuple[str, ...], plans_dir: Path | None) -> None:
    """Every deal, the team's view: address, owner, go-live, health, progress, next milestone, amount, forecast."""
    if as_json and as_csv:
        _fail("give --json or --csv, not both")
    settings = _settings()
    deals, problems = load_plans(_plans_folder(plans_dir or settings.plans_dir), project=settings.root,
                                  layout=settings.layout)
    _exit_on_problems(problems)
    updated = last_changed([deal.path for deal in deals], settings.root)
    rows = [deal_row(deal, settings.layout.deal_url(deal), settings.today, updated=updated.get(deal.path),
                     currency=settings.currency) for deal in deals]
    rows = [row for row in rows if matches(row, owners, forecasts, healths)]
    if as_json:
        click.echo(listing.as_json(rows))
    elif as_csv:
        click.echo(listing.as_csv(rows), nl=False)
    else:
        click.echo(listing.table(rows, _terminal_width()))


def _terminal_width() -> int | None:
    """The terminal's width (or `COLUMNS`); None when the table goes to a file or pipe: never cut what a tool reads."""
    if sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit():
        return shutil.get_terminal_size().columns
    return None


@main.command()
def schema() -> None:
    """Print the JSON Schema of a plan, for editor completion and checks (VS Code's YAML extension)."""
    click.echo(schema_text(), nl=False)


def _plan_files(paths: tuple[Path, ...]) -> list[Path]:
    """Plan files named on the command line (folders expand to their plans)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(plan_paths(path))
        else:
            files.append(path)
    return files
