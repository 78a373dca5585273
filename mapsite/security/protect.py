"""Encrypt a rendered page under its realm's key so static hosting serves only ciphertext.

AES-256-GCM with a key from PBKDF2-HMAC-SHA256 (600,000 iterations, `keys`) of the realm's
password. Every page gets a fresh 96-bit nonce, and the page's address is bound in as associated
data so no page can be moved to another deal or path. All parameters travel in the payload so
they can be raised later without breaking old pages. The browser side (WebCrypto) is
theme_overrides/assets/mapsite/unlock.js; `open_page` is the same in Python, for `mapsite decrypt`;
the tests decrypt independently (tests/conftest.py).
"""

from __future__ import annotations

import base64
import json
import os
import zlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mapsite.security.keys import RealmKey

VERSION = 1
AAD_PREFIX = "mapsite/v1|"
MAX_ITERATIONS = 10_000_000  # a payload asking for more is not one of ours: it would only stall whoever opens it
MAX_PAGE = 64 << 20  # bytes a page may inflate to


class PayloadError(ValueError):
    """A payload mapsite did not write: missing or wrong parameters, not base64, not a page once opened."""


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


def encrypt_page(html: str, key: RealmKey, page_path: str) -> dict:
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


def payload_json(payload: dict) -> str:
    """JSON safe to place inside a <script> element."""
    return json.dumps(payload, separators=(",", ":")).replace("<", "\\u003c")


def payload_parameters(payload: object) -> tuple[bytes, int, bytes, bytes]:
    """(salt, iterations, nonce, ciphertext) of a payload this version can open, else a PayloadError."""
    expected = {"v": VERSION, "cipher": "AES-256-GCM", "kdf": "PBKDF2-HMAC-SHA256", "compression": "deflate-raw"}
    if not isinstance(payload, dict) or any(payload.get(k) != v for k, v in expected.items()):
        raise PayloadError("not a mapsite payload of version 1 (AES-256-GCM, PBKDF2-HMAC-SHA256, deflate-raw)")
    iterations = payload.get("iterations")
    if type(iterations) is not int or not 1 <= iterations <= MAX_ITERATIONS:
        raise PayloadError(f"iterations must be a whole number from 1 to {MAX_ITERATIONS:,}")
    try:
        salt, nonce, ciphertext = (base64.b64decode(payload[k], validate=True) for k in ("salt", "nonce", "ciphertext"))
    except (KeyError, TypeError, ValueError):
        raise PayloadError("salt, nonce and ciphertext must be base64") from None
    if len(nonce) != 12 or len(ciphertext) < 16:
        raise PayloadError("the nonce must be 12 bytes and the ciphertext hold at least its 16-byte tag")
    return salt, iterations, nonce, ciphertext


def open_page(nonce: bytes, ciphertext: bytes, key: bytes, page_path: str) -> str | None:
    """The page's HTML when `key` opens it at `page_path`, else None (wrong key or path, or tampered with)."""
    try:
        packed = AESGCM(key).decrypt(nonce, ciphertext, page_aad(page_path))
    except InvalidTag:
        return None
    unpacker = zlib.decompressobj(-15)
    try:
        data = unpacker.decompress(packed, MAX_PAGE)
    except zlib.error:
        raise PayloadError("opened, but not deflate-raw data") from None
    if unpacker.unconsumed_tail:
        raise PayloadError(f"opened, but larger than {MAX_PAGE >> 20} MiB")
    return data.decode("utf-8", "replace")
