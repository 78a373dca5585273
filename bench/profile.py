#!/usr/bin/env python
"""Profile one full `mkdocs build` of N synthetic deals with pyinstrument (`pip install pyinstrument`).

    python bench/profile.py --deals 1000            # cold, as in CI: every key derived
    python bench/profile.py --deals 1000 --warm     # local rebuild with the key cache

Writes the call tree as text (bench/results/profile-<cold|warm>-<N>.txt) and prints its top.
pyinstrument samples the build's own process: PBKDF2 runs in worker processes and shows up only
as the time the build waits for a key (`keys.BackgroundKeys.get`).
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import base_env, make_mapsite_project  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=1000)
    parser.add_argument("--warm", action="store_true", help="profile a local rebuild with cached keys")
    parser.add_argument("--history", type=int, default=3)
    parser.add_argument("--interval", type=float, default=0.002, help="sampling interval, seconds")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    kind = "warm" if args.warm else "cold"
    work = args.work or Path(tempfile.mkdtemp(prefix="mapsite-profile-"))
    project = work / f"mapsite-{args.deals}"
    slugs = make_mapsite_project(project, args.deals, args.history, seed=1)
    env = base_env()
    if args.warm:
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project, env=env, check=True)
    else:
        env.update(CI="true", MAPSITE_PASSWORDS=json.dumps({s: secrets.token_urlsafe(18) for s in slugs}))
    out = args.out or HERE / "results" / f"profile-{kind}-{args.deals}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pyinstrument", "-i", str(args.interval), "-r", "text", "-o", str(out),
                    "-m", "mkdocs", "build", "-q"], cwd=project, env=env, check=True)
    print("\n".join(out.read_text(encoding="utf-8").splitlines()[:80]))
    print(f"\nfull profile: {out}")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
