"""What bench/run.py prints and keeps: medians, the issues' targets as PASS/MISS, the table, a time estimate."""

from __future__ import annotations

import math
import statistics

BUDGET_PER_DEAL = 0.025  # s of everything but PBKDF2 allowed per deal in a cold build (issue 3's target)
ISSUE_PBKDF2 = 0.19  # s of CPU per key that target assumes
REBUILD_LIMIT_S = 300  # issue 18: a rebuild of 10,000 unchanged deals in under 5 minutes
MEMORY_LIMIT_MB = 1536  # issue 18: peak memory at most 1.5 GB at 10,000 deals

NAMES = {
    "cold": "cold (CI, site key, empty cache)",
    "rebuild": "rebuild (CI, cache warm)",
    "changed": "one plan changed, rebuild",
    "passwords": "cold (CI, a password per deal)",
    "warm": "warm (local key cache)",
    "plain": "plain MkDocs + Material",
}
MAPSITE_KINDS = ("cold", "rebuild", "changed", "passwords", "warm")

# For the estimate printed before a run: this machine's earlier figures (README, Performance).
ELSE_S = 0.037  # s a deal of everything but PBKDF2 (warm build, 1,000 deals)
STRENGTH_S = 0.015  # s a deal of rating a password a user supplied (zxcvbn)
START_S = 4.0  # s a build takes to start and finish whatever its size
PLAIN_S = 216.6 / 1000**2  # plain MkDocs grows with the square of the deals (216.6 s at 1,000)
GENERATE_S = 0.0033  # s of CPU a plan file, generated and imported into git (measured at 1,000 deals)


def summarise(runs: list[dict]) -> dict:
    walls = [r["wall_s"] for r in runs]
    summary = {"runs": len(runs), "median_s": round(statistics.median(walls), 3), "min_s": round(min(walls), 3),
               "max_s": round(max(walls), 3), "cpu_s": round(statistics.median(r["cpu_s"] for r in runs), 2)}
    for peak in ("peak_main_mb", "peak_rss_mb", "peak_rss_all_mb", "peak_pss_all_mb", "largest_page_kb"):
        summary[peak] = max(r[peak] for r in runs)
    for last in ("output_mb", "files", "html_pages", "largest_page", "cache_files"):
        if last in runs[-1]:
            summary[last] = runs[-1][last]
    return {**summary, "all": runs}


def estimate(count: int, kinds: list[str], runs: int, info: dict, features: dict, history: int,
             shard_mode: str, largest: bool, serve_all: bool) -> dict[str, float]:
    """Seconds each part of one size should take on this machine, before anything is measured."""
    cores, keys = info["cores"], info["pbkdf2_keys_per_s_all_cores"]
    cold = START_S + count / keys + count * ELSE_S
    rebuild = START_S + count * ELSE_S if features["cache"] else cold
    parts = {"generate": history * count * GENERATE_S / cores}
    if {"cold", "rebuild", "changed", "shards"} & set(kinds):
        parts["cold"] = cold * (runs if "cold" in kinds else 1)
    for kind in ("rebuild", "changed"):
        if kind in kinds:
            parts[kind] = rebuild * runs
    if "passwords" in kinds:
        parts["passwords"] = (cold + count * STRENGTH_S) * runs
    if "warm" in kinds:
        parts["warm"] = cold + rebuild * runs
    if "plain" in kinds:
        parts["plain"] = START_S + PLAIN_S * count**2
    if largest and "shards" in kinds and features["merge"]:
        shard = cold if shard_mode == "cold" else rebuild
        parts["shards"] = shard + 3 * START_S + count * 0.003
    if largest and "preview" in kinds:
        parts["preview"] = 30 + count * 0.003 + (40 + PLAIN_S * count**2 / 10 if serve_all else 0)
    return {part: round(seconds, 1) for part, seconds in parts.items()}


def checks(results: dict) -> dict:
    """The issues' targets, each with the measured figures; "ok" is what PASS or MISS says."""
    sizes = sorted(int(n) for n in results["sizes"])
    count, info = sizes[-1], results["machine"]
    entry = results["sizes"][str(count)]
    found: dict = {}
    if "rebuild" in entry:
        measured = entry["rebuild"]["median_s"]
        found[f"rebuild_{count}_under_5_min"] = {"measured_s": measured, "limit_s": REBUILD_LIMIT_S,
                                                 "cache_files": entry["rebuild"].get("cache_files"),
                                                 "ok": measured < REBUILD_LIMIT_S}
    rows = [(kind, entry[kind]) for kind in MAPSITE_KINDS if kind in entry]
    rows += [(f"shard {row['shard']}", row) for row in entry.get("shards", {}).get("shards", [])]
    if rows:
        kind, row = max(rows, key=lambda item: max(item[1]["peak_main_mb"], item[1]["peak_pss_all_mb"]))
        peak = max(row["peak_main_mb"], row["peak_pss_all_mb"])
        found[f"peak_memory_{count}_at_most_1.5_GB"] = {
            "build": kind, "main_process_mb": row["peak_main_mb"], "all_processes_pss_mb": row["peak_pss_all_mb"],
            "all_processes_rss_mb": row["peak_rss_all_mb"], "limit_mb": MEMORY_LIMIT_MB, "ok": peak <= MEMORY_LIMIT_MB}
    colds = [(n, results["sizes"][str(n)]["cold"]["median_s"] / n) for n in sizes if "cold" in results["sizes"][str(n)]]
    if len(colds) >= 2:
        (n1, t1), (n2, t2) = colds[-2], colds[-1]
        found[f"cold_per_deal_{n2}_not_slower_than_{n1}"] = {
            f"ms_per_deal_{n1}": round(t1 * 1000, 1), f"ms_per_deal_{n2}": round(t2 * 1000, 1),
            "ratio": round(t2 / t1, 3), "ok": t2 <= t1}
    if "cold" in entry:
        cold = entry["cold"]["median_s"]
        floor = count * info["pbkdf2_cpu_s_per_key"] / info["cores"]
        found["cold_floor_s"] = {"pbkdf2_floor_s": round(floor, 1), "limit_s": round(floor + BUDGET_PER_DEAL * count, 1),
                                 "measured_s": cold, "ok": cold <= floor + BUDGET_PER_DEAL * count,
                                 "else_ms_per_deal": round((cold - floor) / count * 1000, 1)}
        issue_floor = count * ISSUE_PBKDF2 / info["cores"]
        found["cold_floor_at_0.19s_a_key"] = {"limit_s": round(issue_floor + BUDGET_PER_DEAL * count, 1),
                                              "measured_s": cold, "ok": cold <= issue_floor + BUDGET_PER_DEAL * count}
        if "plain" in entry:
            found["cold_vs_plain"] = {"speedup": round(entry["plain"]["median_s"] / cold, 1),
                                      "ok": entry["plain"]["median_s"] / cold >= 2.5}
    if "plain" in entry and "warm" in entry:
        speedup = entry["plain"]["median_s"] / entry["warm"]["median_s"]
        found["warm_vs_plain"] = {"speedup": round(speedup, 1), "ok": speedup >= 10}
    for kind in ("cold", "rebuild", "warm", "plain"):
        points = [(n, results["sizes"][str(n)][kind]["median_s"]) for n in sizes if kind in results["sizes"][str(n)]]
        if len(points) >= 2:
            (n1, t1), (n2, t2) = points[-2], points[-1]
            found[f"growth_{kind}"] = {"from": n1, "to": n2, "time_ratio": round(t2 / t1, 1), "size_ratio": round(n2 / n1, 1),
                                       "exponent": round(math.log(t2 / t1) / math.log(n2 / n1), 2),
                                       "marginal_ms_per_deal": round((t2 - t1) / (n2 - n1) * 1000, 1)}
    shards = entry.get("shards", {})
    if shards.get("available"):
        single = entry.get("cold" if shards["mode"] == "cold" else "rebuild", {}).get("median_s")
        found["sharded"] = {"mode": shards["mode"], "slowest_plus_merge_s": shards["slowest_plus_merge_s"],
                            "single_build_s": single, "pages_match_single_build": shards["pages_match_single_build"],
                            "ok": shards["pages_match_single_build"]}
    pages = [results["sizes"][str(n)][k]["largest_page_kb"] for n in sizes for k in MAPSITE_KINDS if k in results["sizes"][str(n)]]
    if pages:
        found["largest_mapsite_page_kb"] = {"value": max(pages), "ok": max(pages) < 100}
    if "preview" in results:
        one = results["preview"]["one_deal"]
        found["preview_edit_to_rebuild_s"] = {"median": one["median_s"], "max": one["max_s"], "ok": one["median_s"] < 1.0}
        found["preview_other_deals_404"] = {"status": one["unknown_page_status"], "ok": one["unknown_page_status"] == 404}
    return found


def _row(count: int, name: str, row: dict, deals: int | None = None) -> str:
    wall = row["median_s"] if "median_s" in row else row["wall_s"]
    return (f"| {count:,} | {name} | {row.get('runs', 1)} | {wall:.2f} | "
            f"{wall / (deals or count) * 1000:.1f} | {row['cpu_s']:.1f} | "
            f"{row['peak_main_mb']:.0f} | {row['peak_rss_all_mb']:.0f} / {row['peak_pss_all_mb']:.0f} | "
            f"{row['output_mb']:,.1f} | {row['html_pages']:,} | {row['largest_page_kb']:,.1f} |")


def table(results: dict) -> str:
    info = results["machine"]
    lines = [f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB, {info['os']}, Python {info['python']}, "
             f"MkDocs {info['mkdocs']}, Material {info['material']}, mapsite {info['mapsite_commit']}, {info['at']}; "
             f"PBKDF2 600k = {info['pbkdf2_cpu_s_per_key'] * 1000:.0f} ms CPU a key, "
             f"{info['pbkdf2_keys_per_s_all_cores']:.1f} keys/s on all cores; load average {info['load_avg_at_start']} "
             f"at start, {info.get('load_avg_at_end')} at end",
             "",
             "| deals | build | runs | median s | ms/deal | CPU s | peak MB, main process | peak MB, all processes (RSS / PSS) "
             "| output MB | pages | largest page KB |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    notes = []
    for count, entry in sorted(results["sizes"].items(), key=lambda item: int(item[0])):
        count = int(count)
        for kind, name in NAMES.items():
            if kind in entry:
                if kind in ("rebuild", "changed") and not entry[kind].get("cache_files"):
                    name += " [no cache written: a cold build]"
                lines.append(_row(count, name, entry[kind]))
        shards = entry.get("shards")
        if shards and shards.get("available"):
            how = "cold" if shards["mode"] == "cold" else "rebuild, cache warm"
            for row in shards["shards"]:
                lines.append(_row(count, f"shard {row['shard']} ({how})", row, count // shards["count"]))
            lines.append(_row(count, f"merge of {shards['count']} shards", shards["merge"]))
            notes.append(f"Sharded at {count:,} deals ({how}; shards one after the other on this machine): slowest shard "
                         f"{shards['slowest']} {shards['slowest_s']:.1f} s, + merge {shards['merge']['wall_s']:.1f} s = "
                         f"{shards['slowest_plus_merge_s']:.1f} s on {shards['count']} runners; all shards {shards['sum_s']:.1f} s; "
                         f"merged pages {shards['merge']['html_pages']:,} against a single build's {shards['single_build_pages']:,}.")
        elif shards:
            notes.append(f"Sharded at {count:,} deals: not available ({shards['why']}).")
        if "generate_s" in entry:
            notes.append(f"Project of {count:,} deals: {entry['generate_s']:.1f} s "
                         f"({'reused' if entry.get('reused') else 'generated'}).")
    lines += ["", *notes]
    if "preview" in results:
        lines.append("")
        for key in ("one_deal", "every_deal"):
            if key in results["preview"]:
                p = results["preview"][key]
                lines.append(f"Preview, {results['preview']['deals']:,} deals, {p['mode']}: first page {p['first_page_s']:.1f} s; "
                             f"edit-to-rebuild median {p['median_s']:.2f} s (each: {', '.join(f'{t:.2f}' for t in p['edit_to_rebuild_s'])})")
    lines.append("")
    for name, check in results["checks"].items():
        mark = "" if "ok" not in check else ("PASS " if check["ok"] else "FAIL ")
        lines.append(f"{mark}{name}: " + ", ".join(f"{k}={v}" for k, v in check.items() if k != "ok"))
    return "\n".join(lines)
