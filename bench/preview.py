"""The one-deal preview at scale: time to first page, then edit-to-rebuild (a plan saved -> the change served)."""

from __future__ import annotations

import contextlib
import re
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from measure import base_env

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except OSError:
        return 0, ""


def measure_serve(root: Path, slug: str, folder: str, edits: int, only: bool, log: Path,
                  timeout: float = 300) -> dict:
    """Start a preview server, then time `edits` plan edits until each change is served."""
    port = free_port()
    command = ([sys.executable, "-m", "mapsite", "preview", slug, "--dev-addr", f"127.0.0.1:{port}"] if only else
               [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"])
    url = f"http://127.0.0.1:{port}/{folder}/"
    plan = root / "plans" / f"{slug}.md"
    original = plan.read_text(encoding="utf-8")
    with open(log, "wb") as out:
        start = time.perf_counter()
        server = subprocess.Popen(command, cwd=root, env=base_env(), stdout=out, stderr=subprocess.STDOUT)
        try:
            while fetch(url)[0] != 200:
                if server.poll() is not None or time.perf_counter() - start > timeout:
                    raise SystemExit(f"preview server did not serve {url}; see {log}")
                time.sleep(0.05)
            first_page = time.perf_counter() - start
            times = []
            for number in range(edits):
                time.sleep(1.5)  # let the watcher settle between edits
                token = f"Edited{number}x{secrets.token_hex(3)}"
                plan.write_text(re.sub(r"^title: .*$", f"title: {token} × Acme Analytics", original, count=1,
                                       flags=re.M), encoding="utf-8")
                edited = time.perf_counter()
                while token not in fetch(url)[1]:
                    if time.perf_counter() - edited > timeout:
                        raise SystemExit(f"the edit never showed on {url}; see {log}")
                    time.sleep(0.01)
                times.append(round(time.perf_counter() - edited, 3))
            other = fetch(f"http://127.0.0.1:{port}/no-such-deal-abc123/")[0]
        finally:
            plan.write_text(original, encoding="utf-8")
            server.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=20)
            server.kill()  # only if it is still running: a reaped process gets no signal
            server.wait()
    return {"mode": "mapsite preview <slug>" if only else "mkdocs serve (every deal)", "first_page_s": round(first_page, 2),
            "edit_to_rebuild_s": times, "median_s": round(statistics.median(times), 3), "max_s": max(times),
            "unknown_page_status": other}

