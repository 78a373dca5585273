"""`mapsite new` and `mapsite diff`: starting a plan, and what changed in plans since a commit."""

from __future__ import annotations

from pathlib import Path

import click

from mapsite.insight.advice import advise
from mapsite.cli import _fail, _settings, main
from mapsite.git.diff import diff_since, to_json, to_markdown
from mapsite.git.plans import resolve_base, top_level
from mapsite.git.runner import GitError
from mapsite.plan import display_path, load_plan
from mapsite.plan.model import date_error, iso_date
from mapsite.plan.scaffold import NewPlanError, TemplateError, create


@main.command()
@click.argument("slug")
@click.option("--go-live", "go_live", required=True, metavar="YYYY-MM-DD",
              help="The day the buyer starts using what they bought; every date works back from it.")
@click.option("--template", "template", default="enterprise", show_default=True,
              help="A plan in plans/_templates/: enterprise, mid-market, renewal, or your own.")
@click.option("--buyer", default=None, help="The buyer's company name (default: made from SLUG).")
@click.option("--language", "language_tag", default=None, metavar="TAG",
              help="The deal's language (de, de-AT, fr, es, nl, en-US, ...): the template from plans/_templates/TAG/, "
                   "and `language: TAG` in the plan. Default: the site's language (then plans/_templates/ itself).")
@click.option("--schema", "schema_ref", default=None, metavar="PATH|URL",
              help="What the plan's `$schema=` line points at (default: mapsite's plan.schema.json).")
@click.option("--plans", "plans_dir", type=click.Path(path_type=Path), default=None)
def new(slug: str, go_live: str, template: str, buyer: str | None, language_tag: str | None, schema_ref: str | None,
        plans_dir: Path | None) -> None:
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
                            schema_ref=schema_ref, root=settings.root, today=settings.today, language_tag=language_tag,
                            site_language=settings.language)
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
    tips = advise(deal, shown, settings.today, language=settings.language) if deal else []
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
        diffs = diff_since(top, plans, base, project=settings.root, today=settings.today)
    except GitError as error:
        _fail(str(error))
    click.echo(to_json(base, diffs) if as_json else to_markdown(base, diffs), nl=as_json)
