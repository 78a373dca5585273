"""The loader on real files: valid plans load whole, bad ones give `file:line:col` problems a rep can act on.

Every position below is 1-based and counts from the top of the file, so the opening `---`
is line 1 and `title:` is line 2. Each bad-input test edits one line of the canonical
Northwind plan (tests/northwind-logistics.md) and checks both where the problem points
and what the text at that spot is, so a wrong offset cannot pass by accident.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from conftest import edited
from mapsite.insight import derive
from mapsite.plan import Problem, load_paths, load_plan, load_plans
from mapsite.site.urls import UrlLayout

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
CANONICAL = TESTS / "northwind-logistics.md"
CANONICAL_TEXT = CANONICAL.read_text(encoding="utf-8")
ALL_IDS = "`dana`, `marco`, `priya`, `legal`, `raj`, `lena`, `tom`, `sofia`"
STATUS_LIST = "not_started, in_progress, done, blocked"


def write(folder: Path, text: str, name: str = "northwind-logistics.md") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def load_written(folder: Path, text: str, name: str = "northwind-logistics.md"):
    return load_plan(write(folder, text, name), name)


def only_problem(result) -> Problem:
    assert result.deal is None
    assert len(result.problems) == 1, "\n".join(map(str, result.problems))
    return result.problems[0]


def at(text: str, line: int, col: int) -> str:
    """What the file holds from (line, col) to the end of that line."""
    return text.splitlines()[line - 1][col - 1 :]


# --- the canonical plan ----------------------------------------------------------------


def test_canonical_plan_loads_without_problems(tmp_path: Path) -> None:
    deal, problems = load_plan(write(tmp_path, CANONICAL_TEXT))
    assert problems == []
    assert deal is not None
    assert deal.slug == "northwind-logistics"
    assert UrlLayout().folder(deal) == "northwind-logistics-k7qm2xtz9p"
    assert UrlLayout(slug_in_url=False).folder(deal) == "k7qm2xtz9p"
    assert deal.path == tmp_path / "northwind-logistics.md"


def test_canonical_plan_every_field_is_read(tmp_path: Path) -> None:
    deal, _ = load_plan(write(tmp_path, CANONICAL_TEXT))
    plan = deal.plan
    assert plan.model_fields_set == {
        "title", "buyer", "seller", "share_id", "go_live", "value_summary", "objectives", "stakeholders",
        "milestones", "events", "risks", "kpis", "commercials", "resources", "cadence",
    }
    assert plan.title == "Northwind Logistics × Acme Analytics"
    assert plan.buyer.name == "Northwind Logistics" and plan.buyer.logo is None
    assert plan.seller.name == "Acme Analytics"
    assert plan.share_id == "k7qm2xtz9p"
    assert plan.go_live == dt.date(2027, 3, 1)
    assert plan.value_summary == (
        "Cut dispatch planning at Northwind from six hours to forty-five minutes a day, "
        "so regional managers reroute trucks before 8 a.m. and save about $1.2M a year."
    )
    assert 20 <= len(plan.value_summary.split()) <= 30
    assert plan.objectives[1] == "Give depot managers a reroute proposal before the 8 a.m. shift change"
    assert len(plan.objectives) == 3

    assert [s.id for s in plan.stakeholders] == ["dana", "marco", "priya", "legal", "raj", "lena", "tom", "sofia"]
    dana = plan.stakeholder("dana")
    assert (dana.name, dana.side, dana.role, dana.email) == (
        "Dana Whitfield", "buyer", "VP Operations, economic buyer", "dana.whitfield@northwind.example")
    legal = plan.stakeholder("legal")
    assert legal.name is None and legal.role == "Legal counsel" and legal.side == "buyer"
    assert {s.side for s in plan.stakeholders} == {"buyer", "seller"}
    assert plan.stakeholder("nobody") is None

    assert len(plan.milestones) == 8
    pilot = plan.milestones[1]
    assert pilot.title == "Pilot on the Midwest region"
    assert (pilot.due, pilot.baseline, pilot.status) == (dt.date(2026, 11, 27), dt.date(2026, 11, 20), "in_progress")
    assert pilot.owners == ["marco", "lena"]
    assert [(s.task, s.owner, s.due, s.status) for s in pilot.steps] == [
        ("Export two weeks of Midwest dispatch data", "marco", dt.date(2026, 11, 10), "done"),
        ("Configure the pilot workspace and routing rules", "lena", dt.date(2026, 11, 18), "in_progress"),
        ("Review pilot results with depot managers", "marco", dt.date(2026, 11, 26), "not_started"),
    ]
    contract = plan.milestones[4]
    assert contract.steps[0].status == "not_started"  # the default when a step gives no status
    assert plan.milestones[-1].title == "Optimization review"
    assert plan.milestones[-1].due > plan.go_live
    assert all(not m.internal for m in plan.milestones)

    assert [(e.date, e.title) for e in plan.events] == [
        (dt.date(2026, 12, 23), "Northwind holiday change freeze begins"),
        (dt.date(2027, 2, 15), "Peak season starts"),
    ]
    assert [r.owner for r in plan.risks] == ["lena", "raj"]
    assert plan.risks[1].mitigation == "Redlines due before December 22"
    assert [(k.metric, k.baseline, k.target, k.by) for k in plan.kpis] == [
        ("Daily dispatch planning time", "6 hours", "45 minutes", dt.date(2027, 4, 30)),
        ("Empty miles per truck per week", "112", "95", dt.date(2027, 5, 31)),
    ]
    assert [(c.item, c.amount) for c in plan.commercials] == [
        ("Annual subscription, 60 planner seats", "$186,000 per year"),
        ("Onboarding and integration services", "$24,000 one-time"),
    ]
    assert [r.url for r in plan.resources] == [
        "https://trust.acme.example/soc2", "https://app.acme.example/pilots/northwind"]
    assert plan.cadence == "Weekly check-in, Tuesdays 10:00 Central"
    assert plan.status is None and plan.notes == []


def test_canonical_plan_body_and_positions(tmp_path: Path) -> None:
    deal, _ = load_plan(write(tmp_path, CANONICAL_TEXT))
    assert deal.body.lstrip("\n").startswith("## Why now\n")
    assert "## Current challenges" in deal.body
    assert "share_id:" not in deal.body
    # positions of values and keys, 1-based, from the top of the file
    assert deal.positions[("share_id",)] == (7, 11)
    assert deal.positions[("key", "share_id")] == (7, 1)
    assert deal.positions[("milestones", 1, "due")] == (67, 10)
    assert at(CANONICAL_TEXT, 67, 10) == "2026-11-27"


def test_unquoted_numbers_are_read_as_text(tmp_path: Path) -> None:
    deal, problems = load_written(tmp_path, edited(('baseline: "112"', "baseline: 112"), ('target: "95"', "target: 95")))
    assert problems == []
    assert (deal.plan.kpis[1].baseline, deal.plan.kpis[1].target) == ("112", "95")


def test_byte_order_mark_and_windows_line_endings_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "northwind-logistics.md"
    path.write_bytes(b"\xef\xbb\xbf" + CANONICAL_TEXT.replace("\n", "\r\n").encode("utf-8"))
    deal, problems = load_plan(path)
    assert problems == []
    assert deal.plan.cadence == "Weekly check-in, Tuesdays 10:00 Central"


def test_front_matter_may_close_with_three_dots(tmp_path: Path) -> None:
    deal, problems = load_written(tmp_path, edited(("\n---\n\n## Why now", "\n...\n\n## Why now")))
    assert problems == []
    assert "## Why now" in deal.body


# --- one bad input, one problem, at the exact spot ---------------------------------------


def test_unknown_key_suggests_the_close_field(tmp_path: Path) -> None:
    text = edited(("    value: Depot managers see", "    vaule: Depot managers see"))
    problem = only_problem(load_written(tmp_path, text))
    assert (problem.line, problem.col) == (66, 5)
    assert at(text, 66, 5).startswith("vaule:")
    assert problem.message == "unknown key `vaule` in milestones[2]; did you mean `value`?"


def test_unknown_key_in_a_step_suggests_the_close_field(tmp_path: Path) -> None:
    text = edited(("        owner: lena\n        due: 2026-11-18", "        ownr: lena\n        due: 2026-11-18"))
    problem = only_problem(load_written(tmp_path, text))
    assert (problem.line, problem.col) == (77, 9)
    assert at(text, 77, 9).startswith("ownr:")
    assert "unknown key `ownr` in milestones[2].steps[2]" in problem.message
    assert "did you mean `owner`?" in problem.message


def test_unknown_key_with_nothing_close_lists_the_allowed_fields(tmp_path: Path) -> None:
    text = edited(("cadence: Weekly", "budget_owner: Dana\ncadence: Weekly"))
    problem = only_problem(load_written(tmp_path, text))
    assert (problem.line, problem.col) == (161, 1)
    assert "unknown key `budget_owner` in the plan" in problem.message
    assert "allowed here: title, buyer, seller, share_id, go_live, value_summary" in problem.message
    assert "did you mean" not in problem.message


def test_bad_status_lists_the_allowed_ones(tmp_path: Path) -> None:
    text = edited(("    status: in_progress\n    owners: [marco, lena]", "    status: doing\n    owners: [marco, lena]"))
    problem = only_problem(load_written(tmp_path, text))
    assert (problem.line, problem.col) == (69, 13)
    assert at(text, 69, 13) == "doing"
    assert problem.message == f"milestones[2].status: `doing` is not allowed; use one of: {STATUS_LIST}"


def test_bad_step_status_points_at_the_step(tmp_path: Path) -> None:
    text = edited(("        due: 2026-11-18\n        status: in_progress", "        due: 2026-11-18\n        status: wip"))
    problem = only_problem(load_written(tmp_path, text))
    assert (problem.line, problem.col) == (79, 17)
    assert at(text, 79, 17) == "wip"
    assert problem.message.startswith("milestones[2].steps[2].status: `wip` is not allowed")
    assert problem.message.endswith(STATUS_LIST)


def test_bad_side_lists_buyer_and_seller(tmp_path: Path) -> None:
    text = edited(("    side: seller\n    role: Account Executive", "    side: vendor\n    role: Account Executive"))
    problem = only_problem(load_written(tmp_path, text))
    assert (problem.line, problem.col) == (35, 11)
    assert problem.message == "stakeholders[5].side: `vendor` is not allowed; use one of: buyer, seller"


def test_unknown_milestone_owner_lists_known_ids(tmp_path: Path) -> None:
    text = edited(("owners: [marco, lena]", "owners: [marco, lenna]"))
    problem = only_problem(load_written(tmp_path, text))
    assert (problem.line, problem.col) == (70, 21)
    assert at(text, 70, 21).startswith("lenna]")
    assert problem.message == f"owner `lenna` is not a stakeholder id; did you mean `lena`? known ids: {ALL_IDS}"


def test_unknown_step_owner_points_at_the_step_owner(tmp_path: Path) -> None:
    text = edited(("        owner: marco\n        due: 2026-11-10", "        owner: mark\n        due: 2026-11-10"))
    problem = only_problem(load_written(tmp_path, text))
    assert (problem.line, problem.col) == (73, 16)
    assert at(text, 73, 16) == "mark"
    assert "did you mean `marco`?" in problem.message
    assert problem.message.endswith(f"known ids: {ALL_IDS}")


def test_unknown_risk_owner_without_a_close_match_still_lists_ids(tmp_path: Path) -> None:
    text = edited(("    owner: raj\nkpis:", "    owner: procurement\nkpis:"))
    problem = only_problem(load_written(tmp_path, text))
    assert (problem.line, problem.col) == (141, 12)
    assert problem.message == f"owner `procurement` is not a stakeholder id; known ids: {ALL_IDS}"


def test_impossible_date(tmp_path: Path) -> None:
    text = edited(("    due: 2027-01-08\n    status: not_started", "    due: 2027-02-30\n    status: not_started"))
    problem = only_problem(load_written(tmp_path, text))
    assert (problem.line, problem.col) == (105, 10)
    assert at(text, 105, 10) == "2027-02-30"
    assert problem.message == "milestones[5].due: `2027-02-30` is not a real date (check the month and the day)"


@pytest.mark.parametrize("written", ["01/03/2027", "2027-3-1", "March 1, 2027", "20270301", "2027-03-01 09:00"])
def test_wrong_date_format_asks_for_yyyy_mm_dd(tmp_path: Path, written: str) -> None:
    text = edited(("go_live: 2027-03-01", f"go_live: {written}"))
    problem = only_problem(load_written(tmp_path, text))
    assert (problem.line, problem.col) == (8, 10)
    assert problem.message == f"go_live: `{written}` is not a date; write dates as YYYY-MM-DD, e.g. 2027-03-01"


def test_duplicate_stakeholder_id(tmp_path: Path) -> None:
    text = edited(("    role: Customer Success Manager\n",
                   "    role: Customer Success Manager\n  - id: raj\n    name: Raj Patel\n    side: seller\n"))
    problem = only_problem(load_written(tmp_path, text))
    assert (problem.line, problem.col) == (50, 9)
    assert at(text, 50, 3) == "- id: raj"
    assert problem.message == "stakeholder id `raj` is used twice; each stakeholder needs its own id"


def test_share_id_with_bad_characters(tmp_path: Path) -> None:
    text = edited(("share_id: k7qm2xtz9p", "share_id: Northwind_2027!"))
    problem = only_problem(load_written(tmp_path, text))
    assert (problem.line, problem.col) == (7, 11)
    assert problem.message == (
        "share_id: `Northwind_2027!` may use only a-z, 0-9 and - (it becomes part of the deal's address)")


def test_share_id_too_short_says_so_in_plain_words(tmp_path: Path) -> None:
    text = edited(("share_id: k7qm2xtz9p", "share_id: k7qm"))
    problem = only_problem(load_written(tmp_path, text))
    assert (problem.line, problem.col) == (7, 11)
    assert problem.message.startswith("share_id: `k7qm` is too short; use at least 6 random letters and digits")


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    text = edited(("cadence: Weekly", "title: Northwind rollout\ncadence: Weekly"))
    problem = only_problem(load_written(tmp_path, text))
    assert (problem.line, problem.col) == (161, 1)
    assert at(text, 161, 1).startswith("title:")
    assert problem.message == "`title` is given twice (first on line 2); keep one"


def test_duplicate_key_inside_a_milestone(tmp_path: Path) -> None:
    text = edited(("    due: 2026-12-18\n", "    due: 2026-12-18\n    due: 2026-12-20\n"))
    problem = only_problem(load_written(tmp_path, text))
    assert (problem.line, problem.col) == (101, 5)
    assert problem.message == "`due` is given twice (first on line 100); keep one"


def test_missing_required_field(tmp_path: Path) -> None:
    problem = only_problem(load_written(tmp_path, edited(("go_live: 2027-03-01\n", ""))))
    assert (problem.line, problem.col) == (2, 1)
    assert problem.message == "`go_live` is required but missing"


def test_missing_field_of_a_milestone_points_at_that_milestone(tmp_path: Path) -> None:
    text = edited(("    due: 2026-12-18\n", ""))
    problem = only_problem(load_written(tmp_path, text))
    assert (problem.line, problem.col) == (98, 5)
    assert at(text, 98, 5) == "title: Business case approved"
    assert problem.message == "`milestones[4].due` is required but missing"


def test_missing_name_of_buyer_points_at_buyer(tmp_path: Path) -> None:
    problem = only_problem(load_written(tmp_path, edited(("  name: Northwind Logistics\n", "  logo: northwind.svg\n"))))
    assert (problem.line, problem.col) == (3, 1)
    assert problem.message == "`buyer.name` is required but missing"


def test_yaml_syntax_error_explains_quoting(tmp_path: Path) -> None:
    text = edited(("title: Northwind Logistics × Acme Analytics", "title: Phase 2: rollout"))
    problem = only_problem(load_written(tmp_path, text))
    assert (problem.line, problem.col) == (2, 15)
    assert at(text, 2, 15).startswith(": rollout")
    assert problem.message.startswith("YAML syntax error: mapping values are not allowed here")
    assert 'needs quotes, e.g. title: "Phase 2: rollout"' in problem.message


def test_yaml_syntax_error_deep_in_the_file(tmp_path: Path) -> None:
    text = edited(("    owners: [dana, tom]", "    owners: [dana, tom"))
    problem = only_problem(load_written(tmp_path, text))
    assert problem.line == 130  # where YAML notices the list never closed: the next key
    assert problem.message.startswith("YAML syntax error:")


def test_tab_indent_is_explained(tmp_path: Path) -> None:
    problem = only_problem(load_written(tmp_path, edited(("  name: Acme Analytics", "\tname: Acme Analytics"))))
    assert (problem.line, problem.col) == (6, 1)
    assert "use spaces, not tabs" in problem.message


def test_file_without_front_matter(tmp_path: Path) -> None:
    problem = only_problem(load_written(tmp_path, "# Northwind Logistics\n\nDana wants a pilot before Christmas.\n"))
    assert (problem.line, problem.col) == (1, 1)
    assert problem.message.startswith("no front matter: a plan starts with a `---` line")


def test_front_matter_never_closed(tmp_path: Path) -> None:
    text = CANONICAL_TEXT.replace("\n---\n\n## Why now", "\n\n## Why now")
    problem = only_problem(load_written(tmp_path, text))
    assert (problem.line, problem.col) == (1, 1)
    assert "closing `---` line" in problem.message


@pytest.mark.parametrize("text", ["", "\n\n   \n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    problem = only_problem(load_written(tmp_path, text))
    assert (problem.line, problem.col) == (1, 1)
    assert problem.message.startswith("the file is empty")


def test_front_matter_that_is_a_list(tmp_path: Path) -> None:
    problem = only_problem(load_written(tmp_path, "---\n- title: Northwind\n---\n"))
    assert (problem.line, problem.col) == (2, 1)
    assert "`key: value` fields" in problem.message


def test_file_saved_as_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "northwind-logistics.md"
    path.write_bytes(CANONICAL_TEXT.encode("cp1252"))  # the × in the title becomes byte 0xD7
    problem = only_problem(load_plan(path, "northwind-logistics.md"))
    assert (problem.line, problem.col) == (2, 1)
    assert problem.message == "the file is not UTF-8 text; save it as UTF-8 in your editor"


def test_non_utf8_byte_further_down_reports_its_line(tmp_path: Path) -> None:
    path = tmp_path / "northwind-logistics.md"
    raw = CANONICAL_TEXT.encode("utf-8").replace(b"Raj Patel", b"Ra\xefl Patel")  # Latin-1 ï
    path.write_bytes(raw)
    problem = only_problem(load_plan(path, "northwind-logistics.md"))
    assert problem.line == 34
    assert "not UTF-8" in problem.message


def test_bad_file_name_suggests_a_good_one(tmp_path: Path) -> None:
    problem = only_problem(load_written(tmp_path, CANONICAL_TEXT, name="Big Deal.md"))
    assert (problem.line, problem.col) == (1, 1)
    assert problem.path == "Big Deal.md"
    assert "`Big Deal.md` becomes the deal's address" in problem.message
    assert "rename it to `big-deal.md`" in problem.message


def test_problem_prints_as_file_line_col(tmp_path: Path) -> None:
    text = edited(("go_live: 2027-03-01", "go_live: 2027-02-30"))
    problem = only_problem(load_plan(write(tmp_path, text), "plans/northwind-logistics.md"))
    assert str(problem) == "plans/northwind-logistics.md:8:10: go_live: `2027-02-30` is not a real date (check the month and the day)"


def test_display_defaults_to_the_path(tmp_path: Path) -> None:
    path = write(tmp_path, edited(("go_live: 2027-03-01", "go_live: soon")))
    problem = only_problem(load_plan(path))
    assert problem.path == str(path)


# --- hostile YAML -----------------------------------------------------------------------

ALIAS_BOMB = """\
---
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
title: *i
---
"""


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    started = time.monotonic()
    problem = only_problem(load_written(tmp_path, ALIAS_BOMB))
    assert time.monotonic() - started < 5
    assert problem.line == 2  # the expansion overflows inside the innermost list
    assert "too large (aliases expanding without end?)" in problem.message


def test_aliases_in_a_normal_plan_still_work(tmp_path: Path) -> None:
    text = edited(("    owners: [marco, sofia]\n  - title: Rollout", "    owners: &team [marco, sofia]\n  - title: Rollout"),
                  ("    owners: [marco, sofia]\n  - title: Optimization", "    owners: *team\n  - title: Optimization"))
    deal, problems = load_written(tmp_path, text)
    assert problems == []
    assert deal.plan.milestones[6].owners == ["marco", "sofia"]


def test_self_referencing_alias_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    """`&loop [*loop]` is a list that contains itself; load_plan must report it, not raise."""
    text = edited(("objectives:\n", "objectives: &loop [*loop]\nold_objectives:\n"))
    result = load_written(tmp_path, text)  # raises RecursionError today
    assert result.deal is None
    assert result.problems
    assert all(2 <= p.line <= 163 for p in result.problems)


def test_absurdly_deep_nesting_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    text = "---\ntitle: " + "[" * 1200 + "]" * 1200 + "\n---\n"
    result = load_written(tmp_path, text)  # raises RecursionError today
    assert result.deal is None
    assert result.problems


# --- every problem in one run ----------------------------------------------------------


def test_all_problems_in_a_file_are_reported_in_one_run(tmp_path: Path) -> None:
    text = edited(
        ("share_id: k7qm2xtz9p", "share_id: K7QM 2XTZ"),
        ("go_live: 2027-03-01", "go_live: 2027-02-30"),
        ("    value: Depot managers see", "    vaule: Depot managers see"),
        ("    status: in_progress\n    owners: [marco, lena]", "    status: doing\n    owners: [marco, lenna]"),
        ("    due: 2027-01-15", "    due: 15.01.2027"),
        ("cadence: Weekly", "title: Again\ncadence: Weekly"),
    )
    deal, problems = load_written(tmp_path, text, name="Northwind Logistics.md")
    assert deal is None
    found = [(p.line, p.col, p.message.split(";")[0].split(":")[0]) for p in problems]
    assert [(line, col) for line, col, _ in found] == [
        (1, 1),     # file name
        (7, 11),    # share_id characters
        (8, 10),    # impossible go_live
        (66, 5),    # unknown key vaule
        (69, 13),   # bad status
        (70, 21),   # unknown owner lenna
        (117, 10),  # date format
        (161, 1),   # duplicate title
    ], "\n".join(map(str, problems))
    messages = "\n".join(p.message for p in problems)
    for expected in ("rename it to `northwind-logistics.md`", "may use only a-z, 0-9 and -", "not a real date",
                     "did you mean `value`?", f"use one of: {STATUS_LIST}", "did you mean `lena`?",
                     "write dates as YYYY-MM-DD", "`title` is given twice"):
        assert expected in messages
    assert problems == sorted(problems, key=lambda p: (p.line, p.col))
    assert all(p.level == "error" and p.path == "Northwind Logistics.md" for p in problems)


# --- several plans together ------------------------------------------------------------


def test_duplicate_share_id_across_two_plans(tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    write(plans, CANONICAL_TEXT)
    write(plans, edited(("title: Northwind Logistics × Acme Analytics", "title: Northwind phase 2")), "northwind-phase-2.md")
    deals, problems = load_plans(plans, tmp_path)
    assert len(problems) == 1, "\n".join(map(str, problems))
    problem = problems[0]
    assert (problem.path, problem.line, problem.col) == ("plans/northwind-phase-2.md", 7, 11)
    assert problem.message.startswith(
        "share_id `k7qm2xtz9p` is already used by plans/northwind-logistics.md; every deal needs its own random share_id")
    assert sorted(d.slug for d in deals) == ["northwind-logistics", "northwind-phase-2"]


def test_load_plans_skips_underscore_and_dot_files_and_other_extensions(tmp_path: Path) -> None:
    write(tmp_path, CANONICAL_TEXT)
    write(tmp_path, "not a plan at all", "_template.md")
    write(tmp_path, "not a plan at all", ".scratch.md")
    write(tmp_path, "not a plan at all", "notes.txt")
    deals, problems = load_plans(tmp_path)
    assert problems == []
    assert [d.slug for d in deals] == ["northwind-logistics"]


def test_load_paths_keeps_going_past_a_bad_file(tmp_path: Path) -> None:
    good = write(tmp_path, CANONICAL_TEXT)
    bad = write(tmp_path, edited(("share_id: k7qm2xtz9p", "share_id: q2w8e4r6t0"), ("go_live: 2027-03-01", "go_live: tbd")), "acme-bad.md")
    empty = write(tmp_path, "", "empty-deal.md")
    deals, problems = load_paths([bad, good, empty], tmp_path)
    assert [d.slug for d in deals] == ["northwind-logistics"]
    assert [(p.path, p.line, p.col) for p in problems] == [("acme-bad.md", 8, 10), ("empty-deal.md", 1, 1)]


# --- the example plans in plans/ --------------------------------------------------------

EXAMPLES = ("northwind-logistics", "meridian-health", "brightpath-renewal", "tidewater-freight")


def test_example_plans_load_and_are_well_formed() -> None:
    deals, problems = load_plans(REPO / "plans", REPO)
    assert problems == [], "\n".join(map(str, problems))
    examples = [d for d in deals if d.slug in EXAMPLES]
    assert sorted(d.slug for d in examples) == sorted(EXAMPLES)
    assert len({d.plan.share_id for d in deals}) == len(deals)
    for deal in examples:
        assert len(deal.plan.share_id) == 10 and deal.plan.share_id.isalnum(), deal.slug
        plan = deal.plan
        assert plan.seller.name == "Acme Analytics", deal.slug
        assert 20 <= len(plan.value_summary.split()) <= 30, deal.slug
        assert derive.value_review(plan) is plan.milestones[-1], f"{deal.slug} should end with a value review"
        for milestone in plan.milestones:
            sides = {plan.stakeholder(o).side for o in milestone.owners}
            assert sides == {"buyer", "seller"}, f"{deal.slug}: {milestone.title}"


def test_example_plans_show_the_intended_situations() -> None:
    deals = {d.slug: d.plan for d in load_plans(REPO / "plans", REPO)[0]}
    today = dt.date(2026, 11, 24)
    meridian = deals["meridian-health"]
    assert len(meridian.milestones) == 9
    assert any(s.name is None for s in meridian.stakeholders)
    assert derive.health(meridian, today).level == "on_track"
    assert len(deals["brightpath-renewal"].milestones) == 7
    slipped = deals["tidewater-freight"]
    assert any(derive.slip_days(m) > 0 for m in slipped.milestones)
    assert any(s.status == "blocked" for m in slipped.milestones for s in m.steps)
    assert derive.overdue(slipped, today)
    assert derive.health(slipped, today).level == "at_risk"


def test_a_value_shown_in_a_message_keeps_the_message_on_one_line(tmp_path):
    """Found by the property tests: a quoted value with line breaks split a problem over lines."""
    path = tmp_path / "northwind-logistics.md"
    path.write_text(edited(("buyer:\n  name: Northwind Logistics\n", "buyer: '0\n\n  x'\n")), encoding="utf-8")
    deal, problems = load_plan(path, "plans/northwind-logistics.md")
    assert deal is None and [p.message for p in problems] == ["buyer: expected a group of `key: value` fields, got `0\\nx`"]
