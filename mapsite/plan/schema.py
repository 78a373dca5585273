"""The plan's JSON Schema, so editors (VS Code's YAML extension) complete and check plans as you type.

Generated from the pydantic model, so it can never disagree with `mapsite check` about field
names; `mapsite/plan.schema.json` is the committed copy that a plan's
`# yaml-language-server: $schema=...` line points at.
"""

from __future__ import annotations

import json
from pathlib import Path

from mapsite.plan.model import Plan

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "plan.schema.json"  # mapsite/plan.schema.json: plans' `$schema=` lines name it


DRAFT_07 = "http://json-schema.org/draft-07/schema#"


def plan_schema() -> dict:
    """The schema of a plan's front matter, as draft-07: the newest draft VS Code's YAML extension fully supports."""
    schema = Plan.model_json_schema(ref_template="#/definitions/{model}")
    definitions = schema.pop("$defs")
    return {"$schema": DRAFT_07, "title": "mapsite plan", **{k: v for k, v in schema.items() if k != "title"},
            "definitions": definitions}


def schema_text() -> str:
    """The schema as the committed file holds it: stable key order, one trailing newline."""
    return json.dumps(plan_schema(), indent=2, ensure_ascii=False) + "\n"
