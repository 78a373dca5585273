"""A first plan that is really yours (issue 17, item 6): `mapsite init` starts a repository with no sample deals and
never writes over a file; the seller comes from `--seller` or the site's `seller:` option instead of a name built in."""

from __future__ import annotations

import re
import holidays
import pytest
import yaml

from conftest import REPO, Site, passwords_env
from mapsite import starter
from test_new import front

SELLER = 'Globex: "Rail" GmbH'  # a colon and quotes: it must stay a name in mkdocs.yml and in the plan


@pytest.fixture(scope="module")
def started(tmp_path_factory) -> Site:
    """A repository from `mapsite init --seller ... --country de`, with one plan from `mapsite new`, built as CI builds it.

    The plan's placeholders are replaced as a rep would, so the CI build may publish it.
    """
    site = Site(tmp_path_factory.mktemp("init") / "deals")
    made = Site(site.root.parent).mapsite("init", "deals", "--seller", SELLER, "--country", "de")
    assert made.returncode == 0 and "Traceback" not in made.stderr, made.stderr
    assert "no sample deals" in made.stderr and "mapsite new <deal> --go-live" in made.stderr
    new = site.mapsite("new", "first-deal", "--go-live", "2027-03-30")
    assert new.returncode == 0, new.stderr
    plan = site.plans / "first-deal.md"
    plan.write_text(re.sub("⟦([^⟧]*)⟧", r"\1", plan.read_text(encoding="utf-8")), encoding="utf-8")
    site.build(env={"CI": "true", **passwords_env(first_deal="correct-horse-battery-staple-42")})
    return site


def test_init_writes_a_repository_without_sample_deals(started):
    root = started.root
    for needed in ("mkdocs.yml", ".gitignore", "plans/_templates/enterprise.md", "plans/_templates/de/renewal.md",
                   "theme_overrides/main.html", ".github/workflows/publish.yml", ".github/workflows/plan-check.yml",
                   "pyproject.toml", "mapsite/plan.schema.json"):
        assert (root / needed).is_file(), needed
    assert sorted(p.name for p in (root / "plans").glob("*.md")) == ["first-deal.md"], "only the plan made here"
    assert not (root / "tests").exists() and not list(root.rglob("__pycache__/*.pyc"))
    ignored = (root / ".gitignore").read_text(encoding="utf-8").split()
    assert "/.mapsite/" in ignored and "/site/" in ignored
    assert (root / ".github/hosting/s3-publish.sh").stat().st_mode & 0o111, "scripts stay executable"
    published = {p.name.rsplit("-", 1)[0] for p in started.out.iterdir() if p.is_dir() and p.name != "assets"}
    assert published == {"first-deal"}, "a first publish holds only the team's own deal"


def test_the_seller_and_country_are_site_options_that_new_uses(started):
    config = yaml.safe_load((started.root / "mkdocs.yml").read_text(encoding="utf-8"))
    options = next(p["mapsite"] for p in config["plugins"] if isinstance(p, dict) and "mapsite" in p)
    assert options["seller"] == SELLER and options["country"] == "DE"
    assert config["site_name"] == f"{SELLER} · Deal rooms"
    plan = front(started.plans / "first-deal.md")
    assert plan["seller"]["name"] == SELLER and plan["title"] == f"First Deal × {SELLER}"
    dates = [m["due"] for m in plan["milestones"]] + [s["due"] for m in plan["milestones"] for s in m["steps"]]
    german = holidays.country_holidays("DE")
    assert len(dates) > 20 and [d for d in dates if d in german] == [], "the site's country: no date on a German holiday"
    schema_line = (started.plans / "first-deal.md").read_text(encoding="utf-8").splitlines()[1]
    assert schema_line.endswith("$schema=../mapsite/plan.schema.json"), "the repository's own copy"


def test_the_command_lines_seller_wins_over_the_sites(started):
    made = started.mapsite("new", "second-deal", "--go-live", "2027-06-01", "--seller", "Initech")
    assert made.returncode == 0, made.stderr
    try:
        assert front(started.plans / "second-deal.md")["seller"]["name"] == "Initech"
    finally:
        (started.plans / "second-deal.md").unlink()


def test_init_never_writes_over_a_file_and_writes_nothing_then(tmp_path):
    target = tmp_path / "mine"
    (target / "plans").mkdir(parents=True)
    (target / ".gitignore").write_text("my own\n", encoding="utf-8")
    (target / "plans" / "northwind.md").write_text("my plan\n", encoding="utf-8")
    result = Site(tmp_path).mapsite("init", "mine")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "mine already has .gitignore; nothing was written" in result.stderr
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == [".gitignore", "plans", "plans/northwind.md"]
    assert (target / ".gitignore").read_text(encoding="utf-8") == "my own\n"


def test_init_without_a_seller_names_none_and_the_plan_keeps_a_placeholder(tmp_path):
    written = starter.init(tmp_path / "deals")
    assert "mkdocs.yml" in written and "plans/_templates/nl/mid-market.md" in written
    config = (tmp_path / "deals" / "mkdocs.yml").read_text(encoding="utf-8")
    assert "Acme" not in config and 'site_name: "Deal rooms"' in config and "seller:" not in config
    site = Site(tmp_path / "deals")
    assert site.mapsite("new", "a-deal", "--go-live", "2027-06-01").returncode == 0
    check = site.mapsite("check", env={"CI": "true"})
    assert check.returncode == 1 and "plans/a-deal.md:3:" in check.stdout and "`⟦Your company⟧`" in check.stdout


@pytest.mark.parametrize(("value", "words"), [('""', "a company's name is text on one line"),
                                               ("[Acme, Globex]", "a company's name is text on one line")])
def test_a_bad_seller_option_stops_the_build_and_every_command_in_the_same_words(site, value, words):
    config = site.root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("      plans_dir: plans\n",
                                                                 f"      plans_dir: plans\n      seller: {value}\n"))
    build = site.build(check=False)
    assert build.returncode != 0 and words in build.stderr and "Traceback" not in build.stderr
    check = site.mapsite("check")
    assert check.returncode == 1 and words in check.stderr and "Traceback" not in check.stderr


def test_init_needs_a_checkout_to_copy_from_and_says_so(tmp_path):
    with pytest.raises(starter.InitError, match="copies its starter files from a mapsite checkout"):
        starter.init(tmp_path / "deals", source=tmp_path / "wheel-install")
    assert not (tmp_path / "deals").exists()
    assert starter.SOURCE == REPO
