"""Deal by deal: a generated page's HTML exists only while MkDocs builds that page, so memory does not grow with deals.

MkDocs 1.6 reads every page (`on_page_content`) before it builds any (`on_page_context`, the
template, `on_post_page`, the write), so content handed back when a page is read is held for every
page at once: at 10,000 deals, 30,000 pages of HTML and the team's views of them. Instead the
plugin answers `LATER` when a generated page is read, renders it when MkDocs is about to build it
(`fill`), and drops it once the encrypted page is on its way to disk (`release`). Nothing read
between the two needs the content: deal pages have no Markdown (no toc, no anchors), are out of
the search index, and the sitemap lists URLs only. A plugin that edits a deal page's content in
`on_page_content` therefore sees `LATER`, not the page; one that edits it later (in
`on_page_context` after mapsite, or in the template) sees the page as before.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from mkdocs.structure.pages import Page

from mapsite.plan import Deal

LATER = ""  # a generated page's content until MkDocs builds it: its own Markdown is empty too


class PageFlow:
    """The content of the page being built, the buyer's and (for a deal with internal items) the team's view."""

    def __init__(self) -> None:
        self.team_views: dict[str, object] = {}  # src_uri -> the team's view of that page (`team.team_view`), while it is built

    def fill(self, page: Page, render: Callable[[Page], tuple[str, object]]) -> None:
        """Render `page` now, as MkDocs starts building it: `render` gives its content and the team's view, if any."""
        page.content, team_view = render(page)
        if team_view is not None:
            self.team_views[page.file.src_uri] = team_view

    def team_view(self, page: Page) -> object:
        return self.team_views.get(page.file.src_uri)

    def release(self, page: Page) -> None:
        """Drop what `fill` made, once the page is encrypted: MkDocs writes the output and keeps the Page."""
        page.content = None
        self.team_views.pop(page.file.src_uri, None)


def forget_positions(deals: list[Deal]) -> None:
    """Drop each plan's YAML positions (`file:line` of every key) once the build has reported all it checks:
    about 115 KB a deal, more than the plan itself, so 1.1 GB at 10,000 deals."""
    for deal in deals:
        deal.positions = {}


def settle(command: str) -> None:
    """Once the plans are loaded and checked: collect the garbage of loading, then freeze what is left.

    The plans live to the end of the build, so the collector need not walk them again and again
    (at 10,000 deals that heap is 900 MB), and worker processes forked after this do not copy the
    pages the collector would have written to. Not under `mkdocs serve`, whose rebuilds would keep
    every earlier build's plans.
    """
    if command != "serve":
        gc.collect()
        gc.freeze()


def unsettle() -> None:
    """The frozen heap back under the collector once the build has ended (a script may build again)."""
    gc.unfreeze()
