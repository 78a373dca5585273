"""Encrypt a deal's document so the host serves only ciphertext, openable only from inside the deal's page.

Each document is encrypted with AES-256-GCM under its own random key and nonce, fresh every build,
with its published path bound in as associated data (a file moved to another name does not open).
The key travels in the deal's summary page, inside that page's encryption, so only someone who opened
the page can open the file: no password-derived key is used here, and no extra PBKDF2 runs. The
published file is the ciphertext and its 16-byte tag, nothing else (its nonce is in the page too); it
is not compressed (PDFs and office files are already). The browser side is theme_overrides/assets/mapsite/files.js.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

AAD_PREFIX = "mapsite/v2/file|"  # + the file's path from the site root


@dataclass(frozen=True)
class FileKey:
    """What opens one published document: its key and nonce, and the path it is bound to."""

    key: bytes
    nonce: bytes
    path: str  # from the site root: <deal folder>/files/<16 hex>.bin

    @classmethod
    def fresh(cls, path: str) -> FileKey:
        return cls(AESGCM.generate_key(256), os.urandom(12), path)

    @property
    def aad(self) -> bytes:
        return (AAD_PREFIX + self.path).encode("utf-8")


def seal_file(data: bytes, key: FileKey) -> bytes:
    """The document as published: ciphertext with its 16-byte tag appended."""
    return AESGCM(key.key).encrypt(key.nonce, data, key.aad)
