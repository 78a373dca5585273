"""Pipeline rows in the form each reader wants: a terminal table, JSON for tools, CSV for a CRM import.

The table fits the terminal by cutting long text (buyer, owners, milestone titles) with `…`; the
address is never cut, since a cut link opens nothing. The CSV is RFC 4180 and safe to open in a
spreadsheet: a text cell that a spreadsheet would run as a formula gets a leading `'`.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Callable, Iterable

from babel.numbers import format_compact_currency, format_compact_decimal

from mapsite.insight.rows import Row, whole

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what Excel, LibreOffice and Sheets read as a formula (OWASP)

CSV_COLUMNS: tuple[tuple[str, Callable[[Row], object]], ...] = (
    ("slug", lambda r: r.slug), ("title", lambda r: r.title), ("buyer", lambda r: r.buyer), ("url", lambda r: r.url),
    ("owner", lambda r: r.owner), ("owner_id", lambda r: r.owner_id),
    ("go_live", lambda r: r.go_live.isoformat()), ("days_left", lambda r: r.days_left),
    ("projected_go_live", lambda r: r.projected_go_live.isoformat()),
    ("status", lambda r: r.health), ("reasons", lambda r: " ".join(reason.code for reason in r.reasons)),
    ("done", lambda r: r.done), ("total", lambda r: r.total),  # not "1/8": a spreadsheet reads that as a date
    ("slipped_days", lambda r: r.slipped_days),
    ("next_milestone", lambda r: r.next_milestone and r.next_milestone.title),
    ("next_owners", lambda r: r.next_milestone and "; ".join(r.next_milestone.owners)),
    ("next_due", lambda r: r.next_milestone and r.next_milestone.due.isoformat()),
    ("overdue", lambda r: r.overdue), ("last_updated", lambda r: r.updated and r.updated.isoformat()),
    ("amount", lambda r: whole(r.amount)), ("currency", lambda r: r.currency), ("forecast", lambda r: r.forecast),
    ("close", lambda r: r.close and r.close.isoformat()), ("close_quarter", lambda r: r.close_quarter),
)


def matches(row: Row, owners: Iterable[str] = (), forecasts: Iterable[str] = (), healths: Iterable[str] = ()) -> bool:
    """Whether the row passes every filter given; an owner matches by id or by name, in any case."""
    owners = {o.casefold() for o in owners}
    if owners and not owners & {(row.owner_id or "").casefold(), (row.owner or "").casefold()}:
        return False
    if forecasts and row.forecast not in set(forecasts):
        return False
    return not healths or row.health in set(healths)


def as_json(rows: list[Row]) -> str:
    """Every row as a JSON array, every field (`Row.as_json`)."""
    return json.dumps([row.as_json() for row in rows], indent=2, ensure_ascii=False)


def as_csv(rows: list[Row]) -> str:
    """RFC 4180 (CRLF, quotes where needed) with a header row; numbers stay numbers, text is made formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(csv_header())
    writer.writerows(csv_row(row) for row in rows)
    return out.getvalue()


def csv_header() -> list[str]:
    return [name for name, _ in CSV_COLUMNS]


def csv_row(row: Row) -> list[object]:
    """One row's cells, formula-safe, before CSV quoting: `as_csv` and the team page's download both take them."""
    return [_cell(get(row)) for _, get in CSV_COLUMNS]


def _cell(value: object) -> object:
    """Text a spreadsheet would run as a formula (`=HYPERLINK(...)`, `+cmd`, `@SUM`) gets a leading `'`."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


# --- the terminal table ---------------------------------------------------------------------------

# (header, cell, minimum width when cut; None: never cut)
COLUMNS: tuple[tuple[str, Callable[[Row], str], int | None], ...] = (
    ("DEAL", lambda r: r.slug, 12),
    ("BUYER", lambda r: r.buyer, 8),
    ("OWNER", lambda r: r.owner or "", 8),
    ("GO-LIVE", lambda r: r.go_live.isoformat(), None),
    ("LEFT", lambda r: f"{r.days_left}d", None),
    ("PROJECTED", lambda r: r.projected_go_live.isoformat() if r.projected_go_live != r.go_live else "", None),
    ("HEALTH", lambda r: r.health, None),
    ("WHY", lambda r: ", ".join(filter(None, map(_reason, r.reasons))), 8),
    ("DONE", lambda r: f"{r.done}/{r.total}", None),
    ("SLIP", lambda r: f"{r.slipped_days}d" if r.slipped_days else "", None),
    ("NEXT", lambda r: r.next_milestone.title if r.next_milestone else "", 10),
    ("BY", lambda r: ", ".join(r.next_milestone.owners) if r.next_milestone else "", 8),
    ("DUE", lambda r: r.next_milestone.due.isoformat() if r.next_milestone else "", None),
    ("LATE", lambda r: str(r.overdue) if r.overdue else "", None),
    ("UPDATED", lambda r: r.updated.isoformat() if r.updated else "", None),
    ("AMOUNT", lambda r: _amount(r), None),
    ("FORECAST", lambda r: r.forecast or "", None),
    ("CLOSE", lambda r: r.close.isoformat() if r.close else "", None),
    ("ADDRESS", lambda r: r.url, None),
)
ALWAYS = frozenset({"DEAL", "ADDRESS"})  # other columns empty in every row are left out
REASONS = {"set_by_team": "set by team", "slipped": "slipped {count}d", "overdue": "{count} overdue",
           "blocked": "{count} blocked", "after_go_live": "after go-live", "go_live_passed": "go-live passed",
           "projected_late": "projected {count}d late", "hard_date": "past a hard date", "on_dates": ""}
GAP = "  "


def table(rows: list[Row], width: int | None = None) -> str:
    """A header row and one line per deal, cut to `width` display columns where it can be (None: never cut)."""
    cells = [[_plain(get(row)) for _, get, _ in COLUMNS] for row in rows]
    keep = [i for i, (name, _, _) in enumerate(COLUMNS) if name in ALWAYS or any(line[i] for line in cells)]
    header = [COLUMNS[i][0] for i in keep]
    cells = [[line[i] for i in keep] for line in cells]
    minimums = [COLUMNS[i][2] for i in keep]
    widths = [max(_width(text) for text in column) for column in zip(header, *cells)]
    if width is not None:
        _shrink(widths, minimums, sum(widths) + len(GAP) * (len(widths) - 1) - width)
    lines = [header, *cells]
    return "\n".join(GAP.join(_fit(text, w) for text, w in zip(line, widths)).rstrip() for line in lines)


def _shrink(widths: list[int], minimums: list[int | None], excess: int) -> None:
    """Take `excess` columns from the widest column that may be cut, one at a time, down to each one's minimum."""
    while excess > 0:
        cuttable = [i for i, low in enumerate(minimums) if low is not None and widths[i] > low]
        if not cuttable:
            return  # as narrow as it goes: the terminal wraps the rest
        widest = max(cuttable, key=lambda i: widths[i])
        widths[widest] -= 1
        excess -= 1


def _fit(text: str, width: int) -> str:
    """`text` padded to `width`, or cut to it with `…`."""
    if _width(text) > width:
        while _width(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - _width(text))


def _width(text: str) -> int:
    """Display columns: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _plain(text: str) -> str:
    """One line: line breaks and other control characters in a plan's text become spaces."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _reason(reason) -> str:
    return REASONS.get(reason.code, reason.code).format(count=reason.count)


def _amount(row: Row) -> str:
    """`$186K`, `CHF 1.2M`: short enough for a column (the sales team's CLI speaks English)."""
    if row.amount is None:
        return ""
    if row.currency:
        return format_compact_currency(row.amount, row.currency, locale="en", fraction_digits=1)
    return format_compact_decimal(row.amount, locale="en", fraction_digits=1)
