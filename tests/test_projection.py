"""Slips have consequences: the projection's one rule, the order between milestones, its errors, health and the ledger.

The rule (README, "Slips and the projected go-live"): an open milestone past its due date is late by
the days since; its delay is the larger of its own lateness and the largest delay of the milestones it
comes after; done means no delay; the projected go-live is go-live plus the largest delay due on or before it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import CANONICAL, edited
from mapsite.git.history import Move
from mapsite.insight import derive
from mapsite.insight.audience import BUYER, view_for
from mapsite.insight.ledger import ledger
from mapsite.insight.projection import milestone_keys, project
from mapsite.insight import listing
from mapsite.insight.rows import deal_row
from mapsite.plan import load_text
from mapsite.plan.model import Plan
from mapsite.plan.order import predecessors

TODAY = dt.date(2027, 1, 31)
D = dt.date


def plan(*milestones: dict, go_live: str = "2027-03-01", events: tuple = ()) -> Plan:
    """A small plan: each milestone a dict of its fields (title m<n> when left out)."""
    return Plan.model_validate({
        "title": "T", "buyer": {"name": "B"}, "seller": {"name": "S"}, "share_id": "abcdef", "go_live": go_live,
        "value_summary": "v",
        "stakeholders": [{"id": "hana", "name": "Hana Kowalski", "side": "buyer"},
                         {"id": "li", "name": "Li Chen", "side": "seller"}, {"id": "legal", "side": "buyer", "role": "Legal"}],
        "milestones": [{"title": f"m{n}", **m} for n, m in enumerate(milestones)],
        "events": list(events),
    })


def delays(p: Plan, today: dt.date = TODAY) -> list[int]:
    return [m.delay for m in project(p, today).milestones]


# --- the rule ---------------------------------------------------------------------------------


def test_a_chain_carries_the_largest_delay_forward_and_moves_go_live() -> None:
    p = plan({"id": "a", "due": "2027-01-01"}, {"id": "b", "due": "2027-01-21", "after": ["a"]},
             {"id": "c", "due": "2027-03-01", "after": ["b"]})
    result = project(p, TODAY)
    assert [m.lateness for m in result.milestones] == [30, 10, 0]
    assert delays(p) == [30, 30, 30]
    assert [m.projected for m in result.milestones] == [D(2027, 1, 31), D(2027, 2, 20), D(2027, 3, 31)]
    assert (result.projected, result.days, result.cause) == (D(2027, 3, 31), 30, 0)


def test_a_diamond_takes_the_later_of_two_branches() -> None:
    p = plan({"id": "start", "due": "2027-01-05", "status": "done"},
             {"id": "security", "due": "2027-01-11", "after": ["start"]},
             {"id": "legal", "due": "2027-01-21", "after": ["start"]},
             {"id": "sign", "due": "2027-02-15", "after": ["security", "legal"]},
             {"due": "2027-03-01", "after": ["sign"]})
    assert delays(p) == [0, 20, 10, 20, 20]
    result = project(p, TODAY)
    assert (result.days, result.cause) == (20, 1)


def test_parallel_branches_do_not_delay_each_other() -> None:
    p = plan({"id": "data", "due": "2027-01-11"}, {"id": "training", "due": "2027-01-25", "after": []},
             {"id": "pilot", "due": "2027-02-10", "after": ["data"]}, {"id": "rollout", "due": "2027-02-20", "after": ["training"]},
             go_live="2027-02-20")
    assert delays(p) == [20, 6, 20, 6]
    result = project(p, TODAY)
    assert (result.projected, result.cause) == (D(2027, 3, 12), 0)  # the worse branch decides, through its own cause


def test_a_done_milestone_has_no_delay_and_stops_the_carry() -> None:
    p = plan({"id": "a", "due": "2027-01-01"}, {"id": "b", "due": "2027-01-10", "after": ["a"], "status": "done"},
             {"id": "c", "due": "2027-02-20", "after": ["b"]})
    assert delays(p) == [30, 0, 0]
    assert project(p, TODAY).days == 30  # a is due before go-live: its own delay still counts
    p = plan({"due": "2027-01-01", "status": "done"}, {"due": "2027-03-01"})
    assert delays(p) == [0, 0] and project(p, TODAY).projected == D(2027, 3, 1)


def test_without_after_a_milestone_follows_the_one_before_it_in_date_order() -> None:
    # written out of date order: m1 (Jan 11) comes first by date, then m2 (Feb 1), then m0 (Mar 1)
    p = plan({"due": "2027-03-01"}, {"due": "2027-01-11"}, {"due": "2027-02-01"})
    assert delays(p) == [20, 20, 20]
    assert project(p, dt.date(2027, 1, 11)).days == 0  # due today is not late
    assert project(p, TODAY).cause == 1


def test_only_milestones_due_on_or_before_go_live_move_it() -> None:
    p = plan({"due": "2027-02-01"}, {"due": "2027-05-01", "after": []}, go_live="2027-03-01")
    assert project(p, dt.date(2027, 5, 31)).days == 119  # m0 is 119 days late; m1's 30 days are after go-live
    assert project(p, dt.date(2027, 5, 31)).cause == 0


def test_nothing_late_projects_go_live_as_planned() -> None:
    deal, problems = load_text(CANONICAL.read_text(encoding="utf-8"), Path("plans/northwind-logistics.md"))
    assert not problems
    result = project(deal.plan, dt.date(2026, 11, 24))
    assert (result.projected, result.days, result.cause) == (D(2027, 3, 1), 0, None)


# --- errors at their lines --------------------------------------------------------------------


def _problems(*changes: tuple[str, str]) -> list[str]:
    text = edited(*changes)
    deal, problems = load_text(text, Path("plans/northwind-logistics.md"))
    assert deal is None
    lines = text.splitlines()
    return [f"{p.line}|{lines[p.line - 1].strip()}|{p.message}" for p in problems]


PILOT = "  - title: Pilot on the Midwest region\n"
SECURITY = "  - title: Security and compliance review\n"


def test_an_unknown_id_is_an_error_at_its_line_with_the_known_ids() -> None:
    found = _problems((PILOT, PILOT + "    id: pilot\n"), (SECURITY, SECURITY + "    id: security\n    after: [pilto]\n"))
    assert len(found) == 1, found
    line, text, message = found[0].split("|")
    assert text == "after: [pilto]"
    assert "`pilto`" in message and "did you mean `pilot`?" in message and "`security`" in message


def test_a_self_reference_is_an_error_naming_the_milestone() -> None:
    found = _problems((SECURITY, SECURITY + "    id: security\n    after:\n      - security\n"))
    assert len(found) == 1 and found[0].split("|")[1] == "- security", found
    assert "Security and compliance review" in found[0] and "itself" in found[0]


def test_a_cycle_is_an_error_naming_every_milestone_in_it() -> None:
    found = _problems((PILOT, PILOT + "    id: pilot\n    after: [signed]\n"),
                      (SECURITY, SECURITY + "    id: security\n    after: [pilot]\n"),
                      ("  - title: Contract and order form signed\n",
                       "  - title: Contract and order form signed\n    id: signed\n    after: [security]\n"))
    assert len(found) == 1, found
    line, text, message = found[0].split("|")
    assert text == "after: [signed]" and "loop" in message
    for title in ("Pilot on the Midwest region", "Security and compliance review", "Contract and order form signed"):
        assert title in message


def test_a_loop_through_date_order_is_found_and_explained() -> None:
    # the first milestone waits for the third, which (without after:) follows the second, which follows the first
    found = _problems(("  - title: Agree on success criteria\n", "  - title: Agree on success criteria\n    after: [security]\n"),
                      (SECURITY, SECURITY + "    id: security\n"))
    assert len(found) == 1 and "loop" in found[0] and "by date" in found[0], found


def test_a_milestone_id_used_twice_is_an_error() -> None:
    found = _problems((PILOT, PILOT + "    id: pilot\n"), (SECURITY, SECURITY + "    id: pilot\n"))
    assert len(found) == 1 and found[0].split("|")[1] == "id: pilot" and "used twice" in found[0], found


# --- health, the buyer's view, the ledger, the list -------------------------------------------


def test_health_is_at_risk_when_go_live_moves_and_off_track_past_a_hard_date() -> None:
    events = [{"date": "2027-03-15", "title": "Peak season starts", "hard": True}]
    p = plan({"due": "2027-01-01", "owners": ["hana", "li"]}, {"due": "2027-03-01"}, events=events)
    at = dt.date(2027, 1, 10)  # 9 days late: before the hard date
    assert derive.health(p, at).level == "at_risk"
    assert derive.Reason("projected_late", 9) in derive.health(p, at).reasons
    later = derive.health(p, TODAY)  # 30 days late: past it
    assert later.level == "off_track" and derive.Reason("hard_date", title="Peak season starts") in later.reasons
    soft = plan({"due": "2027-01-01"}, {"due": "2027-03-01"}, events=[{**events[0], "hard": False}])
    assert derive.health(soft, TODAY).level == "at_risk"


def test_an_internal_milestone_is_not_in_the_buyers_projection() -> None:
    p = plan({"id": "discount", "due": "2027-01-01", "internal": True}, {"id": "sign", "due": "2027-02-01", "after": ["discount"]},
             {"due": "2027-03-01", "after": ["sign"]})
    assert project(p, TODAY).days == 30
    buyer = view_for(p, BUYER)
    assert buyer.milestones[0].after == [] and project(buyer, TODAY).days == 0


def test_the_ledger_counts_every_slip_by_person_and_by_side() -> None:
    p = plan({"due": "2027-01-08", "baseline": "2027-01-01", "owners": ["hana", "li"], "status": "done"},
             {"due": "2027-01-21", "owners": ["hana"]}, {"due": "2027-03-01", "owners": ["li"]})
    moves = {"m2": [Move(D(2026, 12, 1), D(2027, 2, 20), D(2027, 3, 1)), Move(D(2026, 12, 2), D(2027, 3, 1), D(2027, 2, 27))]}
    found = ledger(p, TODAY, moves)
    assert [(e.milestone.title, e.kind, e.days) for e in found.entries] == [("m0", "agreed", 7), ("m1", "overdue", 10),
                                                                           ("m2", "moved", 9)]
    assert found.by_side == {"buyer": 17, "seller": 16}
    assert [(p.name, d) for p, d in found.by_person] == [("Hana Kowalski", 17), ("Li Chen", 16)]


def test_mapsite_list_rows_carry_the_projected_go_live_and_the_delays() -> None:
    text = edited()
    deal, _ = load_text(text, Path("plans/northwind-logistics.md"))
    row = deal_row(deal, "https://x/", dt.date(2026, 12, 20)).as_json()
    assert row["projected_go_live"] == "2027-03-24"
    pilot = [d for d in row["delays"] if d["milestone"] == "Pilot on the Midwest region"]
    assert [(d["kind"], d["days"]) for d in pilot] == [("agreed", 7), ("overdue", 23)]
    assert pilot[0]["owners"] == [{"id": "marco", "name": "Marco Ruiz", "role": "Director of Dispatch, champion", "side": "buyer"},
                                  {"id": "lena", "name": "Lena Fischer", "role": "Solutions Engineer", "side": "seller"}]
    table = listing.table([deal_row(deal, "https://x/", dt.date(2026, 12, 20))], width=None)
    assert table.splitlines()[0].split()[3:6] == ["GO-LIVE", "LEFT", "PROJECTED"]
    assert "2027-03-01  71d   2027-03-24" in table.splitlines()[1]


@pytest.mark.parametrize("after", ["[]", "[pilot]"])
def test_the_canonical_plan_with_ids_still_loads(after: str) -> None:
    deal, problems = load_text(edited((PILOT, PILOT + "    id: pilot\n"), (SECURITY, SECURITY + f"    after: {after}\n")),
                               Path("plans/northwind-logistics.md"))
    assert problems == [] and deal.plan.milestones[2].after == ([] if after == "[]" else ["pilot"])


@pytest.mark.parametrize("template", ["enterprise", "mid-market", "renewal"])
def test_new_plans_start_with_real_dependencies(template: str, tmp_path: Path) -> None:
    from mapsite.plan.scaffold import render

    source = Path(__file__).resolve().parents[1] / "plans" / "_templates" / f"{template}.md"
    made = render(source, f"plans/_templates/{template}.md", plan_path=tmp_path / "acme.md", go_live=dt.date(2027, 6, 1),
                  buyer="Acme", share_id="k7qm2xtz9p", schema_ref="x.json")
    deal, problems = load_text(made.text, tmp_path / "acme.md")
    assert problems == []
    joins = [m for m in deal.plan.milestones if m.after and len(m.after) > 1]
    assert joins, "a milestone that waits for two parallel ones (e.g. the contract for security and the business case)"
    firsts = [p[0] for p in predecessors(milestone_keys(deal.plan.milestones)) if len(p) == 1]
    assert len(firsts) > len(set(firsts)), "two milestones that wait for the same one: parallel branches"


def test_the_readme_worked_example() -> None:
    from mapsite.site.projected import sentence
    from mapsite.site.words import words

    p = plan({"title": "Kick-off", "id": "kickoff", "due": "2027-01-04", "status": "done"},
             {"title": "Historical data export", "id": "export", "due": "2027-01-15", "after": ["kickoff"], "owners": ["hana", "li"]},
             {"title": "Security review", "id": "security", "due": "2027-01-22", "after": ["kickoff"], "owners": ["legal"]},
             {"title": "Contract signed", "id": "contract", "due": "2027-02-05", "after": ["export", "security"]},
             {"title": "Rollout", "due": "2027-03-01"}, {"title": "Value review", "due": "2027-04-15"})
    result = project(p, dt.date(2027, 2, 14))
    assert [(m.lateness, m.delay, m.projected.isoformat()) for m in result.milestones] == [
        (0, 0, "2027-01-04"), (30, 30, "2027-02-14"), (23, 23, "2027-02-14"), (9, 30, "2027-03-07"),
        (0, 30, "2027-03-31"), (0, 30, "2027-05-15")]
    assert sentence(words("en"), p, result) == ("Go-live now projected for 31 Mar 2027, 30 days late: Historical data export "
                                                "(Hana Kowalski, Li Chen) is 30 days overdue.")
