"""The team's part of a build (plugin option `team: true`): the team page, and the team's view of every deal.

With the team on, each deal page gets a second lock, so the team's password opens it too. A page
that its plan's internal items change (`has_team_view`: any internal item on the summary; only an
internal milestone or step on the milestones and people pages) gets a second *view*, rendered for the
team: its content key is wrapped under the team's key only, so no buyer's password opens it, not even
in part. That view is sealed as ops on the buyer's page (`team_view`, `security.patch`), which then has
the team's lock too: the few lines where the views differ, not a second page. Any other page has one
view, with both locks: the team reads what the buyer reads, and the page is neither rendered twice nor
twice its size. The team page itself has only the team's lock, and so has
its actions' data, sealed into a file of its own beside it (`<team>/actions/`): the deals table opens
without waiting for tens of thousands of items, which team.js fetches when the actions view is opened.

The team's key is derived once per build, like any realm's (`keys.BackgroundKeys`), however many
deals it opens.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from mkdocs.exceptions import PluginError

from jinja2 import Environment

from mapsite.insight import derive
from mapsite.insight.actions import open_actions, ordered
from mapsite.insight.audience import TEAM, view_for
from mapsite.insight.rows import deal_row
from mapsite.plan.loader import Deal
from mapsite.plan.model import Plan
from mapsite.security import protect
from mapsite.security.csp import runs, runs_no_script, script_spans
from mapsite.security.patch import Op, dumps, line_ops
from mapsite.security.records import SealKey
from mapsite.security.protect import Lock
from mapsite.security.realms import Realm, team_realm
from mapsite.site import kinds
from mapsite.site.kinds import PageKind
from mapsite.site.team import ACTIONS_FILE, actions_json, render_team
from mapsite.site.urls import UrlLayout


# Deal pages that read no team-only item but the milestones and their steps: the milestones page and the people page,
# with the header and footer every deal page shares (the timeline, the ledger, each person's open items, the
# calendar's and the projection's data). Risks, commercials, notes, documents and the pipeline fields show on the
# summary only. tests/test_team_views.py renders both audiences' pages to keep this true.
READS_ONLY_MILESTONES = frozenset({"milestones", "people"})


def has_internal_work(plan: Plan) -> bool:
    """Whether the plan holds an internal milestone or step: what changes every deal page, and the facts on them."""
    return any(m.internal or any(s.internal for s in m.steps) for m in plan.milestones)


def has_team_only(plan: Plan) -> bool:
    """Whether the plan holds anything the buyer must not read: an internal milestone, step, risk, commercial, note or file."""
    return (has_internal_work(plan) or any(r.internal for r in plan.risks) or any(c.internal for c in plan.commercials)
            or any(n.internal for n in plan.notes) or any(f.internal for f in plan.files))


def has_team_view(plan: Plan, kind: PageKind) -> bool:
    """Whether the team's view of a page of `kind` differs from the buyer's, and so is rendered and sealed apart.

    When it does not, the page is the buyer's view with both locks: the same words for the team, the page not
    twice its size, and half the rendering. A kind this module does not know (an extension's) reads everything.
    """
    return has_internal_work(plan) if kind.key in READS_ONLY_MILESTONES else has_team_only(plan)


@dataclass(frozen=True)
class ContentOps:
    """The team's view of a page as ops on the lines of the buyer's content (`security.patch`)."""

    ops: list[Op]

    def on_page(self, first_line: int) -> list[Op]:
        """The ops on the lines of the whole page, in which the content starts on line `first_line`."""
        return [(start + first_line, end + first_line, lines) for start, end, lines in self.ops]


def team_view(buyer: str, team: str) -> tuple[str, str | ContentOps]:
    """A page's content and the team's view of it, as the build seals them.

    Each gets a line of its own before and after, so no op shares a line with the theme's frame. The
    team's view is ops on the buyer's lines, unless they would change a script the browser runs (the page's
    policy holds its hash): then it is the whole view, as it was before ops.
    """
    buyer, team = f"\n{buyer}\n", f"\n{team}\n"
    lines = buyer.split("\n")
    ops = line_ops(lines, team.split("\n"))
    if not all(runs_no_script("\n".join(lines[start:end])) and runs_no_script("\n".join(new)) for start, end, new in ops):
        return buyer, team
    scripts = [(buyer.count("\n", 0, first), buyer.count("\n", 0, last))
               for attributes, first, last in script_spans(buyer) if runs(attributes)]
    if any(first <= end - 1 and start <= last if end > start else first < start <= last
           for start, end, _ in ops for first, last in scripts):
        return buyer, team
    return buyer, ContentOps(ops)


PROBE = 256  # characters of the buyer's content looked for in the page: a search for all 100 KB of it costs 0.2 ms


def team_page(output: str, buyer_content: str, team_content: str, where: str) -> str:
    """The whole page with the team's content where the buyer's is: the theme's frame is the same for both."""
    start = content_at(output, buyer_content, where)
    return output[:start] + team_content + output[start + len(buyer_content):]


def content_at(output: str, content: str, where: str) -> int:
    """Where the page's content starts in the whole page.

    The content is in the page once, as the theme placed it; if another plugin changed it after
    mapsite, the team's view cannot be placed safely and the build stops (it never falls back to
    showing the team the buyer's page, nor the buyer the team's).
    """
    places = [at for at in _places(output, content[:PROBE]) if output.startswith(content, at)] if content else []
    if len(places) != 1:
        raise PluginError(f"mapsite: {where}: the team's view cannot be placed: the page's content was changed after "
                          f"mapsite rendered it (another plugin?); turn that plugin off for deal pages, or `team: false`")
    return places[0]


def _places(text: str, probe: str):
    """Where `probe` starts in `text`, each place."""
    at = text.find(probe)
    while at >= 0:
        yield at
        at = text.find(probe, at + 1)


@dataclass(frozen=True)
class Team:
    """Where the team page lives and what opens it."""

    path: str  # the team page's folder: `team`
    realm: Realm

    @classmethod
    def for_site(cls, path: str, deals: list[Deal], layout: UrlLayout) -> Team:
        """The team of a site whose deals are `deals`; a deal published in the team page's folder stops the build."""
        for deal in deals:
            if layout.folder(deal) == path:
                raise PluginError(f"mapsite: team_path: `{path}` is also the folder of the deal {deal.slug}; "
                                  f"choose another team_path")
        sellers = tuple(sorted({d.plan.seller.name for d in deals}))
        return cls(path, team_realm(path, sellers))

    @property
    def source(self) -> str:
        """The team page's generated file, as MkDocs names it."""
        return f"{self.path}/{kinds.TEAM_PAGE.src_uri}"

    def links(self, deals: list[Deal], layout: UrlLayout, page_url: str) -> dict[str, str]:
        """Each deal's first page, relative to the team page at `page_url` (`team/` or `team/index.html`)."""
        here = posixpath.dirname("/" + page_url)
        return {d.slug: posixpath.relpath("/" + layout.deal_path(d), here) + ("/" if layout.directory_urls else "")
                for d in deals}

    def views(self, buyer_html: str, team: str | list[Op] | None, deal_key: SealKey, team_key: SealKey) -> list[protect.View]:
        """A deal page's views, the team's first: its own when it has one (a page, or ops on the buyer's that the
        team's key opens too), else a second lock on the buyer's."""
        if team is None:
            return [protect.View(buyer_html, [Lock("deal", deal_key), Lock("team", team_key)])]
        if isinstance(team, str):
            return [protect.View(team, [Lock("team", team_key)]), protect.View(buyer_html, [Lock("deal", deal_key)])]
        return [protect.View(dumps(team), [Lock("team", team_key)], patches=1),
                protect.View(buyer_html, [Lock("deal", deal_key), Lock("team", team_key)])]

    def page(self, deals: list[Deal], layout: UrlLayout, page_url: str, env: Environment, today: dt.date,
             updated: Mapping[Path, dt.date], currency: str | None) -> tuple[str, str]:
        """The team page's content, and its actions' data: a row for every deal and every open item, counted on the
        full plan (the team's view). The data goes into its own file (`write_actions`), not into the page."""
        rows, actions = [], []
        for deal in deals:
            plan = view_for(deal.plan, TEAM)
            every = derive.items(plan)  # once a deal: its row counts them, the actions list them
            pending = derive.open_items(plan, every)
            rows.append(deal_row(deal, layout.deal_url(deal), today, updated=updated.get(deal.path), currency=currency,
                                 pending=pending, every=every))
            actions += open_actions(deal, today, pending)
        links = self.links(deals, layout, page_url)
        actions = ordered(actions)
        return (render_team(rows, len(actions), env, today=today, links=links, actions_at=self.actions_url),
                actions_json(actions, links.get))

    @property
    def actions_url(self) -> str:
        """The actions file's address from the site root, as its payload is bound to it: `team/actions/`."""
        return f"{self.path}/{posixpath.dirname(ACTIONS_FILE)}/"

    def write_actions(self, site_dir: Path, data: str, team_key: SealKey, shell: Callable[[dict, str], str]) -> None:
        """Seal the actions' data under the team's key only and write it in a lock page (`shell(payload, url)`), so
        `mapsite decrypt` and the leak checks open it like any page, and a browser that lands on it is asked for the
        team's password."""
        payload = protect.seal([(data, [Lock("team", team_key)])], self.actions_url)
        target = site_dir / self.path / ACTIONS_FILE
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(shell(payload, self.actions_url), encoding="utf-8")
