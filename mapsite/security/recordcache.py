"""`MAPSITE_CACHE_DIR` (default `.mapsite/cache/`): each realm's wrapped-key record, kept so a rebuild derives no key.

The publish workflow keeps this folder in the Actions cache, which a pull request from a fork can
restore: it holds only what the site publishes anyway (salt, iterations, the record E_P(R) that
every lock of the realm carries), a fingerprint of the password and a MAC, never a password, P or R.
Entries are filed under their salt (published), not under the realm id, which names the deal.
Each entry is authenticated with K_cache = HKDF(site key): an entry a build holding the key did not
write (poisoned, corrupted, from another site key) or one made for an older password (its
fingerprint differs) is ignored, logged, and made again; the worst a poisoned cache does is cost
that build its PBKDF2 time. Only realms whose password holds out for 2^100 guesses are kept (derived
from the site key, or the team's): whoever holds the site key and this file can test guesses at
HMAC speed, which a person's 2^60 deal password would not survive.

One JSON file, written atomically: at 10,000 realms it loads and verifies in well under a second
(bench/cache.py), one file per realm would cost 10,000 opens.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import struct
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from mapsite.security.records import RECORD_BYTES

VARIABLE = "MAPSITE_CACHE_DIR"
DEFAULT = Path(".mapsite") / "cache"
FILE = "records.json"
FORMAT = "mapsite-cache/v1"
MIN_BITS = 100  # a password this strong may be kept (see above)

log = logging.getLogger("mkdocs.plugins.mapsite")


def folder(root: Path, environ=None) -> Path:
    """The cache folder: `MAPSITE_CACHE_DIR` (relative to the project), else `.mapsite/cache/` beside mkdocs.yml."""
    value = (os.environ if environ is None else environ).get(VARIABLE, "").strip()
    return root / value if value else root / DEFAULT


def _parts(*parts: bytes) -> bytes:
    """Each part with its length first: no two lists of parts give the same bytes."""
    return b"".join(struct.pack(">I", len(p)) + p for p in parts)


class RecordCache:
    """The records a build may use again, each checked against the site key before it is trusted."""

    def __init__(self, path: Path, site_key: bytes):
        self.path = path / FILE
        self._key = HKDF(hashes.SHA256(), 32, None, b"mapsite/cache/v1").derive(site_key)
        self.entries: dict[str, dict] = {}
        try:
            data = json.loads(self.path.read_bytes())
        except FileNotFoundError:
            return
        except (OSError, ValueError) as error:
            log.info(f"mapsite: the key cache {self.path} cannot be read ({type(error).__name__}): making every record again")
            return
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("realms"), dict):
            log.info(f"mapsite: the key cache {self.path} is not a {FORMAT} file: making every record again")
            return
        self.entries = data["realms"]

    def fingerprint(self, realm_id: str, password: str) -> bytes:
        """Changes with the password; without K_cache it tells nothing, not even that two realms share one."""
        return hmac.new(self._key, _parts(b"fingerprint", realm_id.encode(), password.encode("utf-8")), hashlib.sha256).digest()

    def _mac(self, realm_id: str, fingerprint: bytes, salt: bytes, iterations: int, record: bytes) -> bytes:
        return hmac.new(self._key, _parts(realm_id.encode(), fingerprint, salt, str(iterations).encode(), record),
                        hashlib.sha256).digest()

    def record(self, realm_id: str, label: str, password: str, salt: bytes, iterations: int,
               report: bool = True) -> bytes | None:
        """The realm's record when an entry this site key wrote holds it for this password, salt and cost; else None
        (and, when `report`, an info line saying why it is made again)."""
        entry = self.entries.get(salt.hex())
        if entry is None:
            return None
        try:
            fingerprint, record, mac = (base64.b64decode(entry[n], validate=True) for n in ("fingerprint", "record", "mac"))
            cost = entry["iterations"]
        except (TypeError, KeyError, binascii.Error):
            fingerprint = record = mac = b""
            cost = None
        if type(cost) is not int or len(record) != RECORD_BYTES or not hmac.compare_digest(
                mac, self._mac(realm_id, fingerprint, salt, cost, record)):
            report and log.info(f"mapsite: the cached record for {label} was not written with this site key "
                     "(changed, damaged or from another key): deriving its key again")
            return None
        if not hmac.compare_digest(fingerprint, self.fingerprint(realm_id, password)) or cost != iterations:
            report and log.info(f"mapsite: {label} has a new password or cost since its record was cached: deriving its key again")
            return None
        return record

    def save(self, kept: dict[str, tuple[str, bytes, int, bytes]]) -> None:
        """Keep exactly these realms: {realm id: (password, salt, iterations, record)}; written atomically."""
        realms = {}
        for realm_id, (password, salt, iterations, record) in kept.items():
            fingerprint = self.fingerprint(realm_id, password)
            realms[salt.hex()] = {"iterations": iterations, "record": _b64(record), "fingerprint": _b64(fingerprint),
                                  "mac": _b64(self._mac(realm_id, fingerprint, salt, iterations, record))}
        if realms == self.entries:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{FILE}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps({"format": FORMAT, "realms": realms}, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, self.path)
        self.entries = realms


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
