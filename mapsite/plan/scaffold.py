"""Start a plan from a template: roles first, dates worked back from go-live in business days.

Business days skip weekends, and, when asked, a country's public holidays and the buyer's freeze
(`workdays`). The seller's name comes from `--seller` or the site's `seller:` option; without
either the template's own placeholder stays, and `mapsite check` flags it (`placeholders`).

A template is a plain plan in `plans/_templates/` where dated items carry `offset: N`, business
days from go-live (0 is go-live, -20 four weeks before, 30 six weeks after). The plan is made
by editing the template's text in place, so its layout and comments survive, and the result
holds only real plan fields. Templates in another language sit in a folder named by its tag
(`_templates/de/enterprise.md`); `--language de-AT` looks in `_templates/de-AT/`, then `_templates/de/`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import string
from dataclasses import dataclass
from pathlib import Path

import yaml

from mapsite.languages import DEFAULT, Language, language
from mapsite.plan.files import SLUG, display_path, unreadable_character
from mapsite.plan.loader import Problem, compose, load_text, split_front_matter
from mapsite.plan.model import company_name
from mapsite.plan.schema import SCHEMA_FILE
from mapsite.plan.workdays import WorkingDays

TEMPLATES_DIR = "_templates"
MODELINE = "# yaml-language-server: $schema="
SHARE_ID_LENGTH = 10
# Which date an `offset` becomes, for items of each list.
DATE_FIELD = {"milestones": "due", "steps": "due", "stakeholders": "name_by", "events": "date", "kpis": "by"}


class TemplateError(Exception):
    """The template cannot make a valid plan; `problems` point into the template file."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class NewPlan:
    text: str
    schema_ref: str
    go_live: dt.date
    first_due: dt.date
    last_due: dt.date


def template_names(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.md")) if folder.is_dir() else []


def template_folders(plans_dir: Path, spoken: Language, asked: bool) -> list[Path]:
    """Where a template in `spoken` may be, most specific first. The top folder holds templates of no stated
    language (English as shipped): it serves English, and the site's language when the rep asked for none."""
    top = plans_dir / TEMPLATES_DIR
    tags = dict.fromkeys([spoken.tag, spoken.locale.language, spoken.catalogue])
    return [top / tag for tag in tags] + ([top] if spoken.catalogue == DEFAULT or not asked else [])


def template_languages(plans_dir: Path, template: str) -> list[str]:
    """The language folders that hold `template`, for an error that says which there are."""
    top = plans_dir / TEMPLATES_DIR
    return sorted(p.name for p in top.glob("*/") if (p / f"{template}.md").is_file()) if top.is_dir() else []


def new_share_id() -> str:
    """10 random characters from a-z and 0-9: about 52 bits, unguessable as part of an address."""
    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(SHARE_ID_LENGTH))


def buyer_from_slug(slug: str) -> str:
    """`northwind-logistics` -> `Northwind Logistics`: a start the rep can correct."""
    return " ".join(word.capitalize() for word in slug.split("-") if word)


def schema_reference(plan_path: Path, root: Path, schema_file: Path) -> str:
    """What the plan's `$schema=` line points at: a relative path inside the project, else the file itself."""
    folder = plan_path.parent.resolve()
    try:
        schema_file.relative_to(root.resolve())
        folder.relative_to(root.resolve())
    except ValueError:
        return str(schema_file)
    return Path(os.path.relpath(schema_file, folder)).as_posix()


def render(template: Path, display: str, *, plan_path: Path, go_live: dt.date, buyer: str,
           share_id: str, schema_ref: str, language_tag: str | None = None, seller: str | None = None,
           working: WorkingDays | None = None) -> NewPlan:
    """The new plan's text. Raises `TemplateError` (with template lines) when the template is unfit."""
    text = template.read_text(encoding="utf-8-sig")
    parts = split_front_matter(text)
    if parts is None:
        raise _error(display, 1, "a template is a plan: it starts with a `---` line, its fields, and another `---` line")
    front = parts[0]
    unreadable = unreadable_character(text)
    if unreadable:
        raise _error(display, unreadable[0], unreadable[2])
    try:
        root = compose(front)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise _error(display, mark.line + 2 if mark else 2, f"YAML syntax error: {error.problem or 'invalid YAML'}") from None
    if not isinstance(root, yaml.MappingNode):
        raise _error(display, 2, "the front matter must be `key: value` fields, starting with `title:`")
    top = _fields(root)
    edits = _identity_edits(top, display, buyer=buyer, share_id=share_id, go_live=go_live, seller=seller)
    if language_tag:
        edits.append(_language_edit(top, language_tag))
    working = working or WorkingDays()
    if working.freeze:
        edits.append(_freeze_edit(top, working))
    date_edits, milestones, problems = _date_edits(top, display, go_live, working)
    if problems:
        raise TemplateError(sorted(problems))

    opening = text.index("\n") + 1  # the `---` line; the closing one and the body follow the front matter
    rest = text[opening + len(front):]
    for start, end, replacement in sorted(edits + date_edits, reverse=True):
        front = front[:start] + replacement + front[end:]
    filled = text[:opening] + front + rest
    deal, found = load_text(filled, plan_path, display)
    if deal is None:
        raise TemplateError(found)
    return NewPlan(_with_modeline(filled, schema_ref), schema_ref, go_live, milestones[0][1], milestones[-1][1])


Edit = tuple[int, int, str]  # replace front[start:end] with text


def _error(display: str, line: int, message: str) -> TemplateError:
    return TemplateError([Problem(display, line, 1, message)])


def _identity_edits(top: dict, display: str, *, buyer: str, share_id: str, go_live: dt.date,
                    seller: str | None) -> list[Edit]:
    """Fill in who and when: title, buyer name, share_id, go-live, and the seller when one is known (else the
    template's own placeholder stays, for `mapsite check` to flag)."""
    def nested(key: str) -> tuple[yaml.Node, yaml.Node] | None:
        pair = top.get(key)
        return _fields(pair[1]).get("name") if pair and isinstance(pair[1], yaml.MappingNode) else None

    wanted = {"title": top.get("title"), "share_id": top.get("share_id"), "go_live": top.get("go_live"),
              "buyer.name": nested("buyer"), "seller.name": nested("seller")}
    for key, pair in wanted.items():
        if pair is None or not isinstance(pair[1], yaml.ScalarNode):
            raise _error(display, 2, f"the template needs `{key}:` with a placeholder value; `mapsite new` fills it in")
    seller = seller or wanted["seller.name"][1].value
    values = {"title": f"{buyer} × {seller}", "share_id": share_id, "go_live": go_live.isoformat(), "buyer.name": buyer,
              "seller.name": seller}
    return [(wanted[key][1].start_mark.index, wanted[key][1].end_mark.index, _scalar(value)) for key, value in values.items()]


def _language_edit(top: dict, tag: str) -> Edit:
    """The plan's `language:` set to `tag`: the template's own line rewritten, else one added after `title:`."""
    pair = top.get("language")
    if pair and isinstance(pair[1], yaml.ScalarNode) and pair[1].value:
        return pair[1].start_mark.index, pair[1].end_mark.index, tag
    title = top["title"][1]  # _identity_edits has checked it is there
    return title.end_mark.index, title.end_mark.index, f"\nlanguage: {tag}"


def _freeze_edit(top: dict, working: WorkingDays) -> Edit:
    """The plan's `freeze:`: the template's own value rewritten, else a line added after `go_live:`."""
    value = f"{{from: {working.freeze.start}, to: {working.freeze.end}}}"
    pair = top.get("freeze")
    if pair:
        return pair[1].start_mark.index, pair[1].end_mark.index, value
    go_live = top["go_live"][1]  # _identity_edits has checked it is there
    return go_live.end_mark.index, go_live.end_mark.index, f"\nfreeze: {value}"


def _date_edits(top: dict, display: str, go_live: dt.date,
                working: WorkingDays) -> tuple[list[Edit], list[tuple[int, dt.date]], list[Problem]]:
    """Every `offset:` turned into its date; also (line, due) of each milestone, and what is wrong."""
    edits: list[Edit] = []
    problems: list[Problem] = []
    milestones: list[tuple[int, dt.date]] = []
    for list_key in ("milestones", "stakeholders", "events", "kpis"):
        pair = top.get(list_key)
        for item in pair[1].value if pair and isinstance(pair[1], yaml.SequenceNode) else []:
            if not isinstance(item, yaml.MappingNode):
                continue
            own = _dated(item, list_key, go_live, working, edits, problems, display)
            if list_key != "milestones":
                continue
            if own is None:
                if "offset" not in _fields(item):
                    problems.append(Problem(display, _line(item), 1, "every template milestone needs `offset:`, its "
                                            "due date in business days from go-live (0 = go-live)"))
                continue
            milestones.append((_line(item), own[1]))
            steps = _fields(item).get("steps")
            for step in steps[1].value if steps and isinstance(steps[1], yaml.SequenceNode) else []:
                step_date = _dated(step, "steps", go_live, working, edits, problems, display) \
                    if isinstance(step, yaml.MappingNode) else None
                if step_date and step_date[0] > own[0]:
                    problems.append(Problem(display, step_date[2], 1, f"a step's offset ({step_date[0]}) must not "
                                            f"be later than its milestone's ({own[0]})"))
    problems.extend(_check_order(milestones, go_live, display))
    return edits, milestones, problems


def _fields(node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    return {k.value: (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 2  # front matter starts on the file's line 2


def _dated(item: yaml.MappingNode, list_key: str, go_live: dt.date, working: WorkingDays, edits: list,
           problems: list[Problem], display: str) -> tuple[int, dt.date, int] | None:
    """Turn the item's `offset: N` into its real date field; (offset, date, line) or None without offset."""
    fields = _fields(item)
    if "offset" not in fields:
        return None
    key, value = fields["offset"]
    field = DATE_FIELD[list_key]
    if field in fields:
        problems.append(Problem(display, _line(key), key.start_mark.column + 1,
                                f"give either `offset:` or `{field}:` here, not both"))
        return None
    if not isinstance(value, yaml.ScalarNode) or not re.fullmatch(r"[-+]?\d{1,4}", value.value):
        problems.append(Problem(display, _line(value), value.start_mark.column + 1,
                                "`offset:` is a whole number of business days from go-live, like -40 or 30"))
        return None
    offset = int(value.value)
    day = working.add(go_live, offset)
    edits.append((key.start_mark.index, value.end_mark.index, f"{field}: {day.isoformat()}"))
    return offset, day, _line(key)


def _check_order(milestones: list[tuple[int, dt.date]], go_live: dt.date, display: str) -> list[Problem]:
    """Milestones must be in date order and one of them must fall on go-live."""
    problems = [Problem(display, line, 1, "template milestones must be in date order: this `offset` is earlier than the one before")
                for (_, before), (line, day) in zip(milestones, milestones[1:]) if day < before]
    if milestones and go_live not in {day for _, day in milestones}:
        problems.append(Problem(display, milestones[0][0], 1, "one template milestone needs `offset: 0`: the go-live milestone"))
    return problems


def _scalar(value: str) -> str:
    """`value` as one line of YAML that the loader reads back as the same text, quoted only when it must be."""
    try:
        node = compose(f"k: {value}")
        plain = isinstance(node, yaml.MappingNode) and node.value[0][1].tag == "tag:yaml.org,2002:str" \
            and node.value[0][1].value == value
    except yaml.YAMLError:
        plain = False
    return value if plain else json.dumps(value, ensure_ascii=False)


def _with_modeline(text: str, schema_ref: str) -> str:
    """Drop the template's leading comment block (notes for template authors) and point editors at the schema."""
    lines = text.splitlines(keepends=True)
    start = 1
    while start < len(lines) and lines[start].lstrip().startswith("#"):
        start += 1
    newline = lines[0][len(lines[0].rstrip("\r\n")):]
    return lines[0] + f"{MODELINE}{schema_ref}{newline}" + "".join(lines[start:])


class NewPlanError(Exception):
    """Why no plan was written, in words for the rep."""


def create(plans_dir: Path, slug: str, go_live: dt.date, *, template: str, buyer: str | None, schema_ref: str | None,
           root: Path, today: dt.date, language_tag: str | None = None, site_language: str = DEFAULT,
           seller: str | None = None, working: WorkingDays | None = None) -> tuple[Path, NewPlan]:
    """Write `plans_dir/<slug>.md` from a template in the language asked for (else the site's); never touches an
    existing file. Only a language asked for is written into the plan: without one, the plan follows the site."""
    if not SLUG.fullmatch(slug):
        suggestion = re.sub(r"[^a-z0-9]+", "-", slug.removesuffix(".md").lower()).strip("-") or "northwind-logistics"
        raise NewPlanError(f"`{slug}` cannot be a deal's address: use a-z, 0-9 and -, starting with a letter or digit, "
                           f"e.g. `{suggestion}`")
    if go_live < today:
        raise NewPlanError(f"go-live {go_live} is in the past (today is {today}); give the planned go-live date")
    for option, name in (("--buyer", buyer), ("--seller", seller)):
        try:
            company_name(name) if name is not None else None
        except ValueError as error:
            raise NewPlanError(f"{option}: {error}") from None
    if not plans_dir.is_dir():
        raise NewPlanError(f"no plans folder at {display_path(plans_dir)}; create it or pass --plans")
    spoken = _spoken(language_tag or site_language)
    folders = template_folders(plans_dir, spoken, asked=language_tag is not None)
    source = next((folder / f"{template}.md" for folder in folders if template in template_names(folder)), None)
    if source is None:
        raise NewPlanError(_no_template(plans_dir, template, folders, spoken))
    target = plans_dir / f"{slug}.md"
    if target.exists():
        raise NewPlanError(f"{display_path(target)} already exists and was left as it is; pick another slug, or edit that plan")
    made = render(source, display_path(source), plan_path=target, go_live=go_live,
                  buyer=(buyer or buyer_from_slug(slug)).strip(), share_id=new_share_id(),
                  schema_ref=schema_ref or schema_reference(target, root, _schema_in(root)),
                  language_tag=spoken.tag if language_tag is not None else None,
                  seller=seller.strip() if seller else None, working=working)
    try:
        with target.open("x", encoding="utf-8", newline="") as file:  # "x": fails rather than overwrite
            file.write(made.text)
    except FileExistsError:
        raise NewPlanError(f"{display_path(target)} already exists and was left as it is; pick another slug") from None
    except OSError as error:
        raise NewPlanError(f"cannot write {display_path(target)}: {error.strerror or error}") from None
    return target, made


def _schema_in(root: Path) -> Path:
    """The project's own copy of the schema (a repository `mapsite init` made holds one), else the installed one."""
    own = root / "mapsite" / SCHEMA_FILE.name
    return own if own.is_file() else SCHEMA_FILE


def _spoken(tag: str) -> Language:
    try:
        return language(tag)
    except ValueError as error:
        raise NewPlanError(f"--language: {error}") from None


def _no_template(plans_dir: Path, template: str, folders: list[Path], spoken: Language) -> str:
    """Which templates there are where we looked, and in which languages this one exists."""
    looked = " or ".join(f"{display_path(folder)}/" for folder in [f for f in folders if f.is_dir()] or folders[-1:])
    names = sorted({name for folder in folders for name in template_names(folder)})
    if names:
        available = ", ".join(names)
    elif folders[-1].name != TEMPLATES_DIR:
        available = f"none in {folders[-1].name} yet: copy one from {display_path(plans_dir / TEMPLATES_DIR)}/ and translate it"
    else:
        available = "none: add plan files with `offset:` dates there"
    message = f"no template `{template}` in {looked}; available: {available}"
    elsewhere = template_languages(plans_dir, template)
    if elsewhere and folders[-1].name != TEMPLATES_DIR:
        message += f"; `{template}` exists in: {', '.join(elsewhere)} (pass that --language, or translate it into {folders[-1].name}/)"
    return message
