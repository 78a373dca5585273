"""Which languages mapsite speaks, and what a BCP 47 tag in a plan or mkdocs.yml means for it.

A language is spoken when its catalogue ships in `mapsite/site/locales/` (`en`, `de`, ...; adding
one is `python -m mapsite.site.catalogue --add <language>`). A tag may name a region (`de-AT`,
`en-US`): the words come from the language's catalogue (a regional one when it ships), while
dates and numbers follow the region's own CLDR data through Babel.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError

LOCALES = Path(__file__).parent / "site" / "locales"
DEFAULT = "en"


@dataclass(frozen=True)
class Language:
    tag: str  # BCP 47, as the page's `lang` attribute and the browser's Intl take it: `de-AT`
    catalogue: str  # the folder under LOCALES its words come from: `de`
    locale: Locale  # dates and numbers, region included


@functools.cache
def shipped() -> tuple[str, ...]:
    """The catalogues there are, e.g. ("de", "en", "es", "fr", "nl")."""
    return tuple(sorted(p.name for p in LOCALES.iterdir() if (p / "LC_MESSAGES").is_dir()))


def supported_text() -> str:
    return ", ".join(shipped()) + " (a region may follow, e.g. de-AT or en-US)"


@functools.cache
def language(tag: str) -> Language:
    """The language a tag names; ValueError in words for the rep when mapsite does not speak it."""
    cleaned = tag.strip().replace("_", "-") if isinstance(tag, str) else ""
    try:
        locale = Locale.parse(cleaned, sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        locale = None
    if locale is None or not cleaned:
        raise ValueError(f"`{tag}` is not a language tag mapsite knows; use one of {supported_text()}")
    regional = f"{locale.language}_{locale.territory}" if locale.territory else None
    catalogue = regional if regional in shipped() else locale.language
    if catalogue not in shipped():
        raise ValueError(f"mapsite has no catalogue for `{tag}`; use one of {supported_text()}, "
                         "or add one (README: Languages)")
    return Language(str(locale).replace("_", "-"), catalogue, locale)
