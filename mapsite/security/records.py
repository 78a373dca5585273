"""A realm's content key R and its wrapped-key record E_P(R): what lets a rebuild skip PBKDF2.

Payload v3 puts one key between a realm's password and its pages: the realm content key R. Each
view's content key is wrapped under R, and R is wrapped (the *record*) under P, the realm's PBKDF2
key of its password and salt. A browser derives P, unwraps R, then the view's key. With the site
key, R is reproducible: HKDF of the site key *and* the password, so a rotated password gives a new
R (an old password opens nothing built after the rotation) and the team's R, whose password is not
derived from the site key, still needs the team's password. A record a build made once can then be
used again (`recordcache`) and P need not be derived at all. Without a site key R is random per build.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

RECORD_AAD = b"mapsite/v3/realm|"  # + the salt: a record opens only with its own version and salt
RECORD_BYTES = 12 + 32 + 16  # nonce, R, tag


@dataclass(frozen=True)
class SealKey:
    """What seals a realm's locks: its content key R, and the public parameters a browser needs to reach it."""

    content: bytes  # R: never written anywhere in plain
    salt: bytes
    iterations: int
    record: bytes  # nonce || AES-GCM(P, R): published in every lock of the realm


def content_key(site_key: bytes | None, password: str, realm_id: str, salt: bytes) -> bytes:
    """R: reproducible from the site key and the password, else random (one build's)."""
    if site_key is None:
        return os.urandom(32)
    info = f"mapsite/realm/v1|{realm_id}|{salt.hex()}".encode()
    return HKDF(hashes.SHA256(), 32, None, info).derive(site_key + password.encode("utf-8"))


def wrap(realm_key: bytes, content: bytes, salt: bytes) -> bytes:
    """The record: R under P, bound to the payload's version and the realm's salt."""
    nonce = os.urandom(12)
    return nonce + AESGCM(realm_key).encrypt(nonce, content, RECORD_AAD + salt)


def unwrap(realm_key: bytes, record: bytes, salt: bytes) -> bytes:
    """R from its record; InvalidTag when P is not the one it was wrapped under."""
    return AESGCM(realm_key).decrypt(record[:12], record[12:], RECORD_AAD + salt)


def sealed(realm_key: bytes, content: bytes, salt: bytes, iterations: int) -> SealKey:
    """A realm's SealKey from P (just derived) and R."""
    return SealKey(content, salt, iterations, wrap(realm_key, content, salt))
