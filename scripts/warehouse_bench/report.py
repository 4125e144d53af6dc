"""The report: the machine and run settings, results.json and the results.md table."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

from warehouse_bench.settings import BIN, DUCKDB_THREADS


def first_line_value(text: str, prefix: str, default: str = "") -> str:
    """The value after ':' on the first line of `text` that starts with `prefix`."""
    for line in text.splitlines():
        if line.strip().startswith(prefix):
            return line.split(":", 1)[1].strip()
    return default


def machine() -> dict[str, Any]:
    """The machine and software the numbers come from."""
    import duckdb

    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    dbt_version = subprocess.run(
        [str(BIN / "dbt"), "--version"], capture_output=True, text=True, check=False
    ).stdout
    mem_kb = int(first_line_value(meminfo, "MemTotal", "0 kB").split()[0])
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kb / 2**20, 1),
        "cpu": first_line_value(cpuinfo, "model name", platform.processor()),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "dbt": first_line_value(dbt_version, "- installed"),
    }


def run_settings(memory_limit: str) -> dict[str, Any]:
    """What varies between runs: DuckDB settings, date and how busy the machine was."""
    return {
        "duckdb_threads": DUCKDB_THREADS,
        "duckdb_memory_limit": memory_limit,
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%MZ"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.1f}" if isinstance(value, float) else str(value)


def fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def seconds(m: dict[str, Any] | None) -> str:
    """A measured time for the table; a failed run shows how long it ran before failing."""
    if not m:
        return "n/a"
    if not m["completed"]:
        return f"failed ({m['seconds']:,.0f} s, {m['peak_rss_mb']:,.0f} MB)"
    return f"{m['seconds']:,.1f}" + ("" if m["returncode"] == 0 else " *")


def equal_to_full(checks: dict[str, list[str]]) -> str:
    """'yes' when every refresh equalled its full build; else the differences per history."""
    if not checks:
        return "n/a"
    if not any(checks.values()):
        return "yes"
    return "NO: " + "; ".join(f"{days} d: {len(p)}" for days, p in checks.items() if p)


def markdown(info: dict[str, Any], runs: list[dict[str, Any]]) -> str:
    """results.md: the machine, then one table row per (size, DuckDB settings) run."""
    lines = [
        "# Warehouse benchmark",
        "",
        f"Machine: {info['nproc']} cores ({info['cpu']}), {info['memory_gib']} GiB RAM; "
        f"DuckDB {info['duckdb']}, dbt {info['dbt']}, Python {info['python']}.",
        "",
        "| raw records (365 d) | raw MB | DuckDB threads / limit | full build s | peak RSS MB "
        "| dbt start-up s | floor s | build/floor | (build - start-up)/floor | +1 day on 90 d s "
        "| +1 day on 365 d s | refresh/full | growth 90->365 | refresh = full build "
        "| run (UTC), load |",
        "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | --- | --- |",
    ]
    for r in runs:
        build, ratios, settings = r.get("full_build"), r["ratios"], r["settings"]
        lines.append(
            f"| {r['rows']:,} | {r['raw_mb']:,.0f} "
            f"| {settings['duckdb_threads']} / {settings['duckdb_memory_limit']} "
            f"| {seconds(build)} | {fmt(build['peak_rss_mb'] if build else None)} "
            f"| {seconds(r.get('startup'))} "
            f"| {seconds(r.get('floor'))} | {fmt_ratio(ratios.get('build_over_floor'))} "
            f"| {fmt_ratio(ratios.get('build_net_of_startup_over_floor'))} "
            f"| {seconds(r['refresh'].get('90'))} | {seconds(r['refresh'].get('365'))} "
            f"| {fmt_ratio(ratios.get('refresh_365_over_full'))} "
            f"| {fmt_ratio(ratios.get('growth_90_to_365'))} "
            f"| {equal_to_full(r.get('refresh_equals_full', {}))} "
            f"| {settings['date']}, {settings['load_average_at_start'][0]} |"
        )
    lines += [
        "",
        "Full build: `dbt build` (models, seeds, data tests; unit tests run in `make test`) of "
        "365 days into an empty file, after an untimed `dbt parse`. dbt start-up: the same "
        "build over a landing with no export file (dbt's fixed cost per run and node). +1 day: `dbt build` again on the warehouse of N days after the "
        "export of day N+1 landed (incremental models; marts and tests over all days). Floor: "
        "one DuckDB query over the same raw files (daily vendor-reported cost per provider and "
        "vendor model); its daily totals per provider are compared with fct_ai_costs in "
        "results.json (`floor_check`). * = every node ran but some data tests failed; failed = "
        "the build stopped (the error is in results.json).",
        "",
    ]
    lines += spark_table(runs)
    lines += [
        "Where dbt spends the time (seconds of node execution per resource type; slowest nodes):",
        "",
    ]
    for r in runs:
        spark = r.get("spark") or {}
        builds = [("full build", r.get("full_build"))] + [
            (f"+1 day on {days} d", r["refresh"].get(days)) for days in ("90", "365")] + [
            ("Spark full build", spark.get("full_build")),
            ("Spark +1 day on 365 d", spark.get("refresh"))]
        for label, m in builds:
            if m and m.get("node_seconds"):
                split = ", ".join(f"{kind} {sec:,.1f}" for kind, sec in m["node_seconds"].items())
                slow = ", ".join(f"{name} {sec:,.1f}" for name, sec in m["slowest_nodes"])
                lines.append(f"- {r['rows']:,} records, {label}: {split}; slowest: {slow}")
    return "\n".join(lines) + "\n"


def spark_table(runs: list[dict[str, Any]]) -> list[str]:
    """The Spark rows (--engine spark) beside DuckDB's, or nothing when no run has them."""
    spark_runs = [r for r in runs if r.get("spark")]
    if not spark_runs:
        return []
    lines = [
        "Spark (`--engine spark`): the same 365-day landing built by scripts/run_build.py with "
        "`AI_FINOPS_TARGET=spark` (the landing step, then `dbt build` with the data tests, "
        "without unit tests) on Spark in this machine, then day 366 landed and the same command again; "
        "the refreshed tables are compared with DuckDB's refreshed warehouse.",
        "",
        "| raw records (365 d) | Spark master / driver memory | Spark full build s "
        "| peak RSS MB | DuckDB full build s | Spark/DuckDB | Spark +1 day s | DuckDB +1 day s "
        "| Spark/DuckDB | Spark refresh/full | same tables as DuckDB |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in spark_runs:
        spark, ratios = r["spark"], r["ratios"]
        build = spark.get("full_build")
        same = ("n/a" if not spark.get("refresh") else
                "yes" if not spark["equals_duckdb"] else f"NO: {len(spark['equals_duckdb'])}")
        lines.append(
            f"| {r['rows']:,} | {spark['master']} / {spark['driver_memory']} "
            f"| {seconds(build)} | {fmt(build['peak_rss_mb'] if build else None)} "
            f"| {seconds(r.get('full_build'))} "
            f"| {fmt_ratio(ratios.get('spark_build_over_duckdb'))} "
            f"| {seconds(spark.get('refresh'))} | {seconds(r['refresh'].get('365'))} "
            f"| {fmt_ratio(ratios.get('spark_refresh_over_duckdb'))} "
            f"| {fmt_ratio(ratios.get('spark_refresh_over_spark_build'))} | {same} |")
    return lines + [""]


def save(cache: Path, info: dict[str, Any], run: dict[str, Any]) -> list[dict[str, Any]]:
    """Adds a run to results.json (replacing an earlier run of the same size and settings)."""
    path = cache / "results.json"
    runs = json.loads(path.read_text()).get("runs", []) if path.exists() else []

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        settings = r["settings"]
        return r["target_rows"], settings["duckdb_threads"], settings["duckdb_memory_limit"]

    runs = sorted([r for r in runs if key(r) != key(run)] + [run], key=key)
    path.write_text(json.dumps({"machine": info, "runs": runs}, indent=2) + "\n")
    (cache / "results.md").write_text(markdown(info, runs))
    return runs
