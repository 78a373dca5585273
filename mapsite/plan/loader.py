"""Read plan files into `Deal`s (a valid `Plan` and where it came from), or into `file:line:col` problems.

The YAML is composed by hand so that every key and value keeps its position (libyaml composes
when it builds the same nodes, PyYAML otherwise); pydantic's error locations are mapped back to
those positions (`wording`), and the rules no single field can check (`rules`) join them.
Which files are plans, and reading one safely, is `files`.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from mapsite.plan.documents import document_problems
from mapsite.plan.files import (PlanFileError, display_path, name_problem, plan_paths, read_plan_bytes,
                                unreadable_character)
from mapsite.plan import placeholders
from mapsite.plan.model import Plan
from mapsite.plan.rules import logo_problem, reference_problems, shared_problems
from mapsite.plan.wording import Loc, explain, position, yaml_hint
from mapsite.site.urls import UrlLayout

MAX_NODES = 50_000  # a plan has a few hundred; alias bombs have millions


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
    placeholders: list[Problem] = field(repr=False, default_factory=list)  # template text left in: see `placeholders`


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

    With `project` (the folder holding mkdocs.yml), a plan that resolves outside it is refused, and the
    files its `files:` lists are checked (they are read from disk, so a plan in hand from git is not).
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
    return _load_text(text, path, display, problems, project)


def load_text(text: str, path: Path, display: str | None = None) -> LoadResult:
    """Load a plan from text in hand (an old version from `git show`, a plan not yet written).

    `path` is where the plan lives or would live: it gives the slug and names the file in messages.
    """
    display = display or str(path)
    return _load_text(text.removeprefix("\ufeff"), path, display, _name_problems(path, display))


def _name_problems(path: Path, display: str) -> list[Problem]:
    message = name_problem(path)
    return [Problem(display, 1, 1, message)] if message else []


def _load_text(text: str, path: Path, display: str, problems: list[Problem], project: Path | None = None) -> LoadResult:
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
        problem(line, col, f"YAML syntax error: {what}{yaml_hint(what)}")
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
            line, col = position(loc, item["type"], tree.key_pos, tree.value_pos)
            problem(line, col, explain(item, loc))
    for loc, message in reference_problems(data):
        line, col = tree.value_pos.get(loc) or tree.key_pos.get(loc) or (2, 1)
        problem(line, col, message)
    if plan is not None:
        for side in ("buyer", "seller"):
            message = logo_problem(path, getattr(plan, side).logo)
            if message:
                problem(*tree.value_pos.get((side, "logo"), (2, 1)), message)
        if project is not None:
            listed = [f.path for f in plan.files]
            for loc, message in document_problems(path, project, listed, lambda at: tree.value_pos.get(at, (2, 1))[0]):
                problem(*tree.value_pos.get(loc, (2, 1)), message)
    problems.sort(key=lambda p: (p.line, p.col))
    if plan is None or problems:
        return LoadResult(None, _unique(problems))
    positions = _shared({**tree.value_pos, **{("key", *k): v for k, v in tree.key_pos.items()}})
    left = [Problem(display, line, col, message, "warning") for line, col, message in placeholders.find(text, front, body)]
    return LoadResult(Deal(slug, path, plan, body, positions, left), [])


def load_plans(folder: Path, display_root: Path | None = None, *, project: Path | None = None,
               layout: UrlLayout = UrlLayout()) -> tuple[list[Deal], list[Problem]]:
    """Load every plan in `folder` and check them together."""
    return load_paths(plan_paths(folder), display_root, project=project, layout=layout)


def load_paths(paths: list[Path], display_root: Path | None = None, *, project: Path | None = None,
               layout: UrlLayout = UrlLayout(), mapper: Callable = map) -> tuple[list[Deal], list[Problem]]:
    """Load plans and check them together, placed as the site will publish them (`layout`).

    `mapper` (like `map`, in order) may read the plans in other processes, in batches: a build's
    workers (`mkdocs.ahead`) read 10,000 plans on every core. Plans from another process arrive with
    copies of their positions, which are shared again here, as reading them in this process shares them.
    """
    deals: list[Deal] = []
    problems: list[Problem] = []
    elsewhere = mapper is not map  # read in this process, positions are shared already (`_shared`)
    batches = [paths[i:i + LOAD_BATCH] for i in range(0, len(paths), LOAD_BATCH)]
    for results in mapper(functools.partial(_load_batch, display_root=display_root, project=project), batches):
        for deal, found in results:
            problems.extend(found)
            if deal:
                if elsewhere:
                    deal.positions = _shared(deal.positions)
                deals.append(deal)
    problems.extend(_at_share_id(deal, display_root, message) for deal, message in shared_problems(deals, display_root, layout))
    return deals, problems


def _load_batch(paths: list[Path], *, display_root: Path | None, project: Path | None) -> list[LoadResult]:
    return [load_plan(path, display_path(path, display_root), project=project) for path in paths]


LOAD_BATCH = 50  # plans read at once by one worker
_POSITIONS: dict = {}  # every loc and (line, col) seen, once: plans share their shape


def _shared(positions: dict[Loc, tuple[int, int]]) -> dict[Loc, tuple[int, int]]:
    """The same positions, each key and value the one object every plan with it uses.

    Held for every plan until the build has reported its advice, positions were 115 KB a deal
    (617 entries in a generated plan), more than the plan: 1.1 GB at 10,000 deals. Shared, they
    are 20 KB; the table grows with the plans' shape (1,558 entries for 200 plans), not their number.
    """
    return {_POSITIONS.setdefault(k, k): _POSITIONS.setdefault(v, v) for k, v in positions.items()}


def _at_share_id(deal: Deal, root: Path | None, message: str) -> Problem:
    """A rule across plans, pointed at the deal's `share_id`."""
    line, col = deal.positions.get(("share_id",), (2, 1))
    return Problem(display_path(deal.path, root), line, col, message)


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))
