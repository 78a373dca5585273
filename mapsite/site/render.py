"""The content of a deal's pages, as HTML fragments, from a `Deal` and the build date.

Plain functions over Jinja templates in `mapsite/templates/` (each page kind names its own, see
`site.kinds`); the MkDocs plugin places the fragments inside the theme. The environment is built per
build: a template in the theme's `custom_dir` replaces the package's own, and every word goes through
the catalogue (`jinja2.ext.i18n` with `words.Words`), as do dates and numbers. Nothing here knows about MkDocs.
A date written as it is (`datetime="{{ item.due }}"`) is its ISO form, without a call per date.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from mapsite.git.history import Move
from mapsite.insight import derive
from mapsite.insight.audience import BUYER, Audience, view_for
from mapsite.insight.ledger import ledger
from mapsite.insight.projection import Projection, project
from mapsite.plan import LOGO_TYPES, Deal, logo_file
from mapsite.plan.model import Plan
from mapsite.site import actions, kinds, projected, text
from mapsite.site import documents as files
from mapsite.site.kinds import PageKind
from mapsite.site.urls import UrlLayout
from mapsite.site.words import HEALTH_LABELS, SIDES, Words, script_json, words


@functools.lru_cache(maxsize=4096)  # by value: a deal's pages name the same few people 100s of times
def _person(w: Words, person) -> Markup:
    """A stakeholder's name, or their role marked as still to be named.

    Built with `escape` and an f-string, not `Markup.format`: a build names people 100,000s of times,
    and `format` goes through string.Formatter for every field (the same escaped text, several times slower).
    Each word is looked up outside the f-strings, where the catalogue's extractor finds it."""
    if person is None:
        unassigned = w.gettext("unassigned")
        return Markup(f'<span class="ms-person ms-person--unknown">{escape(unassigned)}</span>')
    side = "buyer" if person.side == "buyer" else "seller"
    if person.name:
        label = escape(person.name)
    else:
        to_be_named = w.gettext("(to be named)")
        label = f'{escape(person.role or person.id)} <em class="ms-tbn">{escape(to_be_named)}</em>'
    return Markup(f'<span class="ms-person ms-side-{side}" title="{escape(person.role or "")}">{label}'
                  f'<span class="ms-side-tag">{escape(w.gettext(SIDES[side]))}</span></span>')


def _internal_tag(w: Words, item) -> Markup:
    """The mark an internal item carries in the team's view of a deal (the buyer's view never holds one)."""
    if not getattr(item, "internal", False):
        return Markup("")
    return Markup('<span class="ms-internal">{}</span>').format(w.gettext("Internal"))


class Parts:
    """Parts of a deal's pages made once for the deal, both audiences' views: a milestone the buyer's view shares
    with the team's (`plan.public_view` keeps it the same object), a person's card, an open item (listed twice on
    the summary too).

    The team's view is rendered beside the buyer's for half a team's deals (an internal step changes every page);
    most of it is the buyer's. `part(macro, *args, key=..., same=...)` is `macro(*args)`, remembered under `key`
    (where the part is on its page: a milestone's number, a person's id) with `same`, the values that decide
    everything the macro reads; a later call with the same key and equal `same` gets it again. Equality, not a
    hash: a build that renders one view pays a lookup, nothing more. A macro given to it may read nothing else
    that differs between the views: each page's two views rendered in turn are held equal to each rendered
    alone (tests/test_properties.py)."""

    def __init__(self) -> None:
        self.made: dict[tuple, tuple[tuple, Markup]] = {}
        self.values: dict[str, object] = {}

    def value(self, name: str, make):
        """`make()`, once a deal: for what is the same in every view by construction."""
        if name not in self.values:
            self.values[name] = make()
        return self.values[name]

    def on(self, page: str):
        """`part` for the templates of one page kind: a macro's name means one macro only within its own template."""

        def part(macro, *args, key: tuple, same: tuple) -> Markup:
            where = (page, macro.name, *key)
            found = self.made.get(where)
            if found is None or found[0] != same:  # a tuple compares its items by identity first
                found = self.made[where] = (same, macro(*args))
            return found[1]
        return part


def environment(custom_dir: str | None = None, language: str = "en") -> Environment:
    """The pages' Jinja environment: templates from `custom_dir` first, then mapsite's own."""
    w = words(language)
    loaders = [FileSystemLoader(custom_dir)] if custom_dir else []
    env = Environment(
        loader=ChoiceLoader([*loaders, PackageLoader("mapsite", "templates")]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,  # built per build (and per `mkdocs serve` rebuild): no file is checked again per page
    )
    env.install_gettext_callables(w.raw.gettext, w.raw.ngettext, newstyle=True)
    env.globals.update(_=_markup_gettext(w), gettext=_markup_gettext(w), ngettext=_markup_ngettext(w))
    env.filters.update(md=text.inline, md_block=text.block, date=w.date, days_left=w.days_left, due_in=w.due_in,
                       number=w.number, person=lambda p: _person(w, p), status_label=w.status, slip=derive.slip_days,
                       reason=lambda r: reason_text(w, r), file_size=lambda n: files.size_text(w, n))
    env.globals.update(words=w, internal=lambda item: _internal_tag(w, item))
    return env


def _markup_gettext(w: Words):
    """`_()` as i18n's newstyle gettext does it (the message is markup, its values are escaped into it), without
    its per-call context lookups: a deal page calls it dozens of times, a build thousands. A message without
    values is the same markup every time: made once per environment (one per language), then looked up; one with
    values is translated once, then filled in."""
    plain: dict[str, Markup] = {}
    translated: dict[str, Markup] = {}

    def gettext(message: str, **values) -> Markup:
        if values:
            if message not in translated:
                translated[message] = Markup(w.raw.gettext(message))
            return translated[message] % values
        if message not in plain:
            plain[message] = Markup(w.raw.gettext(message)) % values
        return plain[message]
    return gettext


def _markup_ngettext(w: Words):
    def ngettext(singular: str, plural: str, num: int, **values) -> Markup:
        return Markup(w.raw.ngettext(singular, plural, abs(num))) % {"num": num, **values}
    return ngettext


def reason_text(w: Words, reason: derive.Reason) -> str:
    """One of derive's health reasons in the reader's words."""
    if reason.code == "set_by_team":
        return reason.title or w.gettext("set by the deal team")
    if reason.code == "slipped":
        return w.ngettext("%(title)s slipped %(num)s day", "%(title)s slipped %(num)s days", reason.count,
                          title=reason.title)
    if reason.code == "overdue":
        return w.ngettext("%(num)s item overdue", "%(num)s items overdue", reason.count)
    if reason.code == "blocked":
        return w.ngettext("%(num)s item blocked", "%(num)s items blocked", reason.count)
    if reason.code == "projected_late":
        return w.ngettext("go-live projected %(num)s day late", "go-live projected %(num)s days late", reason.count)
    if reason.code == "hard_date":
        return w.gettext("the projected go-live is past a fixed date: %(title)s", title=reason.title)
    if reason.code == "after_go_live":
        return w.gettext("%(title)s is due after go-live", title=reason.title)
    if reason.code == "go_live_passed":
        return w.gettext("go-live date has passed with milestones open")
    return w.gettext("every milestone on its agreed date")


def health_label(w: Words, health: derive.Health) -> str:
    """"On track", or for a deal only late against its agreed dates, how late."""
    if health.slipped_days:
        return w.ngettext("Slipped %(num)s day", "Slipped %(num)s days", health.slipped_days)
    return w.gettext(HEALTH_LABELS[health.level])


_default = functools.cache(environment)  # for callers outside a build (tests, tools): mapsite's templates, English


class _LastDeal:
    """The context of the deal rendered last, for each audience: its pages share one view and its facts.

    A build renders a deal's pages one after another (with the team on, the team's view and the buyer's
    in turn), so each deal's view, projection, health and data blocks are worked out once an audience,
    not once a page. Known by identity (the same deal holding the same plan, in the same environment's
    words) and by value (the dates, the folder); each page gets its own copy.
    """

    def __init__(self) -> None:
        self.last: dict[str, tuple[tuple, dict]] = {}  # audience -> (key, context)
        self.parts: tuple[tuple, Parts] = ((), None)

    def get(self, w: Words, deal: Deal, today: dt.date, updated: dt.date, folder: str, audience: Audience,
            shown: tuple = ()) -> dict:
        """The audience's context, and `parts` for the deal as pages read it beside their context (`shown`: the
        layout and the date changes): each page gets its own copy."""
        key = (w, deal, deal.plan, today, updated, folder)
        known, context = self.last.get(audience, ((), {}))
        if not self._same(self.parts[0], key + shown):
            self.parts = (key + shown, Parts())
        if not self._same(known, key):
            context = _context(w, deal, today, updated, folder, audience, self.parts[1])
            self.last[audience] = (key, context)
        return dict(context, parts=self.parts[1])

    @staticmethod
    def _same(known: tuple, key: tuple) -> bool:
        return len(known) == len(key) and all(a is b for a, b in zip(known[:3], key[:3])) and known[3:] == key[3:]


_last_deal = _LastDeal()


def _context(w: Words, deal: Deal, today: dt.date, updated: dt.date, folder: str, audience: Audience, parts: Parts) -> dict:
    plan: Plan = view_for(deal.plan, audience)  # facts count only what the page's audience sees
    done, total = derive.progress(plan)
    projection = project(plan, today)
    every = derive.items(plan)  # once a deal and audience: open and overdue items, and health, are drawn from it
    pending = derive.open_items(plan, every)
    health = derive.health(plan, today, projection, every)
    return {
        "plan": plan,
        "deal": deal,
        "audience": audience,
        "folder": folder,
        "today": today,
        "updated": updated,
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 0,
        "health": health,
        "health_label": health_label(w, health),
        "days_left": derive.days_until(plan.go_live, today),
        "next_items": derive.coming_up(pending, today),  # the first three shown, the rest for mapsite.js
        "open_items": pending,
        "overdue": derive.overdue(plan, today, pending),
        "commercial_total": derive.commercial_total(plan),
        "items": every,
        "owed": lambda sid: derive.owed(plan, sid, pending),
        "titles_of": lambda items: [plan.milestones[i.milestone_number - 1].title for i in items],
        "milestone_of": lambda item: plan.milestones[item.milestone_number - 1],
        "pages": kinds.DEAL_KINDS,
        "timeline": _timeline(w, plan, today, projection),
        "projection": projection,
        "projection_sentence": projected.sentence(w, plan, projection),
        "projection_json": Markup(projected.browser_inputs(plan)),
        "calendar_json": Markup(_calendar_json(w, folder, plan)),
        "words_json": Markup(w.browser),
        "calendar_id": calendar_id,
        # any template may offer them; the data block lists what the buyer may update, the same in both views
        **actions.context(w, deal.slug, plan, parts.value("actions", lambda: actions.actions_json(w, deal.slug, plan))),
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
    ref: str = ""  # which projection it shows (a milestone's index, or "golive"); "" for events
    projected: str = ""  # "projected 2 Mar 2027" when late; mapsite.js redoes it on the day the page is viewed
    lane: int = 0  # milestones only: the row it sits in, above the axis, so close dates do not overlap


LANE_GAP = 8.0  # % of the axis two milestones in one row keep apart: a marker and a gap on a 320 px phone
LANES = 3


def _in_lanes(marks: list[Mark]) -> tuple[list[Mark], int]:
    """Milestones spread over up to LANES rows, each in the first row where it clears the one before it
    (else the row whose last marker is furthest behind); and how many rows that took."""
    ends: list[float] = []
    placed = []
    for mark in marks:
        if mark.kind != "milestone":
            placed.append(mark)
            continue
        lane = next((i for i, end in enumerate(ends) if mark.x - end >= LANE_GAP), None)
        if lane is None and len(ends) < LANES:
            lane = len(ends)
            ends.append(mark.x)
        elif lane is None:
            lane = min(range(len(ends)), key=ends.__getitem__)
        ends[lane] = mark.x
        placed.append(dataclasses.replace(mark, lane=lane))
    return placed, max(len(ends), 1)


def calendar_id(milestone: int | None = None, step: int | None = None, event: int | None = None) -> str:
    """The one naming of calendar entries (`m2`, `m2s1`, `e1`, `golive`): buttons and the data block share it;
    mapsite.js adds a milestone's steps to it by the `<id>s` prefix."""
    if event is not None:
        return f"e{event}"
    if milestone is None:
        return "golive"
    return f"m{milestone}" + (f"s{step}" if step is not None else "")


def _timeline(w: Words, plan: Plan, today: dt.date, projection: Projection) -> dict:
    """Positions (in % of the axis) of milestones, customer events, go-live and today."""
    dates = [m.due for m in plan.milestones] + [e.date for e in plan.events] + [plan.go_live, today]
    start, end = min(dates) - dt.timedelta(days=7), max(dates) + dt.timedelta(days=7)
    span = (end - start).days or 1

    def x(day: dt.date) -> float:
        return round(100 * (day - start).days / span, 2)

    marks = [Mark("milestone", m.due, f"{n}. {m.title}", m.title, str(n), m.status, x(m.due), str(n - 1),
                  projected.projected_label(w, projection, n - 1))
             for n, m in enumerate(plan.milestones, start=1)]
    marks += [Mark("event", e.date, e.title, e.title, "◆", "event", x(e.date)) for e in plan.events]
    go_live = w.gettext("Go-live")
    marks.append(Mark("golive", plan.go_live, go_live, go_live, "★", "golive", x(plan.go_live), "golive",
                      projected.projected_label(w, projection, None)))
    marks.sort(key=lambda m: (m.date, m.kind != "milestone"))
    marks, lanes = _in_lanes(marks)
    ticks, month = [], dt.date(start.year, start.month, 1)
    step = max(1, span // 31 // 8 + 1)  # at most ~8 month labels
    while month <= end:
        if month >= start:
            ticks.append({"x": x(month), "label": w.month(month, with_year=month.month == 1 or not ticks)})
        for _ in range(step):
            month = (month + dt.timedelta(days=32)).replace(day=1)
    return {"start": start, "end": end, "marks": marks, "ticks": ticks, "today_x": x(today), "lanes": lanes}


def _calendar_json(w: Words, folder: str, plan: Plan) -> str:
    """Dates for the in-browser calendar export, each with its status (mapsite.js exports open items only);
    `<` escaped so it cannot close the script tag."""
    entries = []
    for number, milestone in enumerate(plan.milestones, start=1):
        entries.append({"id": calendar_id(number), "title": milestone.title, "date": milestone.due.isoformat(),
                        "description": milestone.value or "", "status": milestone.status})
        for index, step in enumerate(milestone.steps, start=1):
            if step.due:
                entries.append({"id": calendar_id(number, index), "title": step.task, "date": step.due.isoformat(),
                                "description": w.gettext("Step of: %(title)s", title=milestone.title), "status": step.status})
    for index, event in enumerate(plan.events, start=1):
        entries.append({"id": calendar_id(event=index), "title": event.title, "date": event.date.isoformat(), "description": ""})
    entries.append({"id": calendar_id(), "title": w.gettext("Go-live: %(title)s", title=plan.title), "date": plan.go_live.isoformat(), "description": ""})
    data = {"deal": folder, "title": plan.title, "entries": entries}
    return script_json(data)


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
                moves: dict[str, list[Move]] | None = None, env: Environment | None = None,
                audience: Audience = BUYER, documents: Sequence[files.Offered] = ()) -> str:
    """The HTML fragment of one deal page of `kind` (summary, milestones, people), as `audience` sees it.

    `logos` maps "buyer"/"seller" to data: URIs, so no logo file ever lies in the site;
    `moves` maps milestone titles to their due-date changes in git; `env` is the build's
    `environment()` (by default mapsite's own templates, in English). The team's view holds the
    internal items, marked as such, and counts them in its facts. `documents` are the deal's files as
    this build publishes them (`site.documents`); the audience's view offers only its own.
    """
    env = env or _default()
    template = env.get_template(kind.template)
    context = _last_deal.get(env.globals["words"], deal, today, updated or today, layout.folder(deal), audience,
                             (layout, moves))
    context["part"] = context.pop("parts").on(kind.key)
    if kind.key == "milestones":
        context["ledger"] = ledger(context["plan"], today, moves)
    return template.render(context, page_key=kind.key, links=layout.page_links(kind.key), logos=logos or {},
                           moves=moves or {}, documents=files.for_audience(documents, audience))
