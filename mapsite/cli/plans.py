"""`mapsite check`, `mapsite list`, `mapsite schema`: plans as they are."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from mapsite.insight.advice import advise_all
from mapsite.insight.report import FORMATS, render
from mapsite.insight.rows import deal_row, row_line, rows_json
from mapsite.cli import _exit_on_problems, _plans_folder, _settings, main
from mapsite.plan import load_paths, load_plans, plan_paths
from mapsite.plan.schema import schema_text


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
    problems = sorted(problems + advise_all(deals, settings.today, settings.root, language=settings.language), key=lambda p: (p.path, p.line, p.col))
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
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
@click.option("--plans", "plans_dir", type=click.Path(path_type=Path), default=None)
def list_deals(as_json: bool, plans_dir: Path | None) -> None:
    """Every deal with its address, go-live, status and progress."""
    settings = _settings()
    deals, problems = load_plans(_plans_folder(plans_dir or settings.plans_dir), project=settings.root,
                                  layout=settings.layout)
    _exit_on_problems(problems)
    rows = [deal_row(deal, settings.layout.deal_url(deal), settings.today) for deal in deals]
    if as_json:
        click.echo(rows_json(rows))
        return
    for row in rows:
        click.echo(row_line(row))


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
