"""Pydantic's and PyYAML's errors in words a sales rep understands, pointed at the right line.

`position` maps a pydantic error location back to where the key or value stood in the file;
`explain` rewrites the error itself ("did you mean `owners`?", "write dates as YYYY-MM-DD").
"""

from __future__ import annotations

import difflib
import re
import types
import typing

from pydantic import BaseModel

from mapsite.plan.model import STATUSES, Plan

Loc = tuple[str | int, ...]  # a place in the plan's data, as pydantic names it: ("milestones", 2, "due")
Positions = dict[Loc, tuple[int, int]]  # (line, column) in the file


def position(loc: Loc, kind: str, key_pos: Positions, value_pos: Positions) -> tuple[int, int]:
    """Where to point: the key for unknown keys, the value for bad values, the parent for missing ones."""
    if kind == "extra_forbidden" and loc in key_pos:
        return key_pos[loc]
    if kind == "missing":
        for depth in range(len(loc) - 1, -1, -1):
            parent = loc[:depth]
            if parent in key_pos:
                return key_pos[parent]
            if parent in value_pos and parent:
                return value_pos[parent]
        return (2, 1)
    for depth in range(len(loc), -1, -1):
        if loc[:depth] in value_pos and loc[:depth]:
            return value_pos[loc[:depth]]
    return (2, 1)


def _where(loc: Loc) -> str:
    """`milestones[2].steps[0].owner` for a location tuple."""
    out = ""
    for part in loc:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def explain(error: dict, loc: Loc) -> str:
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
    if kind in ("float_parsing", "float_type"):
        return f"{where}: {shown} is not a number; write digits only, e.g. 186000 (no currency sign or separators)"
    if kind == "greater_than_equal":
        return f"{where}: {shown} is negative; write {error.get('ctx', {}).get('ge', 0)} or more"
    if kind == "less_than_equal":
        return f"{where}: {shown} is too large; write at most {error.get('ctx', {}).get('le'):,.0f}"
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
        return [info.alias or name for name, info in model.model_fields.items()]  # as written in a plan
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


def yaml_hint(problem: str) -> str:
    """A hint for the two YAML mistakes reps make most: an unquoted `: ` and a tab."""
    if "mapping values are not allowed" in problem:
        return " (a value containing `: ` needs quotes, e.g. title: \"Phase 2: rollout\")"
    if "found character '\\t'" in problem:
        return " (use spaces, not tabs, to indent)"
    return ""
