"""The team's pipeline: a plan's deal fields (owner, amount, currency, forecast, close), each deal's row, and
`mapsite list` as a table, JSON and CSV.

Plans are the canonical Northwind plan (tests/northwind-logistics.md) with the deal fields written
after `go_live:` (line 8), so a problem with them is on line 9 or below.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from conftest import MKDOCS_YML, REPO, Site, decrypt, edited, passwords_env
from conftest import TODAY as BUILD_DAY
from gitrepo import GitRepo
from mapsite.insight import derive, listing
from mapsite.insight.rows import NextMilestone, Row, deal_row
from mapsite.plan import Deal, load_text, public_view
from mapsite.site import kinds
from mapsite.site import render as pages

TODAY = dt.date(2026, 11, 24)
GO_LIVE = "go_live: 2027-03-01\n"
PIPELINE = "owner: lena\namount: 243500\ncurrency: usd\nforecast: best_case\nclose: 2027-01-19\n"
URL = "https://deals.example/northwind-logistics-k7qm2xtz9p/"
OLD_JSON_KEYS = {"slug", "title", "buyer", "url", "go_live", "status", "progress"}  # what `list --json` always had


def with_fields(fields: str, *changes: tuple[str, str]) -> str:
    return edited((GO_LIVE, GO_LIVE + fields), *changes)


def load(text: str):
    return load_text(text, Path("plans/northwind-logistics.md"))


def deal_of(fields: str = "", *changes: tuple[str, str]) -> Deal:
    deal, problems = load(with_fields(fields, *changes))
    assert problems == [], "\n".join(map(str, problems))
    return deal


# --- plan fields -------------------------------------------------------------------------------------

BAD = [
    ("amount: -5\n", 9, 9, "amount: `-5` is negative; write 0 or more"),
    ("amount: 186,000\n", 9, 9, "amount: `186,000` is not a number; write digits only, e.g. 186000 (no currency sign or separators)"),
    ("amount: $186000\n", 9, 9, "amount: `$186000` is not a number; write digits only, e.g. 186000 (no currency sign or separators)"),
    ("amount: true\n", 9, 9, "amount: `true` is not a number; write digits only, e.g. 186000"),
    ("amount: .nan\n", 9, 9, "amount: `nan` is not a number; write digits only, e.g. 186000"),
    ("amount: 186000\ncurrency: EURO\n", 10, 11, "currency: `EURO` is not a currency code; use ISO 4217, e.g. EUR, USD, GBP, CHF"),
    ("forecast: maybe\n", 9, 11, "forecast: `maybe` is not allowed; use one of: commit, best_case, pipeline, omitted"),
    ("close: 2027-02-30\n", 9, 8, "close: `2027-02-30` is not a real date (check the month and the day)"),
    ("close: 15 Jan 2027\n", 9, 8, "close: `15 Jan 2027` is not a date; write dates as YYYY-MM-DD, e.g. 2027-03-01"),
    ("owner: rja\n", 9, 8, "owner `rja` is not a stakeholder id; did you mean `raj`? known ids: "
                           "`dana`, `marco`, `priya`, `legal`, `raj`, `lena`, `tom`, `sofia`"),
    ("owner: marco\n", 9, 8, "owner `marco` is on the buyer's side; the deal owner is someone on your (the seller's) side: "
                             "seller ids: `raj`, `lena`, `tom`, `sofia`"),
]


@pytest.mark.parametrize(("fields", "line", "col", "message"), BAD, ids=[b[0].split(":")[0] + str(i) for i, b in enumerate(BAD)])
def test_bad_deal_fields_are_problems_at_their_line_in_words(fields, line, col, message) -> None:
    text = with_fields(fields)
    deal, problems = load(text)
    assert deal is None and [(p.line, p.col, p.message) for p in problems] == [(line, col, message)]
    key = message.split("`")[0].split(":")[0].removeprefix("owner ").strip() or "owner"
    assert text.splitlines()[line - 1].startswith(key)


def test_the_canonical_plan_stays_valid_and_its_owner_is_the_first_seller() -> None:
    plan = deal_of().plan
    assert (plan.owner, plan.amount, plan.currency, plan.forecast, plan.close) == (None, None, None, None, None)
    assert plan.deal_owner().id == "raj"  # the first stakeholder with `side: seller`
    plan = deal_of(PIPELINE).plan
    assert (plan.deal_owner().id, plan.amount, plan.currency, plan.forecast, plan.close) == (
        "lena", 243500, "USD", "best_case", dt.date(2027, 1, 19))


def test_the_buyer_never_sees_the_pipeline_fields() -> None:
    deal = deal_of("owner: tom\namount: 987654\ncurrency: CHF\nforecast: best_case\nclose: 2027-01-19\n")
    seen = public_view(deal.plan)
    assert (seen.owner, seen.amount, seen.currency, seen.forecast, seen.close) == (None, None, None, None, None)
    for kind in (kinds.SUMMARY, kinds.MILESTONES, kinds.PEOPLE):
        page = pages.render_page(kind, deal, TODAY)
        assert not [t for t in ("987654", "987,654", "987.654", "best_case", "best case", "2027-01-19", "Jan 19") if t in page], kind


# --- a deal's row ------------------------------------------------------------------------------------

def test_a_row_is_the_teams_view_in_codes_numbers_and_dates() -> None:
    internal = ("        due: 2026-12-08\n        status: not_started\n",
                "        due: 2026-12-08\n        status: not_started\n"
                "      - task: Chase the discount approval\n        owner: tom\n        status: blocked\n        internal: true\n")
    row = deal_row(deal_of(PIPELINE, internal), URL, TODAY, updated=dt.date(2026, 11, 20), currency="EUR")
    assert row == Row(
        slug="northwind-logistics", title="Northwind Logistics × Acme Analytics", buyer="Northwind Logistics", url=URL,
        owner="Lena Fischer", owner_id="lena", go_live=dt.date(2027, 3, 1), days_left=97,
        projected_go_live=dt.date(2027, 3, 1), delays=row.delays, health="at_risk",
        reasons=(derive.Reason("slipped", 7, "Pilot on the Midwest region"), derive.Reason("overdue", 1),
                 derive.Reason("blocked", 1)),  # the internal blocked step: the team sees it
        done=1, total=8, slipped_days=7,
        next_milestone=NextMilestone("Pilot on the Midwest region", ("Marco Ruiz", "Lena Fischer"), dt.date(2026, 11, 27)),
        overdue=1, updated=dt.date(2026, 11, 20), amount=243500, currency="USD", forecast="best_case",
        close=dt.date(2027, 1, 19))
    assert row.close_quarter == "2027-Q1"
    assert [(d["milestone"], d["kind"], d["days"]) for d in row.delays] == [("Pilot on the Midwest region", "agreed", 7)]
    data = row.as_json()
    assert data["amount"] == 243500 and isinstance(data["amount"], int)
    assert data["progress"] == "1/8" and data["status"] == "at_risk" and data["last_updated"] == "2026-11-20"
    assert data["reasons"][0] == {"code": "slipped", "count": 7, "title": "Pilot on the Midwest region"}
    assert json.loads(json.dumps(data)) == data  # plain JSON types only


def test_a_plan_without_deal_fields_takes_the_sites_currency_and_an_open_role_is_named_by_its_role() -> None:
    deal = deal_of("amount: 1250.5\n", ("  - id: raj\n    name: Raj Patel\n", "  - id: raj\n"))
    row = deal_row(deal, URL, TODAY, currency="EUR")
    assert (row.owner, row.owner_id, row.amount, row.currency, row.forecast, row.close) == (
        "Account Executive", "raj", 1250.5, "EUR", None, None)
    assert row.as_json()["amount"] == 1250.5 and row.close_quarter is None and row.updated is None
    assert deal_row(deal_of(), URL, TODAY).currency is None


@pytest.mark.parametrize(("close", "quarter"), [("2027-01-01", "2027-Q1"), ("2027-03-31", "2027-Q1"),
                                                ("2027-04-01", "2027-Q2"), ("2027-09-30", "2027-Q3"),
                                                ("2027-12-31", "2027-Q4")])
def test_close_quarter_is_the_calendar_quarter(close, quarter) -> None:
    assert deal_row(deal_of(f"close: {close}\n"), URL, TODAY).close_quarter == quarter


def test_a_finished_plan_has_no_next_milestone_and_counts_no_slip() -> None:
    text = with_fields("").replace("status: not_started", "status: done").replace("status: in_progress", "status: done")
    deal, problems = load(text)
    assert problems == []
    row = deal_row(deal, URL, TODAY)
    assert (row.next_milestone, row.slipped_days, row.overdue, row.done, row.total) == (None, 0, 0, 8, 8)
    assert row.as_json()["next_milestone"] is None


# --- table and CSV, called directly ------------------------------------------------------------------

HOSTILE = [
    ("=HYPERLINK(\"http://evil.example\",\"x\")", "'=HYPERLINK"),
    ("+1+cmd|' /C calc'!A0", "'+1+cmd"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM"),
]


def hostile_row(name: str, title: str) -> Row:
    return Row(slug="acme", title=title, buyer=name, url="acme-k7qm2xtz9p/", owner=name, owner_id="raj",
               go_live=dt.date(2027, 3, 1), days_left=-3, projected_go_live=dt.date(2027, 3, 1), delays=(),
               health="off_track", reasons=(derive.Reason("go_live_passed"),),
               done=0, total=1, slipped_days=0, next_milestone=NextMilestone(title, (name,), dt.date(2027, 2, 1)),
               overdue=1, updated=None, amount=0.0, currency=None, forecast="commit", close=None)


@pytest.mark.parametrize(("name", "starts"), HOSTILE, ids=["equals", "plus", "minus", "at"])
def test_csv_text_a_spreadsheet_would_run_gets_a_quote_and_numbers_stay_numbers(name, starts) -> None:
    text = listing.as_csv([hostile_row(name, "\t" + name), hostile_row(name, "\r" + name)])
    assert text.endswith("\r\n") and text.count("\r\n") >= 3
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 2
    for row in rows:
        cells = dict(zip(header, row))
        for column in ("buyer", "owner", "next_owners"):
            assert cells[column].startswith(starts) and cells[column][1:] == name, column
        assert cells["title"][0] == "'" and cells["next_milestone"][0] == "'"
        assert cells["days_left"] == "-3" and cells["amount"] == "0" and cells["done"] == "0"
        assert not [c for c in row if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and c != "-3")]


def test_table_has_a_header_cuts_long_text_to_the_width_and_never_cuts_the_address() -> None:
    long = "Northwind Logistics International Holdings, Midwest and Great Lakes Division"
    rows = [hostile_row(long, "A very long milestone title\nwith a line break that must not break the table"),
            hostile_row("全日本物流株式会社", "Pilot")]
    wide = listing.table(rows)
    lines = wide.splitlines()
    assert lines[0].split()[:3] == ["DEAL", "BUYER", "OWNER"] and "ADDRESS" in lines[0] and len(lines) == 3
    assert long in wide and "…" not in wide
    narrow = listing.table(rows, width=150)
    assert long not in narrow and "Northw" in narrow and "…" in narrow
    assert all(line.endswith("  acme-k7qm2xtz9p/") for line in narrow.splitlines()[1:])
    assert all(listing._width(line) <= 150 for line in narrow.splitlines())
    assert "SLIP" not in lines[0] and "CLOSE" not in lines[0]  # empty in every row: left out


# --- `mapsite list`, run for real ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def pipeline_site(tmp_path_factory) -> Site:
    """Three deals in a git repository: Northwind with deal fields, a hostile one, and one without any."""
    root = tmp_path_factory.mktemp("pipeline") / "project"
    (root / "plans").mkdir(parents=True)
    config = MKDOCS_YML.format(theme=REPO / "theme_overrides", today=BUILD_DAY)
    (root / "mkdocs.yml").write_text(config.replace("      plans_dir: plans\n", "      plans_dir: plans\n      currency: eur\n"))
    site = Site(root)
    site.add_plan("northwind-logistics.md", with_fields(PIPELINE))
    site.add_plan("acme-hostile.md", with_fields(
        "amount: 5000\nforecast: commit\n",
        ("share_id: k7qm2xtz9p", "share_id: zz8hostile1"),
        ("  name: Northwind Logistics\nseller", "  name: \"=HYPERLINK(\\\"http://evil.example\\\")\"\nseller"),
        ("  - id: raj\n    name: Raj Patel\n", "  - id: raj\n    name: \"@SUM(1+1)\"\n")))
    site.add_plan("plain-deal.md", edited(("share_id: k7qm2xtz9p", "share_id: pl41nd3al0")))
    repo = GitRepo(root)
    repo.commit("plans", date="2026-11-02")
    return site


def listed(site: Site, *args: str, env: dict[str, str] | None = None):
    result = site.mapsite("list", *args, env=env)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return result.stdout


def test_list_json_keeps_its_keys_and_gives_every_field(pipeline_site) -> None:
    rows = {row["slug"]: row for row in json.loads(listed(pipeline_site, "--json"))}
    assert set(rows) == {"acme-hostile", "northwind-logistics", "plain-deal"}
    northwind = rows["northwind-logistics"]
    assert OLD_JSON_KEYS <= set(northwind) and northwind["url"] == "northwind-logistics-k7qm2xtz9p/"
    assert {k: northwind[k] for k in ("owner", "amount", "currency", "forecast", "close", "close_quarter",
                                      "last_updated", "days_left", "done", "total", "overdue", "slipped_days")} == {
        "owner": "Lena Fischer", "amount": 243500, "currency": "USD", "forecast": "best_case", "close": "2027-01-19",
        "close_quarter": "2027-Q1", "last_updated": "2026-11-02", "days_left": 97, "done": 1, "total": 8,
        "overdue": 1, "slipped_days": 7}
    assert rows["acme-hostile"]["currency"] == "EUR"  # the site's `currency:` option
    assert rows["plain-deal"]["amount"] is None and rows["plain-deal"]["currency"] == "EUR"


def test_list_filters_by_owner_forecast_and_health(pipeline_site) -> None:
    def slugs(*args: str) -> list[str]:
        return [row["slug"] for row in json.loads(listed(pipeline_site, "--json", *args))]

    assert slugs("--owner", "lena") == ["northwind-logistics"]
    assert slugs("--owner", "raj patel") == ["plain-deal"]  # by name, in any case
    assert slugs("--forecast", "commit") == ["acme-hostile"]
    assert slugs("--forecast", "commit", "--forecast", "best_case") == ["acme-hostile", "northwind-logistics"]
    assert slugs("--health", "on_track") == []
    assert slugs("--health", "at_risk", "--owner", "nobody") == []
    bad = pipeline_site.mapsite("list", "--forecast", "maybe")
    assert bad.returncode == 2 and "'maybe' is not one of" in bad.stderr and "Traceback" not in bad.stderr


def test_list_csv_is_one_row_per_deal_and_safe_to_open_in_a_spreadsheet(pipeline_site) -> None:
    result = pipeline_site.mapsite("list", "--csv")
    assert result.returncode == 0, result.stderr
    header, *rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert header[:4] == ["slug", "title", "buyer", "url"] and "close_quarter" in header and len(rows) == 3
    hostile = dict(zip(header, next(r for r in rows if r[0] == "acme-hostile")))
    assert hostile["buyer"] == "'=HYPERLINK(\"http://evil.example\")" and hostile["owner"] == "'@SUM(1+1)"
    assert hostile["amount"] == "5000" and hostile["currency"] == "EUR"
    northwind = dict(zip(header, next(r for r in rows if r[0] == "northwind-logistics")))
    assert northwind["next_owners"] == "Marco Ruiz; Lena Fischer" and northwind["reasons"] == "slipped overdue"


def test_list_prints_a_table_with_a_header_and_refuses_two_formats(pipeline_site) -> None:
    lines = listed(pipeline_site, env={"COLUMNS": ""}).splitlines()  # as in a pipe: nothing cut
    assert lines[0].split()[:3] == ["DEAL", "BUYER", "OWNER"] and len(lines) == 4
    northwind = next(line for line in lines if line.startswith("northwind-logistics"))
    for shown in ("Lena Fischer", "2027-03-01", "at_risk", "slipped 7d", "1/8", "$243.5K", "best_case", "2027-01-19",
                  "2026-11-02", "northwind-logistics-k7qm2xtz9p/"):
        assert shown in northwind, shown
    narrow = listed(pipeline_site, env={"COLUMNS": "150"}).splitlines()
    assert "…" in "\n".join(narrow) and all(line.rstrip().endswith("/") for line in narrow[1:])
    both = pipeline_site.mapsite("list", "--json", "--csv")
    assert both.returncode == 1 and both.stderr == "mapsite: give --json or --csv, not both\n"


def test_the_build_takes_the_currency_option_and_no_deal_page_shows_the_pipeline(pipeline_site) -> None:
    password = "correct-horse-battery-staple-42"
    pipeline_site.build(env=passwords_env(northwind_logistics=password, acme_hostile=password + "-acme",
                                          plain_deal=password + "-plain"))
    deal = "northwind-logistics-k7qm2xtz9p/"
    for page in (deal, deal + "milestones/", deal + "people/"):
        html = decrypt(pipeline_site, page, password)
        assert "Northwind" in html  # the page opened
        assert not [t for t in ("243500", "243,500", "243.5", "best_case", "best case", "2027-01-19", "Jan 19", "2027-Q1") if t in html], page


def test_a_bad_site_currency_stops_list_in_words(tmp_path) -> None:
    (tmp_path / "plans").mkdir()
    config = MKDOCS_YML.format(theme=REPO / "theme_overrides", today=BUILD_DAY)
    (tmp_path / "mkdocs.yml").write_text(config.replace("      plans_dir: plans\n", "      plans_dir: plans\n      currency: euro\n"))
    result = Site(tmp_path).mapsite("list")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "option 'currency': `euro` is not a currency code; use ISO 4217" in result.stderr
