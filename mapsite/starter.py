"""`mapsite init`: a new deal repository with everything a build and the publish workflow need, and no sample deals.

Copied from the mapsite checkout this command runs from: mkdocs.yml (with the seller's name, or none),
the plan templates, the theme, the workflows and host configs, `.gitignore` (which keeps `.mapsite/`
and `site/` out of git), and mapsite itself (`pyproject.toml`, `mapsite/`), because the workflows
install it with `pip install -e .` from the repository they run in. The sample deals of `plans/`,
the tests and the benchmarks stay behind, so a first publish holds only the team's own deals.

Nothing is ever written over: when any of these files exists already, nothing is written at all and
the message names them.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import mapsite
from mapsite.plan.model import company_name

__all__ = ["InitError", "SOURCE", "init", "starter_files"]

SOURCE = Path(mapsite.__file__).resolve().parent.parent  # the checkout mapsite was installed from (pip install -e)
FILES = ("mkdocs.yml", ".gitignore", "pyproject.toml", "README.md", "babel.cfg", ".pre-commit-hooks.yaml")
FOLDERS = ("plans/_templates", "theme_overrides", ".github/workflows", ".github/hosting", "mapsite")
SKIPPED = re.compile(r"(^|/)(__pycache__|[^/]*\.egg-info)(/|$)|\.py[co]$")
NEEDED = ("mkdocs.yml", ".gitignore", "plans/_templates", "theme_overrides", ".github/workflows")


class InitError(Exception):
    """Why no repository was written, in words for the rep."""


def starter_files(source: Path = SOURCE) -> list[str]:
    """Every file `init` copies, relative to `source`, in a stable order."""
    missing = [name for name in NEEDED if not (source / name).exists()]
    if missing:
        raise InitError(f"`mapsite init` copies its starter files from a mapsite checkout, and {source} has no "
                        f"{', '.join(missing)}; install mapsite from a clone of its repository (`pip install -e <clone>`)")
    found = [name for name in FILES if (source / name).is_file()]
    for folder in FOLDERS:
        found += sorted(p.relative_to(source).as_posix() for p in (source / folder).rglob("*")
                        if p.is_file() and not SKIPPED.search(p.relative_to(source).as_posix()))
    return found


def site_config(text: str, seller: str | None, country: str | None) -> str:
    """The shipped mkdocs.yml for a new repository: the seller's name where the sample seller's was, and the
    plugin's `seller:` and `country:` options when given (YAML-quoted: a name with `:` or `#` stays a name)."""
    name = f"{seller} · Deal rooms" if seller else "Deal rooms"
    about = f"Shared plans between {seller} and its customers." if seller else "Shared plans with our customers."
    text = re.sub(r"(?m)^site_name: .*$", lambda _: f"site_name: {json.dumps(name, ensure_ascii=False)}", text, count=1)
    text = re.sub(r"(?m)^site_description: .*$", lambda _: f"site_description: {json.dumps(about, ensure_ascii=False)}",
                  text, count=1)
    options = "".join(f"      {key}: {json.dumps(value, ensure_ascii=False)}\n"
                      for key, value in (("seller", seller), ("country", country)) if value)
    return text.replace("      plans_dir: plans\n", "      plans_dir: plans\n" + options, 1)


def init(target: Path, *, seller: str | None = None, country: str | None = None, source: Path = SOURCE) -> list[str]:
    """Write the starter repository into `target` (made if missing); the files written, relative to it."""
    try:
        seller = company_name(seller) if seller is not None else None
    except ValueError as error:
        raise InitError(f"--seller: {error}") from None
    names = starter_files(source)
    if target.exists() and not target.is_dir():
        raise InitError(f"{target} is a file, not a folder; give a new or empty folder")
    there = [name for name in names if (target / name).exists() or (target / name).is_symlink()]
    if there:
        shown = ", ".join(there[:5]) + (f" and {len(there) - 5} more" if len(there) > 5 else "")
        raise InitError(f"{target} already has {shown}; nothing was written. Run `mapsite init` in a new or empty folder "
                        "(your existing files were left as they are)")
    for name in names:
        origin, path = source / name, target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = origin.read_bytes()
        if name == "mkdocs.yml":
            data = site_config(data.decode("utf-8"), seller, country).encode("utf-8")
        with path.open("xb") as file:  # "x": fails rather than overwrite, even if the file appeared meanwhile
            file.write(data)
        shutil.copymode(origin, path)  # s3-publish.sh stays executable
    return names
