"""What the CLI needs to know of the site: where plans live and where deals are published.

Read from `mkdocs.yml` through MkDocs itself, so the CLI and the build never disagree.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from mapsite.site.urls import UrlLayout


class SettingsError(Exception):
    """mkdocs.yml cannot be used (the build would stop too); the message says where and why, in one line."""


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
        """Settings from `mkdocs.yml`; a SettingsError in one line when MkDocs would refuse the file."""
        root = config_file.parent
        config = _load_config(config_file)
        plugin = config.plugins.get("mapsite")
        options = plugin.config if plugin else {}
        plans = root / options.get("plans_dir", "plans")
        return cls(root, plans, config.site_url or "", config.use_directory_urls,
                   options.get("today") or dt.date.today(), options.get("slug_in_url", True),
                   options.get("magic_links", True))

    @property
    def layout(self) -> UrlLayout:
        """Where the build publishes each deal, and the address to send a buyer."""
        return UrlLayout(self.slug_in_url, self.directory_urls, self.site_url)


def _load_config(config_file: Path):
    """MkDocs' own reading of `config_file`, its errors (logged, or raised in several lines) as one SettingsError."""
    from mkdocs.config import load_config

    errors: list[str] = []
    collect = logging.Handler(logging.ERROR)
    collect.emit = lambda record: errors.append(record.getMessage())
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(collect)  # also keeps Python's last-resort handler from printing them
    try:
        return load_config(str(config_file))
    except Exception as error:  # noqa: BLE001 (MkDocs raises Abort, ConfigurationError, even a bare ValueError)
        found = _impossible_date(config_file) if isinstance(error, ValueError) else None
        reason = "; ".join(errors) or str(error) or type(error).__name__
        raise SettingsError(found or f"{config_file.name}: {' '.join(reason.split())}") from None
    finally:
        mkdocs_log.removeHandler(collect)


def _impossible_date(config_file: Path) -> str | None:
    """`mkdocs.yml:line:col: key: ...` for an unquoted date that does not exist (`today: 2027-02-30`).

    MkDocs' own YAML reading fails on it with a bare ValueError that names neither the line nor the option.
    """
    try:
        stack = [("", yaml.compose(config_file.read_text(encoding="utf-8"), Loader=yaml.SafeLoader))]
    except (OSError, ValueError, yaml.YAMLError):
        return None
    while stack:
        key, node = stack.pop()
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
            try:
                yaml.SafeLoader("").construct_yaml_timestamp(node)
            except ValueError:
                mark = node.start_mark
                return (f"{config_file.name}:{mark.line + 1}:{mark.column + 1}: {key}: `{node.value}` is not a real date "
                        "(check the month and the day)")
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((key, item) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend((getattr(k, "value", key), v) for k, v in node.value)
    return None
