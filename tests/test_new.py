"""`mapsite new`: a plan from a template, dates worked back from go-live, never over an existing file."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import CANONICAL, REPO, TODAY, build_env, passwords_env
from mapsite.plan.scaffold import NewPlanError, TemplateError, create

TEMPLATES = REPO / "plans" / "_templates"
BUNDLED = ("enterprise", "mid-market", "renewal")
ROLES = {"economic buyer", "champion", "security", "legal", "account executive", "solutions engineer",
         "executive sponsor", "customer success"}


@pytest.fixture
def project(site):
    """A project with the repo's templates in plans/_templates/."""
    shutil.copytree(TEMPLATES, site.plans / "_templates")
    return site


def front(path) -> dict:
    """The plan's front matter with dates as date objects (YAML 1.1), for date arithmetic."""
    return yaml.safe_load(path.read_text(encoding="utf-8").split("\n---\n", 1)[0].removeprefix("---\n"))


def new(site, *args: str):
    result = site.mapsite("new", *args)
    assert "Traceback" not in result.stderr
    return result


def made(site, slug: str, go_live: str, template: str) -> Path:
    """The plan `mapsite new` writes, by a direct call to the scaffold (the command runs as a process elsewhere here)."""
    with contextlib.chdir(site.root):  # messages name files relative to where the rep runs the command
        path, _ = create(site.plans, slug, dt.date.fromisoformat(go_live), template=template, buyer=None, schema_ref=None,
                         root=site.root, today=dt.date.fromisoformat(TODAY))
    return path


def files_in(folder) -> dict:
    return {p.relative_to(folder): (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("template", BUNDLED)
def test_each_template_makes_a_plan_that_passes_check_strict(project, template):
    result = new(project, "acme-corp", "--go-live", "2027-06-01", "--template", template, "--seller", "Acme Analytics")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "plans/acme-corp.md\n"
    path = project.plans / "acme-corp.md"
    check = project.mapsite("check", "--strict")
    assert check.returncode == 1 and check.stdout.count("\n") == 3, "the value summary and two lines of the body"
    assert all("placeholder text from the template" in line for line in check.stdout.splitlines()), check.stdout
    path.write_text(re.sub("⟦([^⟧]*)⟧", r"\1", path.read_text(encoding="utf-8")), encoding="utf-8")  # the rep's words
    check = project.mapsite("check", "--strict")
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout == "" and "1 plan OK" in check.stderr

    text = path.read_text(encoding="utf-8")
    assert "offset" not in text and "Template for" not in text
    plan = front(path)
    assert plan["title"] == "Acme Corp × Acme Analytics" and plan["buyer"]["name"] == "Acme Corp"
    assert re.fullmatch(r"[a-z0-9]{10}", plan["share_id"])
    assert plan["go_live"] == dt.date(2027, 6, 1)
    assert 7 <= len(plan["milestones"]) <= 9
    assert plan["milestones"][-1]["title"] == "Optimization review"
    assert plan["milestones"][-1]["due"] > plan["go_live"]
    assert not re.search(r"sign|contract", plan["milestones"][-1]["title"], re.I)


@pytest.mark.parametrize("template", BUNDLED)
def test_templates_start_with_roles_not_names(project, template):
    made(project, "acme-corp", "2027-06-01", template)
    people = front(project.plans / "acme-corp.md")["stakeholders"]
    assert all("name" not in person for person in people)
    roles = " ".join(person["role"].lower() for person in people)
    found = {role for role in ROLES if all(word in roles for word in role.split())}
    assert found == ROLES
    assert all(isinstance(person["name_by"], dt.date) for person in people)
    owners = {o for m in front(project.plans / "acme-corp.md")["milestones"] for o in m["owners"]}
    assert owners <= {person["id"] for person in people}


@pytest.mark.parametrize("template", BUNDLED)
@pytest.mark.parametrize("go_live", ["2027-06-01", "2027-06-05"])  # a Tuesday and a Saturday
def test_dates_work_back_from_go_live_on_working_days(project, template, go_live):
    made(project, "acme-corp", go_live, template)
    plan = front(project.plans / "acme-corp.md")
    day = dt.date.fromisoformat(go_live)
    dues = [m["due"] for m in plan["milestones"]]
    assert dues == sorted(dues)
    assert dues.count(day) == 1, "exactly one milestone falls on go-live"
    assert [d > day for d in dues] == [False] * (len(dues) - 1) + [True], "only the last (review) is after go-live"
    every = dues + [s["due"] for m in plan["milestones"] for s in m.get("steps", [])] + \
        [p["name_by"] for p in plan["stakeholders"]]
    assert all(d.weekday() < 5 for d in every if d != day), "no date but go-live falls on a weekend"
    for milestone in plan["milestones"]:
        assert all(step["due"] <= milestone["due"] for step in milestone.get("steps", []))


TINY = """\
---
# Notes for template authors: left out of the plan.
title: Buyer × Acme Analytics
buyer:
  name: Buyer
seller:
  name: Acme Analytics
share_id: template
go_live: 2000-01-03
value_summary: Placeholder.
stakeholders:
  - id: champion
    side: buyer
    offset: -10
  - id: ae
    side: seller
    name: Raj Patel
milestones:
  - title: Start
    offset: -5
    owners: [champion, ae]
    steps:
      - task: Prepare
        offset: -6
      - task: Undated
  - title: Almost
    offset: -1
  - title: Go-live
    offset: 0
  - title: Review
    offset: 3
# trailing comment stays
---
Body text stays.
"""


@pytest.mark.parametrize(("go_live", "expected"), [
    ("2027-03-01", ["2027-02-22", "2027-02-26", "2027-03-01", "2027-03-04", "2027-02-19", "2027-02-15"]),  # Monday
    ("2027-03-06", ["2027-03-01", "2027-03-05", "2027-03-06", "2027-03-10", "2027-02-26", "2027-02-22"]),  # Saturday
])
def test_offsets_are_business_days_from_go_live(site, go_live, expected):
    (site.plans / "_templates").mkdir()
    (site.plans / "_templates" / "tiny.md").write_text(TINY, encoding="utf-8")
    made(site, "tiny-deal", go_live, "tiny")
    text = (site.plans / "tiny-deal.md").read_text(encoding="utf-8")
    start, almost, live, review = expected[:4]
    prepare, name_by = expected[4:]
    assert f"  - title: Start\n    due: {start}\n    owners: [champion, ae]\n" in text
    assert f"  - title: Almost\n    due: {almost}\n" in text
    assert f"  - title: Go-live\n    due: {live}\n" in text
    assert f"  - title: Review\n    due: {review}\n" in text
    assert f"      - task: Prepare\n        due: {prepare}\n      - task: Undated\n" in text
    assert f"    side: buyer\n    name_by: {name_by}\n" in text
    assert "Notes for template authors" not in text
    assert text.endswith("    due: " + review + "\n# trailing comment stays\n---\nBody text stays.\n")


def test_never_overwrites_an_existing_plan(project):
    shutil.copy(CANONICAL, project.plans / "northwind-logistics.md")
    before = files_in(project.root)
    result = new(project, "northwind-logistics", "--go-live", "2027-06-01")
    assert result.returncode == 1
    assert result.stderr == ("mapsite: plans/northwind-logistics.md already exists and was left as it is; "
                             "pick another slug, or edit that plan\n")
    assert files_in(project.root) == before


@pytest.mark.parametrize("slug", ["Northwind", "north_wind", "-north", "north.md", "../north", "plans/north", ""])
def test_rejects_a_slug_that_cannot_be_an_address(project, slug):
    """By direct call; test_cli_errors.py::test_new_with_bad_input[slug] runs the command on a bad slug."""
    before = files_in(project.root)
    with pytest.raises(NewPlanError, match="cannot be a deal's address: use a-z, 0-9 and -"):
        made(project, slug, "2027-06-01", "enterprise")
    assert files_in(project.root) == before


@pytest.mark.parametrize(("go_live", "message"), [
    ("2027-02-30", "Invalid value for --go-live: `2027-02-30` is not a real date (check the month and the day)"),
    ("1 March 2027", "Invalid value for --go-live: `1 March 2027` is not a date; use YYYY-MM-DD"),
    ("2026-11-23", "mapsite: go-live 2026-11-23 is in the past (today is 2026-11-24)"),
])
def test_rejects_a_go_live_that_is_not_a_future_date(project, go_live, message):
    result = new(project, "acme-corp", "--go-live", go_live)
    assert result.returncode != 0 and message in result.stderr
    assert not (project.plans / "acme-corp.md").exists()


def test_go_live_is_required(project):
    result = new(project, "acme-corp")
    assert result.returncode == 2 and "Missing option '--go-live'" in result.stderr


def test_unknown_template_lists_the_ones_there_are(project):
    for name in ("nope", "../northwind-logistics", "../../mkdocs"):
        result = new(project, "acme-corp", "--go-live", "2027-06-01", "--template", name)
        assert result.returncode == 1
        assert f"no template `{name}` in plans/_templates/; available: enterprise, mid-market, renewal" in result.stderr
    assert not (project.plans / "acme-corp.md").exists()


def test_without_templates_folder_says_how_to_add_one(site):
    result = new(site, "acme-corp", "--go-live", "2027-06-01")
    assert result.returncode == 1
    assert "no template `enterprise` in plans/_templates/; available: none" in result.stderr


def test_every_plan_gets_its_own_random_share_id(project):
    ids = set()
    for slug in ("deal-one", "deal-two", "deal-three"):
        ids.add(front(made(project, slug, "2027-06-01", "enterprise"))["share_id"])
    assert len(ids) == 3 and all(re.fullmatch(r"[a-z0-9]{10}", i) for i in ids)
    assert project.mapsite("check").returncode == 0  # no two deals share an address


def test_buyer_name_is_written_as_yaml_text_even_with_colons_and_quotes(project):
    result = new(project, "smith-sons", "--go-live", "2027-06-01", "--buyer", 'Smith & Sons: "East"', "--seller", "Acme Analytics")
    assert result.returncode == 0, result.stderr
    plan = front(project.plans / "smith-sons.md")
    assert plan["buyer"]["name"] == 'Smith & Sons: "East"'
    assert plan["title"] == 'Smith & Sons: "East" × Acme Analytics'
    assert project.mapsite("check", "plans/smith-sons.md").returncode == 0


def test_schema_line_is_inside_the_front_matter_and_line_numbers_still_match(project):
    new(project, "acme-corp", "--go-live", "2027-06-01")
    path = project.plans / "acme-corp.md"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "---" and lines[1].startswith("# yaml-language-server: $schema=")
    target = lines[1].split("$schema=", 1)[1]
    schema = Path(target)  # mapsite is installed outside this project: the installed copy, by absolute path
    assert schema.is_absolute() and schema.name == "plan.schema.json"
    assert schema.read_text(encoding="utf-8") == (REPO / "mapsite" / "plan.schema.json").read_text(encoding="utf-8")

    number = next(i for i, line in enumerate(lines, start=1) if line == "    owners: [champion, solutions-eng]")
    lines[number - 1] = "    owners: [champion, solutions-engineer]"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = project.mapsite("check", "plans/acme-corp.md")
    assert result.returncode == 1
    assert result.stdout.startswith(f"plans/acme-corp.md:{number}:24: owner `solutions-engineer` is not a stakeholder id; "
                                    "did you mean `solutions-eng`?")


def test_schema_line_is_relative_when_mapsite_lives_in_the_project(project):
    shutil.copytree(REPO / "mapsite", project.root / "mapsite", ignore=shutil.ignore_patterns("__pycache__"))
    result = subprocess.run([sys.executable, "-m", "mapsite", "new", "acme-corp", "--go-live", "2027-06-01"],
                            cwd=project.root, capture_output=True, text=True, env=build_env(), timeout=300)
    assert result.returncode == 0, result.stderr
    line = (project.plans / "acme-corp.md").read_text(encoding="utf-8").splitlines()[1]
    assert line == "# yaml-language-server: $schema=../mapsite/plan.schema.json"
    assert (project.plans / "../mapsite/plan.schema.json").is_file()
    assert "outside this project" not in result.stderr


def test_schema_option_sets_the_schema_line(project):
    url = "https://deals.acme.example/plan.schema.json"
    assert new(project, "acme-corp", "--go-live", "2027-06-01", "--schema", url).returncode == 0
    assert (project.plans / "acme-corp.md").read_text(encoding="utf-8").splitlines()[1] == f"# yaml-language-server: $schema={url}"


def test_new_plan_is_valid_against_the_json_schema_editors_use(project):
    path = made(project, "acme-corp", "2027-06-01", "renewal")
    schema = json.loads((REPO / "mapsite" / "plan.schema.json").read_text(encoding="utf-8"))
    text = path.read_text(encoding="utf-8")
    data = yaml.load(text.split("\n---\n", 1)[0].removeprefix("---\n"), Loader=yaml.BaseLoader)  # every scalar as text
    data = json.loads(json.dumps(data).replace('"[]"', "[]"))
    jsonschema.validate(data, schema)


def test_a_near_go_live_is_written_with_a_warning_about_the_pace(project):
    result = new(project, "rush-deal", "--go-live", "2026-12-15", "--template", "mid-market")
    assert result.returncode == 0
    assert "Note: the plan starts 2026-11-03, before today" in result.stderr
    assert "warnings: run `mapsite check plans/rush-deal.md` to see them" in result.stderr


BROKEN = {
    "milestone without offset": (TINY.replace("    offset: -1\n", ""), 26, "every template milestone needs `offset:`"),
    "no go-live milestone": (TINY.replace("    offset: 0\n", "    offset: 1\n"), 19, "one template milestone needs `offset: 0`"),
    "out of order": (TINY.replace("    offset: -1\n", "    offset: -9\n"), 26, "must be in date order"),
    "offset and due": (TINY.replace("    offset: 3\n", "    offset: 3\n    due: 2027-01-01\n"), 31, "either `offset:` or `due:`"),
    "step after milestone": (TINY.replace("        offset: -6\n", "        offset: -2\n"), 24, "a step's offset (-2)"),
    "not a number": (TINY.replace("    offset: 3\n", "    offset: soon\n"), 31, "`offset:` is a whole number"),
    "invalid plan": (TINY.replace("    side: buyer\n", "    side: customer\n"), 13, "`customer` is not allowed"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_template_writes_nothing_and_points_at_its_line(site, case):
    text, line, message = BROKEN[case]
    (site.plans / "_templates").mkdir()
    (site.plans / "_templates" / "tiny.md").write_text(text, encoding="utf-8")
    with pytest.raises(TemplateError) as raised:
        made(site, "tiny-deal", "2027-03-01", "tiny")
    said = "\n".join(str(problem) for problem in raised.value.problems)  # what `mapsite new` prints, a line each
    assert re.search(rf"^plans/_templates/tiny\.md:{line}:\d+: .*{re.escape(message)}", said, re.M), said
    assert not (site.plans / "tiny-deal.md").exists()


def test_mapsite_new_prints_a_broken_templates_problems_and_writes_nothing(site):
    (site.plans / "_templates").mkdir()
    (site.plans / "_templates" / "tiny.md").write_text(BROKEN["out of order"][0], encoding="utf-8")
    before = files_in(site.root)
    result = new(site, "tiny-deal", "--go-live", "2027-03-01", "--template", "tiny")
    assert result.returncode == 1
    assert re.search(r"^plans/_templates/tiny\.md:26:\d+: .*must be in date order", result.stderr, re.M), result.stderr
    assert result.stderr.strip().splitlines()[-1] == ("mapsite: the `tiny` template cannot make a valid plan; "
                                                      "nothing was written")
    assert files_in(site.root) == before


def test_check_and_build_leave_templates_alone(project):
    shutil.copy(CANONICAL, project.plans / CANONICAL.name)
    assert project.mapsite("check").returncode == 0  # templates hold `offset:`, which no plan may
    project.build(env=passwords_env(northwind_logistics="correct-horse-battery-staple-42"))
    built = [p.relative_to(project.out).as_posix() for p in project.out.rglob("*")]
    assert not [p for p in built if "_templates" in p or "enterprise" in p or "renewal" in p]
    deals = {p.split("/")[0] for p in built if re.match(r"[a-z0-9-]+-[a-z0-9]{10}/", p)}
    assert deals == {"northwind-logistics-k7qm2xtz9p"}
