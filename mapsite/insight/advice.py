"""Best-practice advice on valid plans: what makes a mutual action plan work, as warnings with a fix.

A plan can be valid and still weak: no value for the buyer, one-sided owners, dates past
go-live, roles nobody has filled. Advice never blocks a build (the plugin logs it at INFO);
`mapsite check` prints it, and `--strict` makes it fail.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from mapsite.git.dates import edited_now, last_changed
from mapsite.insight import derive
from mapsite.languages import DEFAULT
from mapsite.languages import language as spoken
from mapsite.plan import Deal, Loc, Problem, display_path
from mapsite.plan.model import Milestone, Plan

# The value summary's length in words, per language: the same 20-30-word English thought takes about 6%
# fewer words in German (compounds), as many in Dutch, 6-12% more in Spanish and French (articles,
# prepositions), as parallel corpora of the same texts show. A language not listed gets the English band.
SUMMARY_WORDS = {"en": (20, 30), "de": (18, 28), "nl": (20, 30), "fr": (22, 34), "es": (21, 33)}
MILESTONES = (7, 9)
MAX_STEPS = 30
STALE_DAYS = 21
SIGNATURE = re.compile(r"\b(sign|signs|signed|signing|signature|signatures|contract|order form|purchase order|"
                       r"po|close|closed|closing|procurement"
                       r"|unterschrift\w*|unterzeichn\w*|vertrag\w*|vertrags\w*|bestellung|auftrag\w*"  # de
                       r"|sign\w+|contrat\w*|bon de commande"  # fr
                       r"|firma\w*|contrato\w*|orden de compra|pedido"  # es
                       r"|handtekening\w*|onderteken\w*|contract\w*|bestelling|inkooporder)\b", re.IGNORECASE)  # nl


def advise_all(deals: list[Deal], today: dt.date, repo: Path, display_root: Path | None = None,
               touched: dict[Path, dt.date] | None = None, language: str = DEFAULT) -> list[Problem]:
    """Advice for every deal; when each plan last changed comes from git in one call (or `touched`)."""
    paths = [deal.path for deal in deals]
    touched = last_changed(paths, repo) if touched is None else touched
    editing = edited_now(paths, repo)
    found: list[Problem] = []
    for deal in deals:
        last = today if deal.path in editing else touched.get(deal.path)
        found.extend(advise(deal, display_path(deal.path, display_root), today, last, language))
    return found


def advise(deal: Deal, display: str, today: dt.date, touched: dt.date | None = None,
           language: str = DEFAULT) -> list[Problem]:
    """Every piece of advice for one plan, in line order; `touched` is when it last changed in git, `language`
    the site's (a plan's own `language:` wins)."""
    plan = deal.plan
    found: list[tuple[Loc, str]] = []
    found += _value_summary(plan, plan.language or language)
    found += _milestone_shape(plan)
    found += _owners_and_value(plan)
    found += _open_roles(plan, today)
    found += _dates(plan, today)
    found += _in_freeze(plan)
    problems = [Problem(display, *_where(deal, loc), message, "warning") for loc, message in found]
    if touched is not None and _stale(plan, today, touched):
        days = (today - touched).days
        problems.append(Problem(display, 1, 1, (
            f"the plan has not changed in git for {days} days (last on {touched}); review it with the buyer "
            "and update statuses and dates, so both sides can trust it"), "warning"))
    return sorted(problems, key=lambda p: (p.line, p.col))


def _where(deal: Deal, loc: Loc) -> tuple[int, int]:
    return deal.positions.get(loc) or deal.positions.get(("key", *loc)) or (2, 1)


def _public(plan: Plan) -> list[tuple[int, Milestone]]:
    """Milestones the buyer sees, with their index in the file."""
    return [(i, m) for i, m in enumerate(plan.milestones) if not m.internal]


def _buyers_milestones(plan: Plan) -> Plan:
    """The plan with only the milestones the buyer sees, the same objects (so `is` and indexes still hold)."""
    return plan.model_copy(update={"milestones": [m for _, m in _public(plan)]})


def _index(plan: Plan, milestone: Milestone) -> int:
    return next(i for i, m in enumerate(plan.milestones) if m is milestone)


def _value_summary(plan: Plan, tag: str) -> list[tuple[Loc, str]]:
    words = sum(1 for token in plan.value_summary.split() if any(c.isalnum() for c in token))  # not French " : "
    low, high = SUMMARY_WORDS.get(spoken(tag).locale.language, SUMMARY_WORDS[DEFAULT])
    if low <= words <= high:
        return []
    hint = "say what changes for the buyer, for whom, and what it is worth" if words < low else \
        "cut it to the one outcome the buyer cares most about"
    return [(("value_summary",), f"value_summary has {words} word{'s' if words != 1 else ''}; write {low}-{high} words in the buyer's words: {hint}")]


def _milestone_shape(plan: Plan) -> list[tuple[Loc, str]]:
    found: list[tuple[Loc, str]] = []
    public = _public(plan)
    low, high = MILESTONES
    if not low <= len(public) <= high:
        hint = "split the big ones: success criteria, validation, security, business case, contract, kick-off, " \
               "go-live, value review" if len(public) < low else "merge small ones into steps of a bigger milestone"
        found.append((("key", "milestones"), f"the plan has {len(public)} milestone{'s' if len(public) != 1 else ''} the buyer sees; aim for {low}-{high}: {hint}"))
    steps = sum(not step.internal for _, milestone in public for step in milestone.steps)  # the team's own are not read by both
    if steps > MAX_STEPS:
        found.append((("key", "milestones"), f"the plan has {steps} steps the buyer sees; keep it to {MAX_STEPS} or fewer so both sides "
                                             "read it: merge small tasks, keep detail in your own task tracker"))
    shown = _buyers_milestones(plan)
    review, last = derive.value_review(shown), derive.last_milestone(shown)
    fix = "add a last milestone after go-live, such as `Optimization review` 30-60 days later, where both " \
          "sides confirm the promised value was delivered"
    if last is not None and review is None:
        found.append((("milestones", _index(plan, last)), f"the plan ends with `{last.title}` on or before go-live ({plan.go_live}); {fix}"))
    elif review is not None and SIGNATURE.search(review.title):
        found.append((("milestones", _index(plan, review)), f"the plan ends with `{review.title}`, a signature, not the buyer's value; {fix}"))
    return found


def _owners_and_value(plan: Plan) -> list[tuple[Loc, str]]:
    found: list[tuple[Loc, str]] = []
    ids = {side: [s.id for s in plan.stakeholders if s.side == side] for side in ("buyer", "seller")}
    for index, milestone in _public(plan):
        sides = {p.side for p in (plan.stakeholder(o) for o in milestone.owners) if p}
        missing = [side for side in ("buyer", "seller") if side not in sides]
        if len(missing) == 2:
            found.append((("milestones", index), f"milestone `{milestone.title}` has no owners; add "
                          f"`owners: [{_pick(ids['buyer'], 'buyer-id')}, {_pick(ids['seller'], 'seller-id')}]`, one from each side"))
        elif missing:
            side = missing[0]
            found.append((("milestones", index, "owners"), (
                f"milestone `{milestone.title}` has owners only on the {'seller' if side == 'buyer' else 'buyer'} side; "
                f"add a {side} owner to `owners` (e.g. {_pick(ids[side], f'a {side} stakeholder')}) so both teams commit to it")))
        if milestone.value is None:
            found.append((("milestones", index), f"milestone `{milestone.title}` has no `value`; add `value:` saying "
                          "what the buyer gets when it is done"))
    return found


def _pick(ids: list[str], fallback: str) -> str:
    return f"`{ids[0]}`" if ids else fallback


def _open_roles(plan: Plan, today: dt.date) -> list[tuple[Loc, str]]:
    found: list[tuple[Loc, str]] = []
    for index, person in enumerate(plan.stakeholders):
        if person.name:
            continue
        role = f"open role `{person.id}`" + (f" ({person.role})" if person.role else "")
        if person.name_by is None:
            found.append((("stakeholders", index), f"{role} has no name and no `name_by`; add the person's `name`, "
                          "or `name_by: YYYY-MM-DD`, the date by which you will know who it is"))
        elif person.name_by < today:
            found.append((("stakeholders", index, "name_by"), f"{role} was to be named by {person.name_by}; add the "
                          "person's `name`, or agree a new `name_by` date"))
    return found


def _dates(plan: Plan, today: dt.date) -> list[tuple[Loc, str]]:
    """Steps after their milestone, work after go-live, and overdue items."""
    found: list[tuple[Loc, str]] = []
    review = derive.value_review(_buyers_milestones(plan))
    after = f"after go-live ({plan.go_live}); only the final value review belongs after go-live: bring it forward, or move go-live"
    for m_index, milestone in enumerate(plan.milestones):
        loc = ("milestones", m_index, "due")
        if milestone.status != "done":
            if milestone is not review and milestone.due > plan.go_live:
                found.append((loc, f"milestone `{milestone.title}` is due {milestone.due}, {after}"))
            if milestone.due < today:
                found.append((loc, f"milestone `{milestone.title}` was due {milestone.due} ({_ago(milestone.due, today)}) "
                              "and is not done; set `status: done`, or agree a new `due` and keep the first date in `baseline`"))
        for s_index, step in enumerate(milestone.steps):
            loc = ("milestones", m_index, "steps", s_index, "due")
            if step.due is None or step.status == "done":
                continue
            if step.due > milestone.due:
                found.append((loc, f"step `{step.task}` is due {step.due}, after its milestone `{milestone.title}` "
                              f"({milestone.due}); make it due on or before {milestone.due}, or move the milestone"))
            if milestone is not review and step.due > plan.go_live:
                found.append((loc, f"step `{step.task}` is due {step.due}, {after}"))
            if step.due < today:
                found.append((loc, f"step `{step.task}` was due {step.due} ({_ago(step.due, today)}) and is not done; "
                              "set `status: done`, or agree a new `due`"))
    return found


def _in_freeze(plan: Plan) -> list[tuple[Loc, str]]:
    """Open work due inside the buyer's freeze: nobody on their side will do it then."""
    if plan.freeze is None:
        return []
    span = f"in the buyer's freeze ({plan.freeze.start} to {plan.freeze.end}); move it before or after the freeze"
    found: list[tuple[Loc, str]] = []
    for m_index, milestone in enumerate(plan.milestones):
        if milestone.status != "done" and milestone.due in plan.freeze:
            found.append((("milestones", m_index, "due"), f"milestone `{milestone.title}` is due {milestone.due}, {span}"))
        found += [(("milestones", m_index, "steps", s_index, "due"), f"step `{step.task}` is due {step.due}, {span}")
                  for s_index, step in enumerate(milestone.steps)
                  if step.due is not None and step.status != "done" and step.due in plan.freeze]
    return found


def _ago(day: dt.date, today: dt.date) -> str:
    days = (today - day).days
    return f"{days} day{'s' if days != 1 else ''} ago"


def _stale(plan: Plan, today: dt.date, touched: dt.date) -> bool:
    """Untouched for three weeks while work is open: nobody is running the plan with the buyer."""
    return (today - touched).days >= STALE_DAYS and any(m.status != "done" for m in plan.milestones)
