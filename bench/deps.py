#!/usr/bin/env python
"""What milestone dependencies cost the pages, in one process: load and render N deals with and without an `id:`
and `after:` on every milestone, in turns, counting CPU time (less swayed than wall time by a busy machine).

    python bench/deps.py --deals 1000 --rounds 3

The whole build's cost, with git history, encryption and MkDocs, is `bench/ab.py --dependencies`; this isolates
the part dependencies can change: reading the plan, the projection, the ledger and the three pages.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import genplans  # noqa: E402

from mapsite.plan import load_text  # noqa: E402
from mapsite.site import kinds, render  # noqa: E402


def texts(count: int, dependencies: bool) -> list[tuple[Path, str]]:
    made = []
    for index in range(count):
        slug, data, body = genplans.plan_data(index, revision=2)
        if dependencies:
            data = genplans.with_dependencies(data)
        made.append((Path(f"plans/{slug}.md"), genplans.plan_text(data, body)))
    return made


def cpu_seconds(plans: list[tuple[Path, str]]) -> float:
    start = time.process_time()
    for path, text in plans:
        deal, problems = load_text(text, path)
        assert deal is not None, problems
        for kind in kinds.DEAL_KINDS:
            render.render_page(kind, deal, genplans.TODAY)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deals", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sides = {"without": texts(args.deals, False), "with": texts(args.deals, True)}
    cpu_seconds(sides["without"][:50])  # warm the caches (templates, catalogues, dates) for both
    found: dict[str, list[float]] = {side: [] for side in sides}
    for round_ in range(args.rounds):
        for side, plans in sides.items():
            found[side].append(cpu_seconds(plans))
            print(f"round {round_ + 1} {side:7}: {found[side][-1]:.2f} s CPU", flush=True)
    without, with_ = statistics.median(found["without"]), statistics.median(found["with"])
    print(f"{args.deals} deals: with dependencies {with_:.2f} s, without {without:.2f} s, ratio {with_ / without:.3f} "
          f"(CPU, medians of {args.rounds})")


if __name__ == "__main__":
    main()
