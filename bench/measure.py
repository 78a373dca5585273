"""Measuring one build: wall and CPU time, peak memory (main process, whole tree), output; and the machine.

Every build runs in a fresh subprocess through bench/buildproc.py, which reports the main build
process's own peak RSS; a sampler adds up the whole process tree (PBKDF2 and git workers too).
"""

from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAPSITE_") and k != "CI"}
    env["NO_MKDOCS_2_WARNING"] = "1"
    return env


class TreeMemory:
    """Peak memory of a process and all its descendants (PBKDF2 and git workers included), sampled every 0.2 s.

    Summed both as RSS (what each process holds, shared pages counted in each) and as PSS
    (proportional set size: pages the forked workers share with the build counted once).

    RSS comes from /proc/<pid>/statm (0.015 ms a read). PSS needs smaps_rollup, which walks every page of
    the process under its memory-map lock: 24 ms for a 1.1 GB process (the build at 10,000 deals), 4 ms at
    1,000. Read from the build's own process every 0.2 s, it took about a tenth of a core from the
    10,000-deal build and stalled its allocations, so the cold-per-deal comparison measured the sampler.
    So the PSS sum counts the build's own process by its RSS (all of its pages, shared ones too: an upper
    bound, never an underestimate) and only the workers, small and forked before any plan is read, by PSS.
    """

    PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

    def __init__(self, pid: int, interval: float = 0.2):
        self.pid, self.interval = pid, interval
        self.peak_rss = self.peak_pss = 0
        self.walked: set[int] = set()  # the processes read by smaps_rollup: never the build's own
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                    parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
        tree, frontier = [self.pid], [self.pid]
        while frontier:
            frontier = [p for p, parent in parents.items() if parent in frontier]
            tree += frontier
        return tree

    def _read(self, pid: int, file: str) -> int:
        """Bytes: resident (statm) or proportional (smaps_rollup); 0 for a process that just ended."""
        try:
            text = Path(f"/proc/{pid}/{file}").read_text()
            if file == "statm":
                return int(text.split()[1]) * self.PAGE
            self.walked.add(pid)
            return int(re.search(r"^Pss:\s+(\d+) kB", text, re.M).group(1)) * 1024
        except (OSError, ValueError, AttributeError, IndexError):
            return 0

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            root, *workers = self._tree()
            own = self._read(root, "statm")
            rss = own + sum(self._read(pid, "statm") for pid in workers)
            pss = own + sum(self._read(pid, "smaps_rollup") for pid in workers)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)

    def stop(self) -> tuple[int, int]:
        self._stop.set()
        self._thread.join()
        return self.peak_rss, self.peak_pss


def run_command(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> dict:
    """One command in a fresh subprocess: wall and CPU time, the tree's peak memory; fails loudly."""
    with open(log, "wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        memory = TreeMemory(process.pid) if Path("/proc").is_dir() else None
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = code = os.waitstatus_to_exitcode(status)  # reaped by wait4, which also gives its usage
    tree_rss, tree_pss = memory.stop() if memory else (0, 0)
    if code != 0:
        raise SystemExit(f"{' '.join(command[1:3])} failed in {cwd} (exit {code}); see {log}:\n"
                         + log.read_text(errors="replace")[-3000:])
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),  # the process and every worker it waited for
        "sys_s": round(usage.ru_stime, 3),  # of which in the kernel (files, pipes, page faults)
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # the largest single process (Linux: KiB)
        "peak_rss_all_mb": round(tree_rss / 2**20, 1),  # all processes together (RSS), every 0.2 s
        "peak_pss_all_mb": round(tree_pss / 2**20, 1),  # the workers' PSS + the build's own RSS, every 0.2 s
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def run_build(cwd: Path, env: dict[str, str], log: Path, python: str = sys.executable, site: Path | None = None) -> dict:
    """One `mkdocs build` in a fresh subprocess (of `python`'s environment) into `site` (default cwd/site)."""
    peak = log.with_suffix(".peak")
    peak.unlink(missing_ok=True)
    options = ["--site-dir", str(site)] if site else []
    result = run_command([python, str(HERE / "buildproc.py"), str(peak), "build", *options], cwd, env, log)
    result["peak_main_mb"] = round(int(peak.read_text()) / 1024, 1)  # the build process alone, exact
    result.update(measure_site(site or cwd / "site"))
    return result


def measure_site(site: Path) -> dict:
    total = files = pages = 0
    largest, largest_path = 0, ""
    for path in site.rglob("*"):
        if path.is_file():
            size = path.stat().st_size
            total += size
            files += 1
            if path.suffix == ".html":
                pages += 1
                if size > largest:
                    largest, largest_path = size, str(path.relative_to(site))
    return {"output_mb": round(total / 2**20, 2), "files": files, "html_pages": pages,
            "largest_page_kb": round(largest / 1024, 1), "largest_page": largest_path}


# --- What this checkout can do ----------------------------------------------------------------

def features(python: str = sys.executable) -> dict:
    """Which of issue 18's parts this checkout has: the wrapped-key cache, sharded builds and merge."""
    merge = subprocess.run([python, "-m", "mapsite", "merge", "--help"], cwd=REPO, capture_output=True, text=True)
    cache = any("MAPSITE_CACHE_DIR" in path.read_text(encoding="utf-8", errors="replace")
                for path in (REPO / "mapsite").rglob("*.py"))
    return {"merge": merge.returncode == 0, "merge_why": "" if merge.returncode == 0 else
            "`mapsite merge --help` failed: " + (merge.stderr.strip().splitlines() or ["no output"])[-1],
            "cache": cache}


# --- Machine ----------------------------------------------------------------------------------

def _pbkdf2(_: int) -> float:
    from mapsite.security import keys

    start = time.process_time()
    keys.derive_key("correct horse battery staple", b"\0" * 16)
    return time.process_time() - start


def machine() -> dict:
    import cryptography
    import material
    import mkdocs

    cpu = "unknown"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = 0
    try:
        memory = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                          if line.startswith("MemTotal"))) * 1024
    except (OSError, StopIteration):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    per_key = statistics.median(_pbkdf2(i) for i in range(5))
    # Keys per second on every core at once: what PBKDF2 really costs on this machine, shared or not.
    jobs = cores * 6
    with ProcessPoolExecutor(cores) as pool:
        list(pool.map(_pbkdf2, range(cores)))
        start = time.perf_counter()
        list(pool.map(_pbkdf2, range(jobs)))
        throughput = jobs / (time.perf_counter() - start)
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    return {
        "cpu": cpu, "cores": cores, "memory_gib": round(memory / 2**30, 1),
        "os": platform.platform(), "python": platform.python_version(),
        "mkdocs": mkdocs.__version__, "material": material.__version__ if hasattr(material, "__version__") else "",
        "cryptography": cryptography.__version__, "mapsite_commit": commit,
        "pbkdf2_cpu_s_per_key": round(per_key, 4), "pbkdf2_keys_per_s_all_cores": round(throughput, 2),
        "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
        "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
