"""`mapsite init`, `mapsite new` and `mapsite diff`: starting a repository or a plan, and what changed in plans since a commit."""

from __future__ import annotations

import shlex
from pathlib import Path

import click
from pydantic import ValidationError

from mapsite.insight.advice import advise
from mapsite.cli import _fail, _settings, main
from mapsite.git.diff import diff_since, to_json, to_markdown
from mapsite.git.plans import resolve_base, top_level
from mapsite.git.runner import GitError
from mapsite import starter
from mapsite.plan import display_path, load_plan
from mapsite.plan.model import Freeze, date_error, iso_date
from mapsite.plan.scaffold import NewPlanError, TemplateError, create
from mapsite.plan.workdays import WorkingDays, country_code

MAX_FREEZE_DAYS = 120  # a freeze is weeks, not a season of its own: a longer one is a typo in a year


@main.command()
@click.argument("slug")
@click.option("--go-live", "go_live", required=True, metavar="YYYY-MM-DD",
              help="The day the buyer starts using what they bought; every date works back from it.")
@click.option("--template", "template", default="enterprise", show_default=True,
              help="A plan in plans/_templates/: enterprise, mid-market, renewal, or your own.")
@click.option("--buyer", default=None, help="The buyer's company name (default: made from SLUG).")
@click.option("--seller", default=None, help="Your company's name (default: the site's `seller:` option; without "
              "either, a placeholder that `mapsite check` flags).")
@click.option("--country", default=None, metavar="CODE",
              help="Skip this country's public holidays when working back (ISO 3166: DE, FR, US; DE-BY for a state). "
                   "Default: the site's `country:` option, else weekends only.")
@click.option("--freeze", default=None, metavar="FROM..TO",
              help="The buyer's freeze, YYYY-MM-DD..YYYY-MM-DD: no date is scheduled in it, and the plan keeps it as `freeze:`.")
@click.option("--language", "language_tag", default=None, metavar="TAG",
              help="The deal's language (de, de-AT, fr, es, nl, en-US, ...): the template from plans/_templates/TAG/, "
                   "and `language: TAG` in the plan. Default: the site's language (then plans/_templates/ itself).")
@click.option("--schema", "schema_ref", default=None, metavar="PATH|URL",
              help="What the plan's `$schema=` line points at (default: mapsite's plan.schema.json).")
@click.option("--plans", "plans_dir", type=click.Path(path_type=Path), default=None)
def new(slug: str, go_live: str, template: str, buyer: str | None, seller: str | None, country: str | None,
        freeze: str | None, language_tag: str | None, schema_ref: str | None, plans_dir: Path | None) -> None:
    """Start plans/SLUG.md from a template: roles first, dates in business days back from go-live.

    Prints the new file's path. Never overwrites a file.
    """
    settings = _settings()
    try:
        day = iso_date(go_live)
    except ValueError as error:
        raise click.BadParameter(date_error(go_live, error), param_hint="--go-live") from None
    working = working_days(country or settings.country, freeze)
    try:
        path, made = create(plans_dir or settings.plans_dir, slug, day, template=template, buyer=buyer,
                            schema_ref=schema_ref, root=settings.root, today=settings.today, language_tag=language_tag,
                            site_language=settings.language, seller=seller or settings.seller, working=working)
    except TemplateError as error:
        for problem in error.problems:
            click.echo(str(problem), err=True)
        _fail(f"the `{template}` template cannot make a valid plan; nothing was written")
    except NewPlanError as error:
        _fail(str(error))
    shown = display_path(path)
    click.echo(shown)
    off = working.why_not(day)
    skipped = f", skipping {working.country}'s public holidays" if working.country else ""
    skipped += " and the buyer's freeze" if working.freeze else ""
    click.echo(f"{template} plan: first milestone {made.first_due}, go-live {day}{f' ({off})' if off else ''}, value review "
               f"{made.last_due}{skipped}.\nNext: name the roles, replace the text marked ⟦ ⟧ with the deal's own words, "
               "then `mapsite check`.", err=True)
    if made.first_due < settings.today:
        click.echo(f"Note: the plan starts {made.first_due}, before today; for the `{template}` template's pace, pick a "
                   "later go-live or pull in the early dates.", err=True)
    if Path(made.schema_ref).is_absolute():
        click.echo(f"Note: its `$schema=` line points at {made.schema_ref}, outside this project; "
                   "pass --schema PATH|URL to point at a copy everyone has.", err=True)
    deal = load_plan(path, shown, project=settings.root).deal
    tips = advise(deal, shown, settings.today, language=settings.language) if deal else []
    for tip in tips if len(tips) <= 5 else []:
        click.echo(str(tip), err=True)
    if len(tips) > 5:
        click.echo(f"{len(tips)} warnings: run `mapsite check {shown}` to see them.", err=True)


def working_days(country: str | None, freeze: str | None) -> WorkingDays:
    """The days `mapsite new` schedules on, from --country (or the site's) and --freeze; a usage error in words."""
    code = _country(country)
    if not freeze:
        return WorkingDays(code)
    first, dots, last = freeze.partition("..")
    fix = "give the freeze's first and last day as FROM..TO, e.g. 2026-12-20..2027-01-04"
    if not dots:
        raise click.BadParameter(f"`{freeze}`: {fix}", param_hint="--freeze")
    for part in (first, last):
        try:
            iso_date(part)
        except ValueError as error:
            raise click.BadParameter(f"{date_error(part, error)}; {fix}", param_hint="--freeze") from None
    try:
        span = Freeze.model_validate({"from": first, "to": last})
    except ValidationError as error:
        raise click.BadParameter(error.errors()[0]["msg"].removeprefix("Value error, "), param_hint="--freeze") from None
    if (span.end - span.start).days > MAX_FREEZE_DAYS:
        raise click.BadParameter(f"`{freeze}` is longer than {MAX_FREEZE_DAYS} days: a freeze is weeks; check the years",
                                 param_hint="--freeze")
    return WorkingDays(code, span)


def _country(country: str | None) -> str | None:
    try:
        return country_code(country) if country else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--country") from None


@main.command()
@click.argument("folder", required=False, default=".", type=click.Path(path_type=Path))
@click.option("--seller", default=None, help="Your company's name: the site's name and `seller:` for every new plan.")
@click.option("--country", default=None, metavar="CODE", help="Where most buyers are (DE, FR, US; DE-BY): `country:`, "
              "whose public holidays `mapsite new` skips.")
def init(folder: Path, seller: str | None, country: str | None) -> None:
    """Start a new deal repository in FOLDER (default: here): mkdocs.yml, plan templates, theme, workflows, .gitignore.

    No sample deals, so a first publish holds only your own. Never overwrites a file: when any of
    them exists, nothing is written.
    """
    try:
        written = starter.init(folder, seller=seller, country=_country(country))
    except starter.InitError as error:
        _fail(str(error))
    shown = display_path(folder)
    click.echo(f"{len(written)} files written to {shown}/ (no sample deals: a first build publishes only your own).", err=True)
    seller_hint = "" if seller else " --seller \"Your company\""
    click.echo(f"Next: cd {shlex.quote(shown)} && git init, then\n"
               f"  mapsite new <deal> --go-live YYYY-MM-DD{seller_hint}   # your first plan, from plans/_templates/\n"
               "  mapsite check && mkdocs build                       # check it, build site/ locally\n"
               "and see README.md, Publishing, to put it on GitHub Pages.", err=True)


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
        diffs = diff_since(top, plans, base, project=settings.root, today=settings.today)
    except GitError as error:
        _fail(str(error))
    click.echo(to_json(base, diffs) if as_json else to_markdown(base, diffs), nl=as_json)
