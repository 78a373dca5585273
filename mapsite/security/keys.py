"""Each realm's key: PBKDF2 on every core while the build goes on, and kept between local builds.

PBKDF2 (600,000 iterations) is the build's main cost and holds the GIL, so keys are derived in
worker processes while pages render (`BackgroundKeys`). Locally, keys whose realm, password,
salt and cost are unchanged come from `.mapsite/keys` (`KeyCache`, mode 600, git-ignored), never
from `site/` and never in CI: a pull request's workflow can restore the default branch's caches.
Everything here is keyed by realm id (`deal:<slug>`), never by a bare slug.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from mapsite.security.private import write_private

ITERATIONS = 600_000
FILE = Path(".mapsite") / "keys"


@dataclass(frozen=True)
class RealmKey:
    """A derived key and the parameters that produced it."""

    key: bytes
    salt: bytes
    iterations: int = ITERATIONS


def derive_key(password: str, salt: bytes, iterations: int = ITERATIONS) -> bytes:
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations)
    return kdf.derive(password.encode("utf-8"))


def _derive(job: tuple[str, bytes, int]) -> bytes:
    return derive_key(*job)


def _background_priority() -> None:
    """Workers yield to the build's own process, which renders every page and is the one others wait for."""
    if hasattr(os, "nice"):
        os.nice(10)


def key_workers(workers: int | None = None) -> ProcessPoolExecutor:
    """Processes for `BackgroundKeys`, forked now: a build makes them before it reads 1,000s of plans,
    which they would otherwise hold a copy of (every page the build writes to after a fork is copied)."""
    pool = ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1, initializer=_background_priority)
    pool.submit(int)
    return pool


class BackgroundKeys:
    """Keys derived on every core while the caller goes on working; `get(realm_id)` waits for one key only.

    A build renders its pages while PBKDF2 runs in worker processes, so a cold build costs about
    the larger of the two, not their sum. Keys come in the order given; `known` are ready at once.
    """

    CHUNK = 4  # keys per job sent to a worker: the first pages wait little, close() cancels soon

    def __init__(self, passwords: dict[str, str], salts: dict[str, bytes], iterations: int = ITERATIONS,
                 workers: int | None = None, known: dict[str, RealmKey] | None = None,
                 pool: ProcessPoolExecutor | None = None):
        self._keys = dict(known or {})
        self._salts, self._iterations = salts, iterations
        names = list(passwords)
        jobs = [(passwords[n], salts[n], iterations) for n in names]
        workers = workers or os.cpu_count() or 1
        self._pool = None
        if len(jobs) < 3 or workers == 1:
            results = map(_derive, jobs)  # in this process, each key when first asked for
            if pool is not None:
                pool.shutdown(wait=False)
        else:
            self._pool = pool or key_workers(workers)
            results = self._pool.map(_derive, jobs, chunksize=self.CHUNK)
        self._pending = zip(names, results)

    def get(self, realm_id: str) -> RealmKey:
        while realm_id not in self._keys:
            try:
                done, key = next(self._pending)
            except StopIteration:
                raise KeyError(realm_id) from None
            self._keys[done] = RealmKey(key, self._salts[done], self._iterations)
        return self._keys[realm_id]

    def all(self) -> dict[str, RealmKey]:
        """Every key, waiting for those still being derived."""
        for done, key in self._pending:
            self._keys[done] = RealmKey(key, self._salts[done], self._iterations)
        return dict(self._keys)

    def close(self) -> None:
        """Stop the workers; keys not yet derived are abandoned (a failed build does not wait for them)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _entry_id(realm_id: str, password: str, salt: bytes, iterations: int) -> str:
    """Changes whenever anything that went into the key changes: realm, password, salt, cost."""
    material = b"\0".join([realm_id.encode(), hashlib.sha256(password.encode()).digest(), salt, str(iterations).encode()])
    return hashlib.sha256(material).hexdigest()


class KeyCache:
    def __init__(self, root: Path):
        self.path = root / FILE
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.entries: dict[str, str] = data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            self.entries = {}  # no cache or a damaged one: derive again, nothing is lost

    def get(self, realm_id: str, password: str, salt: bytes, iterations: int = ITERATIONS) -> RealmKey | None:
        raw = self.entries.get(_entry_id(realm_id, password, salt, iterations))
        return RealmKey(base64.b64decode(raw), salt, iterations) if isinstance(raw, str) else None

    def save(self, keys: dict[str, tuple[str, RealmKey]]) -> None:
        """Keep exactly the current realms' keys: {realm_id: (password, key)}."""
        self.entries = {
            _entry_id(realm_id, password, key.salt, key.iterations): base64.b64encode(key.key).decode()
            for realm_id, (password, key) in keys.items()
        }
        write_private(self.path, json.dumps(self.entries))
