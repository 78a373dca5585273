"""The team's pipeline page at `team/`: every deal in one table, and every open item across the deals.

`render_team` is a pure function of its inputs (rows, the build's Jinja environment, the day and where
each deal lives), so the plugin can call it wherever it builds pages. It returns an HTML fragment: the
deals table as HTML, since that is what the reader waits for, with its first screenful of rows in it and the
others in a text block team.js adds after they show (`FIRST_ROWS`); the CSV rows as JSON made by
`listing.csv_row`, so the download in the browser has the columns and the formula-safety of `mapsite list
--csv`. The actions (tens of thousands of items at 1,000 deals) are not in the page: `actions_json` makes
their data, which the build seals under the team's key into a file beside the page (`ACTIONS_FILE`,
`mkdocs.team`), and team.js fetches and opens it only when the actions view is opened. The page loads
mapsite.js (its words, dates) and keys.js (the team's key) before team.js, and mapsite.css before team.css.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from jinja2 import Environment
from markupsafe import Markup

from mapsite.insight import listing
from mapsite.insight.actions import Action
from mapsite.insight.rows import Row
from mapsite.site.words import HEALTH_LABELS, SIDES, STATUS_LABELS, N_, Words, script_json

TEMPLATE = "team.html"
ACTIONS_FILE = "actions/index.html"  # the actions' sealed data, relative to the team page (`mkdocs.team`)
FORECASTS = {"commit": N_("Commit"), "best_case": N_("Best case"), "pipeline": N_("Pipeline"), "omitted": N_("Omitted")}
KINDS = {"milestone": N_("Milestone"), "step": N_("Step")}
HEALTH_ORDER = {"on_track": 0, "at_risk": 1, "off_track": 2}  # sorting by health: worst last when ascending
# Rows in the table as the page arrives: a screenful or two. The rest ride as text that team.js adds once these
# show, so unlocking 1,000 deals styles and lays out 50 rows before the reader sees the table, not 1,000.
FIRST_ROWS = 50

# What team.js shows (its W.t() and W.tn() calls) rides in the page's words block; the labels of forecasts and
# quarters it takes from the filters' options, which the template words.
BROWSER_MESSAGES = (*KINDS.values(), *SIDES.values(), *STATUS_LABELS.values(), "unassigned", N_("Value in %(currency)s"),
                    # Translators: "pipeline" names the CSV file the team page downloads (pipeline-2026-11-24.csv).
                    N_("pipeline"),
                    N_("Deals"), N_("No open item matches these filters."))
BROWSER_PLURALS = (("%(num)s deal", "%(num)s deals"), ("%(num)s day late", "%(num)s days late"),
                   ("Show %(num)s more", "Show %(num)s more"),
                   ("%(shown)s of %(num)s deal shown", "%(shown)s of %(num)s deals shown"),
                   ("%(num)s open item", "%(num)s open items"))

Links = Mapping[str, str] | Callable[[str], str]


def render_team(rows: list[Row], action_count: int, env: Environment, *, today: dt.date, links: Links,
                actions_at: str, first_rows: int = FIRST_ROWS) -> str:
    """The team page's HTML fragment.

    `rows` are the pipeline rows (`rows.deal_row`), in the order the table starts in; `action_count` the number
    of open items across the deals (their data is in a file of its own, `actions_json`); `env` the build's
    `render.environment()`, whose language the page speaks; `links` maps a deal's slug to its address relative
    to the team page (`../northwind-logistics-k7qm2xtz9p/`), as a dict or a function; `actions_at` is the actions
    file's path from the site root as its payload is bound to it (`team/actions/`); `first_rows` how many rows are
    in the table as the page arrives (the others, once each, are in its `#ms-team-rows` block for team.js).
    """
    href = links.get if isinstance(links, Mapping) else links
    w: Words = env.globals["words"]
    owners = sorted({(row.owner_id, row.owner) for row in rows if row.owner_id}, key=lambda o: (o[1].casefold(), o[0]))
    return env.get_template(TEMPLATE).render(
        rows=rows, first_rows=first_rows, today=today, href=href, owners=owners,
        quarters=sorted({row.close_quarter for row in rows if row.close_quarter}),
        health_labels={code: w.gettext(label) for code, label in HEALTH_LABELS.items()},
        health_order=HEALTH_ORDER,
        forecasts={code: w.gettext(label) for code, label in FORECASTS.items()},
        forecast_order={code: index for index, code in enumerate(FORECASTS)},
        money=lambda row: _money(w, row),
        quarter=lambda code: quarter_label(w, code),
        action_count=action_count, actions_file=ACTIONS_FILE, actions_at=actions_at,
        words_json=Markup(team_words(w)),
        csv_json=Markup(script_json({"header": listing.csv_header(), "rows": [listing.csv_row(r) for r in rows]})),
    )


def team_words(w: Words) -> str:
    """The page's words block: mapsite.js's and team.js's messages in the page's language."""
    return w.browser_words(BROWSER_MESSAGES, BROWSER_PLURALS)


def quarter_label(w: Words, code: str) -> str:
    """`2027-Q1` as the reader writes a quarter (`Q1 2027`, `T1 2027`); team.js says it the same way."""
    year, quarter = code.split("-Q")
    return w.gettext("Q%(quarter)s %(year)s", quarter=quarter, year=year)


def _money(w: Words, row: Row) -> str:
    if row.amount is None:
        return ""
    return w.money(row.amount, row.currency) if row.currency else w.number(row.amount)


def actions_json(actions: list[Action], href: Callable[[str], str | None]) -> str:
    """The actions view's data, compact: deals, people and milestones once each, items as arrays pointing at them.

    `actions` in the order the view lists them (`actions.ordered`); `href` gives a deal's address relative to the
    team page.

    `{"deals": [[slug, buyer, title, link]], "people": [[label, side]], "milestones": [[number, title]],
    "items": [[deal, kind, title, milestone, [people], due or "", status, days late]]}`
    """
    deals: dict[str, int] = {}
    people: dict[tuple[str, str], int] = {}
    milestones: dict[tuple[str, int], int] = {}
    deal_list: list[list[str]] = []
    milestone_list: list[list] = []
    items = []
    for action in actions:
        if action.slug not in deals:
            deals[action.slug] = len(deal_list)
            deal_list.append([action.slug, action.buyer, action.deal_title, href(action.slug) or ""])
        if (action.slug, action.milestone_number) not in milestones:
            milestones[action.slug, action.milestone_number] = len(milestone_list)
            milestone_list.append([action.milestone_number, action.milestone_title])
        owners = [people.setdefault(owner, len(people)) for owner in action.owners]
        items.append([deals[action.slug], action.kind, action.title, milestones[action.slug, action.milestone_number],
                      owners, action.due.isoformat() if action.due else "", action.status, action.days_late])
    return script_json({"deals": deal_list, "people": [list(p) for p in people], "milestones": milestone_list,
                        "items": items})
