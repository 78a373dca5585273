"""Plan text to safe HTML: Markdown formatting and links, raw HTML shown as text, no scripts.

Reps write Markdown in every text field; buyers open the result. Raw HTML is never passed
through, links keep only safe schemes, and images (which would load from another host) become
their alt text.
"""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as etree
from urllib.parse import urlsplit

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

SAFE_SCHEMES = {"http", "https", "mailto", "tel", ""}


class _Sanitize(Treeprocessor):
    """Drops unsafe link targets and turns images into text."""

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag == "img":
                    span = etree.Element("span")
                    span.text = child.get("alt", "")
                    span.tail = child.tail
                    parent.remove(child)
                    parent.insert(index, span)
                elif child.tag == "a":
                    href = child.get("href", "")
                    if not is_safe_url(href):
                        child.attrib.pop("href", None)
                        child.tag = "span"
                    elif is_external_url(href):
                        child.set("rel", "noopener noreferrer")
                        child.set("target", "_blank")


class _ShiftHeadings(Treeprocessor):
    """Moves headings down `md.shift_headings` levels (at most h6): a plan's `## Why now` sits under the page's own h2s."""

    def run(self, root: etree.Element) -> None:
        shift = getattr(self.md, "shift_headings", 0)
        for element in root.iter():
            if shift and len(element.tag) == 2 and element.tag[0] == "h" and element.tag[1] in "123456":
                element.tag = f"h{min(6, int(element.tag[1]) + shift)}"


class _NoRawHtml(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API name)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_Sanitize(md), "mapsite_sanitize", 0)
        md.treeprocessors.register(_ShiftHeadings(md), "mapsite_shift_headings", 1)


def is_safe_url(url: str) -> bool:
    """True for http(s), mailto, tel and relative links, judged as the browser will decode them."""
    try:
        return urlsplit(_as_browser_reads(url)).scheme.lower() in SAFE_SCHEMES
    except ValueError:
        return False


def is_external_url(url: str) -> bool:
    """True for a link to another host: http(s), or any with a host (`//host/`, which the browser reads as https)."""
    try:
        parts = urlsplit(_as_browser_reads(url))
    except ValueError:
        return True
    return bool(parts.netloc) or parts.scheme.lower() in ("http", "https")


def _as_browser_reads(url: str) -> str:
    """The link as the browser decodes it: entities resolved, blanks and controls dropped, `\\` read as `/`."""
    cleaned = "".join(ch for ch in html.unescape(url) if ch.isprintable() and not ch.isspace())
    return cleaned.replace("\\", "/")


def _converter() -> markdown.Markdown:
    return markdown.Markdown(extensions=[_NoRawHtml(), "sane_lists"], output_format="html")


_md = _converter()


@functools.lru_cache(maxsize=16)  # a deal's body is on its summary once for each audience: converted once
def block(text: str | None, shift_headings: int = 1) -> Markup:
    """Multi-paragraph Markdown (the plan's narrative body); headings move down `shift_headings` levels."""
    if not text or not text.strip():
        return Markup("")
    _md.reset()
    _md.shift_headings = shift_headings
    return Markup(_md.convert(text))


def inline(text: str | None) -> Markup:
    """One line of Markdown (a title, a value, a risk) without the wrapping paragraph."""
    if text is None:
        return Markup("")
    return _inline_html(str(text))


# Text Markdown leaves as it is: it starts with a letter (no list, heading, quote or code block can begin) and holds
# no character Markdown or HTML gives a meaning to (`*_[]<>&\\!#` and the like), no line break, no space at its ends.
# Most plan titles are such text; they skip the converter, which costs as much as the rest of a page.
_PLAIN = re.compile(r"[^\W\d_](?:[^\W_]|[ ,.;:'’()/%+?$€£–—-])*(?<! )")


@functools.lru_cache(maxsize=4096)
def _inline_html(text: str) -> Markup:
    """Converted once per text: a deal shows its titles, values and names on several pages."""
    return Markup(text if _PLAIN.fullmatch(text) else _converted(text))


def _converted(text: str) -> str:
    _md.reset()
    _md.shift_headings = 0
    html = _md.convert(text)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html
