"""Deal pages rendered ahead in worker processes are the pages the build's own process renders.

Two real CI builds of the same project (the team on, a deal with internal items, a buyer's name
with markup) run in this process: one with every deal page rendered by the workers, one with none.
Every published page, opened with the team's password, holds the same plaintext in both. Then
what a worker's failure does: an error in a template fails the build as it does without workers;
a worker that dies leaves its pages to the build's process.
"""

from __future__ import annotations

import contextlib
import os
import signal

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from mapsite.mkdocs import ahead
from mapsite.security.sitekey import new_key
from test_team import DEALS, HOSTILE, INTERNAL, TEAM_PASSWORD, team_site

ENV = {"CI": "true", "MAPSITE_TEAM_PASSWORD": TEAM_PASSWORD, "NO_MKDOCS_2_WARNING": "1"}


def _build(root, key: str, workers: bool) -> tuple[int, int]:
    """A CI build of `root` in this process, with or without workers; (pages taken from workers, pages rendered here)."""
    counted = [0, 0]
    take = ahead.RenderAhead.take

    def counting(self, uri):
        page = take(self, uri)
        counted[page is None] += 1
        return page
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("MAPSITE_") or n == "CI"]:
            patch.delenv(name)
        for name, value in {**ENV, "MAPSITE_KEY": key}.items():
            patch.setenv(name, value)
        patch.setattr(ahead, "MIN_DEALS", 0 if workers else 10**9)
        patch.setattr(ahead.RenderAhead, "take", counting)
        patch.chdir(root)
        config = load_config(str(root / "mkdocs.yml"))
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    return counted[0], counted[1]


def _opened(site) -> str:
    opened = site.mapsite("decrypt", "site", env={"MAPSITE_DECRYPT_PASSWORD": TEAM_PASSWORD})
    assert opened.returncode == 0, opened.stderr
    return opened.stdout


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    key = new_key()
    sites = {}
    for workers in (True, False):
        site = team_site(tmp_path_factory.mktemp("ahead") / "project")
        sites[workers] = (site, _build(site.root, key, workers))
    return sites


def test_every_deal_page_came_from_the_workers_or_from_none(both):
    pages = 3 * len(DEALS)
    assert both[True][1] == (pages, 0)
    assert both[False][1] == (0, 0)  # no workers: nothing asked of them


def test_the_published_pages_are_the_same(both):
    with_workers, without = (_opened(both[w][0]) for w in (True, False))
    assert with_workers.count("==> site/") == 3 * len(DEALS) + 2  # the deals' pages, the team page, its actions
    assert all(text in with_workers for text in INTERNAL)  # the team's views came from the workers too
    assert "Zebra &lt;script&gt;" in with_workers and HOSTILE not in with_workers
    assert with_workers == without


def test_an_error_in_a_template_fails_the_build_as_without_workers(tmp_path):
    errors = {}
    for workers in (True, False):
        site = team_site(tmp_path / str(workers) / "project")
        custom = site.root / "overrides"
        custom.mkdir()
        (custom / "milestones.html").write_text("{{ no_such_thing.at_all }}\n")  # the pages' templates: custom_dir first
        config = (site.root / "mkdocs.yml").read_text()
        theme_dir = next(line.split(":", 1)[1].strip() for line in config.splitlines() if "custom_dir:" in line)
        for name in os.listdir(theme_dir):
            os.symlink(os.path.join(theme_dir, name), custom / name)
        (site.root / "mkdocs.yml").write_text(config.replace(theme_dir, str(custom)))
        with pytest.raises(Exception) as raised:
            _build(site.root, new_key(), workers)
        errors[workers] = (type(raised.value), str(raised.value))
    assert errors[True] == errors[False] and "no_such_thing" in errors[True][1]


def test_a_dead_worker_leaves_its_pages_to_the_build(tmp_path):
    import datetime as dt

    from mapsite.plan import load_paths
    from mapsite.site import kinds
    from mapsite.site.render import environment
    from mapsite.site.urls import UrlLayout

    site = team_site(tmp_path / "project")
    deals, problems = load_paths(sorted(site.plans.glob("*.md")), site.root, project=site.root)
    assert not problems and len(deals) == len(DEALS)
    layout = UrlLayout()
    uris = {d.slug: [(layout.source(d, kind), kind) for kind in kinds.DEAL_KINDS] for d in deals}

    def job(deal):
        return ahead.DealJob(deal, tuple(uris[deal.slug]), dt.date(2026, 11, 20), dt.date(2026, 11, 20), layout,
                             None, (), "en", False)
    workers = ahead.RenderAhead(None, workers=2)
    try:
        for process in list(workers._pool._processes.values()):
            with contextlib.suppress(ProcessLookupError):  # the first one's death takes the others with it
                os.kill(process.pid, signal.SIGKILL)
            process.join()
        workers.start(deals, lambda d: [u for u, _ in uris[d.slug]], job)
        assert all(workers.take(uri) is None for listed in uris.values() for uri, _ in listed)
    finally:
        workers.close()
    here = ahead.render_deal(job(deals[0]), lambda tag: environment(None, tag))
    assert len(here) == 3 and all(content.lstrip().startswith("<") for content, _ in here.values())  # what the build does then


def test_plans_read_by_the_workers_are_the_plans_read_here(tmp_path, monkeypatch):
    from mapsite.plan import load_paths, loader

    monkeypatch.setattr(loader, "LOAD_BATCH", 1)  # a batch a plan: both workers read, answers come back in order
    site = team_site(tmp_path / "project")
    (site.plans / "broken-deal.md").write_text("---\ntitle: [unclosed\n---\n")
    (site.plans / "no-buyer.md").write_text("---\ntitle: A deal\n---\n")
    paths = sorted(site.plans.glob("*.md"))
    here = load_paths(paths, site.root, project=site.root)
    workers = ahead.RenderAhead(None, workers=2)
    try:
        there = load_paths(paths, site.root, project=site.root, mapper=workers.map)
    finally:
        workers.close()
    assert there == here
    assert len(here[0]) == len(DEALS) and {p.path for p in here[1]} == {"plans/broken-deal.md", "plans/no-buyer.md"}
    assert [d.positions for d in there[0]] == [d.positions for d in here[0]] and there[0][0].positions
    shared = {id(k) for d in here[0] for k in d.positions}
    assert all(id(k) in shared for d in there[0] for k in d.positions)  # one set of position objects, as in one process
