#!/usr/bin/env python
"""What the key cache costs a rebuild at N realms: one JSON file against one file per realm, loaded and verified.

    python bench/cache.py --realms 10000 --rounds 3

Each round writes N genuine entries (records made with a real P and R, MACs under a real site key), then
times, in CPU seconds: loading the file(s) and verifying every entry for its password, and making every
realm's R from the site key (what a warm rebuild does instead of PBKDF2). One file per realm is simulated
with the same entries written to N small JSON files. Prints one JSON line per round.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from mapsite.security import recordcache, records  # noqa: E402
from mapsite.security.sitekey import new_key, parse  # noqa: E402


def realms(count: int) -> list[tuple[str, str, bytes]]:
    return [(f"deal:deal-{i:05d}", f"word-{i}-" * 8, os.urandom(16)) for i in range(count)]


def one_round(count: int, folder: Path) -> dict[str, float]:
    secret = parse(new_key()).secret
    listed = realms(count)
    p = os.urandom(32)  # one stand-in P: deriving 10,000 real ones is what the cache saves
    cache = recordcache.RecordCache(folder, secret)
    cache.save({rid: (pw, salt, 600_000, records.wrap(p, records.content_key(secret, pw, rid, salt), salt))
                for rid, pw, salt in listed})
    entries = json.loads((folder / recordcache.FILE).read_text())["realms"]
    split = folder / "split"
    split.mkdir(exist_ok=True)
    for name, entry in entries.items():
        (split / f"{name}.json").write_text(json.dumps(entry))

    start = time.process_time()
    loaded = recordcache.RecordCache(folder, secret)
    found = sum(loaded.record(rid, rid, pw, salt, 600_000) is not None for rid, pw, salt in listed)
    one_file = time.process_time() - start
    assert found == count

    start = time.process_time()
    loaded.entries = {path.stem: json.loads(path.read_bytes()) for path in split.iterdir()}
    found = sum(loaded.record(rid, rid, pw, salt, 600_000) is not None for rid, pw, salt in listed)
    per_file = time.process_time() - start
    assert found == count

    start = time.process_time()
    for rid, pw, salt in listed:
        records.content_key(secret, pw, rid, salt)
    content_keys = time.process_time() - start
    return {"realms": count, "one_file_load_verify_s": round(one_file, 3), "file_per_realm_load_verify_s": round(per_file, 3),
            "content_keys_s": round(content_keys, 3), "one_file_bytes": (folder / recordcache.FILE).stat().st_size,
            "record_bytes_b64": len(base64.b64encode(bytes(records.RECORD_BYTES)))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realms", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as folder:
            print(json.dumps(one_round(args.realms, Path(folder))), flush=True)


if __name__ == "__main__":
    main()
