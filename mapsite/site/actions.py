"""What a deal page's Done / New date / Question links need, as a data block inside the page's encryption.

actions.js builds each `mailto:` link from it in the browser: nothing is sent anywhere but to the
viewer's own mail client. Each open milestone and step gets its reference (`plan.refs`), its
addressees (its seller-side owners, else the deal's first seller contact with an email; copied
to its buyer-side owners) and the words of the message in the deal's language; the one machine
line (`plan.messages`) is what `mapsite apply` reads back.
"""

from __future__ import annotations

from markupsafe import Markup

from mapsite.insight.derive import Item
from mapsite.plan.model import Milestone, Plan
from mapsite.plan.refs import milestone_ref, step_ref
from mapsite.site.words import N_, Words, script_json

# The message a link writes; %(item)s, %(plan)s, %(date)s, %(old)s are filled in by actions.js.
MAIL_WORDS = {
    "subject_done": N_("Done: %(item)s (%(plan)s)"),
    "subject_due": N_("New date for %(item)s: %(date)s (%(plan)s)"),
    "subject_question": N_("Question about %(item)s (%(plan)s)"),
    "hello": N_("Hello,"),
    "done": N_("“%(item)s” is done."),
    "due": N_("We propose to move “%(item)s” from %(old)s to %(date)s."),
    "due_new": N_("We propose %(date)s as the date for “%(item)s”."),
    "question": N_("We have a question about “%(item)s”:"),
    "step_of": N_("Step of: %(title)s"),
    "keep": N_("Please leave the next line as it is: it lets the team update the plan."),
}


def context(w: Words, slug: str, plan: Plan, data: str | None = None) -> dict:
    """The templates' view: each item's reference, and `actions_json` for the data block (`data`, when the caller
    has it already: it is the same for the buyer's view and the team's, which list only what the buyer may update)."""
    return {"action_ref": lambda item: item_ref(plan, item), "milestone_ref": milestone_ref, "step_ref": step_ref,
            "actions_json": Markup(actions_json(w, slug, plan) if data is None else data)}


def item_ref(plan: Plan, item: Item) -> str:
    """The reference of one of the summary's items (a milestone, or a step by its task)."""
    milestone = plan.milestones[item.milestone_number - 1]
    if item.kind == "milestone":
        return milestone_ref(milestone)
    step = next(s for s in milestone.steps if s.task == item.title)
    return step_ref(milestone, step)


def actions_json(w: Words, slug: str, plan: Plan) -> str:
    """The data block: the deal, its open items by reference, and the message's words."""
    items: dict[str, dict] = {}
    for milestone in plan.milestones:  # the team's view holds internal items too: never the buyer's to update
        if milestone.internal:
            continue
        if milestone.status != "done":
            items[milestone_ref(milestone)] = _entry(plan, milestone.title, None, milestone.due, milestone.owners)
        for step in milestone.steps:
            if step.status != "done" and not step.internal:
                owners = ([step.owner] if step.owner else []) + milestone.owners
                items[step_ref(milestone, step)] = _entry(plan, step.task, milestone, step.due, owners)
    words = {key: w.gettext(message) for key, message in MAIL_WORDS.items()}
    return script_json({"deal": slug, "plan": plan.title, "items": items, "words": words})


def _entry(plan: Plan, title: str, milestone: Milestone | None, due, owners: list[str]) -> dict:
    people = [p for p in (plan.stakeholder(o) for o in dict.fromkeys(owners)) if p is not None]
    return {"title": title, "milestone": milestone.title if milestone else None,
            "due": due.isoformat() if due else None, "to": _emails(p for p in people if p.side == "seller")
            or _emails(s for s in plan.stakeholders if s.side == "seller")[:1],
            "cc": _emails(p for p in people if p.side == "buyer")}


def _emails(people) -> list[str]:
    found: list[str] = []
    for person in people:
        if person.email and person.email not in found:
            found.append(person.email)
    return found

