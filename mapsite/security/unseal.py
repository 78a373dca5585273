"""Open published pages with a password, as a buyer's browser would: what `mapsite decrypt` shows.

A user checks exactly what a password opens; the tests prove audiences apart with it. A page's
payload is bound to its path from the site root, which a file alone does not tell: each of the
file's ancestors is tried as the root (a wrong one simply does not open). One key derivation per
salt, however many pages share it.
"""

from __future__ import annotations

import html.parser
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mapsite.security.keys import derive_key
from mapsite.security.protect import PayloadError, open_page, views_of

PAYLOAD = re.compile(r'<script type="application/json" id="mapsite-payload">(.*?)</script>', re.S)


@dataclass
class Outcome:
    """What one password did to the pages looked at."""

    opened: list[tuple[Path, str]] = field(default_factory=list)  # (file, its plaintext HTML)
    locked: list[Path] = field(default_factory=list)  # encrypted, and this password does not open them
    broken: list[tuple[Path, str]] = field(default_factory=list)  # a payload that is not one of ours, and why
    plain: int = 0  # files without a payload (assets, the public pages)


def files_under(paths: Iterable[Path]) -> list[Path]:
    """Each path that is a file, and every .html file under each folder, in a stable order."""
    found: list[Path] = []
    for path in paths:
        found += sorted(p for p in path.rglob("*.html") if p.is_file()) if path.is_dir() else [path]
    return found


def page_paths(file: Path) -> list[str]:
    """The file's path from each possible site root, nearest first: `people/index.html`, `deal/people/index.html`, ..."""
    parts = file.resolve().parts
    return ["/".join(parts[i:]) for i in range(len(parts) - 1, 0, -1)]


class Unsealer:
    """Opens payloads with one password, deriving each salt's key once."""

    def __init__(self, password: str):
        self.password = password
        self._keys: dict[tuple[bytes, int], bytes] = {}

    def open(self, file: Path, payload: object) -> str | None:
        """The first view of the payload this password opens (the team's comes first), else None."""
        views = views_of(payload)
        for page_path in page_paths(file):
            for index in range(len(views)):
                page = open_page(views, index, self._key, page_path)
                if page is not None:
                    return page
        return None

    def _key(self, salt: bytes, iterations: int) -> bytes:
        if (salt, iterations) not in self._keys:
            self._keys[salt, iterations] = derive_key(self.password, salt, iterations)
        return self._keys[salt, iterations]

    def run(self, files: Iterable[Path]) -> Outcome:
        outcome = Outcome()
        for file in files:
            match = PAYLOAD.search(file.read_bytes().decode("utf-8", "replace"))
            if not match:
                outcome.plain += 1
                continue
            try:
                page = self.open(file, json.loads(match.group(1)))
            except json.JSONDecodeError:
                outcome.broken.append((file, "the payload is not JSON"))
            except PayloadError as error:
                outcome.broken.append((file, str(error)))
            else:
                if page is None:
                    outcome.locked.append(file)
                else:
                    outcome.opened.append((file, page))
        return outcome


class _Text(html.parser.HTMLParser):
    """A page's words, a line per block, without scripts and styles."""

    SKIP = {"script", "style", "template", "noscript"}
    BLOCKS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer",
              "br", "dt", "dd", "summary", "details", "table", "ul", "ol", "nav", "main", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in self.SKIP
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        self.skipping -= tag in self.SKIP and self.skipping > 0
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def text_of(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def lines_of(outcome: Outcome, text: bool) -> Iterator[str]:
    """What `mapsite decrypt` prints on stdout: each opened page's path, then its HTML (or text)."""
    for file, page in outcome.opened:
        yield f"==> {file} <=="
        yield text_of(page) if text else page
