"""Property tests: generated plans load and keep their values; mutated plans only ever give our own outcomes.

Plans are generated from the model (arbitrary unicode text, dates, statuses, owners drawn from
the stakeholder ids), written as YAML front matter and read back. Mutations damage them at
random: characters deleted, inserted or replaced (control characters, NUL, ESC, BOM, tabs),
values swapped between list, mapping, scalar and null, deep nesting, duplicate keys,
anchors and aliases, other encodings. Whatever comes in, the loader must answer with a Deal or
with Problems that point inside the file, and `mapsite check` must not raise.
Profiles: see conftest.py (`HYPOTHESIS_PROFILE=long` for thousands of examples).
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from conftest import CANONICAL
from mapsite.insight import derive
from mapsite.insight import listing
from mapsite.insight.audience import BUYER, TEAM
from mapsite.insight.advice import advise
from mapsite.insight.rows import deal_row
from mapsite.site import render as pages
from mapsite.site import kinds
from mapsite.cli import main
from mapsite.plan import LoadResult, load_plan, load_plans, load_text
from mapsite.plan.model import PIPELINE_FIELDS, STATUSES, YEARS, Plan, public_view

SLUG = "generated-deal"

# --- generated plans ------------------------------------------------------------------------

# Any unicode a rep could type or paste, but surrogates (they cannot be saved as UTF-8) and two line breaks
# PyYAML's dumper writes raw inside quotes, where its reader folds them to a space (its disagreement, not ours).
TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\r\x85"), min_size=1,
               max_size=30).filter(lambda s: s.strip())
DATES = st.dates(dt.date(YEARS[0], 1, 1), dt.date(YEARS[1], 12, 31))
IDS = st.from_regex(r"[A-Za-z0-9_.-]{1,12}", fullmatch=True)


def stakeholder():
    return st.fixed_dictionaries(
        {"id": IDS, "side": st.sampled_from(["buyer", "seller"])},
        optional={"name": TEXT, "role": TEXT, "phone": TEXT, "name_by": DATES,
                  "email": st.from_regex(r"[a-z0-9.]{1,8}@[a-z0-9]{1,8}\.[a-z]{2,4}", fullmatch=True)},
    )


def milestone(owner):
    step = st.fixed_dictionaries({"task": TEXT}, optional={
        "owner": owner, "due": DATES, "status": st.sampled_from(STATUSES), "internal": st.booleans()})
    return st.fixed_dictionaries({"title": TEXT, "due": DATES}, optional={
        "value": TEXT, "baseline": DATES, "status": st.sampled_from(STATUSES), "owners": st.lists(owner, max_size=3),
        "steps": st.lists(step, max_size=3), "internal": st.booleans()})


@st.composite
def plan_data(draw) -> dict:
    """A valid plan as the dict a rep's YAML holds; owners are always stakeholder ids."""
    people = draw(st.lists(stakeholder(), min_size=1, max_size=4, unique_by=lambda s: s["id"]))
    owner = st.sampled_from([p["id"] for p in people])
    sellers = [p["id"] for p in people if p["side"] == "seller"]
    deal_owner = {"owner": st.sampled_from(sellers)} if sellers else {}
    return draw(st.fixed_dictionaries({
        "title": TEXT, "buyer": st.fixed_dictionaries({"name": TEXT}), "seller": st.fixed_dictionaries({"name": TEXT}),
        "share_id": st.from_regex(r"[a-z0-9-]{6,20}", fullmatch=True), "go_live": DATES, "value_summary": TEXT,
        "stakeholders": st.just(people), "milestones": st.lists(milestone(owner), min_size=1, max_size=4),
    }, optional={
        "objectives": st.lists(TEXT, max_size=2),
        "events": st.lists(st.fixed_dictionaries({"date": DATES, "title": TEXT}), max_size=2),
        "risks": st.lists(st.fixed_dictionaries({"risk": TEXT}, optional={
            "mitigation": TEXT, "owner": owner, "internal": st.booleans()}), max_size=2),
        "kpis": st.lists(st.fixed_dictionaries({"metric": TEXT, "target": TEXT}, optional={
            "baseline": TEXT, "by": DATES}), max_size=2),
        "commercials": st.lists(st.fixed_dictionaries({"item": TEXT, "amount": TEXT}, optional={
            "internal": st.booleans()}), max_size=2),
        "resources": st.lists(st.fixed_dictionaries({"title": TEXT, "url": st.from_regex(
            r"https?://[a-z0-9./?=&-]{1,20}", fullmatch=True)}), max_size=2),
        "cadence": TEXT,
        "status": st.sampled_from(["on_track", "at_risk", "off_track"]),
        "status_note": TEXT,
        "notes": st.lists(st.fixed_dictionaries({"text": TEXT}, optional={"internal": st.booleans()}), max_size=2),
        **deal_owner,
        "amount": st.integers(0, 10**15) | st.floats(0, 1e15),
        "currency": st.sampled_from(["EUR", "usd", "CHF", "JPY"]),
        "forecast": st.sampled_from(["commit", "best_case", "pipeline", "omitted"]),
        "close": DATES,
    }))


def plan_text(data: dict, body: str = "## Why now\n\nBecause.\n") -> str:
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n\n" + body


# The body: any text a plan may hold (YAML's forbidden characters are refused anywhere in a plan, tested apart).
BODY = st.text(st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff",
                             include_characters="\n\t"), max_size=50)


@given(plan_data(), BODY)
def test_generated_plans_load_and_keep_their_values(data, body):
    text = plan_text(data, body)
    deal, problems = load_text(text, Path(f"plans/{SLUG}.md"))
    assert problems == [], "\n".join(map(str, problems))
    assert deal.plan == Plan.model_validate(data)  # the YAML on the way changed nothing
    assert [m.due for m in deal.plan.milestones] == [m["due"] for m in data["milestones"]]
    lines = text.splitlines()
    for loc, (line, col) in deal.positions.items():
        assert 2 <= line <= len(lines) and 1 <= col <= len(lines[line - 1]) + 1, loc


@given(plan_data(), DATES)
def test_advice_and_pages_take_any_valid_plan(data, today):
    deal, _ = load_text(plan_text(data), Path(f"plans/{SLUG}.md"))
    for tip in advise(deal, f"plans/{SLUG}.md", today):
        assert tip.level == "warning" and tip.line >= 1 and tip.col >= 1
    for kind in kinds.DEAL_KINDS:
        assert "ms-" in pages.render_page(kind, deal, today)


@given(plan_data(), DATES)
def test_a_pipeline_row_holds_for_any_plan_and_day(data, today):
    deal, _ = load_text(plan_text(data), Path(f"plans/{SLUG}.md"))
    row = deal_row(deal, f"{SLUG}-x/", today, currency="GBP")
    assert 0 <= row.done <= row.total and row.overdue == len(derive.overdue(deal.plan, today)) and row.slipped_days >= 0
    assert row.owner_id in [None, *[p.id for p in deal.plan.stakeholders if p.side == "seller"]]
    assert row.currency == (deal.plan.currency or "GBP")
    assert json.loads(json.dumps(row.as_json())) == row.as_json()
    header, line = list(csv.reader(io.StringIO(listing.as_csv([row]), newline="")))
    assert len(header) == len(line) and not [c for c in line if c[:1] in ("=", "+", "@", "\t", "\r")]
    assert len(listing.table([row], width=80).splitlines()) == 2


@given(plan_data(), DATES)
def test_the_pipeline_fields_never_change_what_the_buyer_sees(data, today):
    without = {k: v for k, v in data.items() if k not in PIPELINE_FIELDS}
    deal, _ = load_text(plan_text(data), Path(f"plans/{SLUG}.md"))
    bare, _ = load_text(plan_text(without), Path(f"plans/{SLUG}.md"))
    for kind in kinds.DEAL_KINDS:
        assert pages.render_page(kind, deal, today) == pages.render_page(kind, bare, today)


# --- derived facts ------------------------------------------------------------------------

@given(plan_data(), DATES, DATES)
def test_derived_facts_hold_for_any_plan_and_day(data, today, later):
    plan = Plan.model_validate(data)
    done, total = derive.progress(plan)
    assert 0 <= done <= total == len(plan.milestones)
    assert 0 <= round(100 * done / total) <= 100
    for milestone in plan.milestones:
        slip = derive.slip_days(milestone)
        assert slip >= 0
        if milestone.baseline is not None and milestone.due >= milestone.baseline:
            assert slip == (milestone.due - milestone.baseline).days
        if milestone.baseline is None or milestone.due <= milestone.baseline:
            assert slip == 0
    late = derive.overdue(plan, today)
    assert all(i.status != "done" and i.due < today for i in late)
    assert not any(i.overdue(today) for i in derive.items(plan) if i.status == "done")
    if later >= today:  # time only adds overdue items
        assert len(derive.overdue(plan, later)) >= len(late)
    health = derive.health(plan, today)
    assert health.level in ("on_track", "at_risk", "off_track") and health.reasons
    if plan.status:
        assert health.level == plan.status
    elif health.level == "on_track":
        assert not late and not any(i.status == "blocked" for i in derive.items(plan))
    dated = [i.due for i in derive.open_items(plan) if i.due is not None]
    assert dated == sorted(dated)
    following = derive.next_milestone(plan)
    if following is not None:
        assert following.status != "done"
        assert following.due == min(m.due for m in plan.milestones if m.status != "done")


@st.composite
def internal_items(draw, owner_ids: list[str]) -> dict:
    """Team-only items of every kind, to add to a plan."""
    owner = st.sampled_from(owner_ids)
    inner = st.lists(milestone(owner).map(lambda m: {**m, "internal": True}), min_size=1, max_size=2)
    return {
        "milestones": draw(inner),
        "steps": draw(st.lists(st.fixed_dictionaries({"task": TEXT, "due": DATES, "internal": st.just(True)}), max_size=2)),
        "risks": [{"risk": draw(TEXT), "internal": True}],
        "commercials": [{"item": draw(TEXT), "amount": draw(TEXT), "internal": True}],
        "notes": [{"text": draw(TEXT)}],  # notes are internal unless they say otherwise
    }


@given(st.data(), plan_data(), DATES)
def test_internal_items_never_change_what_the_buyer_sees(data, plan_dict, today):
    extra = data.draw(internal_items([p["id"] for p in plan_dict["stakeholders"]]))
    more = {**plan_dict, "milestones": [*plan_dict["milestones"], *extra["milestones"]]}
    more["milestones"][0] = {**more["milestones"][0], "steps": [*more["milestones"][0].get("steps", []), *extra["steps"]]}
    for key in ("risks", "commercials", "notes"):
        more[key] = [*plan_dict.get(key, []), *extra[key]]
    shown, shown_more = public_view(Plan.model_validate(plan_dict)), public_view(Plan.model_validate(more))
    assert shown_more == shown
    assert public_view(shown) == shown
    assert derive.health(shown_more, today) == derive.health(shown, today)
    assert derive.progress(shown_more) == derive.progress(shown)


@given(st.data(), plan_data(), DATES)
def test_a_deals_two_views_rendered_together_are_each_as_rendered_alone(data, plan_dict, today):
    """What the buyer's view and the team's share is rendered once for the deal (`render.Parts`). Rendered in turn,
    as a build does (the team's first, or the buyer's), every page must be exactly as it is rendered alone: nothing
    of the team's view in the buyer's, nothing stale in the team's. Internal milestones land anywhere (numbers
    shift), and internal steps may repeat a public step's words."""
    extra = data.draw(internal_items([p["id"] for p in plan_dict["stakeholders"]]))
    milestones = list(plan_dict["milestones"])
    for inner in extra["milestones"]:
        milestones.insert(data.draw(st.integers(0, len(milestones))), inner)
    first = milestones[data.draw(st.integers(0, len(milestones) - 1))]
    copies = [{**step, "internal": True} for step in first.get("steps", [])[:1]]  # the same task, for the team only
    milestones[milestones.index(first)] = {**first, "steps": [*first.get("steps", []), *copies, *extra["steps"]]}
    deal, problems = load_text(plan_text({**plan_dict, "milestones": milestones}), Path(f"plans/{SLUG}.md"))
    assert problems == [], problems

    def alone(kind, audience):
        return pages.render_page(kind, dataclasses.replace(deal), today, audience=audience)  # a deal never seen before

    expected = {(kind, audience): alone(kind, audience) for kind in kinds.DEAL_KINDS for audience in (TEAM, BUYER)}
    for order in ((TEAM, BUYER), (BUYER, TEAM)):
        together = dataclasses.replace(deal)
        for kind in kinds.DEAL_KINDS:
            for audience in order:
                assert pages.render_page(kind, together, today, audience=audience) == expected[kind, audience]


# --- mutated plans --------------------------------------------------------------------------

NASTY = ["\x00", "\x1b", "\ufeff", "\t", "\r", "\x07", "\x7f", "\x85", "\u2028", "\ufffe", "\U0001f600", "é",
         ":", "- ", "? ", "&a ", "*a", "*b", "!!python/object ", "!!binary ", "{", "}", "[", "]", "'", '"', "#",
         "|", ">", "%YAML 1.1\n", "---\n", "...\n", "\n", "\n  ", "<<: *a\n", "~", "null", "true", "0x1F", "1e999",
         "!!int ", "!!float ", "!!bool ", "!!timestamp ", '"\\U0011ffff" ']
SHAPES = [None, [], {}, "", 0, -1, 1.5, True, "2027-02-30", "x" * 300, [[]], {"a": {"b": None}}, [1, "two", None]]


def _paths(data, loc=()):
    """Every location in nested data, for picking one to damage."""
    yield loc
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*loc, index))


def _replace(data, loc, value):
    if not loc:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[loc[0]] = _replace(copy[loc[0]], loc[1:], value)
    return copy


@st.composite
def structural(draw, data: dict) -> str:
    """The plan with one value swapped for another shape, nested deeply, or aliased, as YAML front matter."""
    loc = draw(st.sampled_from(list(_paths(data))[1:]))
    kind = draw(st.sampled_from(["shape", "nest", "swap"]))
    if kind == "shape":
        new = draw(st.sampled_from(SHAPES))
    elif kind == "nest":
        new = draw(st.sampled_from(SHAPES))
        for _ in range(draw(st.integers(1, 300))):
            new = [new] if draw(st.booleans()) else {"k": new}
    else:  # another location's value (a list where a mapping belongs, ...), shared: the dumper writes &id/*id
        other = draw(st.sampled_from(list(_paths(data))[1:]))
        new = data
        for part in other:
            new = new[part]
    return plan_text(_replace(data, loc, new))


@st.composite
def textual(draw, text: str) -> str:
    """The text with a few characters deleted, inserted or replaced, or lines duplicated."""
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["delete", "insert", "replace", "duplicate-line"]))
        piece = draw(st.sampled_from(NASTY) | st.text(max_size=5))
        if kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif kind == "insert":
            text = text[:at] + piece + text[at:]
        elif kind == "replace":
            text = text[:at] + piece + text[at + 1:]
        else:  # a duplicate key, a second list item, or a line out of place
            lines = text.splitlines(keepends=True)
            line = lines[draw(st.integers(0, len(lines) - 1))]
            lines.insert(draw(st.integers(0, len(lines))), line)
            text = "".join(lines)
    return text


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "surrogates"]


def encode(text: str, encoding: str) -> bytes:
    if encoding == "surrogates":  # lone surrogates as their UTF-8-like bytes, as some tools write them
        return text.encode("utf-8") + "\ud800x\udfff".encode("utf-8", "surrogatepass")
    return text.encode(encoding, "replace")


# What YAML forbids in a stream (NUL, ESC, DEL, ...): the loader names them at their line (tested apart below).
CONTROL = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@st.composite
def mutated_plan(draw, control: bool = False) -> bytes:
    """Bytes of a damaged plan: generated or canonical, broken in its structure and/or its text."""
    data = draw(plan_data()) if draw(st.booleans()) else yaml.safe_load(CANONICAL.read_text(encoding="utf-8").split("---")[1])
    text = draw(structural(data)) if draw(st.booleans()) else plan_text(data)
    if draw(st.booleans()):
        text = draw(textual(text))
    return encode(text if control else CONTROL.sub("", text), draw(st.sampled_from(ENCODINGS[:1] * 4 + ENCODINGS)))


def assert_our_outcome(result: LoadResult, raw: bytes) -> None:
    """A Deal and no problems, or Problems only, each at a line and column inside the file."""
    deal, problems = result
    assert (deal is None) == bool(problems), problems
    text = raw.decode("utf-8", "replace")
    lines = text.splitlines() or [""]
    for problem in problems:
        assert problem.level == "error" and problem.message and "\n" not in problem.message.strip("\n"), problem
        assert 1 <= problem.line <= len(lines) + 1, (problem, len(lines))
        assert 1 <= problem.col <= max(map(len, lines)) + 1, problem


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """One folder for every example (hypothesis reruns a test body; function-scoped fixtures are not rerun)."""
    return tmp_path_factory.mktemp("mutated")


@given(mutated_plan())
def test_mutated_plans_give_a_deal_or_problems_inside_the_file(folder, raw):
    path = folder / f"{SLUG}.md"
    path.write_bytes(raw)
    assert_our_outcome(load_plan(path, f"plans/{SLUG}.md"), raw)


# Control characters: yaml's ReaderError used to escape load_plan with no line; loader.unreadable_character names them.
@given(mutated_plan(control=True))
def test_mutated_plans_with_control_characters_give_problems(folder, raw):
    path = folder / f"{SLUG}.md"
    path.write_bytes(raw)
    assert_our_outcome(load_plan(path, f"plans/{SLUG}.md"), raw)


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x7f", "\ufffe"])
def test_a_control_character_is_a_problem_on_its_line(folder, character):
    text = CANONICAL.read_text(encoding="utf-8").replace("Raj Patel", f"Raj{character}Patel")
    path = folder / f"{SLUG}.md"
    path.write_text(text, encoding="utf-8")
    result = load_plan(path, f"plans/{SLUG}.md")
    assert result.deal is None and [p.line for p in result.problems] == [34]


@pytest.mark.parametrize(("value", "col", "message"), [
    ("!!int abc", 8, "`abc` is not a valid int; remove the `!!int` tag"),
    ("!!float x", 8, "`x` is not a valid float; remove the `!!float` tag"),
    ("!!bool maybe", 8, "`maybe` is not a valid bool; remove the `!!bool` tag"),  # was a KeyError
    ("!!timestamp 2027-02-30", 8, "`2027-02-30` is not a valid timestamp; remove the `!!timestamp` tag"),
    ('"\\U1e999000"', 11, "an escape in quotes (\\U...) names no character"),  # found by the long profile
])
def test_yaml_that_pyyaml_reads_with_a_bare_exception_is_a_problem(folder, value, col, message):
    """Were ValueError/KeyError tracebacks from PyYAML's constructors and scanner, which carry no position."""
    path = folder / f"{SLUG}.md"
    path.write_text(CANONICAL.read_text(encoding="utf-8").replace("title: Northwind Logistics × Acme Analytics",
                                                                  f"title: {value}"), encoding="utf-8")
    deal, problems = load_plan(path, f"plans/{SLUG}.md")
    assert deal is None and [(p.line, p.col, p.message) for p in problems] == [(2, col, f"YAML syntax error: {message}")]


@given(mutated_plan())
def test_mapsite_check_never_raises_on_a_mutated_plan(folder, raw):
    path = folder / f"{SLUG}.md"
    path.write_bytes(raw)
    with contextlib.chdir(folder):  # no mkdocs.yml here: default settings, as on a laptop without a site
        result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    located = [line.split(":", 3) for line in result.stdout.splitlines() if line.startswith(f"{SLUG}.md:")]
    assert all(int(line) >= 1 and int(col) >= 1 for _, line, col, _ in located), result.stdout
    assert located or result.exit_code == 0, result.output  # an invalid plan is reported at its file:line:col


@given(st.lists(st.one_of(plan_data().map(plan_text).map(str.encode), mutated_plan()), min_size=1, max_size=6),
       st.lists(st.sampled_from(["deal", "Big Deal", "_draft", ".hidden", "x"]), min_size=6, max_size=6))
def test_load_plans_over_a_folder_of_good_and_bad_plans_never_raises(folder, contents, names):
    plans = folder / "plans"
    plans.mkdir(exist_ok=True)
    for old in plans.iterdir():
        old.unlink()
    for number, raw in enumerate(contents):
        (plans / f"{names[number]}-{number}.md").write_bytes(raw)
    deals, problems = load_plans(plans, folder)
    for problem in problems:
        assert problem.path.startswith("plans/") and problem.line >= 1 and problem.col >= 1
    answered = {f"plans/{d.path.name}" for d in deals} | {p.path for p in problems}
    for path in plans.iterdir():  # every plan is a deal or has its problems; `_` and `.` files are skipped
        assert (f"plans/{path.name}" in answered) == (not path.name.startswith(("_", "."))), path.name
