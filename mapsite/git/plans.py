"""Plans as git knows them: which changed since a revision, and their text back then.

Used by `mapsite diff`; git runs through `mapsite.git.runner`, whose GitError the command prints.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from mapsite.git import runner
from mapsite.git.runner import GitError, GitMissing
from mapsite.plan import is_plan_file

BRANCHES = ("main", "origin/main", "master", "origin/master")


@dataclass(frozen=True)
class Base:
    """The revision plans are compared with."""

    label: str  # what the rep asked for or what was picked: `main`, `HEAD~1`, ...
    commit: str  # full hash, or git's empty tree for a repository without commits
    how: str  # what it is, for people: "the merge base with `main` (`abc1234`)"


@dataclass(frozen=True)
class Changed:
    status: str  # added, deleted or modified
    path: str  # relative to the repository's top, with /


def top_level(folder: Path) -> Path:
    """The repository's top folder; a GitError saying what `mapsite diff` needs when there is none."""
    try:
        return runner.top_level(folder)
    except GitMissing:
        raise GitMissing("git is not installed; `mapsite diff` needs it") from None
    except GitError:
        raise GitError(f"{folder} is not inside a git repository; `mapsite diff` compares plans with an earlier commit") from None


def resolve_base(top: Path, rev: str | None) -> Base:
    """`rev` when given; else the merge base with main (or master, or the pull request's base), else the last commit."""
    if rev:
        commit = _commit(top, rev)
        if commit is None:
            raise GitError(f"`{rev}` is not a commit in this repository (try a branch, a tag or a commit hash)")
        named = f"commit `{commit[:7]}`" if commit.startswith(rev.lower()) else f"`{rev}` (`{commit[:7]}`)"
        return Base(rev, commit, named)
    head = _commit(top, "HEAD")
    if head is None:
        return Base("(no commits)", runner.text(["hash-object", "-t", "tree", os.devnull], top).strip(), "an empty repository")
    pull_request = os.environ.get("GITHUB_BASE_REF", "")
    candidates = ([f"origin/{pull_request}", pull_request] if pull_request else []) + list(BRANCHES)
    for branch in dict.fromkeys(candidates):
        if _commit(top, branch) is None:
            continue
        try:
            merge_base = runner.text(["merge-base", "HEAD", branch], top).strip()
        except GitError:
            continue  # unrelated histories
        return Base(branch, merge_base, f"the merge base with `{branch}` (`{merge_base[:7]}`)")
    previous = _commit(top, "HEAD~1")
    if previous is not None:
        return Base("HEAD~1", previous, f"the previous commit (`{previous[:7]}`; no main or master branch here)")
    return Base("HEAD", head, f"the only commit (`{head[:7]}`; no main or master branch here)")


def changed_plans(top: Path, plans_dir: Path, base: Base) -> list[Changed]:
    """Plans (not `_`-prefixed) that differ between `base` and the working tree, untracked ones included."""
    try:
        folder = PurePosixPath(plans_dir.resolve().relative_to(top.resolve()).as_posix())
    except ValueError:
        raise GitError(f"the plans folder {plans_dir} is outside the git repository at {top}") from None
    spec = str(folder) if str(folder) != "." else "."
    listed = runner.text(["diff", "--name-status", "--no-renames", "-z", base.commit, "--", spec], top).split("\0")
    found: dict[str, str] = {}
    for status, path in zip(listed[0::2], listed[1::2]):
        found[path] = {"A": "added", "D": "deleted"}.get(status[:1], "modified")
    for path in runner.text(["ls-files", "--others", "--exclude-standard", "-z", "--", spec], top).split("\0"):
        if path:
            found[path] = "added"
    return [Changed(status, path) for path, status in sorted(found.items()) if _is_plan(PurePosixPath(path), folder)]


def text_at(top: Path, commit: str, path: str) -> str:
    """The file's text at `commit`."""
    return runner.text(["show", f"{commit}:{path}"], top)


def _is_plan(path: PurePosixPath, folder: PurePosixPath) -> bool:
    return path.parent == folder and is_plan_file(path.name)


def _commit(top: Path, rev: str) -> str | None:
    try:
        return runner.text(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], top).strip() or None
    except GitError:
        return None
