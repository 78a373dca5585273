"""Work over every plan in another process while the build goes on."""

from __future__ import annotations

import gc
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path


def one_worker() -> ProcessPoolExecutor:
    """A process for `Chunked`, forked now: before the plans are read, it holds no copy of them."""
    pool = ProcessPoolExecutor(max_workers=1, initializer=gc.freeze)  # what it inherits is not its garbage
    pool.submit(int)
    return pool


class Chunked:
    """`function(paths, root)` -> {path: value}, run in another process chunk by chunk while the build goes on.

    For pure-Python work over every plan (reading the history of 1,000s of plans takes seconds, and
    holds the GIL, so a thread would not help). `get(path)` waits only for that path's chunk of
    `chunk` paths, so the first pages wait little however many plans there are; small sites, like a
    one-deal preview, stay in this process.
    """

    def __init__(self, function: Callable[[list[Path], Path], dict], paths: list[Path], root: Path,
                 in_process_below: int = 50, chunk: int = 250, pool: ProcessPoolExecutor | None = None):
        if len(paths) < in_process_below:
            done: Future = Future()
            done.set_result(function(paths, root))
            self.futures = dict.fromkeys(paths, done)
            if pool is not None:
                pool.shutdown(wait=False)
            return
        pool = pool or one_worker()
        self.futures = {}
        for start in range(0, len(paths), chunk):
            self.futures.update(dict.fromkeys(paths[start:start + chunk], pool.submit(function, paths[start:start + chunk], root)))
        pool.shutdown(wait=False)

    def get(self, path: Path, default=None):
        future = self.futures.get(path)
        return default if future is None else future.result().get(path, default)
