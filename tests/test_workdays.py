"""Work-back skips public holidays and the buyer's freeze (issue 17, item 7): a step that would land on a German
holiday or on 28 December inside the freeze moves to the working day before; the freeze is a plan field checked
at its line; the country comes from `--country` or the site's `country:` option, checked in the build's words."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest

from conftest import TODAY, edited
from mapsite.plan import load_text
from mapsite.plan.model import Freeze
from mapsite.plan.scaffold import create
from mapsite.plan.workdays import WorkingDays, country_code
from test_new import TINY, front

FREEZE = Freeze.model_validate({"from": "2026-12-21", "to": "2026-12-28"})


def tiny(site, go_live: str, working: WorkingDays | None = None) -> dict:
    """The `tiny` template (steps at -6 and -1 business days, ...) made into a plan by `mapsite new`'s own function."""
    (site.plans / "_templates").mkdir(exist_ok=True)
    (site.plans / "_templates" / "tiny.md").write_text(TINY, encoding="utf-8")
    (site.plans / "tiny-deal.md").unlink(missing_ok=True)
    with contextlib.chdir(site.root):
        create(site.plans, "tiny-deal", dt.date.fromisoformat(go_live), template="tiny", buyer=None, schema_ref=None,
               root=site.root, today=dt.date.fromisoformat(TODAY), seller="Acme Analytics", working=working)
    plan = front(site.plans / "tiny-deal.md")
    return {m["title"]: m["due"] for m in plan["milestones"]} | {"plan": plan}


def test_a_date_on_a_german_holiday_moves_to_the_working_day_before(site):
    weekdays = tiny(site, "2027-03-30")  # the Tuesday after Easter
    assert weekdays["Almost"] == dt.date(2027, 3, 29), "weekends only: Easter Monday"
    german = tiny(site, "2027-03-30", WorkingDays(country_code("de")))
    assert german["Almost"] == dt.date(2027, 3, 25), "before Easter Monday and Good Friday: Thursday"
    assert german["Go-live"] == dt.date(2027, 3, 30) and german["Start"] == dt.date(2027, 3, 19)
    assert WorkingDays("DE").why_not(dt.date(2027, 3, 29)) == "Easter Monday in DE"


def test_a_date_on_28_december_in_the_buyers_freeze_moves_before_the_freeze(site):
    weekdays = tiny(site, "2026-12-29")
    assert weekdays["Almost"] == dt.date(2026, 12, 28) and weekdays["Start"] == dt.date(2026, 12, 22)
    frozen = tiny(site, "2026-12-29", WorkingDays(None, FREEZE))
    assert frozen["Almost"] == dt.date(2026, 12, 18), "the Friday before the freeze"
    assert frozen["Start"] == dt.date(2026, 12, 14), "the steps before keep their pace"
    assert frozen["plan"]["freeze"] == {"from": dt.date(2026, 12, 21), "to": dt.date(2026, 12, 28)}, "the plan keeps it"
    steps = [s["due"] for m in frozen["plan"]["milestones"] for s in m.get("steps", []) if "due" in s]
    assert steps and not [d for d in steps if d in FREEZE]


@pytest.mark.parametrize(("freeze", "message"), [
    ("{from: 2027-01-04, to: 2026-12-20}", "9:9: freeze: the freeze ends (`to: 2026-12-20`) before it starts"),
    ("{from: 2026-12-20}", "9:1: `freeze.to` is required but missing"),
    ("{from: 2026-12-20, to: 2027-02-30}", "9:32: freeze.to: `2027-02-30` is not a real date"),
    ("{from: 2026-12-20, until: 2027-01-04}", "9:28: unknown key `until` in freeze; allowed here: from, to"),
])
def test_a_bad_freeze_is_an_error_at_its_line(freeze, message):
    from pathlib import Path

    text = edited(("go_live: 2027-03-01\n", f"go_live: 2027-03-01\nfreeze: {freeze}\n"))
    result = load_text(text, Path("plans/northwind-logistics.md"))
    assert result.deal is None and any(str(p).startswith(f"plans/northwind-logistics.md:{message}") for p in result.problems), \
        [str(p) for p in result.problems]


def test_new_takes_country_and_freeze_and_the_sites_country_by_default(site):
    (site.plans / "_templates").mkdir()
    (site.plans / "_templates" / "tiny.md").write_text(TINY, encoding="utf-8")
    made = site.mapsite("new", "a-deal", "--go-live", "2027-03-30", "--template", "tiny", "--country", "DE",
                        "--freeze", "2026-12-21..2026-12-28")
    assert made.returncode == 0 and "skipping DE's public holidays and the buyer's freeze" in made.stderr, made.stderr
    assert {m["title"]: m["due"] for m in front(site.plans / "a-deal.md")["milestones"]}["Almost"] == dt.date(2027, 3, 25)
    config = site.root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("      plans_dir: plans\n",
                                                                 "      plans_dir: plans\n      country: de\n"))
    made = site.mapsite("new", "b-deal", "--go-live", "2027-03-30", "--template", "tiny")
    assert made.returncode == 0 and {m["title"]: m["due"] for m in front(site.plans / "b-deal.md")["milestones"]}["Almost"] \
        == dt.date(2027, 3, 25), made.stderr
    for bad, words in (("XX", "`XX` is not a country with known public holidays"),
                       ("DE-ZZ", "DE has no state `ZZ` with its own holidays; use one of: BB, BE, BW, BY")):
        refused = site.mapsite("new", "c-deal", "--go-live", "2027-03-30", "--template", "tiny", "--country", bad)
        assert refused.returncode == 2 and words in refused.stderr and "Traceback" not in refused.stderr
    for freeze, words in (("2026-12-21", "give the freeze's first and last day as FROM..TO"),
                          ("2026-12-28..2026-12-21", "the freeze ends (`to: 2026-12-21`) before it starts"),
                          ("2026-12-01..2027-06-01", "longer than 120 days")):
        refused = site.mapsite("new", "c-deal", "--go-live", "2027-03-30", "--template", "tiny", "--freeze", freeze)
        assert refused.returncode == 2 and words in refused.stderr and "Traceback" not in refused.stderr
    assert not (site.plans / "c-deal.md").exists()


def test_a_bad_country_in_mkdocs_yml_stops_the_build_and_every_command_in_the_same_words(site):
    site.add_plan("northwind-logistics.md", edited())
    config = site.root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("      plans_dir: plans\n",
                                                                 "      plans_dir: plans\n      country: Germany\n"))
    words = "`Germany` is not a country with known public holidays"
    build = site.build(check=False)
    assert build.returncode != 0 and words in build.stderr and "Traceback" not in build.stderr
    check = site.mapsite("check")
    assert check.returncode == 1 and words in check.stderr and "Traceback" not in check.stderr


def test_check_warns_of_open_work_due_in_the_freeze_at_its_line():
    from pathlib import Path

    from mapsite.insight.advice import advise

    text = edited(("go_live: 2027-03-01\n", "go_live: 2027-03-01\nfreeze: {from: 2026-11-20, to: 2026-11-27}\n"))
    deal = load_text(text, Path("plans/northwind-logistics.md")).deal
    found = [str(p) for p in advise(deal, "plans/northwind-logistics.md", dt.date(2026, 11, 1)) if "freeze" in p.message]
    lines = text.splitlines()
    pilot, review = (next(n for n, line in enumerate(lines, 1) if f"due: 2026-11-2{day}" in line) for day in (7, 6))
    span = "in the buyer's freeze (2026-11-20 to 2026-11-27); move it before or after the freeze"
    assert found == [f"plans/northwind-logistics.md:{pilot}:10: warning: milestone `Pilot on the Midwest region` is due "
                     f"2026-11-27, {span}",
                     f"plans/northwind-logistics.md:{review}:14: warning: step `Review pilot results with depot managers` "
                     f"is due 2026-11-26, {span}"], "done work (a step due 2026-11-20) is not named"
