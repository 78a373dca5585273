"""`git.dates` asks git about a plans folder, not 1,000s of paths one by one, and answers only for the paths asked."""

from __future__ import annotations

import datetime as dt
import subprocess

from gitrepo import GitRepo

from mapsite.git import dates


def test_many_paths_are_asked_by_folder_and_answered_one_by_one(tmp_path):
    repo = GitRepo(tmp_path)
    folder = tmp_path / "pl*ans [x]"  # a pattern character in a folder's name is literal
    folder.mkdir()
    asked = [folder / f"deal-{n:03}.md" for n in range(dates.FEW + 6)]
    for path in asked:
        path.write_text("v1\n")
    (folder / "not-asked.md").write_text("v1\n")
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "deal-000.md").write_text("v1\n")  # the same name elsewhere: not asked
    repo.commit("first", date="2026-10-01")
    asked[1].write_text("v2\n")
    (folder / "not-asked.md").write_text("v2\n")
    (tmp_path / "plans" / "deal-000.md").write_text("v2\n")
    repo.commit("second", date="2026-11-02")

    specs = dates.pathspecs([p.resolve() for p in asked])
    assert specs == [f":(literal){folder.resolve()}"]
    changed = dates.last_changed(asked, tmp_path)
    assert set(changed) == set(asked)
    assert changed[asked[1]] == dt.date(2026, 11, 2) and changed[asked[0]] == dt.date(2026, 10, 1)
    versions = dates.plan_versions(asked, tmp_path)
    assert [day for _, day, *_ in versions[asked[1]]] == [dt.date(2026, 10, 1), dt.date(2026, 11, 2)]
    blob = subprocess.run(["git", "hash-object", str(asked[1])], capture_output=True, text=True, check=True).stdout.strip()
    assert versions[asked[1]][-1][3] == blob  # what history reads by id, with no search of a tree

    asked[2].write_text("editing\n")
    (folder / "not-asked.md").write_text("editing\n")
    assert dates.edited_now(asked, tmp_path) == {asked[2]}


def test_few_paths_are_asked_by_name(tmp_path):
    paths = [tmp_path / "a.md", tmp_path / "b.md"]
    assert dates.pathspecs([p.resolve() for p in paths]) == [f":(literal){p.resolve()}" for p in paths]
