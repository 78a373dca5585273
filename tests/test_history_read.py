"""Old versions' milestone dates read from the milestones alone give what the whole front matter gives."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from mapsite.git import history

PLAN = """---
title: Acme × Contoso
value_summary: Cut *planning* from **six hours** to one
{before}milestones:
{milestones}
# a comment at column 0
risks:
- text: late legal
---
Body
"""

BLOCK = """  - title: Kickoff
    due: 2026-10-01
    steps:
      - title: "nested: not a milestone"
        due: 2026-09-01
  - title: 'Go-live'
    due: '2027-01-15'"""

CASES = {
    "indented": ("", BLOCK),
    "at column 0": ("", "- title: Kickoff\n  due: 2026-10-01\n# between\n- title: Go-live\n  due: 2027-01-15"),
    "flow": ("", "  [{title: Kickoff, due: 2026-10-01}, {title: Go-live, due: 2027-01-15}]"),
    "flow over lines at column 0": ("", "  [{title: Kickoff, due: 2026-10-01},\n{title: Go-live, due: 2027-01-15}]"),
    "quoted over lines at column 0": ("", '- title: "Kickoff"\n  due: 2026-10-01\n- title: "Go-\nlive"\n  due: 2027-01-15'),
    "alias from outside": ("day: &kick 2026-10-01\n", "  - title: Kickoff\n    due: *kick\n  - title: Go-live\n    due: 2027-01-15"),
    "a block scalar": ("", "  - title: Kickoff\n    due: 2026-10-01\n    notes: |\n      risks:\n      a line\n  - title: Go-live\n    due: 2027-01-15"),
}


@pytest.mark.parametrize("before, milestones", CASES.values(), ids=CASES.keys())
def test_the_cut_reads_what_the_whole_reads(before, milestones):
    text = PLAN.format(before=before, milestones=milestones)
    whole = yaml.safe_load(text.split("---\n")[1])
    expected = {m["title"]: dt.date.fromisoformat(str(m["due"])) for m in whole["milestones"]}
    assert len(expected) == 2  # the case is what it claims
    assert history._milestone_dates(text) == expected


def test_the_cut_is_only_taken_where_it_stands_alone():
    front = PLAN.format(before="", milestones=BLOCK).split("---\n")[1]
    cut = history._milestones_only(front)
    assert cut is not None and cut.startswith("milestones:") and "risks" not in cut.split("# a comment")[1]
    assert history._milestones_only(front + "d: &a 1\ne: *a\n") is None
    assert history._milestones_only(front + "e: [1, *a]\n") is None
    assert history._milestones_only(front + "milestones: []\n") is None


def test_unreadable_versions_are_skipped():
    assert history._milestone_dates("---\nmilestones: [\n---\n") == {}
    assert history._milestone_dates("no front matter") == {}
