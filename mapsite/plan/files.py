"""Which files are plans, and how one is read safely: names, paths, sizes and characters.

A plan is `plans/<slug>.md`, a regular UTF-8 file under MAX_PLAN_BYTES inside the project. Its
file name becomes the deal's address, and what it points at is published (encrypted) as that
deal, so these checks come before any YAML is read.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from pathlib import Path

import yaml

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
MAX_PLAN_BYTES = 1024 * 1024  # the canonical plan is 6 KB; a bigger file is a mistake (or /dev/zero)
C0_NAMES = ("NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI "
            "DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US").split()


def is_plan_file(name: str) -> bool:
    """A deal's plan: `*.md`, not `_`-prefixed (templates, drafts) nor hidden."""
    return name.endswith(".md") and not name.startswith(("_", "."))


def plan_paths(folder: Path) -> list[Path]:
    """Every plan of the folder, by name; `load_plan` then refuses one that resolves outside the project or to no regular file."""
    return sorted(p for p in folder.glob("*.md") if is_plan_file(p.name))


def name_problem(path: Path) -> str | None:
    """Why the file name cannot be a deal's address (it becomes one, so it must be a slug); None when it can."""
    if SLUG.fullmatch(path.stem):
        return None
    suggestion = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "my-deal"
    return f"the file name `{path.name}` becomes the deal's address, so it may use only a-z, 0-9 and -; rename it to `{suggestion}.md`"


def display_path(path: Path, root: Path | None = None) -> str:
    """The path as a rep would type it: relative to the project when possible, naming a symlink, not its target."""
    root = root or Path.cwd()
    try:
        return str((real_path(path.parent) / path.name).relative_to(real_path(root)))
    except ValueError:
        return str(path)


class PlanFileError(Exception):
    """Why a path cannot be read as a plan, in words for the rep."""


def read_plan_bytes(path: Path, project: Path | None = None) -> bytes:
    """The plan's bytes, at most MAX_PLAN_BYTES of them, from a regular file inside `project`.

    A plan may be a symlink, but whatever it points at is published (encrypted) as this deal, so
    it must stay inside the project. A FIFO must not block and /dev/zero must not fill memory:
    the file is opened without blocking and checked before anything is read.
    """
    target = real_path(path)
    if project is not None and not target.is_relative_to(real_path(project)):
        where = "links to" if target != Path(os.path.abspath(path)) else "is"
        raise PlanFileError(f"the plan {where} {target}, outside this project ({real_path(project)}, the folder "
                            "holding mkdocs.yml); put the plan itself in the plans folder")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
        try:
            raw = _read_regular(fd)
        finally:
            os.close(fd)
    except OSError as error:
        raise PlanFileError(f"cannot read the file: {error.strerror or error}") from None
    if len(raw) > MAX_PLAN_BYTES:
        raise PlanFileError(f"the file is larger than {MAX_PLAN_BYTES // (1024 * 1024)} MiB; a plan is a few KB of text "
                            "(move long documents to `resources:` links)")
    return raw


def _read_regular(fd: int) -> bytes:
    """Up to MAX_PLAN_BYTES + 1 bytes of an open file, checked first to be a regular file (the check and the read see the same file)."""
    kind = _not_regular(os.fstat(fd).st_mode)
    if kind:
        raise PlanFileError(f"this is {kind}, not a plan file; a plan is a regular text file ending in .md")
    with open(fd, "rb", closefd=False) as file:
        return file.read(MAX_PLAN_BYTES + 1)


def _not_regular(mode: int) -> str | None:
    """What a file that is not a regular file is, for the message; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a socket" if stat.S_ISSOCK(mode) else "a special file"


def real_path(path: Path) -> Path:
    """`path` with every symlink followed; never raises, even for a symlink loop (unlike Path.resolve)."""
    return Path(os.path.realpath(path))


def unreadable_character(text: str) -> tuple[int, int, str] | None:
    """The first character YAML refuses to read (NUL, ESC, ...) in a plan's text: its line, column and what to do.

    Checked before parsing: PyYAML's reader refuses these with an error that has no line (and stops
    the check of every other plan), libyaml's with one of its own. In the body they would reach the
    buyer's page as invisible garbage. A plan gets one message naming the character instead.
    """
    found = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if found is None:
        return None
    index = found.start()
    line, col = text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)
    return line, col, f"{_character_name(found.group())} cannot appear in a plan; delete it (it is invisible in most editors)"


def _character_name(char: str) -> str:
    """`U+0000 (NUL)`: the code point and the name an editor's "show invisibles" uses."""
    code = ord(char)
    name = C0_NAMES[code] if code < len(C0_NAMES) else "DEL" if code == 0x7F else unicodedata.name(char, "a control character")
    return f"U+{code:04X} ({name})"
