"""Documents in the room: a deal's `files:` as the summary offers them, and as the site publishes them.

Each build gives every listed file a name that says nothing (`<deal folder>/files/<16 random hex>.bin`)
and a fresh key (`security.documents`). The summary page lists the files with their title, type and
size, and carries each one's name, key and nonce, all inside the page's own encryption (the team's
view alone for an internal file); the site holds only the encrypted bytes. Files are read and
encrypted after the pages are written (`write`), one at a time, so a build never holds every deal's
documents in memory.
"""

from __future__ import annotations

import base64
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mapsite.insight.audience import TEAM, Audience
from mapsite.plan.documents import DOCUMENT_TYPES, MB, document_file
from mapsite.plan.loader import Deal
from mapsite.security.documents import FileKey, seal_file
from mapsite.site.words import Words


@dataclass(frozen=True)
class Offered:
    """One document as a deal's summary offers it."""

    title: str
    name: str  # the file's own name, which the download gets
    label: str  # its type, as people call it: PDF, DOCX
    size: int
    internal: bool
    source: Path  # the file in the project, every link followed
    key: FileKey

    @property
    def href(self) -> str:
        """Its address relative to the summary page, which is the deal folder's index."""
        return self.key.path.split("/", 1)[1]

    @property
    def key_b64(self) -> str:
        return base64.b64encode(self.key.key).decode("ascii")

    @property
    def nonce_b64(self) -> str:
        return base64.b64encode(self.key.nonce).decode("ascii")


def offered(deal: Deal, folder: str, *, team: bool) -> list[Offered]:
    """The deal's documents for this build, each with a new name and key (the loader has checked the files).

    An internal file is published only when the site has a team (`team: true`) to open it.
    """
    found = []
    for entry in deal.plan.files:
        if entry.internal and not team:
            continue
        source = document_file(deal.path, entry.path)
        name = Path(entry.path).name
        found.append(Offered(entry.title or name, name, DOCUMENT_TYPES[source.suffix.lower()], source.stat().st_size,
                             entry.internal, source, FileKey.fresh(f"{folder}/files/{secrets.token_hex(8)}.bin")))
    return found


def for_audience(documents: Iterable[Offered], audience: Audience) -> list[Offered]:
    """What a view of the summary offers: the buyer's never names, nor holds the key of, an internal file."""
    return [d for d in documents if audience == TEAM or not d.internal]


def size_text(w: Words, size: int) -> str:
    """A file's size as the reader writes it: `840 KB`, `2,4 MB` in German."""
    if size < 1024:
        return w.ngettext("%(num)s byte", "%(num)s bytes", size)
    if size < MB:
        return w.gettext("%(size)s KB", size=w.number(math.ceil(size / 1024)))
    return w.gettext("%(size)s MB", size=w.number(round(size / MB, 1)))


def write(documents: Iterable[Offered], site_dir: Path) -> None:
    """Each document, encrypted, at its published path; a file that changed since the plan was checked stops the build."""
    for document in documents:
        try:
            data = document.source.read_bytes()
        except OSError as error:
            raise ValueError(f"{document.source} cannot be read ({error.strerror or error}); build again") from None
        if len(data) != document.size:
            raise ValueError(f"{document.source} changed while the site was built; build again")
        target = site_dir / document.key.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(seal_file(data, document.key))
