"""`mapsite schema`: the JSON Schema editors use must match the loader, and the committed copy must be current."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import CANONICAL, REPO
from mapsite.plan import load_text

SCHEMA_FILE = REPO / "mapsite" / "plan.schema.json"


class Yaml12Loader(yaml.SafeLoader):
    """Reads YAML the way VS Code's YAML extension does: `2027-03-01` stays text."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def front_matter(text: str) -> dict:
    return yaml.load(text.split("\n---\n", 1)[0].removeprefix("---\n"), Loader=Yaml12Loader)


def run_schema() -> str:
    result = subprocess.run([sys.executable, "-m", "mapsite", "schema"], capture_output=True, text=True,
                            encoding="utf-8", cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def validator() -> jsonschema.Validator:
    schema = json.loads(run_schema())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_committed_schema_file_is_what_mapsite_schema_prints():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == run_schema(), \
        "mapsite/plan.schema.json is stale: run `python -m mapsite schema > mapsite/plan.schema.json`"


def test_schema_is_draft_07_which_vs_code_yaml_understands():
    schema = json.loads(run_schema())
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "$defs" not in schema and all(ref.startswith("#/definitions/") for ref in _refs(schema))


def test_every_field_has_a_description_for_hover_help():
    schema = json.loads(run_schema())
    models = {"Plan": schema, **schema["definitions"]}
    undocumented = [f"{name}.{field}" for name, model in models.items()
                    for field, spec in model["properties"].items() if not spec.get("description")]
    assert not undocumented
    assert schema["properties"]["share_id"]["examples"] == ["k7qm2xtz9p"]


def test_canonical_plan_is_valid(validator):
    data = front_matter(CANONICAL.read_text(encoding="utf-8"))
    assert list(validator.iter_errors(data)) == []


@pytest.mark.parametrize("misspelling", ["valu", "owner", "due_date"])
def test_a_misspelled_milestone_key_is_rejected(validator, misspelling):
    text = CANONICAL.read_text(encoding="utf-8").replace("    value: Both teams know", f"    {misspelling}: Both teams know", 1)
    errors = list(validator.iter_errors(front_matter(text)))
    assert errors and "additional properties" in errors[0].message.lower()
    assert misspelling in errors[0].message


def test_a_misspelled_top_level_key_is_rejected(validator):
    text = CANONICAL.read_text(encoding="utf-8").replace("go_live:", "golive:", 1)
    messages = [e.message for e in validator.iter_errors(front_matter(text))]
    assert any("'golive' was unexpected" in m for m in messages)
    assert any("'go_live' is a required property" in m for m in messages)


def test_schema_agrees_with_the_loader_on_numbers_dates_and_statuses(validator):
    text = CANONICAL.read_text(encoding="utf-8").replace('baseline: "112"', "baseline: 112")
    assert list(validator.iter_errors(front_matter(text))) == []
    deal, problems = load_text(text, Path("plans/northwind-logistics.md"))
    assert problems == [] and "112" in [kpi.baseline for kpi in deal.plan.kpis]  # the loader reads 112 as the text "112" too

    bad_date = CANONICAL.read_text(encoding="utf-8").replace("go_live: 2027-03-01", "go_live: 1 March 2027")
    assert any("does not match" in e.message for e in validator.iter_errors(front_matter(bad_date)))
    bad_status = CANONICAL.read_text(encoding="utf-8").replace("status: done", "status: finished", 1)
    assert any("is not one of" in e.message for e in validator.iter_errors(front_matter(bad_status)))


def test_schema_is_shipped_as_package_data():
    """Installed copies of mapsite carry the file a plan's `$schema=` line can point at."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "plan.schema.json" in pyproject["tool"]["setuptools"]["package-data"]["mapsite"]


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "$ref"] + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []
