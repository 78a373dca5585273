"""The local secret files under `.mapsite/` (passwords, derived keys): owner-only, written atomically."""

from __future__ import annotations

import os
from pathlib import Path


def write_private(path: Path, text: str) -> None:
    """Write a secret file under .mapsite/ atomically, readable by its owner only (mode 600)."""
    path.parent.mkdir(mode=0o700, exist_ok=True)
    ignore = path.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")  # belt and braces beside the repo's .gitignore
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(temporary, 0o600)  # an older .tmp kept its mode: os.open's mode applies only on creation
    os.replace(temporary, path)
