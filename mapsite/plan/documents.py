"""Which files a plan's `files:` may offer the buyer: inside the project, of a known type, within the size limits.

A listed file is published (encrypted) to whoever holds the deal's password, so a path must not reach
outside the project (the folder holding mkdocs.yml), by `..`, an absolute path or a symlink; the
limits keep a deal's download in reach of a phone. Each rule is a `(location, message)` the loader
turns into a `file:line:col` problem.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path, PurePath

from mapsite.plan.files import real_path
from mapsite.plan.wording import Loc

# The types a buyer's computer opens as documents, by extension, with the name people call them by. No SVG or
# HTML: they can carry script. The browser saves every document as bytes, whatever its type (files.js).
DOCUMENT_TYPES = {".pdf": "PDF", ".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WebP", ".docx": "DOCX",
                  ".xlsx": "XLSX", ".pptx": "PPTX", ".txt": "TXT", ".csv": "CSV"}
MB = 1024 * 1024
MAX_FILE_BYTES = 10 * MB  # one document; the browser holds it whole while decrypting
MAX_DEAL_BYTES = 25 * MB  # every document of a deal together


def document_file(plan_path: Path, path: str) -> Path:
    """Where a `files:` entry points: relative to the plan's folder, every link followed."""
    return real_path(plan_path.parent / path)


def document_problems(plan_path: Path, project: Path, paths: Sequence[str],
                      line_of: Callable[[Loc], int] = lambda loc: 0) -> list[tuple[Loc, str]]:
    """What is wrong with each listed file, at its `path:`; the deal's total is charged to the file that passes it.

    `line_of` tells where an entry stands, so a file listed twice names the line of its first listing.
    """
    found: list[tuple[Loc, str]] = []
    seen: dict[Path, int] = {}
    total = 0
    for index, path in enumerate(paths):
        loc: Loc = ("files", index, "path")
        message = _problem(plan_path, real_path(project), path)
        target = document_file(plan_path, path)
        if message is None and target in seen:
            first = line_of(("files", seen[target], "path"))
            message = f"`{path}` is listed twice (first on line {first}); list each document once"
        if message is None:
            total += target.stat().st_size
            if total > MAX_DEAL_BYTES:
                message = (f"with `{path}` the deal's files come to {total / MB:.1f} MB, over the {MAX_DEAL_BYTES // MB} MB "
                           "a deal may offer; leave out a file or link to it under `resources:`")
        seen.setdefault(target, index)
        if message:
            found.append((loc, message))
    return found


def _problem(plan_path: Path, project: Path, path: str) -> str | None:
    """Why one file cannot be offered, in words for the rep; None when it can."""
    if PurePath(path).is_absolute() or path.startswith("~"):
        return f"`{path}` must be a path relative to the plan's folder, e.g. `{plan_path.stem}/order-form.pdf`"
    target = document_file(plan_path, path)
    if not target.is_relative_to(project):
        how = "links to" if target != Path(os.path.abspath(plan_path.parent / path)) else "is"
        return (f"`{path}` {how} {target}, outside this project ({project}, the folder holding mkdocs.yml); "
                f"copy the file into the project, e.g. beside the plan in `{plan_path.stem}/`")
    kind = target.suffix.lower()
    if kind not in DOCUMENT_TYPES:
        known = ", ".join(dict.fromkeys(DOCUMENT_TYPES.values()))
        return f"`{path}` is not a type a deal may offer ({kind or 'no extension'}); use one of: {known}"
    if not target.exists():
        return (f"`{path}` does not exist (looked for {target.relative_to(project)} in the project); "
                "the path is relative to the plan's folder")
    if not target.is_file():
        return f"`{path}` is not a regular file; name a document such as `{plan_path.stem}/order-form.pdf`"
    size = target.stat().st_size
    if size > MAX_FILE_BYTES:
        return (f"`{path}` is {size / MB:.1f} MB, over the {MAX_FILE_BYTES // MB} MB a document may be; "
                "compress it, split it, or link to it under `resources:`")
    return None
