"""The one way mapsite runs git: the `git` executable through subprocess, nothing to install or configure.

One error contract for every caller: anything that stops git from answering (not installed, too
slow, a non-zero exit) is a `GitError` whose message is one line a rep can read.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

TIMEOUT = 120  # seconds: a git that hangs (a lock, a network filesystem) must not hang a build


class GitError(Exception):
    """Why git could not answer, in one line."""


class GitMissing(GitError):
    """No `git` executable on PATH."""


def run(args: list[str], cwd: Path, *, stdin: bytes | None = None, partial: bool = False) -> bytes:
    """git's standard output for `git <args>` run in `cwd`.

    `partial`: a non-zero exit still returns what git wrote before it stopped (a batch read
    where every answer written is good).
    """
    try:
        result = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, timeout=TIMEOUT)
    except FileNotFoundError:
        raise GitMissing("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {TIMEOUT} s") from None
    except OSError as error:  # cwd gone or not a folder
        raise GitError(f"git {args[0]}: {error.strerror or error}") from None
    if result.returncode != 0 and not partial:
        message = " ".join(result.stderr.decode("utf-8", "replace").split())
        raise GitError(message or f"git {args[0]} failed")
    return result.stdout


def text(args: list[str], cwd: Path) -> str:
    """`run` decoded as UTF-8 (what git cannot decode is replaced, never an error)."""
    return run(args, cwd).decode("utf-8", "replace")


def top_level(folder: Path) -> Path:
    """The top folder of the repository `folder` is in; GitError outside one."""
    return Path(text(["rev-parse", "--show-toplevel"], folder).strip())
