"""The projected go-live in the reader's words: the summary's sentence, the timeline's projected dates,
and the inputs mapsite.js needs to say the same on the day a page is viewed.

The rule itself is `insight.projection`'s; mapsite.js runs it again on `browser_inputs` (the
milestones' order already resolved here), and tests/test_words.py checks both say the same.
"""

from __future__ import annotations

from mapsite.insight.projection import Projection
from mapsite.plan.model import Plan
from mapsite.plan.order import predecessors
from mapsite.insight.projection import milestone_keys
from mapsite.site.words import Words, script_json


def owners_text(plan: Plan, owner_ids: list[str]) -> str:
    """Who holds a milestone, as the sentence names them: names, or the role while it has none."""
    people = (plan.stakeholder(o) for o in owner_ids)
    return ", ".join(p.label for p in people if p is not None)


def sentence(w: Words, plan: Plan, projection: Projection) -> str:
    """One sentence: the projected go-live, how late, and what and who causes it."""
    date = w.date(projection.projected)
    if projection.cause is None:
        return w.gettext("Go-live projected for %(date)s, as agreed.", date=date)
    cause = plan.milestones[projection.cause]
    owners = owners_text(plan, cause.owners)
    if owners:
        return w.ngettext("Go-live now projected for %(date)s, %(num)s day late: %(title)s (%(owners)s) is %(num)s day overdue.",
                          "Go-live now projected for %(date)s, %(num)s days late: %(title)s (%(owners)s) is %(num)s days overdue.",
                          projection.days, date=date, title=cause.title, owners=owners)
    return w.ngettext("Go-live now projected for %(date)s, %(num)s day late: %(title)s is %(num)s day overdue.",
                      "Go-live now projected for %(date)s, %(num)s days late: %(title)s is %(num)s days overdue.",
                      projection.days, date=date, title=cause.title)


def projected_label(w: Words, projection: Projection, index: int | None) -> str:
    """"projected 2 Mar 2027" beside a planned date on the timeline (`index` None: go-live); empty when on time."""
    if index is None:
        late, day = projection.days > 0, projection.projected
    else:
        late, day = projection.milestones[index].delay > 0, projection.milestones[index].projected
    return w.gettext("projected %(date)s", date=w.date(day)) if late else ""


def browser_inputs(plan: Plan) -> str:
    """What mapsite.js needs to run the rule again: go-live and each milestone's date, status, predecessors, words."""
    preds = predecessors(milestone_keys(plan.milestones))
    data = {"go_live": plan.go_live.isoformat(),
            "milestones": [{"due": m.due.isoformat(), "status": m.status, "after": after, "title": m.title,
                            "owners": owners_text(plan, m.owners)} for m, after in zip(plan.milestones, preds)]}
    return script_json(data)
