"""What the CLI needs to know of the site: where plans live and where deals are published.

Read from `mkdocs.yml` through MkDocs itself, so the CLI and the build never disagree.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from mapsite.loader import Deal


@dataclass(frozen=True)
class SiteSettings:
    root: Path
    plans_dir: Path
    site_url: str  # "" when mkdocs.yml sets none: URLs are then relative to the site root
    directory_urls: bool = True
    today: dt.date = field(default_factory=dt.date.today)
    slug_in_url: bool = True
    magic_links: bool = True

    @classmethod
    def find(cls, start: Path | None = None) -> SiteSettings:
        """Settings from the nearest mkdocs.yml at or above `start`; defaults when there is none."""
        start = (start or Path.cwd()).resolve()
        for folder in (start, *start.parents):
            config_file = folder / "mkdocs.yml"
            if config_file.is_file():
                return cls.from_config(config_file)
        return cls(start, start / "plans", "")

    @classmethod
    def from_config(cls, config_file: Path) -> SiteSettings:
        from mkdocs.config import load_config

        root = config_file.parent
        quiet = logging.getLogger("mkdocs")
        level = quiet.level
        quiet.setLevel(logging.ERROR)
        try:
            config = load_config(str(config_file))
        except Exception:  # a broken mkdocs.yml must not stop `mapsite check` from checking plans
            return cls(root, root / "plans", "")
        finally:
            quiet.setLevel(level)
        plugin = config.plugins.get("mapsite")
        options = plugin.config if plugin else {}
        plans = root / options.get("plans_dir", "plans")
        today = options.get("today")
        return cls(root, plans, config.site_url or "", config.use_directory_urls,
                   dt.date.fromisoformat(today) if today else dt.date.today(), options.get("slug_in_url", True),
                   options.get("magic_links", True))

    def deal_url(self, deal: Deal) -> str:
        """The address to send the buyer: full when `site_url` is set, else relative to the site root."""
        path = f"{deal.folder}/" if self.directory_urls else f"{deal.folder}/index.html"
        if not self.site_url:
            return path
        return self.site_url.rstrip("/") + "/" + path
