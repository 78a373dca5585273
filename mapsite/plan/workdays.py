"""Which days count when `mapsite new` works a plan back from go-live: Monday to Friday, less the public holidays
of the buyer's country and the buyer's freeze (`freeze:` in the plan).

Holidays come from the `holidays` package (maintained data for every country and its states: `DE`, or
`DE-BY` for Bavaria's own), so no one keeps a calendar by hand. A date is counted in working days, so
a step that would land on a holiday or in the freeze moves to the working day before it, and the
ones before it move with it: the pace between steps stays what the template set.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import holidays

from mapsite.plan.model import Freeze

__all__ = ["WorkingDays", "country_code"]


def country_code(value: object) -> str:
    """`de` or `DE-by` -> `DE` / `DE-BY`: a country (ISO 3166) and optionally a state that `holidays` knows; else a
    ValueError saying what would be right."""
    text = str(value).strip().upper().replace("_", "-")
    country, _, state = text.partition("-")
    known = holidays.list_supported_countries()
    if country not in known:
        raise ValueError(f"`{value}` is not a country with known public holidays; use its ISO 3166 code, like DE, FR, "
                         "GB or US (or DE-BY for a state's own holidays)")
    states = sorted(s for s in known[country] if s == s.upper())  # codes, not the cities some countries list too
    if state and state not in states:
        raise ValueError(f"`{value}`: {country} has no state `{state}` with its own holidays; use one of: "
                         f"{', '.join(states)}, or {country} alone")
    return text


@cache
def _holidays(code: str) -> holidays.HolidayBase:
    country, _, state = code.partition("-")
    return holidays.country_holidays(country, subdiv=state or None)


@dataclass(frozen=True)
class WorkingDays:
    country: str | None = None  # a `country_code`: its public holidays are not working days
    freeze: Freeze | None = None  # the buyer's freeze: no working days in it

    def why_not(self, day: dt.date) -> str | None:
        """Why `day` is no working day (`a Saturday`, `Christmas Day in DE`, `in the buyer's freeze`), or None."""
        if day.weekday() >= 5:
            return f"a {day:%A}"
        if self.freeze is not None and day in self.freeze:
            return f"in the buyer's freeze ({self.freeze.start} to {self.freeze.end})"
        if self.country and day in _holidays(self.country):
            return f"{_holidays(self.country).get(day)} in {self.country}"
        return None

    def add(self, day: dt.date, days: int) -> dt.date:
        """`days` working days after `day`, or before it when negative; 0 is `day` itself."""
        step = 1 if days > 0 else -1
        left = abs(days)
        while left:
            day += dt.timedelta(days=step)
            if self.why_not(day) is None:
                left -= 1
        return day
