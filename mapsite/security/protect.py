"""Encrypt a rendered page under its realm's key so static hosting serves only ciphertext.

AES-256-GCM with a key from PBKDF2-HMAC-SHA256 (600,000 iterations, `keys`) of the realm's
password. Every page gets a fresh 96-bit nonce, and the page's address is bound in as associated
data so no page can be moved to another deal or path. All parameters travel in the payload so
they can be raised later without breaking old pages. The browser side (WebCrypto) is
theme_overrides/assets/mapsite/unlock.js; the tests decrypt independently (tests/conftest.py).
"""

from __future__ import annotations

import base64
import json
import os
import zlib

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from mapsite.security.keys import RealmKey

VERSION = 1
AAD_PREFIX = "mapsite/v1|"


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
