"""What changed in a plan between two versions, in the words a deal review needs.

Milestones and steps are matched by title, stakeholders by id: a renamed milestone shows as
one removed and one added. Output is Markdown (a pull request comment, a job summary) or JSON.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mapsite.git.plans import Base, changed_plans, text_at
from mapsite.insight.projection import project
from mapsite.plan import display_path, load_plan, load_text
from mapsite.plan.model import Plan, Stakeholder
from mapsite.site.words import STATUS_LABELS

STATUS_WORDS = {code: label.lower() for code, label in STATUS_LABELS.items()}  # the site's labels, in a sentence


@dataclass
class PlanDiff:
    path: str
    slug: str
    change: str  # added, deleted or modified
    title: str
    go_live: dict | None = None  # {"from", "to", "days"} when go-live moved
    projected_go_live: dict | None = None  # {"from", "to", "days"} when the projected go-live moved, as of `today`
    value_summary: dict | None = None  # {"from", "to"} when it changed
    milestones: dict[str, list[dict]] = field(default_factory=lambda: _kinds())
    steps: dict[str, list[dict]] = field(default_factory=lambda: _kinds())
    stakeholders: dict[str, list[dict]] = field(default_factory=lambda: {"added": [], "removed": [], "named": []})
    outline: dict | None = None  # for an added or deleted plan: go-live and how big it is
    problems: list[str] = field(default_factory=list)  # a version that could not be read

    @property
    def empty(self) -> bool:
        lists = [*self.milestones.values(), *self.steps.values(), *self.stakeholders.values()]
        return not (self.go_live or self.projected_go_live or self.value_summary or any(lists) or self.problems
                    or self.outline)


def _kinds() -> dict[str, list[dict]]:
    return {"added": [], "removed": [], "moved": [], "status": []}


def diff_since(top: Path, plans_dir: Path, base: Base, *, project: Path | None = None,
               today: dt.date | None = None) -> list[PlanDiff]:
    """Every plan that changed between `base` and the working tree; `project` as for `load_plan`; both versions
    projected as of `today` (default: the real today)."""
    diffs = []
    for item in changed_plans(top, plans_dir, base):
        path = top / item.path
        shown = display_path(path)
        old = new = None
        problems = []
        if item.status != "added":
            old, found = load_text(text_at(top, base.commit, item.path), path, shown)
            problems += [f"the version at {base.label}: {found[0]}"] if found else []
        if item.status != "deleted":
            new, found = load_plan(path, shown, project=project)
            problems += [f"the current version: {found[0]} (run `mapsite check`)"] if found else []
        if problems:
            title = (new or old).plan.title if (new or old) else path.stem
            diffs.append(PlanDiff(shown, path.stem, item.status, title, problems=problems))
        else:
            diffs.append(compare(shown, path.stem, old and old.plan, new and new.plan, today))
    return diffs


def compare(path: str, slug: str, old: Plan | None, new: Plan | None, today: dt.date | None = None) -> PlanDiff:
    """Changes from `old` to `new`; None on one side means the plan was added or deleted.

    The projected go-live (the team's view, internal milestones included) is compared as of one day, `today`, so
    what moves it is the change itself: a milestone marked done, a date moved, a dependency added."""
    change = "added" if old is None else "deleted" if new is None else "modified"
    current = new or old
    diff = PlanDiff(path, slug, change, current.title)
    if change != "modified":
        diff.outline = _outline(current)
    before = old or _nothing(new)
    after = new or _nothing(old)
    if old and new and old.go_live != new.go_live:
        diff.go_live = {"from": old.go_live.isoformat(), "to": new.go_live.isoformat(), "days": (new.go_live - old.go_live).days}
    if old and new:
        was, now = project(old, today or dt.date.today()).projected, project(new, today or dt.date.today()).projected
        if was != now:
            diff.projected_go_live = {"from": was.isoformat(), "to": now.isoformat(), "days": (now - was).days}
    if old and new and old.value_summary != new.value_summary:
        diff.value_summary = {"from": old.value_summary, "to": new.value_summary}
    _compare_milestones(diff, before, after)
    _compare_people(diff, before.stakeholders, after.stakeholders)
    return diff


def _outline(plan: Plan) -> dict:
    dues = sorted(m.due for m in plan.milestones)
    return {"go_live": plan.go_live.isoformat(), "milestones": len(plan.milestones), "first_due": dues[0].isoformat(),
            "last_due": dues[-1].isoformat(), "stakeholders": len(plan.stakeholders),
            "open_roles": sum(not s.name for s in plan.stakeholders)}


def _nothing(plan: Plan) -> Plan:
    """An empty stand-in for the missing side of an added or deleted plan."""
    return plan.model_copy(update={"milestones": [], "stakeholders": []})


def _compare_milestones(diff: PlanDiff, old: Plan, new: Plan) -> None:
    before = {m.title: m for m in old.milestones}
    after = {m.title: m for m in new.milestones}
    diff.milestones["added"] = [{"title": m.title, "due": m.due.isoformat()} for t, m in after.items() if t not in before]
    diff.milestones["removed"] = [{"title": m.title, "due": m.due.isoformat()} for t, m in before.items() if t not in after]
    for title in (t for t in after if t in before):
        was, now = before[title], after[title]
        _moved_and_status(diff.milestones, {"title": title}, was.due, now.due, was.status, now.status)
        steps_before = {s.task: s for s in was.steps}
        steps_after = {s.task: s for s in now.steps}
        diff.steps["added"] += [{"milestone": title, "task": s.task, "due": _iso(s.due)} for t, s in steps_after.items() if t not in steps_before]
        diff.steps["removed"] += [{"milestone": title, "task": s.task, "due": _iso(s.due)} for t, s in steps_before.items() if t not in steps_after]
        for task in (t for t in steps_after if t in steps_before):
            old_step, new_step = steps_before[task], steps_after[task]
            _moved_and_status(diff.steps, {"milestone": title, "task": task}, old_step.due, new_step.due,
                              old_step.status, new_step.status)


def _moved_and_status(kinds: dict[str, list[dict]], what: dict, old_due: dt.date | None, new_due: dt.date | None,
                      old_status: str, new_status: str) -> None:
    if old_due != new_due:
        days = (new_due - old_due).days if old_due and new_due else None
        kinds["moved"].append({**what, "from": _iso(old_due), "to": _iso(new_due), "days": days})
    if old_status != new_status:
        kinds["status"].append({**what, "from": old_status, "to": new_status})


def _compare_people(diff: PlanDiff, old: list[Stakeholder], new: list[Stakeholder]) -> None:
    before = {s.id: s for s in old}
    after = {s.id: s for s in new}
    diff.stakeholders["added"] = [_person(s) for i, s in after.items() if i not in before]
    diff.stakeholders["removed"] = [_person(s) for i, s in before.items() if i not in after]
    diff.stakeholders["named"] = [_person(s) for i, s in after.items() if i in before and s.name and s.name != before[i].name]


def _person(person: Stakeholder) -> dict:
    return {"id": person.id, "name": person.name, "side": person.side, "role": person.role}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def to_json(base: Base, diffs: list[PlanDiff]) -> str:
    data = {"base": {"rev": base.label, "commit": base.commit, "description": base.how},
            "plans": [asdict(d) for d in diffs]}
    return json.dumps(data, indent=2, ensure_ascii=False)


def to_markdown(base: Base, diffs: list[PlanDiff]) -> str:
    """A summary for a pull request comment or a job summary."""
    if not diffs:
        return f"## Plan changes\n\nNo plan changed since {base.how}.\n"
    out = [f"## Plan changes since {base.how}", ""]
    for diff in diffs:
        out += [f"### {_md(diff.title)} · `{diff.path}` ({diff.change})", ""]
        out += [f"- {line}" for line in _lines(diff)] or ["- No change to dates, milestones, statuses, people or the value summary."]
        out.append("")
    return "\n".join(out)


def _lines(diff: PlanDiff) -> list[str]:
    lines = [f"Could not read {_md(problem)}" for problem in diff.problems]
    if diff.outline:
        o = diff.outline
        what = "New plan" if diff.change == "added" else "Plan deleted; it had"
        open_roles = f", {o['open_roles']} still to name" if o["open_roles"] else ""
        return lines + [f"{what}: go-live {o['go_live']}, {o['milestones']} milestones from {o['first_due']} to "
                        f"{o['last_due']}, {o['stakeholders']} stakeholders{open_roles}"]
    if diff.go_live:
        g = diff.go_live
        lines.append(f"**Go-live moved** {g['from']} → {g['to']} ({_days(g['days'])})")
    if diff.projected_go_live and diff.projected_go_live["days"] != (diff.go_live or {}).get("days", 0):
        g = diff.projected_go_live  # said when the slips moved it, not again when go-live itself moved it
        lines.append(f"**Projected go-live moved** {g['from']} → {g['to']} ({_days(g['days'])})")
    if diff.value_summary:
        lines.append(f"**Value summary changed** from “{_md(diff.value_summary['from'])}” to “{_md(diff.value_summary['to'])}”")
    m = diff.milestones
    lines += [f"Milestone added: **{_md(x['title'])}**, due {x['due']}" for x in m["added"]]
    lines += [f"Milestone removed: ~~{_md(x['title'])}~~ (was due {x['due']})" for x in m["removed"]]
    lines += [f"**{_md(x['title'])}** moved {x['from']} → {x['to']} ({_days(x['days'])})" for x in m["moved"]]
    lines += [f"**{_md(x['title'])}**: {STATUS_WORDS[x['from']]} → **{STATUS_WORDS[x['to']]}**" for x in m["status"]]
    s = diff.steps
    lines += [f"Step added to {_md(x['milestone'])}: {_md(x['task'])}" + (f", due {x['due']}" if x["due"] else "") for x in s["added"]]
    lines += [f"Step removed from {_md(x['milestone'])}: ~~{_md(x['task'])}~~" for x in s["removed"]]
    lines += [f"Step {_md(x['task'])} moved {x['from'] or 'undated'} → {x['to'] or 'undated'}"
              + (f" ({_days(x['days'])})" if x["days"] is not None else "") for x in s["moved"]]
    lines += [f"Step {_md(x['task'])}: {STATUS_WORDS[x['from']]} → **{STATUS_WORDS[x['to']]}**" for x in s["status"]]
    p = diff.stakeholders
    lines += [f"Stakeholder added: {_who(x)}" for x in p["added"]]
    lines += [f"Stakeholder removed: {_who(x)}" for x in p["removed"]]
    lines += [f"Role named: {_md(x['role'] or x['id'])} is now **{_md(x['name'])}**" for x in p["named"]]
    return lines


def _who(person: dict) -> str:
    name = f"**{_md(person['name'])}**" if person["name"] else f"open role `{person['id']}`"
    details = ", ".join(_md(x) for x in (person["side"], person["role"]) if x)
    return f"{name} ({details})"


def _days(days: int) -> str:
    sign = "+" if days > 0 else "−" if days < 0 else "±"
    return f"{sign}{abs(days)} day{'s' if abs(days) != 1 else ''}"


def _md(text: str) -> str:
    """Plan text shown as text in Markdown: no accidental emphasis, links, tables, HTML or math."""
    for char in "\\`*_[]<>|~#$":
        text = text.replace(char, "\\" + char)
    return " ".join(text.split())
