"""Best-practice advice from `mapsite check`: warnings on the right line with a fix, never a failed build."""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

from conftest import CANONICAL, REPO, TODAY
from gitrepo import GitRepo
from mapsite.insight.advice import advise
from mapsite.insight.report import render
from mapsite.plan import load_text

PLAN = "plans/northwind-logistics.md"


def canonical() -> str:
    return CANONICAL.read_text(encoding="utf-8")


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the nth line containing `needle`."""
    hits = [number for number, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) >= nth, f"{needle!r} not in the plan"
    return hits[nth - 1]


def drop_milestone(text: str, title: str) -> str:
    return re.sub(rf"  - title: {re.escape(title)}\n(    .*\n)*", "", text, count=1)


def advice(text: str) -> list[dict]:
    """The advice `mapsite check --format json` gives on a valid plan outside git, by direct call, as of the build date.

    The command itself (exit codes, --strict, formats, git staleness) is run as a real process in the tests below.
    """
    deal, problems = load_text(text, Path(PLAN))
    assert deal is not None and problems == [], problems
    return json.loads(render(advise(deal, PLAN, dt.date.fromisoformat(TODAY)), "json"))


def messages(found: list[dict]) -> list[str]:
    return [w["message"] for w in found]


def test_canonical_plan_passes_with_two_warnings_that_name_line_and_fix(canonical_site):
    text = canonical()
    result = canonical_site.mapsite("check")
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        f"{PLAN}:{line_of(text, 'id: legal')}:5: warning: open role `legal` (Legal counsel) has no name and no "
        "`name_by`; add the person's `name`, or `name_by: YYYY-MM-DD`, the date by which you will know who it is",
        f"{PLAN}:{line_of(text, 'due: 2026-11-18')}:14: warning: step `Configure the pilot workspace and routing rules` "
        "was due 2026-11-18 (6 days ago) and is not done; set `status: done`, or agree a new `due`",
    ]
    assert "1 plan OK, 2 warnings" in result.stderr


def test_strict_turns_advice_into_errors(canonical_site):
    result = canonical_site.mapsite("check", "--strict")
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 2 and "warning:" not in result.stdout
    assert result.stdout.startswith(f"{PLAN}:{line_of(canonical(), 'id: legal')}:5: open role `legal`")
    assert "1 of 1 plan invalid" in result.stderr


def test_a_plan_without_advice_passes_strict():
    text = canonical().replace("    role: Legal counsel\n", "    role: Legal counsel\n    name_by: 2026-12-04\n")
    text = text.replace("        due: 2026-11-18\n        status: in_progress", "        due: 2026-11-18\n        status: done")
    assert advice(text) == []  # nothing that --strict would make an error


def test_value_summary_outside_20_to_30_words():
    text = re.sub(r"value_summary: >-\n(  .*\n)+", "value_summary: Faster dispatch planning.\n", canonical())
    found = advice(text)
    warning = next(w for w in found if "value_summary" in w["message"])
    assert warning["line"] == line_of(text, "value_summary:") and warning["level"] == "warning"
    assert "has 3 words; write 20-30 words" in warning["message"]

    long = canonical().replace("save about $1.2M a year.", "save about $1.2M a year, " + "and more " * 5 + "every year.")
    assert any("value_summary has 39 words" in m for m in messages(advice(long)))


def test_fewer_than_seven_milestones():
    text = drop_milestone(drop_milestone(canonical(), "Business case approved"), "Onboarding kick-off")
    found = advice(text)
    warning = next(w for w in found if "milestones the buyer sees" in w["message"])
    assert warning["line"] == line_of(text, "milestones:") and warning["col"] == 1
    assert "the plan has 6 milestones the buyer sees; aim for 7-9" in warning["message"]


def test_internal_milestones_are_not_counted_or_judged_for_the_buyer():
    text = canonical().replace("  - title: Business case approved\n", "  - title: Business case approved\n    internal: true\n")
    text = text.replace("    owners: [dana, raj]\n  - title: Contract", "    owners: [raj]\n  - title: Contract")
    found = messages(advice(text))
    assert not any("milestones the buyer sees" in m for m in found)  # 7 the buyer sees: fine
    assert not any("Business case approved" in m for m in found)


def test_milestone_owned_by_one_side_only():
    text = canonical().replace("owners: [marco, lena]", "owners: [lena]", 1)
    warning = next(w for w in advice(text) if "owners only" in w["message"])
    assert warning["line"] == line_of(text, "owners: [lena]")
    assert warning["message"] == ("milestone `Pilot on the Midwest region` has owners only on the seller side; add a buyer "
                                  "owner to `owners` (e.g. `dana`) so both teams commit to it")

    no_owners = canonical().replace("    owners: [priya, lena]\n", "")
    warning = next(w for w in advice(no_owners) if "no owners" in w["message"])
    assert warning["line"] == line_of(no_owners, "title: Security and compliance review")
    assert "add `owners: [`dana`, `raj`]`, one from each side" in warning["message"]


def test_milestone_without_value():
    text = canonical().replace("    value: Depot managers see real reroute proposals on their own trucks.\n", "")
    warning = next(w for w in advice(text) if "no `value`" in w["message"])
    assert (warning["line"], warning["col"]) == (line_of(text, "title: Pilot on the Midwest region"), 5)
    assert "add `value:` saying what the buyer gets" in warning["message"]


def test_plan_ending_with_a_signature_or_at_go_live():
    signed = canonical().replace("title: Optimization review", "title: Renewal contract signed")
    warning = next(w for w in advice(signed) if "ends with" in w["message"])
    assert warning["line"] == line_of(signed, "title: Renewal contract signed")
    assert "a signature, not the buyer's value; add a last milestone after go-live" in warning["message"]

    at_go_live = drop_milestone(canonical(), "Optimization review")
    warning = next(w for w in advice(at_go_live) if "ends with" in w["message"])
    assert warning["line"] == line_of(at_go_live, "title: Rollout to all 14 depots")
    assert "on or before go-live (2027-03-01)" in warning["message"] and "Optimization review" in warning["message"]


def test_open_role_past_its_name_by_date():
    past = canonical().replace("    role: Legal counsel\n", "    role: Legal counsel\n    name_by: 2026-11-02\n")
    warning = next(w for w in advice(past) if "open role" in w["message"])
    assert warning["line"] == line_of(past, "name_by: 2026-11-02")
    assert "was to be named by 2026-11-02; add the person's `name`, or agree a new `name_by` date" in warning["message"]

    future = canonical().replace("    role: Legal counsel\n", "    role: Legal counsel\n    name_by: 2026-12-01\n")
    assert not any("open role" in m for m in messages(advice(future)))


def test_step_due_after_its_milestone():
    text = canonical().replace("        due: 2027-01-08\n", "        due: 2027-01-12\n")
    warning = next(w for w in advice(text) if "after its milestone" in w["message"])
    assert warning["line"] == line_of(text, "due: 2027-01-12")
    assert warning["message"] == ("step `Final signatures` is due 2027-01-12, after its milestone `Contract and order form "
                                  "signed` (2027-01-08); make it due on or before 2027-01-08, or move the milestone")


def test_work_due_after_go_live_except_the_final_review():
    text = canonical().replace("    due: 2027-03-01\n", "    due: 2027-03-08\n")
    found = [w for w in advice(text) if "after go-live" in w["message"]]
    assert [w["line"] for w in found] == [line_of(text, "due: 2027-03-08")]
    assert "milestone `Rollout to all 14 depots` is due 2027-03-08, after go-live (2027-03-01)" in found[0]["message"]


def test_overdue_milestone():
    text = canonical().replace("    due: 2026-11-27\n", "    due: 2026-11-23\n")
    warning = next(w for w in advice(text) if "milestone `Pilot" in w["message"])
    assert warning["line"] == line_of(text, "due: 2026-11-23")
    assert "was due 2026-11-23 (1 day ago) and is not done; set `status: done`, or agree a new `due` and keep the first date in `baseline`" in warning["message"]


def test_more_than_thirty_steps():
    steps = "    steps:\n" + "".join(f"      - task: Finance task {n}\n        owner: dana\n" for n in range(22))
    text = canonical().replace("    owners: [dana, raj]\n", "    owners: [dana, raj]\n" + steps, 1)
    warning = next(w for w in advice(text) if "steps" in w["message"])
    assert warning["line"] == line_of(text, "milestones:")
    assert "the plan has 31 steps the buyer sees; keep it to 30 or fewer" in warning["message"]


def test_the_teams_own_steps_do_not_count_toward_thirty():
    steps = "    steps:\n" + "".join(f"      - task: Finance task {n}\n        owner: dana\n" for n in range(20))
    internal = "".join(f"      - task: Deal desk {n}\n        owner: tom\n        internal: true\n" for n in range(5))
    text = canonical().replace("    owners: [dana, raj]\n", "    owners: [dana, raj]\n" + steps + internal, 1)
    assert not [w for w in advice(text) if "steps the buyer sees" in w["message"]]  # 29 the buyer sees, 34 in all
    for n in (0, 1):  # two of them shared with the buyer: 31
        text = text.replace(f"      - task: Deal desk {n}\n        owner: tom\n        internal: true\n",
                            f"      - task: Deal desk {n}\n        owner: tom\n", 1)
    assert [w for w in advice(text) if "the plan has 31 steps the buyer sees" in w["message"]]


def test_errors_and_warnings_together_exit_1_and_say_which_is_which(site):
    site.add_plan("broken.md", canonical().replace("share_id: k7qm2xtz9p", "share_id: other-deal-1").replace("go_live:", "golive:"))
    site.add_plan("northwind-logistics.md", canonical())
    result = site.mapsite("check")
    assert result.returncode == 1
    assert f"plans/broken.md:{line_of(canonical(), 'go_live:')}:1: unknown key `golive`" in result.stdout
    assert f"{PLAN}:{line_of(canonical(), 'id: legal')}:5: warning: open role" in result.stdout
    assert "1 of 2 plans invalid" in result.stderr


def test_github_annotations_escape_messages_and_properties(site):
    folder = site.root / "deals, 2026:q4"
    folder.mkdir()
    text = canonical().replace("  - title: Pilot on the Midwest region\n", '  - title: "Pilot: 100%,\\r\\nMidwest"\n')
    text = text.replace("    value: Depot managers see real reroute proposals on their own trucks.\n", "")
    (folder / "northwind-logistics.md").write_text(text, encoding="utf-8")
    result = site.mapsite("check", "--plans", str(folder), "--format", "github")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(line.startswith("::warning file=deals%2C 2026%3Aq4/northwind-logistics.md,line=") for line in lines)
    pilot = line_of(text, 'title: "Pilot')
    expected = (f"::warning file=deals%2C 2026%3Aq4/northwind-logistics.md,line={pilot},col=5,"
                "title=mapsite check::milestone `Pilot: 100%25,%0D%0AMidwest` has no `value`; add `value:` saying what "
                "the buyer gets when it is done")
    assert expected in lines

    strict = site.mapsite("check", "--plans", str(folder), "--format", "github", "--strict")
    assert strict.returncode == 1 and strict.stdout.startswith("::error file=")


def test_json_output_is_an_array_for_tools(canonical_site):
    result = canonical_site.mapsite("check", "--format", "json")
    found = json.loads(result.stdout)
    assert [sorted(w) for w in found] == [["col", "level", "line", "message", "path"]] * 2
    assert {w["path"] for w in found} == {PLAN} and {w["level"] for w in found} == {"warning"}
    empty = canonical_site.mapsite("check", "--format", "json", "plans/does-not-exist.md")
    assert empty.returncode == 1 and json.loads(empty.stdout)[0]["message"].startswith("cannot read the file")


@pytest.mark.parametrize(("committed", "stale"), [("2026-10-01", True), ("2026-11-03", True), ("2026-11-04", False)])
def test_plan_untouched_in_git_for_21_days(canonical_site, committed, stale):
    GitRepo(canonical_site.root).commit("Northwind plan", date=committed)
    result = canonical_site.mapsite("check", "--format", "json")
    found = [w for w in json.loads(result.stdout) if "has not changed in git" in w["message"]]
    if not stale:
        assert found == []
        return
    days = {"2026-10-01": 54, "2026-11-03": 21}[committed]
    assert [(w["line"], w["col"]) for w in found] == [(1, 1)]
    assert found[0]["message"].startswith(f"the plan has not changed in git for {days} days (last on {committed}); "
                                          "review it with the buyer")


def test_uncommitted_edits_count_as_touched_today(canonical_site):
    GitRepo(canonical_site.root).commit("Northwind plan", date="2026-10-01")
    plan = canonical_site.plans / "northwind-logistics.md"
    plan.write_text(plan.read_text(encoding="utf-8").replace("status: in_progress", "status: done", 1), encoding="utf-8")
    result = canonical_site.mapsite("check", "--format", "json")
    assert not any("has not changed in git" in w["message"] for w in json.loads(result.stdout))


def test_mkdocs_build_logs_advice_at_info_and_still_passes_strict(canonical_built):
    result = canonical_built.last  # the shared `mkdocs build --strict` of the canonical plan
    assert result.returncode == 0
    line = line_of(canonical(), "id: legal")
    assert f"INFO    -  mapsite advice: plans/northwind-logistics.md:{line}:5: warning: open role `legal`" in result.stderr
    assert "WARNING" not in result.stderr


def test_pre_commit_hook_runs_check_on_plan_changes_only(canonical_site):
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "mapsite-check" and hook["language"] == "python" and hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert files.search("plans/northwind-logistics.md")
    assert not any(files.search(p) for p in ("plans/_templates/enterprise.md", "plans/logo.svg", "README.md", "plans/.x.md"))
    command = shlex.split(hook["entry"])
    assert command[0] == "mapsite"  # the console script pyproject installs
    result = canonical_site.mapsite(*command[1:], "--strict")
    assert result.returncode == 1 and "open role `legal`" in result.stdout
