#!/usr/bin/env python
"""Benchmark: the team page at N deals: render time, fragment size, and Chromium's time to the table.

    python bench/team_page.py                 # 1,000 deals, 5 runs each
    python bench/team_page.py --deals 100 --runs 3

Generates N plans (bench/run.py's `make_mapsite_project`, one commit), gives each deal its pipeline fields
(owner, amount in one of three currencies, forecast, close), and measures:

- render: `team.render_team` over the rows, and `team.actions_json` over every open item (rows and actions
  made once, untimed);
- size: the fragment raw and deflated (raw deflate, level 9: what the encrypted payload carries), and the
  actions' data, which the build seals into a file of its own;
- Chromium: the fragment in a page served with the theme's scripts and the sealed actions beside it
  (tests/test_team_page.py `static_page`), from `goto` to the deals table visible with its totals filled in
  (team.js done), and from a click on the actions tab (the file fetched, opened with the team's key, parsed)
  to its first rows; medians, each load in a fresh tab. With `--inline-too`, the same page with the actions'
  JSON also inside it (as the team page carried them before they had a file of their own) is loaded in turns
  with it, so the two compare under the same load.

Prints; asserts nothing (the issue's target: decrypt-to-table under 1.5 s at 1,000 deals, of which this
is the part after decryption).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO / "tests")]

from run import make_mapsite_project  # noqa: E402
from conftest import Served  # noqa: E402
from test_team_page import keep_team_key, static_page  # noqa: E402

from mapsite.insight.actions import open_actions, ordered  # noqa: E402
from mapsite.insight.rows import deal_row  # noqa: E402
from mapsite.plan import load_plans  # noqa: E402
from mapsite.site.render import environment  # noqa: E402
from mapsite.security.keys import RealmKey  # noqa: E402
from mapsite.site.team import actions_json, render_team  # noqa: E402

TODAY = dt.date(2026, 11, 24)
FORECASTS = ("commit", "best_case", "pipeline", "omitted", None)
CURRENCIES = ("USD", "EUR", "GBP")


def deals_with_pipeline(root: Path, count: int) -> list:
    make_mapsite_project(root, count, history=1, seed=1)
    deals, problems = load_plans(root / "plans", project=root)
    assert not problems, problems[:3]
    for index, deal in enumerate(deals):
        deal.plan = deal.plan.model_copy(update={
            "amount": float(20_000 + (index * 7919) % 480_000), "currency": CURRENCIES[index % 3],
            "forecast": FORECASTS[index % 5], "close": TODAY + dt.timedelta(days=(index * 37) % 400)})
    return deals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deals", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--inline-too", action="store_true", help="also the page with the actions' JSON inside it")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        deals = deals_with_pipeline(Path(tmp) / "project", options.deals)
        rows = [deal_row(deal, f"{deal.slug}/", TODAY) for deal in deals]
        actions = [action for deal in deals for action in open_actions(deal, TODAY)]
        links = {deal.slug: f"../{deal.slug}/" for deal in deals}
        env = environment(None, "en")
        renders, fragment, data = [], "", ""
        for _ in range(options.runs):
            start = time.perf_counter()
            fragment = render_team(rows, len(actions), env, today=TODAY, links=links, actions_at="team/actions/")
            data = actions_json(ordered(actions), links.get)
            renders.append(time.perf_counter() - start)
        raw = fragment.encode()
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        deflated = len(packer.compress(raw) + packer.flush())
        print(f"{options.deals} deals, {len(actions)} open items")
        print(f"render_team and actions_json: median {statistics.median(renders) * 1000:.0f} ms of {options.runs}")
        print(f"fragment: {len(raw) / 1e6:.2f} MB raw, {deflated / 1e6:.2f} MB deflated; "
              f"actions' data (a file of its own) {len(data.encode()) / 1e6:.2f} MB raw")
        key = RealmKey(os.urandom(32), os.urandom(16), 1000)
        pages = {"now": Path(tmp) / "now"}
        static_page(pages["now"], fragment, data, key)
        if options.inline_too:
            inline = fragment[:fragment.rindex("</div>")] + f'<script type="application/json" id="ms-team-actions">{data}</script></div>'
            pages["inline"] = Path(tmp) / "inline"
            static_page(pages["inline"], inline, data, key)
        server = Served(Path(tmp))
        try:
            measured = chromium({name: f"{server.base}{name}/team/" for name in pages}, options.runs, key)
        finally:
            server.close()
        for name, (table, opened) in measured.items():
            print(f"{name}: Chromium goto -> table with totals: median {statistics.median(table) * 1000:.0f} ms "
                  f"({', '.join(f'{t * 1000:.0f}' for t in table)}); actions tab -> first rows: median "
                  f"{statistics.median(opened) * 1000:.0f} ms")


def chromium(urls: dict[str, str], runs: int, key: RealmKey) -> dict[str, tuple[list[float], list[float]]]:
    """Each page's times to its table and to its first actions, the pages loaded in turns (the order alternating)."""
    from playwright.sync_api import sync_playwright

    measured: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in urls}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        for run in range(runs):
            for name in list(urls)[::1 if run % 2 == 0 else -1]:
                table, opened = measured[name]
                page = browser.new_page()
                start = time.perf_counter()
                page.goto(urls[name], wait_until="commit")
                page.wait_for_selector("[data-ms-deals] tbody tr", state="visible")
                page.wait_for_selector("[data-ms-totals=forecast] tr", state="attached")
                table.append(time.perf_counter() - start)
                keep_team_key(page, key)  # as unlock.js keeps it
                start = time.perf_counter()
                page.click("#ms-tab-actions")
                page.wait_for_selector("[data-ms-actions] tr", state="visible")
                opened.append(time.perf_counter() - start)
                page.close()
        browser.close()
    return measured


if __name__ == "__main__":
    main()
