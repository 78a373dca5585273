"""The kinds of page mapsite generates: each knows its key, its title, its template and its audience.

The audience says which realm protects a page: a deal's pages belong to the deal's realm and are
encrypted under its key (and, with the team on, the team's too); the team page belongs to the
team's realm only; the landing page and the 404 page are explicitly public. A kind without
an audience is a mistake, and the build stops on it rather than publish the page in plain text.
"""

from __future__ import annotations

from dataclasses import dataclass

from mapsite.security.realms import PUBLIC
from mapsite.site.words import N_

DEAL = "deal"  # the audience of a deal's own pages: the buyer, through the deal's realm
TEAM = "team"  # the audience of the team page: the seller's team, through the team's realm


@dataclass(frozen=True)
class PageKind:
    """One page of a deal's microsite (or of the site itself)."""

    key: str  # summary, milestones, people
    title: str  # a catalogue message: shown through the reader's words
    src_uri: str  # relative to the deal's folder (a deal's page), the team's (the team page) or the site root (a public page)
    template: str  # the content's template in mapsite/templates/ (a deal's page), or the theme's (a public page)
    audience: str | None  # DEAL, TEAM, realms.PUBLIC; None is a build error, never plain text


SUMMARY = PageKind("summary", N_("Summary"), "index.md", "summary.html", DEAL)
MILESTONES = PageKind("milestones", N_("Milestones"), "milestones.md", "milestones.html", DEAL)
PEOPLE = PageKind("people", N_("People"), "people.md", "people.html", DEAL)
DEAL_KINDS: tuple[PageKind, ...] = (SUMMARY, MILESTONES, PEOPLE)
"""Every deal's pages, in navigation order (read as `kinds.DEAL_KINDS`, so an extension may add one)."""

TEAM_PAGE = PageKind("team", N_("Team pipeline"), "index.md", "team.html", TEAM)
"""Every deal of the site in one table, and every open item: the team's only (plugin option `team: true`)."""

LANDING = PageKind("landing", "", "index.md", "main.html", PUBLIC)
"""The site's root when the project has no docs/index.md: names no deal."""
NOT_FOUND = PageKind("404", "", "404.html", "404.html", PUBLIC)
"""Shown at any address: names no deal."""


def deal_kind(key: str) -> PageKind:
    """The deal page kind called `key`."""
    return next(kind for kind in DEAL_KINDS if kind.key == key)
