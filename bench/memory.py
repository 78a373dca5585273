#!/usr/bin/env python
"""Peak memory of a build's own process, and where in the build it is reached (issue 18 part 3).

    python bench/memory.py --deals 1000 --project /tmp/m1000          # generate (once), build, print
    PYTHONPATH=/path/to/old/checkout python bench/memory.py --project /tmp/m1000   # the same, an older revision

Builds in this process (MkDocs' own `build()`) and prints the resident set size after each phase the
plugin sees (plans loaded, files, nav, every page read, every page built) and the peak
(`getrusage`, the build process alone: key derivation runs in worker processes). `--fast-kdf` derives
keys with 1,000 PBKDF2 iterations instead of 600,000 (the pages do not open): for memory runs on a
busy machine, where a cold build otherwise waits minutes for keys; the build process does the same work.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def rss_mb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=Path, required=True, help="a generated project (made with --deals if missing)")
    parser.add_argument("--deals", type=int, default=1000)
    parser.add_argument("--fast-kdf", action="store_true", help="1,000 iterations: memory runs only, pages do not open")
    args = parser.parse_args()
    if not (args.project / "mkdocs.yml").is_file():
        from run import make_mapsite_project
        make_mapsite_project(args.project, args.deals, history=3, seed=1)
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from mapsite.mkdocs import plugin
    from mapsite.security import keys
    if args.fast_kdf:
        derive = keys.derive_key
        keys.derive_key = lambda password, salt, iterations=0: derive(password, salt, 1000)  # the workers fork after this

    start = time.perf_counter()
    marks: dict[str, int] = {}
    for event in ("on_config", "on_files", "on_nav", "on_env", "on_post_build"):
        def watched(self, *a, _event=event, _original=getattr(plugin.MapsitePlugin, event), **k):
            if _event == "on_post_build":
                marks["pages built"] = rss_mb()
            result = _original(self, *a, **k)
            marks[{"on_config": "plans loaded", "on_files": "files", "on_nav": "nav",
                   "on_env": "pages read", "on_post_build": "end"}[_event]] = rss_mb()
            return result
        setattr(plugin.MapsitePlugin, event, watched)
    os.chdir(args.project)
    config = load_config("mkdocs.yml")
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"project": str(args.project), "plans": len(list((args.project / "plans").glob("*.md"))),
                      "mapsite": str(Path(plugin.__file__).parents[2]), "rss_mb": marks,
                      "peak_rss_mb": usage.ru_maxrss // 1024, "wall_s": round(time.perf_counter() - start, 1),
                      "cpu_s": round(usage.ru_utime + usage.ru_stime, 1), "load_avg_1m": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
