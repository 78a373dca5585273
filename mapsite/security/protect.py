"""Encrypt a rendered page so static hosting serves only ciphertext, and each audience opens only its own view.

A page is one or more *views* (the buyer's; the team's, when it holds internal items). Each view is
compressed and encrypted with AES-256-GCM under a fresh random content key, and that key is
*wrapped* (AES-256-GCM again) under each *lock* that may open it: a realm's content key R, which the
lock carries wrapped under P, the realm's key from PBKDF2-HMAC-SHA256 (600,000 iterations, `keys`)
of its password (payload v3, `records`: a rebuild with the site key reuses that record and derives
no P). So a deal's view opens with its buyer's password and, when the team page is on, with the
team's; the team's own view has only the team's lock, and no buyer's key opens it. Every nonce is
fresh, and the page's address is bound in as associated data (of the view and of each wrapped key;
the record is bound to its salt), so nothing can be moved to another deal or path. All
parameters travel in the payload so they can be raised later. The browser side (WebCrypto) is
theme_overrides/assets/mapsite/unlock.js; `open_view` is the same in Python, for `mapsite decrypt`;
the tests decrypt independently (tests/conftest.py).
"""

from __future__ import annotations

import base64
import json
import os
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mapsite.security import patch
from mapsite.security.records import RECORD_BYTES, SealKey, unwrap

VERSION = 3
AAD_PREFIX = "mapsite/v3|"  # + the page's path: a view's associated data
KEY_AAD_PREFIX = "mapsite/v3/key|"  # + the page's path: a wrapped key's
AUDIENCES = ("deal", "team")  # whose remembered key the browser tries on a lock
MAX_ITERATIONS = 10_000_000  # a payload asking for more is not one of ours: it would only stall whoever opens it
MAX_PARTS = 4  # views in a page, locks on a view
MAX_PAGE = 64 << 20  # bytes a page may inflate to
HEADER = {"v": VERSION, "cipher": "AES-256-GCM", "kdf": "PBKDF2-HMAC-SHA256", "compression": "deflate-raw"}


class PayloadError(ValueError):
    """A payload mapsite did not write: missing or wrong parameters, not base64, not a page once opened."""


@dataclass(frozen=True)
class Lock:
    """Who may open a view: an audience (`deal` or `team`) and its realm's key (R, and its record for the payload)."""

    audience: str
    key: SealKey


class View(NamedTuple):
    """One audience's view of a page: its HTML, or, with `patches`, ops on the lines of the view at that index
    (`security.patch`: the team's view of a deal page, which the team's key opens with the buyer's)."""

    text: str
    locks: Sequence[Lock]
    patches: int | None = None


@dataclass(frozen=True)
class SealedLock:
    audience: str
    salt: bytes
    iterations: int
    record: bytes  # the realm's content key R, wrapped under P
    nonce: bytes
    wrapped: bytes  # the view's content key, wrapped under R


@dataclass(frozen=True)
class SealedView:
    locks: tuple[SealedLock, ...]
    nonce: bytes
    ciphertext: bytes  # tag appended
    patches: int | None = None  # the index of the view this one's ops apply to


def page_aad(page_path: str, prefix: str = AAD_PREFIX) -> bytes:
    """Associated data for a page: its path from the site root, as the browser sees it."""
    if page_path.endswith("index.html"):
        page_path = page_path[: -len("index.html")]
    return (prefix + page_path).encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


COMPRESSION_LEVEL = 3  # zlib's fast strategy: a 100 KB page in 0.2 ms, not 1.0 ms at 6, for 17% more bytes (13.1 against 11.2 KB)


def _deflate(data: bytes) -> bytes:
    """Raw DEFLATE, which browsers undo with DecompressionStream("deflate-raw")."""
    packer = zlib.compressobj(COMPRESSION_LEVEL, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def seal(views: Sequence[View | tuple[str, Sequence[Lock]]], page_path: str) -> dict:
    """The payload the shell carries: each view's HTML under its own content key, wrapped under each of its locks.

    Views come in the order the browser tries them: the team's first, so a team member sees the
    internal items wherever the team's key opens a page. A view of ops (`patches`) names a view
    that is a page, and every lock of its own is on that view too (whoever opens the ops can apply
    them). A page is compressed before it is
    encrypted (ciphertext does not compress): a static page has no attacker-chosen text beside its
    secrets, so compression reveals nothing a length could tell.
    """
    views = [View(*view) for view in views]
    sealed = []
    for text, locks, patches in views:
        if patches is not None and not (0 <= patches < len(views) and views[patches].patches is None
                                        and {lock.key for lock in locks} <= {lock.key for lock in views[patches].locks}):
            raise ValueError("ops apply to a page that every lock of theirs opens")
        content_key, nonce = AESGCM.generate_key(256), os.urandom(12)
        ciphertext = AESGCM(content_key).encrypt(nonce, _deflate(text.encode("utf-8")), page_aad(page_path))
        sealed.append({"locks": [_lock(lock, content_key, page_path) for lock in locks],
                       "nonce": _b64(nonce), "ciphertext": _b64(ciphertext),
                       **({"patches": patches} if patches is not None else {})})
    return {**HEADER, "views": sealed}


def _lock(lock: Lock, content_key: bytes, page_path: str) -> dict:
    if lock.audience not in AUDIENCES:
        raise ValueError(f"unknown audience {lock.audience!r}")
    nonce = os.urandom(12)
    wrapped = AESGCM(lock.key.content).encrypt(nonce, content_key, page_aad(page_path, KEY_AAD_PREFIX))
    return {"for": lock.audience, "salt": _b64(lock.key.salt), "iterations": lock.key.iterations,
            "record": _b64(lock.key.record), "nonce": _b64(nonce), "key": _b64(wrapped)}


def payload_json(payload: dict) -> str:
    """JSON safe to place inside a <script> element."""
    return json.dumps(payload, separators=(",", ":")).replace("<", "\\u003c")


def views_of(payload: object) -> list[SealedView]:
    """The views of a payload this version can open, else a PayloadError saying what is wrong."""
    if not isinstance(payload, dict) or any(payload.get(k) != v for k, v in HEADER.items()):
        raise PayloadError("not a mapsite payload of version 3 (AES-256-GCM, PBKDF2-HMAC-SHA256, deflate-raw)")
    views = payload.get("views")
    if not isinstance(views, list) or not 1 <= len(views) <= MAX_PARTS:
        raise PayloadError(f"a payload holds 1 to {MAX_PARTS} views")
    sealed = [_view(view) for view in views]
    if any(v.patches is not None and not (0 <= v.patches < len(sealed) and sealed[v.patches].patches is None)
           for v in sealed):
        raise PayloadError("a view of ops names a view of the payload that is a page")
    return sealed


def _view(view: object) -> SealedView:
    locks = view.get("locks") if isinstance(view, dict) else None
    if not isinstance(locks, list) or not 1 <= len(locks) <= MAX_PARTS:
        raise PayloadError(f"a view has 1 to {MAX_PARTS} locks")
    patches = view.get("patches")
    if patches is not None and type(patches) is not int:
        raise PayloadError("patches must name a view by its index")
    nonce, ciphertext = _bytes(view, "nonce", "ciphertext")
    if len(nonce) != 12 or len(ciphertext) < 16:
        raise PayloadError("a nonce must be 12 bytes and a ciphertext hold at least its 16-byte tag")
    return SealedView(tuple(map(_sealed_lock, locks)), nonce, ciphertext, patches)


def _sealed_lock(lock: object) -> SealedLock:
    if not isinstance(lock, dict) or lock.get("for") not in AUDIENCES:
        raise PayloadError(f"a lock is for one of {', '.join(AUDIENCES)}")
    iterations = lock.get("iterations")
    if type(iterations) is not int or not 1 <= iterations <= MAX_ITERATIONS:
        raise PayloadError(f"iterations must be a whole number from 1 to {MAX_ITERATIONS:,}")
    salt, record, nonce, wrapped = _bytes(lock, "salt", "record", "nonce", "key")
    if len(nonce) != 12 or len(wrapped) != 48 or len(record) != RECORD_BYTES:
        raise PayloadError("a lock holds a record (a 12-byte nonce, a 32-byte key and its tag) and a 12-byte nonce "
                           "and a 32-byte key with its tag")
    return SealedLock(lock["for"], salt, iterations, record, nonce, wrapped)


def _bytes(part: dict, *names: str) -> list[bytes]:
    try:
        return [base64.b64decode(part[name], validate=True) for name in names]
    except (KeyError, TypeError, ValueError):
        raise PayloadError(f"{', '.join(names)} must be base64") from None


def open_view(view: SealedView, realm_key: Callable[[bytes, int], bytes], page_path: str) -> str | None:
    """The view's HTML when one of its locks opens with `realm_key(salt, iterations)` (P) at `page_path`, else None."""
    for lock in view.locks:
        try:
            content_key = AESGCM(unwrap(realm_key(lock.salt, lock.iterations), lock.record, lock.salt)).decrypt(
                lock.nonce, lock.wrapped, page_aad(page_path, KEY_AAD_PREFIX))
            packed = AESGCM(content_key).decrypt(view.nonce, view.ciphertext, page_aad(page_path))
        except InvalidTag:
            continue
        return _inflate(packed)
    return None


def open_page(views: list[SealedView], index: int, realm_key: Callable[[bytes, int], bytes], page_path: str) -> str | None:
    """The page that view `index` shows when `realm_key` opens it: its HTML, or its ops applied to the page they name."""
    text = open_view(views[index], realm_key, page_path)
    patches = views[index].patches
    if text is None or patches is None:
        return text
    page = open_view(views[patches], realm_key, page_path)
    if page is None:
        raise PayloadError("opened ops for a page this password does not open")
    try:
        return patch.apply(page, patch.loads(text, page.count("\n") + 1))
    except ValueError as error:
        raise PayloadError(f"opened, but not ops on the page: {error}") from None


def _inflate(packed: bytes) -> str:
    unpacker = zlib.decompressobj(-15)
    try:
        data = unpacker.decompress(packed, MAX_PAGE)
    except zlib.error:
        raise PayloadError("opened, but not deflate-raw data") from None
    if unpacker.unconsumed_tail:
        raise PayloadError(f"opened, but larger than {MAX_PAGE >> 20} MiB")
    return data.decode("utf-8", "replace")
