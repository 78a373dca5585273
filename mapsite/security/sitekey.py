"""One site key for every deal: each deal's password derived from `MAPSITE_KEY`, its realm id and a rotation counter.

A sales team runs hundreds of deals; one CI secret per deal runs into GitHub's 100-secret limit.
With one key, a deal's password is HKDF-SHA256(key, realm id, counter) drawn into the same eight
words as a generated password (`passphrase`, 103 bits), so it is as strong, differs for every
deal and is the same on every build. Keys made before that (`msk1_`) keep deriving the six
syllable words they always did, so no published deal's password changes under a kept key; `mapsite
key` makes `msk2_` keys, which derive words. Rotating one deal raises its counter in
`password-rotations.json` beside mkdocs.yml: a committed file that holds no secret (a number per
realm), so every build, here or in CI, derives the same passwords.

Whoever holds the key can derive every deal's password: it is kept like any other CI secret.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from itertools import count
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from mapsite.security.passphrase import legacy_syllables, words_from

__all__ = ["VARIABLE", "ROTATIONS", "SiteKeyError", "SiteKey", "encode", "new_key", "parse", "Rotations"]

VARIABLE = "MAPSITE_KEY"
VERSIONS = {"msk1_": 1, "msk2_": 2}  # mapsite site key, format: 1 derives syllable words, 2 dictionary words
PREFIX = "msk2_"  # what `mapsite key` makes
KEY_BYTES = 32  # 256 bits
CHECK_BYTES = 4  # a typo or a cut-off paste is caught, never taken for another key
ENCODED = len(base64.b32encode(bytes(KEY_BYTES + CHECK_BYTES)).rstrip(b"="))  # 58 characters after the prefix
MIN_DISTINCT = 16  # distinct byte values among the 32: random keys have ~30; a made-up pattern has few
ROTATIONS = "password-rotations.json"


class SiteKeyError(Exception):
    """MAPSITE_KEY is malformed or weak; the message names the variable and never quotes the key."""


@dataclass(frozen=True)
class SiteKey:
    secret: bytes
    version: int = 2

    def password(self, realm_id: str, counter: int = 0, attempt: int = 0) -> str:
        """The realm's password for this counter: eight words (a `msk1_` key: six syllable words, as it always had).

        `attempt` draws again, deterministically, when the strength rule rejects a draw (rare).
        """
        if self.version == 1:
            info = f"mapsite/site-key/v1|{realm_id}|{counter}|{attempt}".encode()
            # 512 bits drawn into 100: the bias of each choice is below 2^-400; kept exactly as it was
            return legacy_syllables(int.from_bytes(HKDF(hashes.SHA256(), 64, b"mapsite/site-key/v1", info).derive(self.secret), "big"))
        info = f"mapsite/site-key/v2|{realm_id}|{counter}|{attempt}".encode()
        return words_from(HKDF(hashes.SHA256(), 64, b"mapsite/site-key/v2", info + b"|%d" % block).derive(self.secret)
                          for block in count())


def _checksum(raw: bytes, version: int) -> bytes:
    """Binds the key to its format too: a `msk1_` key retyped as `msk2_` is caught, not read as another key."""
    label = b"mapsite/site-key/check|" if version == 1 else b"mapsite/site-key/check/v%d|" % version
    return hashlib.sha256(label + raw).digest()[:CHECK_BYTES]


def encode(raw: bytes, version: int = VERSIONS[PREFIX]) -> str:
    prefix = next(p for p, v in VERSIONS.items() if v == version)
    return prefix + base64.b32encode(raw + _checksum(raw, version)).decode().rstrip("=").lower()


def new_key() -> str:
    """A fresh random key, printable and safe to paste as a GitHub secret: `msk2_` and 58 base32 characters."""
    while True:
        raw = secrets.token_bytes(KEY_BYTES)
        if len(set(raw)) >= MIN_DISTINCT:
            return encode(raw)


def parse(text: str, source: str = VARIABLE) -> SiteKey:
    """The key in `text`, or a SiteKeyError saying what is wrong with it and how to make a good one."""
    fix = "`mapsite key` makes a new one"
    text = text.strip()
    prefix = text[:len(PREFIX)]
    if prefix not in VERSIONS:
        raise SiteKeyError(f"{source} is not a mapsite site key: it must start with {PREFIX} (or msk1_) ({fix})")
    version = VERSIONS[prefix]
    body = text[len(prefix):]
    if len(body) != ENCODED:
        problem = "too short (cut off when pasted?)" if len(body) < ENCODED else "too long"
        raise SiteKeyError(f"{source} is {problem}: a site key is {PREFIX} and {ENCODED} characters, this one has "
                           f"{len(body)} after {PREFIX}; {fix}")
    try:
        decoded = base64.b32decode(body.upper() + "=" * (-len(body) % 8))
    except ValueError:
        raise SiteKeyError(f"{source} is malformed: after {PREFIX} only the letters a-z and digits 2-7 may follow ({fix})") from None
    raw, check = decoded[:KEY_BYTES], decoded[KEY_BYTES:]
    if _checksum(raw, version) != check or encode(raw, version) != prefix + body.lower():  # the last character's spare bits too
        raise SiteKeyError(f"{source} is malformed: its checksum does not match (a character changed?); "
                        f"copy it again from where it is kept, or {fix}") from None
    if len(set(raw)) < MIN_DISTINCT:
        raise SiteKeyError(f"{source} is weak: its 256 bits are not random ({len(set(raw))} distinct bytes); "
                        f"every deal's password would be guessable; {fix}")
    return SiteKey(raw, version)


class Rotations:
    """`password-rotations.json` beside mkdocs.yml: {realm id: counter}, committed, no secret in it.

    A realm not listed is at 0. Raising a realm's counter gives it a new derived password and leaves
    every other realm's as it was.
    """

    def __init__(self, root: Path):
        self.path = root / ROTATIONS

    def read(self) -> dict[str, int]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as error:
            raise SiteKeyError(f"{ROTATIONS}: cannot read it ({error}); fix it or take it from git") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise SiteKeyError(f"{ROTATIONS}:{error.lineno}:{error.colno}: not JSON ({error.msg}); "
                            'it holds {"deal:<slug>": <times rotated>, ...}') from None
        if not isinstance(data, dict) or not all(type(v) is int and v >= 0 for v in data.values()):
            raise SiteKeyError(f'{ROTATIONS}: must be an object of whole numbers, {{"deal:<slug>": <times rotated>, ...}}; '
                            "fix it or take it from git")
        return data

    def counter(self, realm_id: str, table: dict[str, int] | None = None) -> int:
        return (self.read() if table is None else table).get(realm_id, 0)

    def rotate(self, realm_id: str) -> int:
        """Raise the realm's counter by one and write the file (sorted, one realm a line: small diffs)."""
        table = self.read()
        table[realm_id] = table.get(realm_id, 0) + 1
        self.path.write_text(json.dumps(table, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return table[realm_id]
