"""The CLI's view of mkdocs.yml: where plans live, where deals are published, the plugin's options.

mkdocs.yml is parsed once, by MkDocs itself, and validated with the plugin's own `MapsiteConfig`:
a value the build refuses (`today: soon`) stops every command with the build's message, in one
line. Here rather than in `mapsite/cli/` because it is MkDocs' config API, like `config.py`.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any
from pathlib import Path

import yaml

from mapsite.plan import Deal
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
    language: str = "en"  # the deals' language when a plan names none
    currency: str | None = None  # the currency of a plan's `amount` when the plan names none
    seller: str | None = None  # the seller's name for `mapsite new`
    country: str | None = None  # whose public holidays `mapsite new` skips
    plugins: Any = field(default=None, compare=False, repr=False)  # mkdocs.yml's `plugins:` as written, for `preview`
    team_path: str | None = None  # the team page's folder with `team: true`, else None

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
        from mapsite.mkdocs.config import MapsiteConfig, site_language

        root = config_file.parent
        config, plugins = _load_config(config_file)
        plugin = config.plugins.get("mapsite")
        options = plugin.config if plugin else MapsiteConfig()  # MkDocs validated it with MapsiteConfig
        try:
            language = site_language(options.language, config.theme.get("language"))
        except ValueError as error:
            raise SettingsError(f"{config_file.name}: {error}") from None
        return cls(root, root / (options.plans_dir or "plans"), config.site_url or "", config.use_directory_urls,
                   options.today or dt.date.today(), options.slug_in_url is not False, options.magic_links is not False,
                   language, options.currency, options.seller, options.country, plugins,
                   options.team_path if options.team else None)

    def plugins_previewing(self, slug: str) -> dict[str, dict]:
        """mkdocs.yml's plugins with mapsite's `preview_only: <slug>`: an override for MkDocs' `serve(plugins=...)`.

        A mapping, not a list: MkDocs empties a list's items as it reads them, and `serve` reads
        the same override again on every rebuild. (A plugin listed twice, as a second instance,
        is kept once.)
        """
        found = self.plugins or ["mapsite"]
        entries = list(found.items()) if isinstance(found, dict) else [
            next(iter(item.items())) if isinstance(item, dict) else (item, None) for item in found]
        return {name: {**(options or {}), "preview_only": slug} if name == "mapsite" else options or {}
                for name, options in entries}

    @property
    def layout(self) -> UrlLayout:
        """Where the build publishes each deal, and the address to send a buyer."""
        return UrlLayout(self.slug_in_url, self.directory_urls, self.site_url)


def _load_config(config_file: Path):
    """MkDocs' own reading of `config_file` (what `load_config` does) and its `plugins:` as written.

    Any error MkDocs logs or raises, in several lines or as a bare ValueError, becomes one SettingsError.
    """
    from mkdocs.config.defaults import MkDocsConfig

    errors: list[str] = []
    collect = logging.Handler(logging.ERROR)
    collect.emit = lambda record: errors.append(record.getMessage())
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(collect)  # also keeps Python's last-resort handler from printing them
    try:
        with config_file.open("rb") as fd:
            config = MkDocsConfig(config_file_path=str(config_file))
            config.load_file(fd)
        plugins = copy.deepcopy(config.get("plugins"))
        found, warnings = config.validate()
        for name, warning in warnings:
            mkdocs_log.warning(f"Config value '{name}': {warning}")
        errors += [f"Config value '{name}': {error}" for name, error in found]
        if errors or (config.strict and warnings):
            raise ValueError(f"{len(warnings)} configuration warnings in 'strict' mode")
        return config, plugins
    except Exception as error:  # noqa: BLE001 (MkDocs raises ConfigurationError, YAML errors, even a bare ValueError)
        found_date = _impossible_date(config_file) if isinstance(error, ValueError) and not errors else None
        reason = "; ".join(errors) or str(error) or type(error).__name__
        raise SettingsError(found_date or f"{config_file.name}: {' '.join(reason.split())}") from None
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
