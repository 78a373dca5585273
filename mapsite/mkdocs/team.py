"""The team's part of a build (plugin option `team: true`): the team page, and the team's view of every deal.

With the team on, each deal page gets a second lock, so the team's password opens it too. A deal
whose plan holds internal items gets a second *view* of each page, rendered for the team: its
content key is wrapped under the team's key only, so no buyer's password opens it, not even in
part. A deal without internal items has one view, with both locks: the team reads what the buyer
reads, and the page is not twice its size. The team page itself has only the team's lock.

The team's key is derived once per build, like any realm's (`keys.BackgroundKeys`), however many
deals it opens.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from mkdocs.exceptions import PluginError

from mapsite.plan.loader import Deal
from mapsite.plan.model import Plan
from mapsite.security.records import SealKey
from mapsite.security.protect import Lock
from mapsite.security.realms import Realm, team_realm
from mapsite.site import kinds
from mapsite.site.urls import UrlLayout


def has_team_only(plan: Plan) -> bool:
    """Whether the plan holds anything the buyer must not read: an internal milestone, step, risk, commercial, note or file."""
    return (any(m.internal or any(s.internal for s in m.steps) for m in plan.milestones)
            or any(r.internal for r in plan.risks) or any(c.internal for c in plan.commercials)
            or any(n.internal for n in plan.notes) or any(f.internal for f in plan.files))


def team_page(output: str, buyer_content: str, team_content: str, where: str) -> str:
    """The whole page with the team's content where the buyer's is: the theme's frame is the same for both.

    The content is in the page once, as the theme placed it; if another plugin changed it after
    mapsite, the team's view cannot be placed safely and the build stops (it never falls back to
    showing the team the buyer's page, nor the buyer the team's).
    """
    if output.count(buyer_content) != 1:
        raise PluginError(f"mapsite: {where}: the team's view cannot be placed: the page's content was changed after "
                          f"mapsite rendered it (another plugin?); turn that plugin off for deal pages, or `team: false`")
    return output.replace(buyer_content, team_content)


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

    def views(self, buyer_html: str, team_html: str | None, deal_key: SealKey, team_key: SealKey):
        """A deal page's views, the team's first: its own when it has one, else a second lock on the buyer's."""
        if team_html is None:
            return [(buyer_html, [Lock("deal", deal_key), Lock("team", team_key)])]
        return [(team_html, [Lock("team", team_key)]), (buyer_html, [Lock("deal", deal_key)])]
