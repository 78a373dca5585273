"""The plugin's options in mkdocs.yml, validated by MkDocs' own Config classes.

One definition for the build and the CLI: `mapsite.mkdocs.settings` reads mkdocs.yml through MkDocs
with these same options, so `today: soon` is refused in the same words by `mkdocs build` and
by every `mapsite` command.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from mkdocs.config import base
from mkdocs.config import config_options as c

from mapsite.languages import language
from mapsite.plan.model import company_name, currency_code, date_error, iso_date
from mapsite.plan.workdays import country_code


class Checked(c.OptionallyRequired):
    """An option checked by the same rule a plan or the command line uses (`check` raises ValueError in words), so
    `mkdocs build` and every `mapsite` command refuse a bad value in one message."""

    def __init__(self, check: Callable[[object], object], **kwargs) -> None:
        super().__init__(**kwargs)
        self.check = check

    def run_validation(self, value: object) -> object:
        try:
            return self.check(value)
        except ValueError as error:
            raise c.ValidationError(str(error)) from None


def day(value: object) -> dt.date:
    """A date option: YAML's own date (`today: 2026-11-24`) or the same in quotes."""
    try:
        return iso_date(value)
    except ValueError as error:
        raise ValueError(date_error(value, error)) from None


class FolderName(c.OptionallyRequired[str]):
    """One folder of the site's root, as a slug is written (`team`, `pipeline-2027`): no other page's path."""

    def run_validation(self, value: object) -> str:
        if not isinstance(value, str) or not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value):
            raise c.ValidationError(f"`{value}` is not a folder name like `team`: lower-case letters, digits and dashes")
        return value


def site_language(option: str | None, theme_language: str | None) -> str:
    """The deals' language when a plan names none: the plugin's `language`, else the theme's, else English.

    Raises ValueError (in words naming theme.language) when the theme's is one mapsite does not speak.
    """
    if option:
        return option
    try:
        return language(theme_language or "en").tag
    except ValueError as error:
        raise ValueError(f"theme.language: {error}; or set the mapsite plugin's own `language:`") from None


class MapsiteConfig(base.Config):
    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it."""
    plans_dir = c.Type(str, default="plans")
    """Folder of plan files, relative to mkdocs.yml."""
    slug_in_url = c.Type(bool, default=True)
    """Deal addresses are `<slug>-<share_id>/`; false makes them `<share_id>/`, for slugs that name the buyer."""
    brand_color = c.Optional(c.Type(str))
    """The seller's colour (`#1f4e79`) for the header bar and the password page; dark enough for white text."""
    language = c.Optional(Checked(lambda value: language(str(value)).tag))
    """The language of every deal whose plan sets none (BCP 47: `de`, `de-AT`, `fr`); default: theme.language, else en."""
    currency = c.Optional(Checked(currency_code))
    """The currency (ISO 4217) of a plan's `amount` when the plan names none; the team's pipeline only."""
    seller = c.Optional(Checked(company_name))
    """Your company's name: what `mapsite new` writes as `seller.name` (and in the title) unless given `--seller`."""
    country = c.Optional(Checked(country_code))
    """Where most buyers are (ISO 3166 `DE`, or `DE-BY`): `mapsite new` skips its public holidays unless given `--country`."""
    today = c.Optional(Checked(day))
    """Build as if on this date, YYYY-MM-DD (for reproducible builds and tests); default: the real date."""
    remember = c.Choice(("auto", True, False), default="auto")
    """Offer "Remember on this device". auto: except on an origin other sites share (`*.github.io`, `*.gitlab.io`),
    whose other sites could use a remembered key; true: everywhere (an org whose only Pages site this is); false: nowhere."""
    magic_links = c.Type(bool, default=True)
    """Open a deal from a `#k=<password>` link. The link stays in the buyer's browser history; false: always typed."""
    team = c.Type(bool, default=False)
    """Publish the team page and open every deal with the team's password too (MAPSITE_TEAM_PASSWORD in CI)."""
    team_path = FolderName(default="team")
    """The team page's folder in the site: `team/`."""
    preview_only = c.Optional(c.Type(str))
    """The one deal (a slug) `mkdocs serve` builds; set by `mapsite preview <slug>`, ignored by a build."""
