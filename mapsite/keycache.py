"""Derived keys kept between local builds, so an author's rebuild skips PBKDF2.

Lives in `.mapsite/keys` beside the passwords (mode 600, git-ignored), never in `site/`, and is
never used in CI: a pull request's workflow can restore the default branch's caches.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from mapsite.passwords import write_private
from mapsite.protect import DealKey

FILE = Path(".mapsite") / "keys"


def _entry_id(folder: str, password: str, salt: bytes, iterations: int) -> str:
    """Changes whenever anything that went into the key changes: address, password, salt, cost."""
    material = b"\0".join([folder.encode(), hashlib.sha256(password.encode()).digest(), salt, str(iterations).encode()])
    return hashlib.sha256(material).hexdigest()


class KeyCache:
    def __init__(self, root: Path):
        self.path = root / FILE
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.entries: dict[str, str] = data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            self.entries = {}  # no cache or a damaged one: derive again, nothing is lost

    def get(self, folder: str, password: str, salt: bytes, iterations: int) -> DealKey | None:
        raw = self.entries.get(_entry_id(folder, password, salt, iterations))
        return DealKey(base64.b64decode(raw), salt, iterations) if isinstance(raw, str) else None

    def save(self, keys: dict[str, tuple[str, str, DealKey]]) -> None:
        """Keep exactly the current deals' keys: {slug: (folder, password, key)}."""
        self.entries = {
            _entry_id(folder, password, key.salt, key.iterations): base64.b64encode(key.key).decode()
            for folder, password, key in keys.values()
        }
        write_private(self.path, json.dumps(self.entries))
