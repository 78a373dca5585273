"""Memory bounded by the largest deal, not the number of deals (issue 18 part 3), seen through one real build.

MkDocs reads every page before it builds any; a plugin that hands back each deal page's HTML when
it is read holds all of them at once. The build here runs in this process (MkDocs' own `build()`
on the project's mkdocs.yml, a CI build with the site key and the team on) with a watching plugin
beside mapsite, which looks at every generated page each time MkDocs builds one: only the page
being built may hold content. No timing, no memory figure: a regression shows as pages held. The
plans' positions, held for every plan, are checked by a direct call: one shape, one set of objects.
"""

from __future__ import annotations

import os

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.plugins import event_priority

from mapsite.mkdocs.team import has_team_view
from mapsite.security.sitekey import new_key
from mapsite.site import kinds
from test_team import DEALS, INTERNAL, TEAM_PASSWORD, team_site


class Watch:
    """Sees each generated page as it is built (after every plugin's `on_page_context`) and once the build is over."""

    def __init__(self, mapsite):
        self.mapsite = mapsite
        self.seen: list[tuple[str, str, list[str], list[str]]] = []  # page, its content, pages holding content, team views held
        self.after: tuple[list[str], list[str]] | None = None

    def generated(self):
        return [f.page for f in self.mapsite._files if f.src_uri in self.mapsite.kind_of and f.page is not None]

    def holding(self) -> tuple[list[str], list[str]]:
        return (sorted(p.file.src_uri for p in self.generated() if p.content),
                sorted(self.mapsite.flow.team_views))

    @event_priority(-200)
    def on_page_context(self, context, *, page, config, nav):
        if page.file.src_uri in self.mapsite.kind_of:
            self.seen.append((page.file.src_uri, page.content or "", *self.holding()))
        return context

    @event_priority(-200)
    def on_post_build(self, *, config):
        self.after = self.holding()


@pytest.fixture(scope="module")
def watched(tmp_path_factory):
    """A real build of the team's two deals (one with internal items) and the team page, watched page by page."""
    site = team_site(tmp_path_factory.mktemp("pageflow") / "project")
    env = {"CI": "true", "MAPSITE_KEY": new_key(), "MAPSITE_TEAM_PASSWORD": TEAM_PASSWORD, "NO_MKDOCS_2_WARNING": "1"}
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("MAPSITE_") or n == "CI"]:
            patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        config = load_config(str(site.root / "mkdocs.yml"))
        mapsite = config.plugins["mapsite"]
        watch = config.plugins["watch"] = Watch(mapsite)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    return site, mapsite, watch


def test_only_the_page_being_built_holds_its_content(watched):
    _, mapsite, watch = watched
    built = [uri for uri, *_ in watch.seen]
    assert len(built) == 3 * len(DEALS) + 2  # every deal's three pages, the team page, the landing page
    for uri, content, holding, _ in watch.seen:
        rendered = uri in mapsite.deal_of or mapsite.kind_of[uri] is kinds.TEAM_PAGE  # the landing page is the theme's
        assert holding == ([uri] if rendered else []), uri
        assert content.lstrip().startswith("<") if rendered else not content, uri


def test_the_teams_view_is_held_only_while_its_page_is_built(watched):
    _, mapsite, watch = watched
    with_internal = [uri for uri, folder in ((u, mapsite.layout.folder(d)) for u, d in mapsite.deal_of.items())
                     if folder == DEALS["northwind-logistics"][0]]
    for uri, _, _, team_views in watch.seen:
        deal = mapsite.deal_of.get(uri)
        wanted = deal is not None and has_team_view(deal.plan, mapsite.kind_of[uri])  # where internal items change the page
        assert team_views == ([uri] if wanted else []), uri
    assert len(with_internal) == 3 and all(has_team_view(mapsite.deal_of[u].plan, mapsite.kind_of[u]) for u in with_internal)


def test_nothing_is_held_once_the_build_is_over(watched):
    site, mapsite, watch = watched
    assert watch.after == ([], [])
    assert all(not deal.positions for deal in mapsite.deals)  # each plan's YAML positions: dropped after the checks
    opened = site.mapsite("decrypt", "site", env={"MAPSITE_DECRYPT_PASSWORD": TEAM_PASSWORD})
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout.count("==> site/") == 3 * len(DEALS) + 2  # released pages were published, whole; the team page, its actions
    assert all(text in opened.stdout for text in INTERNAL)


def test_plans_share_their_positions_objects(tmp_path):
    """Every plan's positions are held until advice is reported: two plans of one shape hold one set of objects."""
    from conftest import CANONICAL
    from mapsite.plan.loader import load_text

    text = CANONICAL.read_text(encoding="utf-8")
    first, second = (load_text(text, tmp_path / name).deal for name in ("a-deal.md", "b-deal.md"))
    assert first.positions == second.positions and len(first.positions) > 100
    shared = {id(k): k for k in first.positions} | {id(v): v for v in first.positions.values()}
    assert all(id(k) in shared and id(v) in shared for k, v in second.positions.items())
