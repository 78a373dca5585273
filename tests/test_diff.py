"""`mapsite diff`: what changed in each plan since a revision, read from a real git repository."""

from __future__ import annotations

import json
import re

import pytest

from conftest import CANONICAL
from gitrepo import GitRepo

PLAN = "plans/northwind-logistics.md"


def canonical() -> str:
    return CANONICAL.read_text(encoding="utf-8")


def edit(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def drop_milestone(text: str, title: str) -> str:
    return re.sub(rf"  - title: {re.escape(title)}\n(    .*\n)*", "", text, count=1)


@pytest.fixture
def repo(canonical_site):
    """The canonical plan committed on main, then a `feature` branch checked out."""
    git = GitRepo(canonical_site.root)
    git.commit("Northwind plan", date="2026-11-02")
    git.git("checkout", "-q", "-b", "feature")
    return git


def diff(site, *args: str):
    result = site.mapsite("diff", *args)
    assert "Traceback" not in result.stderr
    return result


CHANGED = (
    ("go_live: 2027-03-01", "go_live: 2027-03-15"),
    ("    due: 2026-11-27\n", "    due: 2026-12-04\n"),
    ("    status: in_progress\n    owners: [priya, lena]", "    status: done\n    owners: [marco, lena]"),
    ("        owner: legal\n        due: 2026-12-22\n", "        owner: legal\n        due: 2026-12-19\n        status: done\n"),
    ("        owner: priya\n", "        owner: marco\n"),
    ("  - id: priya\n    name: Priya Shah\n    side: buyer\n    role: IT Security Lead\n", ""),
    ("  - id: legal\n    side: buyer\n", "  - id: legal\n    name: Jane Doe\n    side: buyer\n"),
    ("    role: Customer Success Manager\n", "    role: Customer Success Manager\n  - id: ann\n    name: Ann Lee\n    side: buyer\n    role: CFO\n"),
    ("save about $1.2M a year.", "save about $1.4M a year."),
    ("  - title: Onboarding kick-off\n", "  - title: Data migration\n    due: 2027-02-01\n    owners: [marco, lena]\n"
                                          "  - title: Onboarding kick-off\n"),
)


def changed_plan() -> str:
    return drop_milestone(edit(canonical(), *CHANGED), "Business case approved")


def test_markdown_names_every_kind_of_change(repo, canonical_site):
    (canonical_site.plans / "northwind-logistics.md").write_text(changed_plan(), encoding="utf-8")
    repo.commit("Replan", date="2026-11-20")
    base = repo.git("merge-base", "HEAD", "main").strip()[:7]
    result = diff(canonical_site)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"""\
## Plan changes since the merge base with `main` (`{base}`)

### Northwind Logistics × Acme Analytics · `{PLAN}` (modified)

- **Go-live moved** 2027-03-01 → 2027-03-15 (+14 days)
- **Value summary changed** from “Cut dispatch planning at Northwind from six hours to forty-five minutes a day, so regional managers reroute trucks before 8 a.m. and save about \\$1.2M a year.” to “Cut dispatch planning at Northwind from six hours to forty-five minutes a day, so regional managers reroute trucks before 8 a.m. and save about \\$1.4M a year.”
- Milestone added: **Data migration**, due 2027-02-01
- Milestone removed: ~~Business case approved~~ (was due 2026-12-18)
- **Pilot on the Midwest region** moved 2026-11-27 → 2026-12-04 (+7 days)
- **Security and compliance review**: in progress → **done**
- Step Redlines returned moved 2026-12-22 → 2026-12-19 (−3 days)
- Step Redlines returned: not started → **done**
- Stakeholder added: **Ann Lee** (buyer, CFO)
- Stakeholder removed: **Priya Shah** (buyer, IT Security Lead)
- Role named: Legal counsel is now **Jane Doe**
"""


def test_json_for_tools(repo, canonical_site):
    (canonical_site.plans / "northwind-logistics.md").write_text(changed_plan(), encoding="utf-8")
    result = diff(canonical_site, "--json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["base"]["rev"] == "main" and data["base"]["commit"] == repo.git("rev-parse", "main").strip()
    [plan] = data["plans"]
    assert (plan["path"], plan["slug"], plan["change"]) == (PLAN, "northwind-logistics", "modified")
    assert plan["go_live"] == {"from": "2027-03-01", "to": "2027-03-15", "days": 14}
    assert plan["milestones"]["added"] == [{"title": "Data migration", "due": "2027-02-01"}]
    assert plan["milestones"]["removed"] == [{"title": "Business case approved", "due": "2026-12-18"}]
    assert plan["milestones"]["moved"] == [{"title": "Pilot on the Midwest region", "from": "2026-11-27", "to": "2026-12-04", "days": 7}]
    assert plan["milestones"]["status"] == [{"title": "Security and compliance review", "from": "in_progress", "to": "done"}]
    assert plan["steps"]["moved"] == [{"milestone": "Contract and order form signed", "task": "Redlines returned",
                                       "from": "2026-12-22", "to": "2026-12-19", "days": -3}]
    assert [p["id"] for p in plan["stakeholders"]["added"]] == ["ann"]
    assert [p["id"] for p in plan["stakeholders"]["removed"]] == ["priya"]
    assert plan["stakeholders"]["named"] == [{"id": "legal", "name": "Jane Doe", "side": "buyer", "role": "Legal counsel"}]
    assert plan["value_summary"]["to"].endswith("$1.4M a year.")


def test_added_and_deleted_plans_and_nothing_else(repo, canonical_site):
    plans = canonical_site.plans
    (plans / "old-deal.md").write_text(canonical().replace("k7qm2xtz9p", "olddeal123"), encoding="utf-8")
    repo.commit("Old deal", date="2026-11-03")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "feature")  # old-deal is on main now
    repo.git("checkout", "-q", "-b", "cleanup")
    (plans / "old-deal.md").unlink()
    (plans / "tidewater.md").write_text(canonical().replace("k7qm2xtz9p", "tide000001"), encoding="utf-8")  # untracked
    (plans / "_templates").mkdir()
    (plans / "_templates" / "enterprise.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    (plans / "logo.svg").write_text("<svg/>", encoding="utf-8")
    result = diff(canonical_site)
    assert result.returncode == 0, result.stderr
    sections = result.stdout.split("### ")[1:]
    assert [s.splitlines()[0] for s in sections] == [
        "Northwind Logistics × Acme Analytics · `plans/old-deal.md` (deleted)",
        "Northwind Logistics × Acme Analytics · `plans/tidewater.md` (added)",
    ]
    assert "- Plan deleted; it had: go-live 2027-03-01, 8 milestones from 2026-10-30 to 2027-05-31, 8 stakeholders, 1 still to name" in sections[0]
    assert "- New plan: go-live 2027-03-01, 8 milestones from 2026-10-30 to 2027-05-31, 8 stakeholders, 1 still to name" in sections[1]
    data = json.loads(diff(canonical_site, "--json").stdout)
    added = next(p for p in data["plans"] if p["change"] == "added")
    assert len(added["milestones"]["added"]) == 8 and len(added["stakeholders"]["added"]) == 8


def test_default_base_is_where_the_branch_left_main(repo, canonical_site):
    path = canonical_site.plans / "northwind-logistics.md"
    path.write_text(edit(canonical(), ("    due: 2026-12-11\n", "    due: 2026-12-15\n")), encoding="utf-8")
    repo.commit("Security review later", date="2026-11-21")
    repo.git("checkout", "-q", "main")
    path.write_text(edit(canonical(), ("go_live: 2027-03-01", "go_live: 2027-04-01")), encoding="utf-8")
    repo.commit("Go-live moved on main", date="2026-11-22")
    repo.git("checkout", "-q", "feature")
    result = diff(canonical_site)
    assert "**Security and compliance review** moved 2026-12-11 → 2026-12-15 (+4 days)" in result.stdout
    assert "Go-live" not in result.stdout  # main's own change is not this branch's

    against_tip = diff(canonical_site, "main")
    assert "since `main` (" in against_tip.stdout and "**Go-live moved** 2027-04-01 → 2027-03-01 (−31 days)" in against_tip.stdout


def test_explicit_revision_and_uncommitted_changes(repo, canonical_site):
    repo.git("tag", "v1")
    path = canonical_site.plans / "northwind-logistics.md"
    path.write_text(edit(canonical(), ("    status: not_started\n    owners: [dana, raj]",
                                       "    status: blocked\n    owners: [dana, raj]")), encoding="utf-8")
    result = diff(canonical_site, "v1")
    commit = repo.git("rev-parse", "v1").strip()
    assert result.stdout.startswith(f"## Plan changes since `v1` (`{commit[:7]}`)\n")
    assert "- **Business case approved**: not started → **blocked**" in result.stdout
    by_hash = diff(canonical_site, commit)
    assert by_hash.stdout.startswith(f"## Plan changes since commit `{commit[:7]}`\n")
    assert json.loads(diff(canonical_site, commit[:10], "--json").stdout)["base"]["commit"] == commit


def test_no_change_and_text_only_change(repo, canonical_site):
    result = diff(canonical_site)
    assert result.returncode == 0
    assert result.stdout.startswith("## Plan changes\n\nNo plan changed since the merge base with `main`")
    path = canonical_site.plans / "northwind-logistics.md"
    path.write_text(canonical() + "\nOne more line of narrative.\n", encoding="utf-8")
    assert "- No change to dates, milestones, statuses, people or the value summary." in diff(canonical_site).stdout


def test_without_main_falls_back_to_the_previous_commit(site):
    git = GitRepo(site.root, branch="trunk")
    path = site.add_plan("northwind-logistics.md", canonical())
    git.commit("Plan")
    assert re.search(r"since the only commit \(`[0-9a-f]{7}`; no main or master branch here\)", diff(site).stdout)
    path.write_text(edit(canonical(), ("go_live: 2027-03-01", "go_live: 2027-03-08")), encoding="utf-8")
    git.commit("Go-live a week later")
    result = diff(site)
    assert re.match(r"## Plan changes since the previous commit \(`[0-9a-f]{7}`; no main or master branch here\)\n", result.stdout)
    assert "**Go-live moved** 2027-03-01 → 2027-03-08 (+7 days)" in result.stdout


def test_pull_request_base_branch_from_github_actions(site):
    git = GitRepo(site.root, branch="develop")
    path = site.add_plan("northwind-logistics.md", canonical())
    git.commit("Plan")
    git.git("checkout", "-q", "-b", "pr")
    path.write_text(edit(canonical(), ("go_live: 2027-03-01", "go_live: 2027-03-02")), encoding="utf-8")
    git.commit("Go-live")
    path.write_text(edit(canonical(), ("go_live: 2027-03-01", "go_live: 2027-03-03")), encoding="utf-8")
    git.commit("Go-live again")
    result = site.mapsite("diff", env={"GITHUB_BASE_REF": "develop"})
    assert "since the merge base with `develop` (`" in result.stdout
    assert "2027-03-01 → 2027-03-03 (+2 days)" in result.stdout


def test_an_unreadable_version_is_named_not_a_traceback(repo, canonical_site):
    path = canonical_site.plans / "northwind-logistics.md"
    path.write_text(canonical().replace("go_live:", "golive:"), encoding="utf-8")
    result = diff(canonical_site)
    assert result.returncode == 0
    assert ("- Could not read the current version: plans/northwind-logistics.md:2:1: \\`go\\_live\\` is required "
            "but missing (run \\`mapsite check\\`)\n") in result.stdout


def test_markdown_escapes_plan_text(repo, canonical_site):
    path = canonical_site.plans / "northwind-logistics.md"
    path.write_text(edit(canonical(), ("  - title: Onboarding kick-off\n", "  - title: Onboarding *kick-off*\n"),
                         ("title: Northwind Logistics × Acme Analytics", "title: \"<b>Northwind</b> *×* [Acme](x)\"")),
                    encoding="utf-8")
    result = diff(canonical_site)
    assert "### \\<b\\>Northwind\\</b\\> \\*×\\* \\[Acme\\](x) · `plans/northwind-logistics.md` (modified)" in result.stdout
    assert "- Milestone added: **Onboarding \\*kick-off\\***, due 2027-01-15" in result.stdout


def test_bad_revision_and_no_repository_exit_1_with_a_message(canonical_site, repo):
    result = diff(canonical_site, "no-such-branch")
    assert result.returncode == 1
    assert result.stderr == "mapsite: `no-such-branch` is not a commit in this repository (try a branch, a tag or a commit hash)\n"
    dash = diff(canonical_site, "--", "--output=/tmp/x")
    assert dash.returncode == 1 and "is not a commit" in dash.stderr


def test_outside_a_repository(canonical_site):
    result = diff(canonical_site)
    assert result.returncode == 1
    assert "is not inside a git repository; `mapsite diff` compares plans with an earlier commit" in result.stderr


def test_a_change_that_moves_the_projected_go_live_says_by_how_many_days(repo, canonical_site):
    path = canonical_site.plans / "northwind-logistics.md"
    late = edit(canonical(), ("    due: 2026-12-11\n", "    due: 2026-11-04\n"))  # security review: 20 days late on 2026-11-24
    path.write_text(late, encoding="utf-8")
    result = diff(canonical_site)
    assert "- **Projected go-live moved** 2027-03-01 → 2027-03-21 (+20 days)\n" in result.stdout, result.stdout
    assert json.loads(diff(canonical_site, "--json").stdout)["plans"][0]["projected_go_live"] == {
        "from": "2027-03-01", "to": "2027-03-21", "days": 20}
    repo.commit("Security review late", date="2026-11-20")
    path.write_text(edit(late, ("    status: in_progress\n    owners: [priya, lena]", "    status: done\n    owners: [priya, lena]")),
                    encoding="utf-8")
    assert "- **Projected go-live moved** 2027-03-21 → 2027-03-01 (−20 days)\n" in diff(canonical_site, "HEAD").stdout
    path.write_text(edit(late, ("go_live: 2027-03-01", "go_live: 2027-03-08")), encoding="utf-8")
    moved = diff(canonical_site, "HEAD").stdout
    assert "**Go-live moved** 2027-03-01 → 2027-03-08 (+7 days)" in moved and "Projected" not in moved  # said once
