"""`mapsite.git.runner`: every git call fails the same way, a GitError in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from mapsite.git import runner
from mapsite.git.dates import last_changed
from mapsite.git.history import date_moves
from mapsite.git.runner import GitError, GitMissing


def test_a_failing_git_is_one_line(tmp_path: Path):
    with pytest.raises(GitError) as raised:
        runner.text(["rev-parse", "--show-toplevel"], tmp_path)  # not a repository
    assert "\n" not in str(raised.value) and "not a git repository" in str(raised.value)


def test_no_git_is_a_git_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no git here
    with pytest.raises(GitMissing, match="^git is not installed$"):
        runner.run(["status"], tmp_path)


def test_dates_and_history_are_empty_without_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The site still builds: no dates from git, no date changes."""
    plan = tmp_path / "deal.md"
    plan.write_text("---\ntitle: x\n---\n", encoding="utf-8")
    assert last_changed([plan], tmp_path) == {} and date_moves([plan], tmp_path) == {}
    monkeypatch.setenv("PATH", str(tmp_path))
    assert last_changed([plan], tmp_path) == {} and date_moves([plan], tmp_path) == {}
