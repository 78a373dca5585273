"""The `mapsite` command: check plans, list deals, manage passwords.

Every command works on the plans folder beside `mkdocs.yml` (or `--plans`), exits 0 on
success and 1 on invalid input, and prints problems as `file:line:col: message`.
"""

from __future__ import annotations

import json
import sys
import typing
from dataclasses import replace
from pathlib import Path

import click

from mapsite import derive
from mapsite.security import passwords
from mapsite.advice import advise, advise_all
from mapsite.loader import SLUG, Problem, display_path, load_paths, load_plan, load_plans, plan_paths
from mapsite.report import FORMATS, render
from mapsite.scaffold import NewPlanError, TemplateError, create
from mapsite.gitplans import GitError, resolve_base, top_level
from mapsite.model import date_error, iso_date
from mapsite.plandiff import diff_since, to_json, to_markdown
from mapsite.schema import schema_text
from mapsite.settings import SettingsError, SiteSettings


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
    problems = sorted(problems + advise_all(deals, settings.today, settings.root), key=lambda p: (p.path, p.line, p.col))
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
    today = settings.today
    rows = []
    for deal in deals:
        done, total = derive.progress(deal.plan)
        rows.append({
            "slug": deal.slug,
            "title": deal.plan.title,
            "buyer": deal.plan.buyer.name,
            "url": settings.layout.deal_url(deal),
            "go_live": deal.plan.go_live.isoformat(),
            "status": derive.health(deal.plan, today).level,
            "progress": f"{done}/{total}",
        })
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"{row['slug']}\t{row['url']}\t{row['go_live']}\t{row['status']}\t{row['progress']}\t{row['title']}")


@main.command()
def schema() -> None:
    """Print the JSON Schema of a plan, for editor completion and checks (VS Code's YAML extension)."""
    click.echo(schema_text(), nl=False)


@main.command()
@click.argument("slug")
@click.option("--go-live", "go_live", required=True, metavar="YYYY-MM-DD",
              help="The day the buyer starts using what they bought; every date works back from it.")
@click.option("--template", "template", default="enterprise", show_default=True,
              help="A plan in plans/_templates/: enterprise, mid-market, renewal, or your own.")
@click.option("--buyer", default=None, help="The buyer's company name (default: made from SLUG).")
@click.option("--schema", "schema_ref", default=None, metavar="PATH|URL",
              help="What the plan's `$schema=` line points at (default: mapsite's plan.schema.json).")
@click.option("--plans", "plans_dir", type=click.Path(path_type=Path), default=None)
def new(slug: str, go_live: str, template: str, buyer: str | None, schema_ref: str | None, plans_dir: Path | None) -> None:
    """Start plans/SLUG.md from a template: roles first, dates in business days back from go-live.

    Prints the new file's path. Never overwrites a file.
    """
    settings = _settings()
    try:
        day = iso_date(go_live)
    except ValueError as error:
        raise click.BadParameter(date_error(go_live, error), param_hint="--go-live") from None
    try:
        path, made = create(plans_dir or settings.plans_dir, slug, day, template=template, buyer=buyer,
                            schema_ref=schema_ref, root=settings.root, today=settings.today)
    except TemplateError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        _fail(f"the `{template}` template cannot make a valid plan; nothing was written")
    except NewPlanError as error:
        _fail(str(error))
    shown = display_path(path)
    click.echo(shown)
    weekend = f" (a {day:%A})" if day.weekday() >= 5 else ""
    click.echo(f"{template} plan: first milestone {made.first_due}, go-live {day}{weekend}, value review {made.last_due}.\n"
               "Next: name the roles, write the value summary in the buyer's words, then `mapsite check`.", err=True)
    if made.first_due < settings.today:
        click.echo(f"Note: the plan starts {made.first_due}, before today; for the `{template}` template's pace, pick a "
                   "later go-live or pull in the early dates.", err=True)
    if Path(made.schema_ref).is_absolute():
        click.echo(f"Note: its `$schema=` line points at {made.schema_ref}, outside this project; "
                   "pass --schema PATH|URL to point at a copy everyone has.", err=True)
    deal = load_plan(path, shown, project=settings.root).deal
    tips = advise(deal, shown, settings.today) if deal else []
    for tip in tips if len(tips) <= 5 else []:
        click.echo(str(tip), err=True)
    if len(tips) > 5:
        click.echo(f"{len(tips)} warnings: run `mapsite check {shown}` to see them.", err=True)


@main.command("diff")
@click.argument("rev", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for tools instead of Markdown.")
@click.option("--plans", "plans_dir", type=click.Path(path_type=Path), default=None)
def diff_plans(rev: str | None, as_json: bool, plans_dir: Path | None) -> None:
    """What changed in each plan since REV, as Markdown for a pull request comment.

    REV defaults to the merge base with main (or master, or the pull request's base branch);
    without one, the previous commit. Uncommitted and new files count. Lists milestones added
    or removed, dates moved (and go-live), status changes, stakeholders, and the value summary.
    """
    settings = _settings()
    plans = plans_dir or settings.plans_dir
    try:
        top = top_level(plans if plans.is_dir() else settings.root)
        base = resolve_base(top, rev)
        diffs = diff_since(top, plans, base, project=settings.root)
    except GitError as error:
        _fail(str(error))
    click.echo(to_json(base, diffs) if as_json else to_markdown(base, diffs), nl=as_json)


def _plan_files(paths: tuple[Path, ...]) -> list[Path]:
    """Plan files named on the command line (folders expand to their plans)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(plan_paths(path))
        else:
            files.append(path)
    return files


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


def _check_dev_addr(dev_addr: str) -> None:
    """MkDocs' own IP:PORT rule, plus a port that can be bound, checked before anything is built."""
    from mkdocs.config.config_options import IpAddress, ValidationError

    try:
        port = IpAddress().validate(dev_addr).port
    except ValidationError as error:
        raise click.BadParameter(f"`{dev_addr}`: {error}", param_hint="--dev-addr") from None
    if not 0 < port < 65536:
        raise click.BadParameter(f"`{dev_addr}`: the port must be 1-65535", param_hint="--dev-addr")


def _fail(message: str) -> typing.NoReturn:
    click.echo(f"mapsite: {message}", err=True)
    sys.exit(1)


def _exit_on_problems(problems: list[Problem]) -> None:
    errors = [p for p in problems if p.level == "error"]
    if errors:
        for problem in errors:
            click.echo(str(problem), err=True)
        sys.exit(1)


MAGIC_LINK = ("a magic link (<deal address>#k=<password>) opens the deal without typing, but the password stays in "
              "the buyer's browser history (and any device it syncs to): send it on its own channel when you can")


@main.command()
@click.argument("slug")
@click.option("--rotate", is_flag=True, help="Replace the password with a new strong one.")
def password(slug: str, rotate: bool) -> None:
    """Show (or --rotate) the local password of a deal, kept in .mapsite/passwords.

    In CI the password comes from the MAPSITE_PASSWORD_<SLUG> secret instead; after a
    rotation, update that secret too.
    """
    settings = _settings()
    _plan_of(settings, slug)
    store = passwords.LocalStore(settings.root)
    try:
        current = store.get_or_create(slug, rotate=rotate)
    except passwords.PasswordError as error:
        _fail(str(error))
    if current.generated:
        click.echo(f"new password for {slug} (kept in {store.path}; CI secret: {passwords.variable_name(slug)})", err=True)
    click.echo(MAGIC_LINK if settings.magic_links else "magic links are off (magic_links: false): the buyer types the password",
               err=True)
    click.echo(current.value)


@main.command()
@click.argument("slug")
@click.option("-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, metavar="<IP:PORT>",
              help="Address to serve on; on any address but localhost the deal stays encrypted.")
def preview(slug: str, dev_addr: str) -> None:
    """Serve one deal with live reload: a saved change shows in the browser within a second.

    Only plans/SLUG.md is built and validated (with the same messages as a full build), so this
    stays fast among thousands of plans; `mapsite check` validates them all. Other deals are not
    served. Same as `MAPSITE_ONLY=SLUG mkdocs serve`.
    """
    import logging
    import os

    from mkdocs.commands.serve import serve

    from mapsite.mkdocs.plugin import ONLY_VARIABLE

    _check_dev_addr(dev_addr)
    settings = _settings()
    config_file = settings.root / "mkdocs.yml"
    if not config_file.is_file():
        _fail("no mkdocs.yml here or in any folder above")
    plan = _plan_of(settings, slug)
    deals, problems = load_paths([plan], settings.root, project=settings.root, layout=settings.layout)
    _exit_on_problems(problems)
    mkdocs_log = logging.getLogger("mkdocs")  # what `mkdocs serve` prints: builds, errors, "Serving on"
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    mkdocs_log.addHandler(handler)
    mkdocs_log.setLevel(logging.INFO)
    mkdocs_log.propagate = False
    os.environ[ONLY_VARIABLE] = slug  # read by the plugin on every rebuild
    click.echo(f"mapsite: previewing {slug} at {settings.layout.preview_url(deals[0], dev_addr)}", err=True)
    try:
        serve(config_file=str(config_file), dev_addr=dev_addr, livereload=True)
    except OSError as error:  # the port is taken, or the address is not this machine's
        _fail(f"cannot serve on {dev_addr}: {error.strerror or error}; pick another with --dev-addr")
