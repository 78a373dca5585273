"""The loader composes plans with libyaml when it can: results must be exactly those of PyYAML alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from mapsite.plan import loader

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted([*REPO.glob("plans/*.md"), REPO / "tests" / "northwind-logistics.md"])
CANONICAL = (REPO / "tests" / "northwind-logistics.md").read_text(encoding="utf-8")

pytestmark = pytest.mark.skipif(loader._FastComposer is None, reason="PyYAML built without libyaml")


def outcome(text: str) -> tuple:
    result = loader.load_text(text, Path("plans/northwind-logistics.md"))
    deal = result.deal
    return ([str(p) for p in result.problems],
            None if deal is None else (deal.plan.model_dump(), deal.body, deal.positions))


def reference(text: str, monkeypatch) -> tuple:
    with monkeypatch.context() as patch:
        patch.setattr(loader, "_compose_fast", lambda front: None)
        return outcome(text)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_plans_take_the_fast_path_with_the_same_result(path, monkeypatch):
    text = path.read_text(encoding="utf-8")
    assert loader._compose_fast(loader.split_front_matter(text)[0]) is not None
    assert outcome(text) == reference(text, monkeypatch)


ODD = {
    "tab inside a value": ("    owner: marco\n", "    owner: ma\trco\n"),
    "BOM inside a value": ("title: Northwind", "title: North\ufeffwind"),
    "question mark in a flow list": ("owners: [marco, raj]", "owners: [marco, ra?j]"),
    "empty value in a flow mapping": ("buyer:\n  name: Northwind Logistics\n", "buyer: {name: }\n"),
    "empty entry in a flow list": ("owners: [marco, raj]", "owners: [marco, raj, ]"),
    "unclosed flow list": ("owners: [marco, raj]", "owners: [marco, raj"),
    "bad indentation": ("  - id: marco\n", "   - id: marco\n"),
    "duplicate key": ("cadence: Weekly", "title: Again\ncadence: Weekly"),
    "unquoted colon": ("title: Northwind Logistics × Acme Analytics", "title: Phase 2: rollout"),
    "alias": ("seller:\n  name: Acme Analytics\n", "seller: &s\n  name: Acme Analytics\nextra: *s\n"),
}


@pytest.mark.parametrize("name", ODD)
def test_odd_yaml_reports_exactly_what_pyyaml_reports(name, monkeypatch):
    old, new = ODD[name]
    assert old in CANONICAL
    text = CANONICAL.replace(old, new, 1)
    assert outcome(text) == reference(text, monkeypatch)
