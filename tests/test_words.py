"""One place for words: every message the code uses is in the catalogue, and the browser says what Python says.

The agreement test runs mapsite.js's words in real Chromium on the same inputs as mapsite/site/words.py:
days left or ago for -400..400 days (both plural forms, "today"), overdue, and the date of each of those days,
in every shipped language and a few regional tags. The projection's agreement test runs mapsite.js's rule on
the inputs a page carries (#ms-projection) for over 100 generated plans and days, against insight.projection.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from babel.messages.pofile import read_po

from conftest import REPO
from mapsite.insight import derive
from mapsite.insight.projection import milestone_keys, project
from mapsite.plan.order import cycle, predecessors
from mapsite.plan.model import Plan
from mapsite.site import projected
from mapsite.languages import shipped
from mapsite.site import catalogue, render
from mapsite.site.words import BROWSER_MESSAGES, BROWSER_PLURALS, words

JS = REPO / "theme_overrides" / "assets" / "mapsite" / "mapsite.js"
TODAY = dt.date(2026, 11, 24)


def _ids(messages) -> set[object]:
    return {m.id for m in messages if m.id}


def test_the_catalogue_holds_every_message_and_no_other() -> None:
    used = catalogue.extract()
    with catalogue.po_path("en").open("rb") as po:
        english = read_po(po, locale="en")
    missing, unused = _ids(used) - _ids(english), _ids(english) - _ids(used)
    assert not missing, f"not in the catalogue (run `python -m mapsite.site.catalogue`): {sorted(map(str, missing))}"
    assert not unused, f"in the catalogue, used nowhere (run `python -m mapsite.site.catalogue`): {sorted(map(str, unused))}"


def test_the_browser_block_holds_every_message_mapsite_js_uses() -> None:
    in_js = {m.id for m in catalogue.extract() if any(path.endswith("mapsite.js") for path, _ in m.locations)}
    exported = set(BROWSER_MESSAGES) | set(BROWSER_PLURALS)
    assert in_js and in_js <= exported, in_js - exported


def test_every_status_and_health_has_its_words() -> None:
    w = words("en")
    assert [w.status(s) for s in ("not_started", "in_progress", "done", "blocked")] == [
        "Not started", "In progress", "Done", "Blocked"]
    assert render.health_label(w, derive.Health("at_risk", (), slipped_days=1)) == "Slipped 1 day"


def test_the_pages_template_from_custom_dir_wins(tmp_path) -> None:
    (tmp_path / "_footer.html").write_text("<footer>{{ _('Go-live') }} {{ today | date }}</footer>")
    env = render.environment(str(tmp_path))
    assert env.get_template("_footer.html").render(today=TODAY) == "<footer>Go-live 24 Nov 2026</footer>"
    assert "ms-foot" in render.environment().get_template("_footer.html").render(
        today=TODAY, updated=TODAY, calendar_json="", words_json="", projection_json="")


@pytest.mark.parametrize("tag", [*shipped(), "de-AT", "en-US", "fr-CH", "es-MX", "nl-BE"])
def test_python_and_javascript_say_the_same(browser, tag) -> None:
    w = words(tag)
    days = [(TODAY + dt.timedelta(days=n)).isoformat() for n in range(-400, 401)]
    page = browser.new_page()
    try:
        page.set_content(f'<html lang="{tag}"><body><script type="application/json" id="mapsite-words">{w.browser}'
                         f'</script><script>{JS.read_text()}</script></body></html>')
        said = page.evaluate("""([days, today]) => {
            mapsiteWords.fromPage();
            return days.map(d => [mapsiteWords.daysUntil(d, today), mapsiteWords.daysLeft(mapsiteWords.daysUntil(d, today)),
                                  mapsiteWords.overdue(d, "in_progress", today), mapsiteWords.overdue(d, "done", today),
                                  mapsiteWords.date(d), mapsiteWords.dueIn(mapsiteWords.daysUntil(d, today))]);
        }""", [days, TODAY.isoformat()])
    finally:
        page.close()
    for iso, js in zip(days, said):
        day = dt.date.fromisoformat(iso)
        n = derive.days_until(day, TODAY)
        late = derive.Item("step", "", day, "in_progress", (), 1).overdue(TODAY)
        done = derive.Item("step", "", day, "done", (), 1).overdue(TODAY)
        python = [n, w.days_left(n), late, done, w.date(day), w.due_in(n)]
        assert js == python, (iso, json.dumps(js), json.dumps(python))
    assert len({s[1] for s in said}) == 801 and len({s[4] for s in said}) == 801  # every day said its own way
    if tag == "en":
        assert {"1 day left", "2 days left", "today", "1 day ago", "400 days ago"} <= {s[1] for s in said}
        assert {"1 day late", "400 days late", "today", "3 days left"} <= {s[5] for s in said}


def _generated_plans(count: int) -> list[tuple[Plan, dt.date]]:
    """Plans with chains, diamonds, parallel branches, done items and the default order, each with a day to view it."""
    import random

    rng = random.Random(15)
    people = [{"id": "hana", "name": "Hana Kowalski", "side": "buyer"}, {"id": "li", "name": "Li Chen", "side": "seller"},
              {"id": "legal", "side": "buyer", "role": "Legal <counsel> & 100% sign-off"}]
    made = []
    for n in range(count):
        go_live = dt.date(2027, 3, 1)
        milestones = []
        for i in range(rng.randint(1, 9)):
            m = {"title": f"Step {i} of {n} “{'%'}(x)s”", "id": f"m{i}", "due": str(go_live + dt.timedelta(days=rng.randint(-120, 60))),
                 "status": rng.choice(["not_started", "in_progress", "done", "blocked"]),
                 "owners": rng.sample(["hana", "li", "legal"], rng.randint(0, 2))}
            if i and rng.random() < 0.6:  # else the default order
                m["after"] = rng.sample([f"m{j}" for j in range(i)], rng.randint(0, min(i, 3)))
            milestones.append(m)
        plan = Plan.model_validate({"title": "T", "buyer": {"name": "B"}, "seller": {"name": "S"}, "share_id": "abcdef",
                                    "go_live": str(go_live), "value_summary": "v", "stakeholders": people,
                                    "milestones": milestones})
        if cycle(predecessors(milestone_keys(plan.milestones))) is None:  # the loader refuses a loop
            made.append((plan, go_live + dt.timedelta(days=rng.randint(-150, 90))))
    return made


@pytest.mark.parametrize("tag", shipped())
def test_python_and_javascript_project_the_same_go_live(browser, tag) -> None:
    w = words(tag)
    cases = _generated_plans(160)
    page = browser.new_page()
    try:
        page.set_content(f'<html lang="{tag}"><body><script type="application/json" id="mapsite-words">{w.browser}'
                         f'</script><script>{JS.read_text()}</script></body></html>')
        said = page.evaluate("""(cases) => {
            mapsiteWords.fromPage();
            return cases.map(([data, today]) => {
                const p = mapsiteWords.project(data, today);
                return [p.projected, p.days, p.cause, p.milestones.map(m => [m.delay, m.projected]),
                        mapsiteWords.goLiveSentence(data, today)];
            });
        }""", [[json.loads(projected.browser_inputs(plan)), today.isoformat()] for plan, today in cases])
    finally:
        page.close()
    late = 0
    for (plan, today), js in zip(cases, said):
        p = project(plan, today)
        python = [p.projected.isoformat(), p.days, p.cause, [[m.delay, m.projected.isoformat()] for m in p.milestones],
                  projected.sentence(w, plan, p)]
        assert js == python, (today, plan.milestones, json.dumps(js), json.dumps(python))
        late += p.days > 0
    assert 20 < late < 100, "the cases cover plans late and on time"
