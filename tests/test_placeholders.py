"""Template placeholders are never published (issue 17, item 5): every template, in every language, marks the text a
rep must replace with ⟦ ⟧; `mapsite check` and the build find each one at its line, as a warning locally and an
error in CI, where the build stops before anything is written."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
from pathlib import Path

import pytest

from conftest import REPO, TODAY, edited, passwords_env
from mapsite.plan import load_plan
from mapsite.plan.placeholders import CLOSE, OPEN

TEMPLATES = REPO / "plans" / "_templates"
EVERY_TEMPLATE = sorted(TEMPLATES.rglob("*.md"))  # a template in a new language is tested with nothing to add here


def plan_from(site, template: Path, **options):
    """A plan made from `template` by `mapsite new`'s own function, loaded as `mapsite check` loads it."""
    from mapsite.plan.scaffold import create

    shutil.copytree(TEMPLATES, site.plans / "_templates", dirs_exist_ok=True)
    folder = template.parent.name
    with contextlib.chdir(site.root):
        path, _ = create(site.plans, "acme-corp", dt.date(2027, 6, 1), template=template.stem, buyer=None, schema_ref=None,
                         root=site.root, today=dt.date.fromisoformat(TODAY),
                         language_tag=None if folder == "_templates" else folder, **options)
        result = load_plan(path, "plans/acme-corp.md")
    assert result.deal is not None, result.problems
    return path, result.deal


@pytest.mark.parametrize("template", EVERY_TEMPLATE, ids=lambda p: p.relative_to(TEMPLATES).as_posix())
def test_each_templates_placeholders_are_found_at_their_lines(site, template):
    path, deal = plan_from(site, template)
    lines = path.read_text(encoding="utf-8").splitlines()
    found = {(p.line, p.col) for p in deal.placeholders}
    marked = {(n, line.index(OPEN) + 1) for n, line in enumerate(lines, 1) if OPEN in line}
    assert found == marked and all(p.path == "plans/acme-corp.md" for p in deal.placeholders)
    # the seller (in the title too), the value summary, and two in the body: a translation that loses a mark fails here
    summary = next(n for n, line in enumerate(lines, 1) if line.startswith("value_summary:"))
    title, seller = (next(n for n, line in enumerate(lines, 1) if line.startswith(key)) for key in ("title:", "  name: ⟦"))
    body = lines.index("---", 1) + 1
    assert {title, seller, summary + 1} | {line for line, _ in found if line > body} == {line for line, _ in found}
    assert len(found) == 5 and deal.plan.value_summary.startswith(OPEN) and deal.plan.seller.name.startswith(OPEN)
    assert all(p.message.startswith(f"placeholder text from the template, `{OPEN}") and CLOSE in p.message
               for p in deal.placeholders)


def test_a_seller_given_leaves_no_placeholder_in_the_title_or_the_seller(site):
    path, deal = plan_from(site, TEMPLATES / "de" / "enterprise.md", seller="Globex GmbH")
    assert deal.plan.seller.name == "Globex GmbH" and deal.plan.title == "Acme Corp × Globex GmbH"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [lines[p.line - 2].strip() for p in deal.placeholders][:1] == ["value_summary: >-"] and len(deal.placeholders) == 3


def test_only_text_that_reaches_a_page_counts(tmp_path):
    plan = tmp_path / "northwind-logistics.md"
    plan.write_text(edited(
        ("go_live: 2027-03-01", f"go_live: 2027-03-01   # {OPEN}a comment is never published{CLOSE}"),
        ("cadence: ", f'cadence: "Weekly, {OPEN}day{CLOSE} " #'),
    ), encoding="utf-8")
    deal = load_plan(plan, "plans/northwind-logistics.md").deal
    lines = plan.read_text(encoding="utf-8").splitlines()
    assert [(p.line, lines[p.line - 1][p.col - 1:p.col + 3]) for p in deal.placeholders] == \
        [(next(n for n, line in enumerate(lines, 1) if line.startswith("cadence:")), f"{OPEN}day")]
    assert "`⟦day⟧`" in deal.placeholders[0].message
    assert load_plan(REPO / "tests" / "northwind-logistics.md").deal.placeholders == []


def test_check_warns_locally_and_fails_in_ci_at_the_line(site):
    plan_from(site, TEMPLATES / "enterprise.md", seller="Acme Analytics")
    local = site.mapsite("check")
    assert local.returncode == 0 and "Traceback" not in local.stderr
    assert "plans/acme-corp.md:11:3: warning: placeholder text from the template, `⟦Replace this with the outcome" \
        in local.stdout
    ci = site.mapsite("check", "--format", "github", env={"CI": "true"})
    assert ci.returncode == 1 and "1 of 1 plan invalid" in ci.stderr
    assert "::error file=plans/acme-corp.md,line=11,col=3,title=mapsite check::placeholder text from the template" in ci.stdout


def test_a_ci_build_stops_on_a_placeholder_and_publishes_nothing_a_local_build_warns(site):
    site.add_plan("northwind-logistics.md", edited(("value_summary: ", f"value_summary: {OPEN}Write this{CLOSE} ")))
    env = passwords_env(northwind_logistics="correct-horse-battery-staple-42")
    ci = site.build(env={**env, "CI": "true"}, check=False)
    assert ci.returncode != 0 and "Traceback" not in ci.stderr
    assert "plans/northwind-logistics.md:" in ci.stderr and "placeholder text from the template, `⟦Write this⟧`" in ci.stderr
    assert not site.out.exists(), "nothing is written"
    local = site.build("--no-strict", env=env, check=False)
    assert local.returncode == 0 and "WARNING" in local.stderr and "`⟦Write this⟧`" in local.stderr
    strict = site.build(env=env, check=False)
    assert strict.returncode != 0, "a warning, so --strict stops too"
