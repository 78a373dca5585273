#!/usr/bin/env python
"""Documents in the room: what a deal's files cost the build, and the buyer's wait from pressing a document to its download.

    python bench/documents.py --mb 10 --runs 5

Builds one generated deal offering one random file of `--mb` MB (the size limit by default, 10 MB;
random bytes do not compress, like a real PDF), once without and once with the file, and prints both
build times. Then serves the site on loopback and, in real Chromium, unlocks the deal and times each
press on the document until the browser has the whole download (fetch, WebCrypto decrypt, save),
median of `--runs`. The encryption alone, in Python, is timed for the file and for a full 25 MB deal.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import base_env, make_mapsite_project, run_build  # noqa: E402
from team_unlock import serve  # noqa: E402

from mapsite.plan.documents import MAX_DEAL_BYTES, MB  # noqa: E402
from mapsite.security.documents import FileKey, seal_file  # noqa: E402

PASSWORD = "bench-kelut-vodaf-ripem-zunog-tafib"


def seal_seconds(size: int, runs: int) -> float:
    data = os.urandom(size)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        seal_file(data, FileKey.fresh("deal/files/0123456789abcdef.bin"))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def download_times(base: str, path: str, runs: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        page.goto(base + path)
        page.fill("#mapsite-password", PASSWORD)
        page.click("#mapsite-submit")
        page.wait_for_selector("[data-ms-file]", timeout=60_000)
        for _ in range(runs):
            start = time.perf_counter()
            with page.expect_download() as download:
                page.click("[data-ms-file]")
            download.value.path()  # the whole file is in
            times.append(time.perf_counter() - start)
        browser.close()  # its context with it
    return times


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=10, help="the document's size in MB (2^20 bytes)")
    parser.add_argument("--runs", type=int, default=5, help="presses on the document, and encryptions timed")
    return parser.parse_args()


def main() -> None:
    args = options()
    size = int(args.mb * MB)
    with tempfile.TemporaryDirectory(prefix="mapsite-documents-") as work:
        project = Path(work) / "project"
        slug = make_mapsite_project(project, 1, 1, 1)[0]
        env = {**base_env(), "CI": "true", "MAPSITE_PASSWORDS": json.dumps({slug: PASSWORD})}
        without = run_build(project, env, Path(work) / "without.log")
        (project / "plans" / slug).mkdir()
        (project / "plans" / slug / "proposal.pdf").write_bytes(os.urandom(size))
        plan = project / "plans" / f"{slug}.md"
        plan.write_text(plan.read_text().replace("\ntitle:", f"\nfiles:\n  - path: {slug}/proposal.pdf\ntitle:", 1))
        with_file = run_build(project, env, Path(work) / "with.log")
        summary = next(p for p in (project / "site").glob("*/index.html") if (p.parent / "files").is_dir())
        server, base = serve(project / "site")
        try:
            times = download_times(base, summary.parent.name + "/", args.runs)
        finally:
            server.shutdown()
    result = {"file_mb": args.mb, "build_without_s": without["wall_s"], "build_with_s": with_file["wall_s"],
              "seal_file_s": round(seal_seconds(size, args.runs), 3),
              "seal_deal_limit_s": round(seal_seconds(MAX_DEAL_BYTES, args.runs), 3),
              "press_to_download_s": [round(t, 3) for t in times], "median_s": round(statistics.median(times), 3)}
    print(json.dumps(result, indent=2))
    print(f"{args.mb:g} MB document: build {result['build_without_s']:.2f} s -> {result['build_with_s']:.2f} s; "
          f"encrypting it {result['seal_file_s']:.3f} s ({MAX_DEAL_BYTES // MB} MB: {result['seal_deal_limit_s']:.3f} s); "
          f"press to download {result['median_s']:.2f} s in Chromium (median of {args.runs})")


if __name__ == "__main__":
    main()
