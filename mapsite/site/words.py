"""Every word a reader sees, from one gettext catalogue: the pages, derive's codes, the plugin, the browser.

The catalogue is `locales/<language>/LC_MESSAGES/mapsite.po`, compiled when first used (Babel
reads the .po directly), so no binary .mo sits in git beside it and none can go stale. English
entries keep `msgstr` empty: gettext falls back to the message itself. Plurals follow the
catalogue's Plural-Forms (CLDR, as Babel writes it); the browser gets each plural message per
CLDR category, for `Intl.PluralRules`. Dates follow a pattern held in the catalogue, so a
language can change it: the same pattern on both sides (`mapsite.js` fills it from
`Intl.DateTimeFormat` parts).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import gettext
import io
import json
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

from mapsite.languages import DEFAULT, LOCALES, language

DOMAIN = "mapsite"


def N_(message: str) -> str:  # noqa: N802 (gettext's name for "mark for extraction, translate later")
    return message


# One table per rule, its words marked for the catalogue.
STATUS_LABELS = {"not_started": N_("Not started"), "in_progress": N_("In progress"), "done": N_("Done"),
                 "blocked": N_("Blocked")}
SIDES = {"buyer": N_("buyer"), "seller": N_("seller")}
# Words of the theme's settings that deal pages show: mkdocs.yml's palette toggles, as shipped.
THEME_WORDS = (N_("Switch to dark mode"), N_("Switch to light mode"))
HEALTH_LABELS = {"on_track": N_("On track"), "at_risk": N_("At risk"), "off_track": N_("Off track")}


# What the browser needs: mapsite.js recomputes these on the day a page is viewed.
# Translators: "plan" and "milestone" name the calendar files a reader downloads (plan.ics, milestone-3.ics).
BROWSER_MESSAGES = ("today", "d MMM y", "MMM y", N_("plan"), N_("milestone"), "Go-live projected for %(date)s, as agreed.",
                    "projected %(date)s")
BROWSER_PLURALS = (("%(num)s day left", "%(num)s days left"), ("%(num)s day ago", "%(num)s days ago"),
                   ("%(num)s day late", "%(num)s days late"),
                   ("Go-live now projected for %(date)s, %(num)s day late: %(title)s (%(owners)s) is %(num)s day overdue.",
                    "Go-live now projected for %(date)s, %(num)s days late: %(title)s (%(owners)s) is %(num)s days overdue."),
                   ("Go-live now projected for %(date)s, %(num)s day late: %(title)s is %(num)s day overdue.",
                    "Go-live now projected for %(date)s, %(num)s days late: %(title)s is %(num)s days overdue."))


@functools.lru_cache(maxsize=None)
def _translations(catalogue: str) -> gettext.GNUTranslations:
    with (LOCALES / catalogue / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        catalog = read_po(po, locale=catalogue)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Words:
    """The catalogue of one language, with its plurals, dates and numbers (in the tag's region, when it names one)."""

    def __init__(self, tag: str = DEFAULT) -> None:
        spoken = language(tag)
        self.language = spoken.tag  # BCP 47: the pages' `lang`, the browser's Intl locale
        self.locale = spoken.locale
        self._t = self.raw = _translations(spoken.catalogue)
        self._numbers: dict[int | float, str] = {}
        self._texts: dict[str, str] = {}

    def gettext(self, message: str, **values) -> str:
        if message not in self._texts:  # looked up once: pages ask for the same words 100,000s of times a build
            self._texts[message] = self._t.gettext(message)
        text = self._texts[message]
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, num: int, **values) -> str:
        return self._t.ngettext(singular, plural, abs(num)) % {"num": self.number(num), **values}  # CLDR: -1 is "one"

    def number(self, value: int | float) -> str:
        """Babel's formatting, once per value: a build writes the same few counts of days 10,000s of times."""
        if value not in self._numbers:
            self._numbers[value] = format_decimal(value, locale=self.locale)
        return self._numbers[value]

    def money(self, value: float, currency: str) -> str:
        """A price as the reader writes it (`186.000 $` in German); cents only when there are any."""
        if value == int(value):
            pattern = copy.copy(self.locale.currency_formats["standard"])
            pattern.frac_prec = (0, 0)
            return pattern.apply(value, self.locale, currency=currency, currency_digits=False)
        return format_currency(value, currency, locale=self.locale)

    def date(self, day: dt.date | None) -> str:
        return _date(self, day) if day else ""

    def month(self, day: dt.date, with_year: bool) -> str:
        """A timeline tick: the month, with its year at January and at the start."""
        return format_date(day, self.gettext("MMM y") if with_year else self.gettext("MMM"), locale=self.locale)

    def days_left(self, count: int) -> str:
        """Go-live as the summary says it; mapsite.js says the same on the day the page is viewed."""
        if count > 0:
            return self.ngettext("%(num)s day left", "%(num)s days left", count)
        if count == 0:
            return self.gettext("today")
        return self.ngettext("%(num)s day ago", "%(num)s days ago", -count)

    def due_in(self, count: int) -> str:
        """An open item's due date from today: "3 days late", "today", "5 days left"; mapsite.js's dueIn says the same."""
        if count < 0:
            return self.ngettext("%(num)s day late", "%(num)s days late", -count)
        return self.days_left(count)

    def status(self, code: str) -> str:
        return self.gettext(STATUS_LABELS[code])

    @functools.cached_property
    def browser(self) -> str:
        """The messages mapsite.js shows (its t() and tn() calls), as JSON for a data block; plurals by CLDR category.

        Computed once per language: every deal page carries the same block."""
        return self.browser_words()

    def browser_words(self, messages: tuple[str, ...] = (), plurals: tuple[tuple[str, str], ...] = ()) -> str:
        """mapsite.js's words and `messages`, `plurals` besides: the block of a page whose own script says more."""
        data = {
            "lang": self.language,
            "messages": {m: self._t.gettext(m) for m in BROWSER_MESSAGES + messages},
            "plurals": {one: self._by_category(one, other) for one, other in BROWSER_PLURALS + plurals},
        }
        return script_json(data)

    def _by_category(self, singular: str, plural: str) -> dict[str, str]:
        """The catalogue's form for each CLDR plural category, `{num}` left for the browser to fill."""
        forms: dict[str, str] = {}
        for n in range(0, 200):
            forms.setdefault(self.locale.plural_form(n), self._t.ngettext(singular, plural, n))
        return forms


def script_json(data: object) -> str:
    """JSON for a `<script type="application/json">` block: `<`, `>`, `&` escaped so no text can close it."""
    return json.dumps(data, ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@functools.lru_cache(maxsize=8192)
def _date(w: Words, day: dt.date) -> str:
    """Formatted once: a page shows the same few dates many times, and Babel's formatting is the slow part."""
    # Translators: a CLDR date pattern (d day, MMM short month, y year), as dates read in your language.
    return format_date(day, w.gettext("d MMM y"), locale=w.locale)


@functools.lru_cache(maxsize=None)
def words(tag: str = DEFAULT) -> Words:
    return Words(tag)
