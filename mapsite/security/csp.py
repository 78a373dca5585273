"""A Content-Security-Policy `<meta>` for every published page, with a hash for each inline script.

GitHub Pages sends no headers, so the policy travels inside the page. Scripts run from this site's
files or when their exact text is hashed here ('unsafe-inline' never), and nothing loads from or
connects to another host. Only scripts the browser runs are hashed: `<script type="application/json">`
data blocks (a deal's calendar) never run and carry plan text, so they get no hash; a hash is
computed from a page's final HTML and a plan's text never becomes a script that runs (site/text.py escapes
it in HTML, site/render.py in the calendar's JSON), so no hash can confirm a guess at a plan. Inline styles stay allowed: Material and the deal
pages set `style=""` attributes (bar widths, timeline marks), which no hash can allow.
`frame-ancestors` has no effect in a `<meta>`; `.github/hosting/` sends it as a header.
"""

from __future__ import annotations

import base64
import hashlib
import re

DIRECTIVES = (
    "default-src 'none'",
    "script-src 'self'",  # + each inline script's hash
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "base-uri 'self'",
    "form-action 'none'",
)
_OPEN = re.compile(r"<script\b([^>]*)>", re.I)
_CLOSE = re.compile(r"</script[\s/>]", re.I)
_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]*)""", re.I)
_RUNS = {"", "module", "text/javascript", "application/javascript", "text/ecmascript", "application/ecmascript"}
_HEAD = re.compile(r"<head\b[^>]*>(\s*<meta charset=[^>]*>)?", re.I)


def script_hashes(page: str) -> list[str]:
    """`'sha256-…'` of each inline script the browser would run, in order, without repeats."""
    found: dict[str, None] = {}
    for attributes, text in inline_scripts(page):
        if not runs(attributes):
            continue
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # as the browser's parser sees it
        found["'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"] = None
    return list(found)


def runs(attributes: str) -> bool:
    """Whether a `<script>` with these attributes is one the browser runs from its own text (and so needs a hash)."""
    kind = _TYPE.search(attributes)
    return not (re.search(r"\bsrc\s*=", attributes, re.I) or (kind and kind.group(1).lower() not in _RUNS))


def inline_scripts(page: str):
    """Each `<script>`'s attributes and text, as `<script\\b([^>]*)>(.*?)</script[\\s/>]` (re.S, re.I) finds them.

    A search for each tag's end, not one lazy pattern: that one tries the closing tag at every character of a
    script's text, 12 times slower on a deal page (0.2 ms a page, on every page and view of a build).
    """
    for opened, closed in _tags(page):
        yield opened.group(1), page[opened.end():closed.start()]


def script_spans(page: str):
    """Each `<script>` as `inline_scripts` finds it: its attributes, and where it starts and ends (its tags included)."""
    for opened, closed in _tags(page):
        yield opened.group(1), opened.start(), closed.end()


def _tags(page: str):
    """Each `<script>`'s start and end tags, as matches."""
    start = 0
    while (opened := _OPEN.search(page, start)) and (closed := _CLOSE.search(page, opened.end())):
        yield opened, closed
        start = closed.end()


def runs_no_script(text: str) -> bool:
    """Whether `text` (a few lines of a page) holds no part of a script the browser runs: each `<script>` in it is
    whole, start and end tags, and data (`type="application/json"`), which no policy hashes."""
    lowered = text.lower()
    if "<script" not in lowered and "</script" not in lowered:
        return True
    spans = list(script_spans(text))
    return (len(spans) == len(_OPEN.findall(text)) == len(_CLOSE.findall(text))
            and not any(runs(attributes) for attributes, *_ in spans))


def policy(hashes: list[str]) -> str:
    return "; ".join(f"{d} {' '.join(hashes)}".rstrip() if d.startswith("script-src") else d for d in DIRECTIVES)


def with_policy(page: str, also: list[str] = ()) -> str:
    """`page` with its policy first in `<head>` (a policy covers only what follows it).

    The policy hashes the page's own inline scripts and `also`: a lock shell allows those of the
    page it writes in, since its policy outlives `document.open()` (measured in Chromium, tests/test_csp.py).
    """
    return hashed(page, also)[0]


def hashed(page: str, also: list[str] = ()) -> tuple[str, list[str]]:
    """`with_policy(page, also)`, and the hashes of the page's own scripts: a page about to be sealed
    hands them to its lock shell without reading its 100 KB again."""
    own = script_hashes(page)
    hashes = list(dict.fromkeys([*own, *also]))
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(hashes)}">'  # no quote or & in a policy
    head = _HEAD.search(page)
    if head is None:
        raise ValueError("a page without <head>: nowhere to put its Content-Security-Policy")
    return page[:head.end()] + meta + page[head.end():], own
