#!/usr/bin/env python
"""A/B benchmark: this checkout against an earlier revision, the same deals, builds taken in turns.

    python bench/ab.py --baseline 3b4f2fd --deals 1000 --runs 3

Answers "what does this change cost at 1,000 deals against the previous main, in the same run":
the baseline is checked out into a temporary git worktree with a virtual environment of its own,
then cold (CI: every key derived) and warm (local key cache) builds of one generated project
alternate between the two, so load on the machine falls on both alike. Prints medians and the
ratio new/baseline; writes JSON to bench/results/ab.json. With `--languages de,fr,es,nl,en`, a third
side builds the same deals on this checkout with those languages in turn (the baseline may not
know `language:`), so the cost of using them shows beside the cost of the code that carries them. With
`--dependencies`, a side builds the same deals on this checkout with an `id:` and `after:` on every milestone
(issue 15: no more than 5% slower than without). With `--team`, a side builds the same deals with pipeline
fields and internal items on half of them, under the site key and the team page, and a side builds those same
deals in today's configuration (per-deal passwords, no team page), so the ratio is what turning the key and the team
on costs (issue 14: within 10%); the ratio to the plain deals is printed too. `--baseline` may then be left out,
and `--kinds warm` skips the cold builds.

    python bench/ab.py --dependencies --kinds warm --deals 1000 --runs 5
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import REPO, base_env, make_mapsite_project, run_build  # noqa: E402

from mapsite.security.sitekey import new_key  # noqa: E402

TEAM_PASSWORD = "tundra-mosaic-plank-ember-quiver-sable-onion-ranch"
MEMORY = Path("/dev/shm")  # tmpfs on Linux


def baseline_checkout(revision: str, work: Path) -> tuple[Path, str]:
    """The baseline's source in a git worktree and a Python that has it installed."""
    source = work / "baseline"
    subprocess.run(["git", "worktree", "add", "--detach", "-f", str(source), revision], cwd=REPO, check=True,
                   capture_output=True)
    environment = work / "baseline-venv"
    venv.create(environment, with_pip=True)
    python = str(environment / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "-q", "-e", str(source)], check=True)
    return source, python


def use_theme(project: Path, repo: Path) -> None:
    """Point the project's mkdocs.yml at one side's theme_overrides (the theme moves with the code)."""
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    start = text.index("custom_dir: ") + len("custom_dir: ")
    end = text.index("\n", start)
    config.write_text(text[:start] + str(repo / "theme_overrides") + text[end:], encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", help="git revision to compare with (e.g. the previous main)")
    parser.add_argument("--deals", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3, help="timed builds per side and kind (median reported)")
    parser.add_argument("--history", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "ab.json")
    parser.add_argument("--languages", default="", help="comma-separated tags for a third side: this checkout, "
                        "the same deals in these languages in turn")
    parser.add_argument("--dependencies", action="store_true", help="a side with ids and after: on every milestone")
    parser.add_argument("--kinds", default="cold,warm", help="cold, warm or both (comma-separated)")
    parser.add_argument("--team", action="store_true", help="a side with the site key and the team page on (issue 14), "
                        "pipeline fields on every deal and internal items on every other one")
    args = parser.parse_args()
    if not (args.baseline or args.dependencies or args.team):
        parser.error("give --baseline, --dependencies, --team or several")
    kinds = tuple(args.kinds.split(","))

    work = Path(tempfile.mkdtemp(prefix="mapsite-ab-"))
    memory = Path(tempfile.mkdtemp(prefix="mapsite-ab-", dir=MEMORY)) if MEMORY.is_dir() else None

    def site_dir(side: str) -> Path | None:
        """Where a side's site is written: in memory where the machine has it (tmpfs), so a build's figures are its
        own work. On ext4, re-creating 3,000 files just deleted (MkDocs empties site/ first) cost up to 4 s of
        kernel time in the inode allocator (`recently_deleted`, perf), by amounts that differed between project
        folders more than the sides' work did."""
        return memory / side if memory else None

    logs = work / "logs"
    logs.mkdir()
    try:
        project = work / "project"
        slugs = make_mapsite_project(project, args.deals, args.history, args.seed)
        sides = {"new": (REPO, sys.executable, project)}
        if args.baseline:
            base_repo, base_python = baseline_checkout(args.baseline, work)
            sides = {"baseline": (base_repo, base_python, project), **sides}
        if args.dependencies:
            make_mapsite_project(work / "dependencies", args.deals, args.history, args.seed, dependencies=True)
            sides["dependencies"] = (REPO, sys.executable, work / "dependencies")
        if args.team:  # and the same deals in today's configuration: what turning the key and the team on costs
            slugs += make_mapsite_project(work / "team", args.deals, args.history, args.seed, team=True)
            shutil.copytree(work / "team", work / "today", symlinks=True)
            config = work / "today" / "mkdocs.yml"
            config.write_text(config.read_text(encoding="utf-8").replace("      team: true\n", ""), encoding="utf-8")
            sides["today"] = (REPO, sys.executable, work / "today")
            sides["team"] = (REPO, sys.executable, work / "team")
        if args.languages:
            languages = tuple(args.languages.split(","))
            make_mapsite_project(work / "languages", args.deals, args.history, args.seed, languages)
            sides["languages"] = (REPO, sys.executable, work / "languages")
        passwords = {slug: secrets.token_urlsafe(18) for slug in slugs}
        cold_env = {**base_env(), "CI": "true", "MAPSITE_PASSWORDS": json.dumps(passwords)}
        team_env = {**base_env(), "CI": "true", "MAPSITE_KEY": new_key(), "MAPSITE_TEAM_PASSWORD": TEAM_PASSWORD}
        times: dict[str, dict[str, list[float]]] = {side: {kind: [] for kind in kinds} for side in sides}
        cpu: dict[str, dict[str, list[float]]] = {side: {kind: [] for kind in kinds} for side in sides}  # less swayed by load
        for kind in kinds:
            for run in range(args.runs):
                turn = list(sides.items())  # each side first in its turn: the machine's speed drifts over minutes
                for side, (repo, python, project) in turn[run % len(turn):] + turn[:run % len(turn)]:
                    use_theme(project, repo)
                    shutil.rmtree(project / ".mapsite", ignore_errors=True)
                    env = team_env if side == "team" else cold_env
                    if kind == "warm":  # an untimed local build makes passwords and the key cache
                        local = {**base_env(), **({"MAPSITE_KEY": team_env["MAPSITE_KEY"]} if side == "team" else {})}
                        run_build(project, local, logs / f"{side}-first-{run}.log", python, site=site_dir(side))
                        env = local
                    result = run_build(project, env, logs / f"{side}-{kind}-{run}.log", python, site=site_dir(side))
                    times[side][kind].append(result["wall_s"])
                    cpu[side][kind].append(result["cpu_s"])
                    print(f"{kind} run {run + 1} {side:8}: {result['wall_s']:.2f} s, CPU {result['cpu_s']:.2f} s "
                          f"(kernel {result['sys_s']:.2f} s)", flush=True)
        summary = {kind: {side: statistics.median(times[side][kind]) for side in sides} for kind in kinds}
        for kind, medians in summary.items():
            if "baseline" in medians:
                medians["ratio_new_over_baseline"] = round(medians["new"] / medians["baseline"], 3)
                print(f"{kind}: baseline {medians['baseline']:.2f} s, new {medians['new']:.2f} s, "
                      f"ratio {medians['ratio_new_over_baseline']:.3f} (medians of {args.runs})")
            if "dependencies" in medians:
                medians["ratio_dependencies_over_new"] = round(medians["dependencies"] / medians["new"], 3)
                with_cpu, without_cpu = (statistics.median(cpu[side][kind]) for side in ("dependencies", "new"))
                medians["cpu_ratio_dependencies_over_new"] = round(with_cpu / without_cpu, 3)
                print(f"{kind}: with dependencies {medians['dependencies']:.2f} s, without {medians['new']:.2f} s, "
                      f"ratio {medians['ratio_dependencies_over_new']:.3f}; CPU {with_cpu:.2f} s against "
                      f"{without_cpu:.2f} s, ratio {medians['cpu_ratio_dependencies_over_new']:.3f} (medians of {args.runs})")
            if "team" in medians:
                for today, what in (("today", "the same deals in today's configuration"),
                                    ("new", "deals without team fields, per-deal passwords")):
                    medians[f"ratio_team_over_{today}"] = round(medians["team"] / medians[today], 3)
                    with_cpu, without_cpu = (statistics.median(cpu[side][kind]) for side in ("team", today))
                    print(f"{kind}: key and team on {medians['team']:.2f} s, {what} {medians[today]:.2f} s, ratio "
                          f"{medians[f'ratio_team_over_{today}']:.3f}; CPU ratio {with_cpu / without_cpu:.3f} (medians of {args.runs})")
            if "languages" in medians:
                medians["ratio_languages_over_new"] = round(medians["languages"] / medians["new"], 3)
                print(f"{kind}: in {args.languages} {medians['languages']:.2f} s, "
                      f"ratio {medians['ratio_languages_over_new']:.3f} against the same deals in English")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"baseline": args.baseline, "deals": args.deals, "runs": times, "cpu": cpu,
                                        "medians": summary, "at": time.strftime("%Y-%m-%d %H:%M")}, indent=2) + "\n")
    finally:
        if args.baseline:
            subprocess.run(["git", "worktree", "remove", "--force", str(work / "baseline")], cwd=REPO, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
        if memory:
            shutil.rmtree(memory, ignore_errors=True)


if __name__ == "__main__":
    main()
