"""A real git repository in a test's folder, with commits made on chosen dates."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class GitRepo:
    def __init__(self, root: Path, branch: str = "main"):
        self.root = root
        self.git("init", "-q", "-b", branch)

    def env(self, date: str | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.update(GIT_AUTHOR_NAME="Rep", GIT_AUTHOR_EMAIL="rep@acme.example", GIT_COMMITTER_NAME="Rep",
                   GIT_COMMITTER_EMAIL="rep@acme.example", GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
        if date:
            env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date}T12:00:00+00:00"
        return env

    def git(self, *args: str, date: str | None = None) -> str:
        result = subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True, env=self.env(date))
        assert result.returncode == 0, f"git {' '.join(args)} failed:\n{result.stderr}"
        return result.stdout

    def commit(self, message: str, date: str = "2026-11-20", paths: tuple[str, ...] = (".",)) -> str:
        self.git("add", "-A", *paths)
        self.git("commit", "-q", "--allow-empty", "-m", message, date=date)
        return self.git("rev-parse", "HEAD").strip()
