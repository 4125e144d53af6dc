"""Benchmark of the warehouse: full build, one-day refresh on 90 and 365 days, and the floor.

    python scripts/bench.py [--rows 1e6] [--rows 1e7] [--cache build/bench] [--skip-incremental]
                            [--history 365] [--engine spark]

For each size (raw records over 365 days; the generator's --scale is calibrated to hit it):

* full build    `dbt build` (models, seeds and data tests, as `scripts/refresh` runs it: unit
                tests, which check the code on fixed inputs, run in `make test`) of 365 days
                into an empty DuckDB file: wall time and peak resident memory of the dbt
                process;
* dbt start-up  the same `dbt build` over a landing with no export file: dbt's fixed cost per
                run and node (parse excluded), subtracted in (build - start-up) / floor;
* refresh +1 day on top of 90 and of 365 days of history: the warehouse is built from N days,
                the export of day N+1 lands (the month's export, re-issued, supersedes the
                previous one) and `dbt build` runs again on the same file: an incremental
                refresh (the landing and staging read the new files, the charges and the
                fact rebuild the months whose inputs changed, the other models and the data
                tests run over the whole history). Every landing is generated with
                `--horizon 366`, so the N- and N+1-day landings are one organisation
                exported on consecutive days, as a real daily landing is. Correctness is
                not traded: each refresh is compared with a full build of the same N+1-day
                folder (untimed), every table and view and the money per provider, month and
                cost source (ai_finops.compare);
* floor         one hand-written DuckDB query over the same raw files computing the daily
                vendor-reported cost per provider and vendor model (what the warehouse's
                fct_ai_costs holds for those rows), with the profile's DuckDB settings; its
                daily totals per provider are compared with fct_ai_costs';
* Spark         with --engine spark, beside DuckDB in the same run: the 365-day landing built
                on Apache Spark local[2] as `AI_FINOPS_TARGET=spark make build` builds it (the
                landing step, then `dbt build`), day 366 landed and the refresh, and the
                refreshed Spark tables compared with DuckDB's (warehouse_bench/spark.py).

Generated landings are cached under --cache/raw and reused between runs (build/ is ignored by
git); each measured build first runs an untimed `dbt parse` so that timings exclude dbt's
one-off full parse, and the raw files are read once beforehand so that build and floor both
start with a warm page cache. Prints the ratios build/floor, refresh/full and growth 90 -> 365
days, and writes them, with dbt's time per resource type and slowest nodes of each build, to
--cache/results.json and results.md. Not part of `make test`.

The measurements, the landings, the floor query and the report are the package
scripts/warehouse_bench (its docstring lists the modules); this script is the command line, runs
each size and keeps the package's public names.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

SCRIPTS = Path(__file__).resolve().parent
sys.path.insert(0, str(SCRIPTS.parent))
sys.path.insert(0, str(SCRIPTS))

from ai_finops.compare import compare_warehouses  # noqa: E402
from ai_finops.landing import default_landing_path  # noqa: E402
from warehouse_bench.floor import compare_floor, run_floor  # noqa: E402
from warehouse_bench.landings import (  # noqa: E402
    calibrate,
    land_next_day,
    landing,
    link_tree,
    raw_megabytes,
    scale_for,
)
from warehouse_bench.processes import dbt, node_times, timed_build, warm_page_cache  # noqa: E402
from warehouse_bench.report import machine, markdown, run_settings, save  # noqa: E402
from warehouse_bench.results import Measure, SizeResult, describe, ratios  # noqa: E402
from warehouse_bench.settings import FULL_DAYS, HISTORIES, ROOT  # noqa: E402
from warehouse_bench.spark import SparkResult, bench_spark  # noqa: E402

__all__ = [
    "FULL_DAYS",
    "HISTORIES",
    "ROOT",
    "Measure",
    "SizeResult",
    "bench_size",
    "calibrate",
    "check_refresh",
    "compare_floor",
    "dbt",
    "describe",
    "land_next_day",
    "landing",
    "link_tree",
    "machine",
    "main",
    "markdown",
    "measure_startup",
    "node_times",
    "parse_args",
    "ratios",
    "raw_megabytes",
    "remove_warehouse",
    "run_floor",
    "run_settings",
    "save",
    "run_spark",
    "scale_for",
    "timed_build",
    "warm_page_cache",
]


# ---------------------------------------------------------------------------------------------
# One size
# ---------------------------------------------------------------------------------------------


def bench_size(rows: int, cache: Path, calibration: tuple[float, float], incremental: bool,
               memory_limit: str, histories: tuple[int, ...] = HISTORIES,
               spark: bool = False) -> SizeResult:
    """Full build, floor and (optionally) the +1 day refreshes for one size; with `spark`,
    the 365-day build and its refresh on Spark too."""
    scale = scale_for(rows, *calibration)
    result = SizeResult(target_rows=rows, scale=scale)
    full_raw = landing(cache, scale, FULL_DAYS)
    result.rows = json.loads((full_raw / "manifest.json").read_text())["total_rows"]
    result.raw_mb = raw_megabytes(full_raw)
    log(f"{rows:,} rows: scale {scale:g}, {result.rows:,} records, {result.raw_mb:,.0f} MB")

    work = cache / "work" / f"rows-{rows}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    result.startup = measure_startup(work, memory_limit)
    log(f"  dbt start-up (build of an empty landing): {describe(result.startup)}")
    for days in histories if incremental else (FULL_DAYS,):
        raw = work / f"raw-{days}"
        link_tree(landing(cache, scale, days), raw)
        db = work / f"history-{days}.duckdb"
        built = timed_build(raw, db, work, f"build-{days}d", memory_limit)
        log(f"  build of {days} days: {describe(built)}")
        if days == FULL_DAYS:
            result.full_build = built
            result.floor, floor_out = run_floor(raw, work, memory_limit)
            if result.floor.ok and built.ok:
                result.floor_check = compare_floor(floor_out, db)
            log(f"  floor query: {describe(result.floor)} {result.floor_check}")
        if incremental:
            result.history[str(days)] = built
            if built.ok:
                added = land_next_day(raw, landing(cache, scale, days + 1))
                warm_page_cache(raw)
                refreshed = dbt(["build"], raw, db, work, f"refresh-{days}+1d", memory_limit)
                result.refresh[str(days)] = refreshed
                log(f"  +1 day on {days} days ({added} files landed): {describe(refreshed)}")
                if refreshed.ok:
                    result.refresh_equals_full[str(days)] = check_refresh(
                        raw, db, work, days, memory_limit)
                if spark and days == FULL_DAYS and refreshed.ok:
                    result.spark = run_spark(cache, scale, raw, db, work)
        remove_warehouse(db)
        shutil.rmtree(raw)
    result.ratios = ratios(result)
    return result


def run_spark(cache: Path, scale: float, raw: Path, duckdb_refreshed: Path,
              work: Path) -> SparkResult:
    """The 365-day landing and its refresh on Spark, compared with DuckDB's refreshed file.

    Spark reads the same folder as DuckDB did (file names in the tables include it), linked
    again from the 365-day landing."""
    link_tree(landing(cache, scale, FULL_DAYS), raw)
    result = bench_spark(raw, landing(cache, scale, FULL_DAYS + 1), duckdb_refreshed,
                         duckdb_refreshed.parent / "pseudonym.key", work)
    log(f"  Spark {result.master}, build of {FULL_DAYS} days: {describe(result.full_build)}")
    if result.refresh:
        log(f"  Spark +1 day on {FULL_DAYS} days: {describe(result.refresh)}; same tables as "
            + ("DuckDB: yes" if not result.equals_duckdb
               else f"DuckDB: NO, {len(result.equals_duckdb)}: {result.equals_duckdb[:3]}"))
    return result


def remove_warehouse(db: Path) -> None:
    """Deletes a warehouse file, its side files and its landing directory."""
    for path in db.parent.glob(db.name + "*"):
        path.unlink()
    shutil.rmtree(default_landing_path(str(db)), ignore_errors=True)


def check_refresh(raw: Path, db: Path, work: Path, days: int, memory_limit: str) -> list[str]:
    """Builds the refreshed folder from scratch (untimed) and compares the two warehouses."""
    full = work / f"full-{days}+1d.duckdb"
    built = dbt(["build"], raw, full, work, f"full-{days}+1d", memory_limit)
    problems = (compare_warehouses(db, full) if built.ok
                else [f"the full build failed: {built.error}"])
    remove_warehouse(full)
    log(f"  refresh = full build of {days + 1} days: "
        + ("yes" if not problems else f"NO, {len(problems)} differences: {problems[:3]}"))
    return problems


def measure_startup(work: Path, memory_limit: str) -> Measure:
    """dbt's fixed cost: the same `dbt build` over a landing with no export file at all."""
    empty = work / "raw-empty"
    empty.mkdir()
    db = work / "startup.duckdb"
    built = timed_build(empty, db, work, "startup", memory_limit)
    remove_warehouse(db)
    empty.rmdir()
    return built


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", action="append", type=float,
                        help="raw records over 365 days (repeatable; default 1e6)")
    parser.add_argument("--cache", default="build/bench",
                        help="cache and output folder (default build/bench)")
    parser.add_argument("--skip-incremental", action="store_true",
                        help="full build and floor only")
    parser.add_argument("--history", action="append", type=int,
                        help="days of history refreshed by one day (repeatable; default 90, 365)")
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                        help="spark: also build and refresh 365 days on Spark local[2]")
    parser.add_argument("--memory-limit", default=os.environ.get("AI_FINOPS_MEMORY_LIMIT", "3GB"),
                        help="DuckDB memory limit of dbt and the floor"
                        " (default $AI_FINOPS_MEMORY_LIMIT or 3GB)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cache = Path(args.cache) if Path(args.cache).is_absolute() else ROOT / args.cache
    cache.mkdir(parents=True, exist_ok=True)
    info = machine()
    log(f"machine: {info['nproc']} cores, {info['memory_gib']} GiB; load {os.getloadavg()[0]:.2f}")
    calibration = calibrate(cache)
    runs: list[dict[str, Any]] = []
    for rows in sorted(int(r) for r in (args.rows or [1e6])):
        settings = run_settings(args.memory_limit)
        histories = tuple(sorted(set(args.history or HISTORIES) | {FULL_DAYS}))
        result = bench_size(rows, cache, calibration, not args.skip_incremental,
                            args.memory_limit, histories, args.engine == "spark")
        runs = save(cache, info, {"settings": settings, **asdict(result)})
    print(markdown(info, runs), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
