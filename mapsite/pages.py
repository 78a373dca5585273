"""The content of a deal's pages, as HTML fragments, from a `Deal` and the build date.

Plain functions over Jinja templates in `mapsite/templates/` (each page kind names its own, see
`site.kinds`); the MkDocs plugin places the fragments inside the theme. Nothing here knows about MkDocs.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from mapsite import derive, text
from mapsite.history import Move
from mapsite.loader import LOGO_TYPES, Deal, logo_file
from mapsite.model import Plan, public_view
from mapsite.site import kinds
from mapsite.site.kinds import PageKind
from mapsite.site.urls import UrlLayout


STATUS_LABELS = {"not_started": "Not started", "in_progress": "In progress", "done": "Done", "blocked": "Blocked"}


def _date(day: dt.date | None) -> str:
    return f"{day.day} {day:%b %Y}" if day else ""


def _days(count: int) -> str:
    return f"{count} day{'s' if abs(count) != 1 else ''}"


def _person(person) -> Markup:
    """A stakeholder's name, or their role marked as still to be named."""
    if person is None:
        return Markup('<span class="ms-person ms-person--unknown">unassigned</span>')
    side = "buyer" if person.side == "buyer" else "seller"
    if person.name:
        label = Markup("{}").format(person.name)
    else:
        label = Markup('{} <em class="ms-tbn">(to be named)</em>').format(person.role or person.id)
    return Markup('<span class="ms-person ms-side-{}" title="{}">{}<span class="ms-side-tag">{}</span></span>').format(
        side, person.role or "", label, side
    )


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("mapsite", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(md=text.inline, md_block=text.block, date=_date, days=_days, person=_person,
                       status_label=STATUS_LABELS.get, slip=derive.slip_days)
    return env


_env = _environment()


def _context(deal: Deal, today: dt.date, updated: dt.date, folder: str) -> dict:
    plan: Plan = public_view(deal.plan)
    done, total = derive.progress(plan)
    return {
        "plan": plan,
        "deal": deal,
        "folder": folder,
        "today": today,
        "updated": updated,
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 0,
        "health": derive.health(plan, today),
        "days_left": derive.days_until(plan.go_live, today),
        "next_items": derive.open_items(plan)[:3],
        "open_items": derive.open_items(plan),
        "overdue": derive.overdue(plan, today),
        "next_milestone": derive.next_milestone(plan),
        "items": derive.items(plan),
        "owned_by": lambda sid: derive.owned_by(plan, sid),
        "pages": kinds.DEAL_KINDS,
        "timeline": _timeline(plan, today),
        "calendar_json": Markup(_calendar_json(folder, plan)),
    }


@dataclass(frozen=True)
class Mark:
    kind: str  # milestone, event, golive
    date: dt.date
    title: str  # tooltip on the axis
    label: str  # text in the list under the axis
    symbol: str
    status: str
    x: float


def _timeline(plan: Plan, today: dt.date) -> dict:
    """Positions (in % of the axis) of milestones, customer events, go-live and today."""
    dates = [m.due for m in plan.milestones] + [e.date for e in plan.events] + [plan.go_live, today]
    start, end = min(dates) - dt.timedelta(days=7), max(dates) + dt.timedelta(days=7)
    span = (end - start).days or 1

    def x(day: dt.date) -> float:
        return round(100 * (day - start).days / span, 2)

    marks = [Mark("milestone", m.due, f"{n}. {m.title}", m.title, str(n), m.status, x(m.due))
             for n, m in enumerate(plan.milestones, start=1)]
    marks += [Mark("event", e.date, e.title, e.title, "◆", "event", x(e.date)) for e in plan.events]
    marks.append(Mark("golive", plan.go_live, "Go-live", "Go-live", "★", "golive", x(plan.go_live)))
    marks.sort(key=lambda m: (m.date, m.kind != "milestone"))
    ticks, month = [], dt.date(start.year, start.month, 1)
    step = max(1, span // 31 // 8 + 1)  # at most ~8 month labels
    while month <= end:
        if month >= start:
            ticks.append({"x": x(month), "label": f"{month:%b}" + (f" {month:%Y}" if month.month == 1 or not ticks else "")})
        for _ in range(step):
            month = (month + dt.timedelta(days=32)).replace(day=1)
    return {"start": start, "end": end, "marks": marks, "ticks": ticks, "today_x": x(today)}


def _calendar_json(folder: str, plan: Plan) -> str:
    """Dates for the in-browser calendar export; `<` escaped so it cannot close the script tag."""
    entries = []
    for number, milestone in enumerate(plan.milestones, start=1):
        entries.append({"id": f"m{number}", "title": milestone.title, "date": milestone.due.isoformat(),
                        "description": milestone.value or ""})
        for index, step in enumerate(milestone.steps, start=1):
            if step.due:
                entries.append({"id": f"m{number}s{index}", "title": step.task, "date": step.due.isoformat(),
                                "description": f"Step of: {milestone.title}"})
    for index, event in enumerate(plan.events, start=1):
        entries.append({"id": f"e{index}", "title": event.title, "date": event.date.isoformat(), "description": ""})
    entries.append({"id": "golive", "title": f"Go-live: {plan.title}", "date": plan.go_live.isoformat(), "description": ""})
    data = {"deal": folder, "title": plan.title, "entries": entries}
    return json.dumps(data, ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def logo_uris(deal: Deal) -> dict[str, str]:
    """Buyer and seller logos as data: URIs, so they travel inside each page's encryption."""
    uris = {}
    for side in ("buyer", "seller"):
        logo = getattr(deal.plan, side).logo
        if logo:
            file = logo_file(deal.path, logo)
            encoded = base64.b64encode(file.read_bytes()).decode("ascii")
            uris[side] = f"data:{LOGO_TYPES[file.suffix.lower()]};base64,{encoded}"
    return uris


def render_page(kind: PageKind, deal: Deal, today: dt.date, *, updated: dt.date | None = None,
                layout: UrlLayout = UrlLayout(), logos: dict[str, str] | None = None,
                moves: dict[str, list[Move]] | None = None) -> str:
    """The HTML fragment of one deal page of `kind` (summary, milestones, people).

    `logos` maps "buyer"/"seller" to data: URIs, so no logo file ever lies in the site;
    `moves` maps milestone titles to their due-date changes in git.
    """
    template = _env.get_template(kind.template)
    context = _context(deal, today, updated or today, layout.folder(deal))
    return template.render(context, page_key=kind.key, links=layout.page_links(kind.key), logos=logos or {},
                           moves=moves or {})
