"""Read plan files into `Plan` objects, or into `file:line:col` problems a rep can act on.

The YAML is composed by hand so that every key and value keeps its position; pydantic's
error locations are mapped back to those positions and its messages rewritten in plain words.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import types
import typing
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from mapsite.model import STATUSES, Plan
from mapsite.site.urls import UrlLayout

Loc = tuple[str | int, ...]
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
MAX_NODES = 50_000  # a plan has a few hundred; alias bombs have millions
SITE_FOLDERS = frozenset({"assets", "search"})  # written by MkDocs and Material: never a deal's folder
MAX_PLAN_BYTES = 1024 * 1024  # the canonical plan is 6 KB; a bigger file is a mistake (or /dev/zero)
C0_NAMES = ("NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI "
            "DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US").split()


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or, with `level="warning"`, worth fixing) in a plan file."""

    path: str
    line: int
    col: int
    message: str
    level: str = "error"

    def __str__(self) -> str:
        tag = "" if self.level == "error" else f"{self.level}: "
        return f"{self.path}:{self.line}:{self.col}: {tag}{self.message}"


@dataclass
class Deal:
    """A valid plan with what the site needs to place it."""

    slug: str
    path: Path
    plan: Plan
    body: str
    positions: dict[Loc, tuple[int, int]] = field(repr=False, default_factory=dict)


class LoadResult(typing.NamedTuple):
    deal: Deal | None
    problems: list[Problem]


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so pydantic can say which date is impossible."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_FastComposer = None
if getattr(yaml, "CSafeLoader", None) is not None:
    class _FastComposer(yaml.CSafeLoader):  # type: ignore[no-redef]
        """libyaml's parser with _Loader's resolvers: the same nodes, 8x faster."""

    _FastComposer.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


def _compose_fast(front: str) -> yaml.Node | None:
    """The front matter's nodes from libyaml, or None to leave it to _Loader.

    Composing is most of a plan's load time, and a site has 1,000s of plans. libyaml and PyYAML
    build the same nodes and marks for ordinary YAML, not for some odd input (a tab or BOM inside
    a value, `?` or an empty value inside [...] or {...}) nor where libyaml fails: that front
    matter is read by _Loader alone, so every message and position stays exactly the same.
    """
    if _FastComposer is None or "\t" in front or "\ufeff" in front:
        return None
    loader = _FastComposer(front)
    try:
        node = loader.get_single_node()
    except Exception:  # noqa: BLE001 (any failure, even RecursionError: _Loader reports it in its own words)
        return None
    finally:
        loader.dispose()
    return node if node is not None and _agrees(node) else None


def _agrees(root: yaml.Node) -> bool:
    """No node where libyaml is known to differ from PyYAML: plain scalars inside [...] or {...} with `?` or empty."""
    seen, stack = set(), [(root, False)]
    while stack:
        node, in_flow = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if in_flow and not node.style and (node.value == "" or "?" in node.value):
                return False
        elif isinstance(node, yaml.SequenceNode):
            stack += [(item, in_flow or bool(node.flow_style)) for item in node.value]
        elif isinstance(node, yaml.MappingNode):
            flow = in_flow or bool(node.flow_style)
            stack += [(part, flow) for pair in node.value for part in pair]
    return True


class _Tree:
    """Turns a composed YAML node into Python data, noting where each key and value stood."""

    def __init__(self, loader: _Loader, line_offset: int, problem):
        self.loader = loader
        self.line_offset = line_offset
        self.problem = problem
        self.key_pos: dict[Loc, tuple[int, int]] = {}
        self.value_pos: dict[Loc, tuple[int, int]] = {}
        self.nodes = 0

    def pos(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1 + self.line_offset, node.start_mark.column + 1

    def build(self, node: yaml.Node, loc: Loc = ()):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooBig(self.pos(node))
        self.value_pos[loc] = self.pos(node)
        if isinstance(node, yaml.MappingNode):
            data = {}
            for key_node, value_node in node.value:
                key = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                if not isinstance(key, str):
                    line, col = self.pos(key_node)
                    self.problem(line, col, "keys must be plain words, like `title:`")
                    continue
                if key in data:
                    line, col = self.pos(key_node)
                    first = self.key_pos[(*loc, key)][0]
                    self.problem(line, col, f"`{key}` is given twice (first on line {first}); keep one")
                    continue
                self.key_pos[(*loc, key)] = self.pos(key_node)
                data[key] = self.build(value_node, (*loc, key))
            return data
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*loc, index)) for index, item in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node: yaml.ScalarNode):
        """The node's value; an explicit tag it does not fit (`!!int abc`, `!!bool maybe`) is a YAML error at the node."""
        try:
            return self.loader.construct_object(node)
        except (ValueError, KeyError, TypeError):  # PyYAML's constructors raise these bare, without a position
            tag = node.tag.rsplit(":", 1)[-1]
            raise yaml.constructor.ConstructorError(None, None, f"`{node.value}` is not a valid {tag}; remove the `!!{tag}` tag",
                                                    node.start_mark) from None


class _TooBig(Exception):
    pass


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Return (front matter, body, body's first line) or None when the file has no front matter."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip("\r\n").rstrip() in ("---", "..."):
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    return None


def compose(front: str) -> yaml.Node | None:
    """The front matter as YAML nodes with their marks, dates left as text: for tools that edit a plan's text in place."""
    loader = _Loader(front)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def load_plan(path: Path, display: str | None = None, *, project: Path | None = None) -> LoadResult:
    """Read one plan file. Never raises for bad input: every problem comes back as a `Problem`.

    With `project` (the folder holding mkdocs.yml), a plan that resolves outside it is refused.
    """
    display = display or str(path)
    problems = _name_problems(path, display)
    try:
        raw = read_plan_bytes(path, project)
    except PlanFileError as error:
        problems.append(Problem(display, 1, 1, str(error)))
        return LoadResult(None, problems)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problems.append(Problem(display, line, 1, "the file is not UTF-8 text; save it as UTF-8 in your editor"))
        return LoadResult(None, problems)
    return _load_text(text, path, display, problems)


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


def load_text(text: str, path: Path, display: str | None = None) -> LoadResult:
    """Load a plan from text in hand (an old version from `git show`, a plan not yet written).

    `path` is where the plan lives or would live: it gives the slug and names the file in messages.
    """
    display = display or str(path)
    return _load_text(text.removeprefix("\ufeff"), path, display, _name_problems(path, display))


def _name_problems(path: Path, display: str) -> list[Problem]:
    """The file name becomes the deal's address, so it must be a slug."""
    if SLUG.fullmatch(path.stem):
        return []
    suggestion = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "my-deal"
    return [Problem(display, 1, 1, f"the file name `{path.name}` becomes the deal's address, so it may use only a-z, 0-9 and -; rename it to `{suggestion}.md`")]


def _load_text(text: str, path: Path, display: str, problems: list[Problem]) -> LoadResult:
    def problem(line: int, col: int, message: str) -> None:
        problems.append(Problem(display, line, col, message))

    slug = path.stem
    unreadable = unreadable_character(text)
    if unreadable:
        problem(*unreadable)
        return LoadResult(None, problems)
    if not text.strip():
        problem(1, 1, "the file is empty; a plan starts with a `---` line, its fields, and another `---` line")
        return LoadResult(None, problems)
    parts = split_front_matter(text)
    if parts is None:
        problem(1, 1, "no front matter: a plan starts with a `---` line, then its fields (title:, buyer:, ...), then a closing `---` line")
        return LoadResult(None, problems)
    front, body, _ = parts
    loader = _Loader(front)
    tree = _Tree(loader, 1, problem)
    try:
        node = _compose_fast(front)
        if node is None:
            node = loader.get_single_node()
        data = tree.build(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 2, mark.column + 1) if mark else (2, 1)
        what = error.problem or "invalid YAML"
        problem(line, col, f"YAML syntax error: {what}{_yaml_hint(what)}")
        return LoadResult(None, problems)
    except yaml.YAMLError as error:
        problem(2, 1, f"YAML error: {error}")
        return LoadResult(None, problems)
    except _TooBig as error:
        problem(*error.args[0], "the front matter is too large (aliases expanding without end?)")
        return LoadResult(None, problems)
    except RecursionError:
        problem(2, 1, "the front matter nests too deeply (or an alias refers to itself); flatten it")
        return LoadResult(None, problems)
    except ValueError:  # PyYAML's scanner on an escape past the last character, "\U0011ffff": chr() refuses it
        mark = loader.get_mark()
        problem(mark.line + 2, mark.column + 1, "YAML syntax error: an escape in quotes (\\U...) names no character")
        return LoadResult(None, problems)
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        problem(2, 1, "the front matter must be a list of `key: value` fields, starting with `title:`")
        return LoadResult(None, problems)

    plan = None
    try:
        plan = Plan.model_validate(data)
    except ValidationError as error:
        for item in error.errors():
            loc = tuple(item["loc"])
            line, col = _position(loc, item["type"], tree)
            problem(line, col, _explain(item, loc))
    for loc, message in reference_problems(data):
        line, col = tree.value_pos.get(loc) or tree.key_pos.get(loc) or (2, 1)
        problem(line, col, message)
    if plan is not None:
        for side in ("buyer", "seller"):
            message = logo_problem(path, getattr(plan, side).logo)
            if message:
                problem(*tree.value_pos.get((side, "logo"), (2, 1)), message)
    problems.sort(key=lambda p: (p.line, p.col))
    if plan is None or problems:
        return LoadResult(None, _unique(problems))
    positions = {**tree.value_pos, **{("key", *k): v for k, v in tree.key_pos.items()}}
    return LoadResult(Deal(slug, path, plan, body, positions), [])


def is_plan_file(name: str) -> bool:
    """A deal's plan: `*.md`, not `_`-prefixed (templates, drafts) nor hidden."""
    return name.endswith(".md") and not name.startswith(("_", "."))


def plan_paths(folder: Path) -> list[Path]:
    """Every plan of the folder, by name; `load_plan` then refuses one that resolves outside the project or to no regular file."""
    return sorted(p for p in folder.glob("*.md") if is_plan_file(p.name))


def load_plans(folder: Path, display_root: Path | None = None, *, project: Path | None = None,
               layout: UrlLayout = UrlLayout()) -> tuple[list[Deal], list[Problem]]:
    """Load every plan in `folder` and check them together."""
    return load_paths(plan_paths(folder), display_root, project=project, layout=layout)


def load_paths(paths: list[Path], display_root: Path | None = None, *, project: Path | None = None,
               layout: UrlLayout = UrlLayout()) -> tuple[list[Deal], list[Problem]]:
    """Load plans and check them together, placed as the site will publish them (`layout`)."""
    deals: list[Deal] = []
    problems: list[Problem] = []
    for path in paths:
        deal, found = load_plan(path, display_path(path, display_root), project=project)
        problems.extend(found)
        if deal:
            deals.append(deal)
    problems.extend(_shared_problems(deals, display_root, layout))
    return deals, problems


def display_path(path: Path, root: Path | None = None) -> str:
    """The path as a rep would type it: relative to the project when possible, naming a symlink, not its target."""
    root = root or Path.cwd()
    try:
        return str((real_path(path.parent) / path.name).relative_to(real_path(root)))
    except ValueError:
        return str(path)


def _shared_problems(deals: list[Deal], root: Path | None, layout: UrlLayout) -> list[Problem]:
    """Rules across plans: two deals must never share a share_id, nor the folder they are published in."""
    problems = []
    by_share_id: dict[str, Deal] = {}
    by_folder: dict[str, Deal] = {}
    for deal in deals:
        other = by_share_id.setdefault(deal.plan.share_id, deal)
        if other is not deal:
            problems.append(_at_share_id(deal, root, (
                f"share_id `{deal.plan.share_id}` is already used by {display_path(other.path, root)}; "
                "every deal needs its own random share_id (e.g. run `mapsite new` or pick 10 random letters and digits)")))
            continue
        folder = layout.folder(deal)
        if folder in SITE_FOLDERS:
            problems.append(_at_share_id(deal, root, (
                f"this deal would be published in `{folder}/`, a folder the site itself uses for "
                "its styles, scripts or search; give it another random share_id")))
            continue
        other = by_folder.setdefault(folder, deal)
        if other is not deal:
            problems.append(_at_share_id(deal, root, (
                f"this deal would be published in `{folder}/`, where {display_path(other.path, root)} is "
                "published too, and one of them would be lost; give one of them another random share_id")))
    return problems


def _at_share_id(deal: Deal, root: Path | None, message: str) -> Problem:
    line, col = deal.positions.get(("share_id",), (2, 1))
    return Problem(display_path(deal.path, root), line, col, message)


def reference_problems(data: dict) -> list[tuple[Loc, str]]:
    """Cross-field rules, checked on the raw data so they show up beside schema errors."""
    found: list[tuple[Loc, str]] = []
    people = data.get("stakeholders")
    if not isinstance(people, list):
        return found  # the missing list is reported already; every owner would be noise
    ids: list[str] = []
    for index, person in enumerate(people):
        if isinstance(person, dict) and isinstance(person.get("id"), str):
            if person["id"] in ids:
                found.append(((("stakeholders", index, "id")), f"stakeholder id `{person['id']}` is used twice; each stakeholder needs its own id"))
            ids.append(person["id"])
    if not ids:
        return found  # no usable stakeholder list: that error is reported already, owners would be noise
    known = ", ".join(f"`{i}`" for i in dict.fromkeys(ids))

    def check_owner(loc: Loc, owner: object) -> None:
        if isinstance(owner, str) and owner not in ids:
            close = difflib.get_close_matches(owner, ids, n=1)
            hint = f"did you mean `{close[0]}`? " if close else ""
            found.append((loc, f"owner `{owner}` is not a stakeholder id; {hint}known ids: {known}"))

    for m_index, milestone in enumerate(_list(data.get("milestones"))):
        if not isinstance(milestone, dict):
            continue
        for o_index, owner in enumerate(_list(milestone.get("owners"))):
            check_owner(("milestones", m_index, "owners", o_index), owner)
        for s_index, step in enumerate(_list(milestone.get("steps"))):
            if isinstance(step, dict):
                check_owner(("milestones", m_index, "steps", s_index, "owner"), step.get("owner"))
    for r_index, risk in enumerate(_list(data.get("risks"))):
        if isinstance(risk, dict):
            check_owner(("risks", r_index, "owner"), risk.get("owner"))
    return found


LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}
MAX_LOGO_BYTES = 256 * 1024


def logo_file(plan_path: Path, logo: str) -> Path:
    return (plan_path.parent / logo).resolve()


def logo_problem(plan_path: Path, logo: str | None) -> str | None:
    """A logo must be a small image file in the plans folder: it is inlined into the encrypted pages."""
    if not logo:
        return None
    file = logo_file(plan_path, logo)
    if not file.is_relative_to(plan_path.parent.resolve()):
        return f"logo `{logo}` must be a file in the plans folder, beside the plan"
    if file.suffix.lower() not in LOGO_TYPES:
        return f"logo `{logo}` must be one of: {', '.join(LOGO_TYPES)}"
    if not file.is_file():
        return f"logo `{logo}` does not exist; put the file beside the plan"
    if file.stat().st_size > MAX_LOGO_BYTES:
        return f"logo `{logo}` is larger than {MAX_LOGO_BYTES // 1024} KB; every page carries it inside its encryption"
    return None


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _position(loc: Loc, kind: str, tree: _Tree) -> tuple[int, int]:
    """Where to point: the key for unknown keys, the value for bad values, the parent for missing ones."""
    if kind == "extra_forbidden" and loc in tree.key_pos:
        return tree.key_pos[loc]
    if kind == "missing":
        for depth in range(len(loc) - 1, -1, -1):
            parent = loc[:depth]
            if parent in tree.key_pos:
                return tree.key_pos[parent]
            if parent in tree.value_pos and parent:
                return tree.value_pos[parent]
        return (2, 1)
    for depth in range(len(loc), -1, -1):
        if loc[:depth] in tree.value_pos and loc[:depth]:
            return tree.value_pos[loc[:depth]]
    return (2, 1)


def _where(loc: Loc) -> str:
    """`milestones[2].steps[0].owner` for a location tuple."""
    out = ""
    for part in loc:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _explain(error: dict, loc: Loc) -> str:
    """Rewrite one pydantic error in words a sales rep understands."""
    kind = error["type"]
    where = _where(loc)
    value = error.get("input")
    name = next((p for p in reversed(loc) if isinstance(p, str)), "value")
    shown = _show(value)
    if kind == "extra_forbidden":
        fields = _fields_at(loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), fields, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`?" if close else f"allowed here: {', '.join(fields)}"
        return f"unknown key `{loc[-1]}` in {_where(loc[:-1]) or 'the plan'}; {hint}"
    if kind == "missing":
        return f"`{where}` is required but missing"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        options = re.findall(r"'([^']*)'", expected)
        if name == "status" and set(options) == set(STATUSES):
            options = list(STATUSES)
        return f"{where}: {shown} is not allowed; use one of: {', '.join(options)}"
    if kind == "value_error":
        reason = str(error.get("ctx", {}).get("error", ""))
        if reason == "date_format":
            return f"{where}: {shown} is not a date; write dates as YYYY-MM-DD, e.g. 2027-03-01"
        if reason == "date_impossible":
            return f"{where}: {shown} is not a real date (check the month and the day)"
        return f"{where}: {reason}"
    if kind == "string_pattern_mismatch":
        if name == "share_id":
            return f"share_id: {shown} may use only a-z, 0-9 and - (it becomes part of the deal's address)"
        if name == "email":
            return f"{where}: {shown} is not an email address"
        if name == "url":
            return f"{where}: {shown} must be a full http:// or https:// address"
        if name in ("owner", "owners", "id") or loc[-2:-1] == ("owners",):
            return f"{where}: {shown} is not a valid id; use letters, digits, -, _ or ."
        return f"{where}: {shown} has characters that are not allowed here"
    if kind == "string_too_short" and name == "share_id":
        return f"share_id: {shown} is too short; use at least 6 random letters and digits (a-z, 0-9)"
    if kind == "string_too_short":
        return f"{where} is empty; write something or remove the key"
    if kind == "string_too_long":
        return f"{where} is too long ({error.get('ctx', {}).get('max_length')} characters at most)"
    if kind == "too_short":
        if name in ("stakeholders", "milestones"):
            return f"`{name}` needs at least one entry"
        if name == "share_id":
            return f"share_id: {shown} is too short; use at least 6 random letters and digits"
        return f"{where} is empty; write something or remove the key"
    if kind == "too_long":
        return f"{where} is too long"
    if kind in ("string_type", "list_type", "model_type", "model_attributes_type", "dict_type", "bool_type", "bool_parsing"):
        wanted = {
            "string_type": "text",
            "list_type": "a list (lines starting with `- `)",
            "model_type": "a group of `key: value` fields",
            "model_attributes_type": "a group of `key: value` fields",
            "dict_type": "a group of `key: value` fields",
            "bool_type": "true or false",
            "bool_parsing": "true or false",
        }[kind]
        return f"{where}: expected {wanted}, got {shown}"
    return f"{where}: {error.get('msg', 'invalid value')}"


def _show(value: object) -> str:
    if isinstance(value, (dict, list)):
        return "a list" if isinstance(value, list) else "a group of fields"
    if value is None:
        return "nothing"
    text = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in str(value))
    return f"`{text[:60]}{'…' if len(text) > 60 else ''}`"  # escaped: a problem stays on one line


def _fields_at(loc: Loc) -> list[str]:
    """The field names that are valid at a location, for "did you mean" hints."""
    annotation: object = Plan
    for part in loc:
        annotation = _model_in(annotation)
        if isinstance(part, str) and isinstance(annotation, type) and issubclass(annotation, BaseModel):
            info = annotation.model_fields.get(part)
            annotation = info.annotation if info else None
        elif isinstance(part, int):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if args else None
    model = _model_in(annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _model_in(annotation: object) -> object:
    """Unwrap `X | None` and `Annotated[X, ...]` down to X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        else:
            return annotation


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return " (a value containing `: ` needs quotes, e.g. title: \"Phase 2: rollout\")"
    if "found character '\\t'" in problem:
        return " (use spaces, not tabs, to indent)"
    return ""
