"""The build's worker processes: plans read and deal pages rendered on every core, not only MkDocs' one.

MkDocs builds one page at a time in one process. A deal page's content (mapsite's templates, both
audiences) is about half of what building it costs, and needs nothing of MkDocs: so worker
processes render the deals in the order MkDocs will build them, a few deals ahead, and the build
takes each page's content when it gets there (`take`). The rest (the theme's frame, encryption,
writing) stays in the build's process, which alone holds the keys.

The workers are forked before any plan is read, so they hold no copy of the plans: each deal
travels to them pickled (about 10 KB, 0.2 ms), with what its pages need (`DealJob`). Only a
window of deals is out at a time, so rendered pages waiting to be taken stay few. A page nobody
rendered ahead (a preview, a small site, a worker that died) is rendered in the build's process
by the same function, `render_deal`.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from jinja2 import Environment

from mapsite.git.history import Move
from mapsite.insight.audience import TEAM
from mapsite.mkdocs.chunked import one_worker
from mapsite.mkdocs.team import ContentOps, has_team_view, team_view
from mapsite.plan import Deal
from mapsite.security.keys import key_workers
from mapsite.site.documents import Offered
from mapsite.site import render as pages
from mapsite.site.kinds import PageKind
from mapsite.site.urls import UrlLayout

Rendered = tuple[str, str | ContentOps | None]  # a page's content, and the team's view of it when it differs (`team_view`)
DEALS_A_JOB = 4  # deals sent to a worker at once: 12 pages, few enough that the first page waits little
AHEAD = 4  # jobs out per worker: enough that a worker never idles, few enough to hold little memory
MIN_DEALS = 24  # below this, forking costs more than it saves


@dataclass(frozen=True)
class DealJob:
    """One deal's pages to render, with everything they read that is not in the plan."""

    deal: Deal
    pages: tuple[tuple[str, PageKind], ...]  # (src_uri, kind)
    today: dt.date
    updated: dt.date
    layout: UrlLayout
    moves: dict[str, list[Move]] | None
    documents: Sequence[Offered]
    language: str
    team: bool  # whether the team's views are made at all (`team: true`)


def render_deal(job: DealJob, env: Callable[[str], Environment]) -> dict[str, Rendered]:
    """Each page's content, and the team's view where it differs (`has_team_view`): mostly as ops on the buyer's
    lines, worked out here, on every core, not in the build's process."""
    options = dict(updated=job.updated, layout=job.layout, logos=pages.logo_uris(job.deal), moves=job.moves,
                   env=env(job.language), documents=job.documents)
    rendered: dict[str, Rendered] = {}
    for uri, kind in job.pages:
        team = (pages.render_page(kind, job.deal, job.today, audience=TEAM, **options)
                if job.team and has_team_view(job.deal.plan, kind) else None)
        buyer = pages.render_page(kind, job.deal, job.today, **options)
        rendered[uri] = team_view(buyer, team) if team is not None else (buyer, None)
    return rendered


_custom_dir: str | None = None  # the theme's custom_dir, set before the workers fork
_envs: dict[str, Environment] = {}  # a worker's own, one per language: it lives for one build


def _worker_env(language: str) -> Environment:
    if language not in _envs:
        _envs[language] = pages.environment(_custom_dir, language)
    return _envs[language]


def _render_jobs(jobs: list[DealJob]) -> dict[str, Rendered]:
    """In a worker: every page of `jobs`."""
    rendered: dict[str, Rendered] = {}
    for job in jobs:
        rendered.update(render_deal(job, _worker_env))
    return rendered


class RenderAhead:
    """Worker processes that render deals before MkDocs builds their pages; `take(uri)` hands one page over."""

    def __init__(self, custom_dir: str | None, workers: int | None = None):
        global _custom_dir
        _custom_dir = custom_dir
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"))
        self._pool.submit(int)  # fork now, before the plans are read: the workers hold none of them
        self.key_pool = key_workers()  # the build's other workers, forked now for the same reason (PBKDF2,
        self.history_pool = one_worker()  # the plans' history): after, every page the build wrote to would be copied
        self._order: list[list[Deal]] = []
        self._job: Callable[[Deal], DealJob] | None = None
        self._batch_of: dict[str, int] = {}  # src_uri -> index of the batch that renders it
        self._out: dict[int, Future] = {}
        self._next = 0  # the next batch to send

    @classmethod
    def fork_for(cls, plans: int, custom_dir: str | None) -> RenderAhead | None:
        """Workers for a build of `plans` deals, or None where rendering in the build's process is better."""
        if plans < MIN_DEALS or (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return None  # small, one core, or no fork (Windows): the build renders in its own process, as before
        return cls(custom_dir)

    def map(self, function: Callable, items: list) -> list:
        """`map(function, items)` on the workers, in order (`function` must pickle: a module's, or a partial of one).

        For work before any page: reading the plans. A worker that dies leaves it all to this process.
        """
        if self._pool is None:
            return list(map(function, items))
        try:
            return list(self._pool.map(function, items))
        except BrokenProcessPool:
            self.close()
            return list(map(function, items))

    def start(self, deals: Sequence[Deal], uris: Callable[[Deal], list[str]], job: Callable[[Deal], DealJob]) -> None:
        """Render `deals` in this order (MkDocs' order), `job(deal)` made when the deal is sent."""
        self._job = job
        self._order = [list(deals[i:i + DEALS_A_JOB]) for i in range(0, len(deals), DEALS_A_JOB)]
        self._batch_of = {uri: index for index, batch in enumerate(self._order) for deal in batch for uri in uris(deal)}
        self._send_until(self.workers * AHEAD)

    def _send_until(self, stop: int) -> None:
        while self._pool is not None and self._next < min(stop, len(self._order)):
            jobs = [self._job(deal) for deal in self._order[self._next]]
            try:
                self._out[self._next] = self._pool.submit(_render_jobs, jobs)
            except BrokenProcessPool:  # a worker died (out of memory?): the build goes on in its own process
                self.close()
                return
            self._next += 1

    def take(self, uri: str) -> Rendered | None:
        """The page's content and team view, rendered ahead; None when it was not (render it here)."""
        index = self._batch_of.get(uri)
        if index is None or index not in self._out:
            return None
        self._send_until(index + 1 + self.workers * AHEAD)
        try:
            rendered = self._out[index].result()
        except BrokenProcessPool:  # a worker died (out of memory?): the build goes on in its own process
            self.close()
            return None
        page = rendered.pop(uri, None)
        if not rendered:
            del self._out[index]
        return page

    def close(self) -> None:
        """Stop the workers; what they had not rendered is not needed (the build ended, or failed)."""
        for pool in (self._pool, self.key_pool, self.history_pool):
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self.key_pool = self.history_pool = None
        self._out.clear()
