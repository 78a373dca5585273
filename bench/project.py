"""The generated projects the benchmarks build: mapsite's (plans in git, with history) and plain MkDocs'.

10,000 deals with 3 commits of history are 30,000 plan files: written one by one and committed with
`git add -A` that took many minutes. Here the plans are generated in worker processes, streamed
into `git fast-import` as commits (no index, no work tree in between), and the work tree is
checked out once at the end. A project already in place with the same parameters is reused
(`reuse=True`): reset to the commit it was generated at, so an earlier run's edits are gone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

import genplans

REPO = Path(__file__).resolve().parent.parent
TODAY = genplans.TODAY.isoformat()
MARKER = ".bench-project.json"  # what a project was generated with, and its last generated commit
GENERATOR = 2  # raise when generated plans change, so older projects are made again

# The repo's mkdocs.yml, frozen here so the benchmark does not move with it; mapsite's is the
# same plus the plugin, so both sites share theme, palette and Markdown extensions.
THEME = """\
site_name: Acme Analytics · Deal rooms
site_description: Shared plans between Acme Analytics and its customers.
docs_dir: {docs}
site_dir: site
use_directory_urls: true

theme:
  name: material
  custom_dir: {theme}
  font: false
  language: en
  features: []
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      primary: indigo
      accent: indigo
      toggle:
        icon: material/weather-night
        name: Switch to dark mode
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      primary: indigo
      accent: indigo
      toggle:
        icon: material/weather-sunny
        name: Switch to light mode

markdown_extensions:
  - attr_list
  - admonition

extra:
  generator: false
"""
MAPSITE_PLUGINS = """
plugins:
  - mapsite:
      plans_dir: plans
      today: "{today}"
"""
PLAIN_PLUGINS = "\nplugins: []\n"


def git(args: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", *args],
                          cwd=cwd, check=True, capture_output=True, **kwargs)


def _plans(indices: range, seed: int, revision: int, options: dict) -> list[tuple[str, bytes]]:
    return [(slug, text.encode()) for slug, text in
            (genplans.plan_file(index, seed, revision, **options) for index in indices)]


def _revisions(count: int, history: int, seed: int, options: dict):
    """Each revision's plans, [(slug, bytes)] in index order, made in worker processes."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    chunk = max(50, count // (cores * 8) + 1)
    chunks = [range(start, min(start + chunk, count)) for start in range(0, count, chunk)]
    if count < 200 or cores == 1:
        for revision in range(history):
            yield [plan for part in chunks for plan in _plans(part, seed, revision, options)]
        return
    with ProcessPoolExecutor(cores) as pool:
        for revision in range(history):
            yield [plan for part in pool.map(partial(_plans, seed=seed, revision=revision, options=options), chunks)
                   for plan in part]


def _blob(path: str, data: bytes) -> bytes:
    return b"M 100644 inline " + path.encode() + b"\ndata " + str(len(data)).encode() + b"\n" + data + b"\n"


def make_mapsite_project(root: Path, count: int, history: int, seed: int, languages: tuple[str, ...] = (),
                         dependencies: bool = False, team: bool = False, reuse: bool = False) -> list[str]:
    """mkdocs.yml and plans/ in a git repository: `history` commits, each moving some due dates.

    With `reuse`, a project at `root` generated with the same parameters is kept (reset to its
    generated commit, its site and local state removed) instead of being made again.
    """
    options = {"languages": tuple(languages), "dependencies": dependencies, "team": team}
    params = {"count": count, "history": history, "seed": seed, "generator": GENERATOR,
              **{k: list(v) if isinstance(v, tuple) else v for k, v in options.items()}}
    if reuse and _reset(root, params):
        return json.loads((root / MARKER).read_text())["slugs"]
    if root.exists():
        shutil.rmtree(root)
    (root / "plans").mkdir(parents=True)
    git(["init", "-q"], root)
    branch = git(["symbolic-ref", "HEAD"], root, text=True).stdout.strip()
    config = (THEME.format(docs="plans", theme=REPO / "theme_overrides") + MAPSITE_PLUGINS.format(today=TODAY)
              + ("      team: true\n" if team else ""))
    ignore = f"/site/\n/.mapsite/\n/{MARKER}\n"
    now, slugs = int(time.time()), []
    with tempfile.TemporaryFile() as errors, subprocess.Popen(
            ["git", "fast-import", "--quiet"], cwd=root, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
            stderr=errors) as importer:
        for revision, plans in enumerate(_revisions(count, history, seed, options)):
            message = f"plans, revision {revision}".encode()
            stream = [f"commit {branch}\ncommitter bench <bench@example.invalid> {now - history + revision} +0000\n"
                      f"data {len(message)}\n".encode() + message + b"\n"]
            if revision == 0:
                stream += [_blob("mkdocs.yml", config.encode()), _blob(".gitignore", ignore.encode())]
            stream += [_blob(f"plans/{slug}.md", data) for slug, data in plans]
            importer.stdin.write(b"".join(stream) + b"\n")
            slugs = [slug for slug, _ in plans]
        importer.stdin.close()
        if importer.wait() != 0:
            errors.seek(0)
            raise SystemExit(f"git fast-import failed in {root}: {errors.read().decode(errors='replace')}")
    git(["reset", "-q", "--hard"], root)
    head = git(["rev-parse", "HEAD"], root, text=True).stdout.strip()
    (root / MARKER).write_text(json.dumps({"params": params, "head": head, "slugs": slugs}) + "\n")
    return slugs


def _reset(root: Path, params: dict) -> bool:
    """Put an existing project made with `params` back to its generated commit; False if there is none."""
    try:
        marker = json.loads((root / MARKER).read_text())
    except (OSError, ValueError):
        return False
    if marker.get("params") != params:
        return False
    try:
        git(["reset", "-q", "--hard", marker["head"]], root)
        git(["clean", "-q", "-f", "-d", "--", "plans"], root)
    except subprocess.CalledProcessError:
        return False
    for folder in ("site", ".mapsite"):
        shutil.rmtree(root / folder, ignore_errors=True)
    return True


def commit_change(root: Path, slug: str, number: int = 0) -> str:
    """One plan changed as a rep's push changes it: a step marked done, committed. Returns what changed."""
    plan = root / "plans" / f"{slug}.md"
    text = plan.read_text(encoding="utf-8")
    steps = list(re.finditer(r"^( {4,})status: not_started$", text, re.M))
    if not steps:
        raise SystemExit(f"{plan}: no step left to mark done")
    step = steps[number % len(steps)]
    plan.write_text(text[:step.start()] + f"{step.group(1)}status: done" + text[step.end():], encoding="utf-8")
    git(["commit", "-q", "-am", f"{slug}: a step done"], root)
    line = text.count("\n", 0, step.start()) + 1
    return f"plans/{slug}.md:{line}: status: not_started -> done"


def make_plain_project(root: Path, count: int, seed: int) -> None:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / "mkdocs.yml").write_text(THEME.format(docs="docs", theme=REPO / "theme_overrides") + PLAIN_PLUGINS,
                                     encoding="utf-8")
    genplans.write_plain_pages(root / "docs", count, seed, revision=0)
