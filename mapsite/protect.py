"""Encrypt a deal's rendered pages so static hosting serves only ciphertext.

AES-256-GCM with a key from PBKDF2-HMAC-SHA256 (600,000 iterations) of the deal's password.
The salt is unique to the deal and stable across builds, so keys remembered by buyers and
cached by authors survive the daily rebuild. Every page gets a fresh 96-bit nonce, and the
page's address is bound in as associated data so no page can be moved to another deal or path.
All parameters travel in the payload so they can be raised later without breaking old pages.
The browser side (WebCrypto) is theme_overrides/assets/mapsite/unlock.js.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

VERSION = 1
ITERATIONS = 600_000
AAD_PREFIX = "mapsite/v1|"


@dataclass(frozen=True)
class DealKey:
    """A derived key and the parameters that produced it."""

    key: bytes
    salt: bytes
    iterations: int = ITERATIONS


def deal_salt(folder: str) -> bytes:
    """16 bytes unique to the deal's address and stable across builds.

    Not derived from the password: a salt computed from the password by a fast hash would let
    anyone test guesses without paying for PBKDF2. Rotating the password changes the key.
    """
    return hashlib.sha256(f"mapsite/salt/v1|{folder}".encode()).digest()[:16]


def derive_key(password: str, salt: bytes, iterations: int = ITERATIONS) -> bytes:
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=iterations)
    return kdf.derive(password.encode("utf-8"))


def _derive(job: tuple[str, bytes, int]) -> bytes:
    return derive_key(*job)


def _background_priority() -> None:
    """Workers yield to the build's own process, which renders every page and is the one others wait for."""
    if hasattr(os, "nice"):
        os.nice(10)


def derive_keys(passwords: dict[str, str], salts: dict[str, bytes], iterations: int = ITERATIONS,
                workers: int | None = None) -> dict[str, DealKey]:
    """One key per deal, on every core: PBKDF2 is the build's cost, and it holds the GIL."""
    keys = BackgroundKeys(passwords, salts, iterations, workers)
    try:
        return keys.all()
    finally:
        keys.close()


class BackgroundKeys:
    """Keys derived on every core while the caller goes on working; `get` waits for one key only.

    A build renders its pages while PBKDF2 runs in worker processes, so a cold build costs about
    the larger of the two, not their sum. Keys come in the order given; `known` are ready at once.
    """

    CHUNK = 4  # keys per job sent to a worker: the first pages wait little, close() cancels soon

    def __init__(self, passwords: dict[str, str], salts: dict[str, bytes], iterations: int = ITERATIONS,
                 workers: int | None = None, known: dict[str, DealKey] | None = None):
        self._keys = dict(known or {})
        self._salts, self._iterations = salts, iterations
        names = list(passwords)
        jobs = [(passwords[n], salts[n], iterations) for n in names]
        workers = workers or os.cpu_count() or 1
        self._pool = None
        if len(jobs) < 3 or workers == 1:
            results = map(_derive, jobs)  # in this process, each key when first asked for
        else:
            self._pool = ProcessPoolExecutor(max_workers=workers, initializer=_background_priority)
            results = self._pool.map(_derive, jobs, chunksize=self.CHUNK)
        self._pending = zip(names, results)

    def get(self, name: str) -> DealKey:
        while name not in self._keys:
            try:
                done, key = next(self._pending)
            except StopIteration:
                raise KeyError(name) from None
            self._keys[done] = DealKey(key, self._salts[done], self._iterations)
        return self._keys[name]

    def all(self) -> dict[str, DealKey]:
        """Every key, waiting for those still being derived."""
        for done, key in self._pending:
            self._keys[done] = DealKey(key, self._salts[done], self._iterations)
        return dict(self._keys)

    def close(self) -> None:
        """Stop the workers; keys not yet derived are abandoned (a failed build does not wait for them)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def page_aad(page_path: str) -> bytes:
    """Associated data for a page: its path from the site root, as the browser sees it."""
    if page_path.endswith("index.html"):
        page_path = page_path[: -len("index.html")]
    return (AAD_PREFIX + page_path).encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _deflate(data: bytes) -> bytes:
    """Raw DEFLATE, which browsers undo with DecompressionStream("deflate-raw")."""
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def encrypt_page(html: str, key: DealKey, page_path: str) -> dict:
    """The payload the shell carries: parameters, nonce and ciphertext (tag appended).

    The page is compressed before it is encrypted (ciphertext does not compress): a deal's
    largest page stays far under 100 KB. A static page has no attacker-chosen text beside its
    secrets, so compression reveals nothing a length could tell.
    """
    nonce = os.urandom(12)
    ciphertext = AESGCM(key.key).encrypt(nonce, _deflate(html.encode("utf-8")), page_aad(page_path))
    return {
        "v": VERSION,
        "cipher": "AES-256-GCM",
        "kdf": "PBKDF2-HMAC-SHA256",
        "iterations": key.iterations,
        "compression": "deflate-raw",
        "salt": _b64(key.salt),
        "nonce": _b64(nonce),
        "ciphertext": _b64(ciphertext),
    }


def decrypt_page(payload: dict, password: str, page_path: str) -> str:
    """The reverse of `encrypt_page`, for tests and tools; raises InvalidTag on any mismatch."""
    key = derive_key(password, base64.b64decode(payload["salt"]), payload["iterations"])
    plain = AESGCM(key).decrypt(base64.b64decode(payload["nonce"]), base64.b64decode(payload["ciphertext"]),
                                page_aad(page_path))
    if payload.get("compression") == "deflate-raw":
        plain = zlib.decompress(plain, -15)
    return plain.decode("utf-8")


def payload_json(payload: dict) -> str:
    """JSON safe to place inside a <script> element."""
    return json.dumps(payload, separators=(",", ":")).replace("<", "\\u003c")
