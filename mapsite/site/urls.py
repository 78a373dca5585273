"""Where everything lives in the built site, in one place: a deal's folder, its pages' URLs,
the address to send a buyer, and the preview's address.

The URL policy (`slug_in_url`, MkDocs' `use_directory_urls` and `site_url`) is given once to a
`UrlLayout`; the loader (folder clashes), the plugin, the page builders and the CLI all ask it.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from mapsite.site import kinds
from mapsite.site.kinds import PageKind


class _Plan(Protocol):
    share_id: str


class _Deal(Protocol):
    slug: str
    plan: _Plan


@dataclass(frozen=True)
class UrlLayout:
    slug_in_url: bool = True  # false: deals live at <share_id>/ only, for slugs that name the buyer
    directory_urls: bool = True  # MkDocs' use_directory_urls
    site_url: str = ""  # MkDocs' site_url; "" when none is set: addresses are then relative to the site root

    def folder(self, deal: _Deal) -> str:
        """The deal's folder in the site: `<slug>-<share_id>`, or only the share_id when the slug is private."""
        return f"{deal.slug}-{deal.plan.share_id}" if self.slug_in_url else deal.plan.share_id

    def source(self, deal: _Deal, kind: PageKind) -> str:
        """The generated file behind a deal's page, as MkDocs names it (`src_uri`)."""
        return f"{self.folder(deal)}/{kind.src_uri}"

    def page_url(self, kind: PageKind) -> str:
        """A deal page's URL relative to the deal folder, as MkDocs writes it."""
        stem = kind.src_uri[: -len(".md")]
        if stem == "index":
            return "./" if self.directory_urls else "index.html"
        return f"{stem}/" if self.directory_urls else f"{stem}.html"

    def page_links(self, key: str) -> dict[str, str]:
        """Links from the deal page `key` to every page of the same deal."""
        here = posixpath.dirname("x/" + self.page_url(kinds.deal_kind(key)))
        links = {}
        for kind in kinds.DEAL_KINDS:
            target = "x/" + self.page_url(kind)
            relative = posixpath.relpath(posixpath.dirname(target), here)
            name = posixpath.basename(target)
            link = (relative + "/" + name if relative != "." else name) or "./"
            links[kind.key] = link[2:] if link.startswith("./") and link != "./" else link
        return links

    def deal_path(self, deal: _Deal) -> str:
        """The deal's first page, relative to the site root."""
        return f"{self.folder(deal)}/{self.page_url(kinds.SUMMARY).removeprefix('./')}"

    def deal_url(self, deal: _Deal) -> str:
        """The address to send the buyer: full when `site_url` is set, else relative to the site root."""
        if not self.site_url:
            return self.deal_path(deal)
        return self.site_url.rstrip("/") + "/" + self.deal_path(deal)

    def page_address(self, deal: _Deal, kind: PageKind) -> str | None:
        """A deal page's full address (for an email), or None without `site_url`: a relative one leads nowhere."""
        if not self.site_url:
            return None
        return f"{self.site_url.rstrip('/')}/{self.folder(deal)}/{self.page_url(kind).removeprefix('./')}"

    def preview_url(self, deal: _Deal, dev_addr: str) -> str:
        """Where `mapsite preview` serves the deal: `mkdocs serve` mounts the site at site_url's path."""
        mount = urlsplit(self.site_url or "/").path.rstrip("/") + "/"
        return f"http://{dev_addr}{mount}{self.deal_path(deal)}"
