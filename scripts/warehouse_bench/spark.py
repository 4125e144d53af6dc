"""Spark's side of the benchmark (`--engine spark`): the 365-day landing built on Apache Spark
`local[2]` by scripts/run_build.py, the command of `AI_FINOPS_TARGET=spark make build` (the
landing step, then `dbt build` with the data tests; dbt's unit tests are left out, as in the
DuckDB builds of the benchmark), the export of day 366 landed and the same command
run again (the incremental refresh), and the refreshed Spark tables compared with the DuckDB
warehouse refreshed from the same files (ai_finops.parity: every table, money to the cent)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ai_finops.parity import engine_differences
from warehouse_bench.landings import land_next_day
from warehouse_bench.processes import measure, node_times, warm_page_cache
from warehouse_bench.results import Measure
from warehouse_bench.settings import BIN, ROOT

SPARK_MASTER = "local[2]"
# The JVM's heap: the sample needs the profile's 2g; a year at 1M records more.
SPARK_DRIVER_MEMORY = os.environ.get("AI_FINOPS_SPARK_DRIVER_MEMORY", "6g")


@dataclass
class SparkResult:
    """The Spark measurements of one size, beside DuckDB's full build and refresh."""

    master: str = SPARK_MASTER
    driver_memory: str = SPARK_DRIVER_MEMORY
    full_build: Measure | None = None
    refresh: Measure | None = None
    # differences between Spark's refreshed tables and DuckDB's (empty: the same)
    equals_duckdb: list[str] = field(default_factory=list)


def spark_env(raw: Path, warehouse: Path, key: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "AI_FINOPS_TARGET": "spark",
            "AI_FINOPS_RAW_PATH": str(raw),
            "AI_FINOPS_SPARK_WAREHOUSE": str(warehouse),
            "AI_FINOPS_SPARK_MASTER": SPARK_MASTER,
            "AI_FINOPS_SPARK_DRIVER_MEMORY": SPARK_DRIVER_MEMORY,
            # the DuckDB builds' key: the two engines' pseudonyms are the same
            "AI_FINOPS_PSEUDONYM_KEY_FILE": str(key),
            "SPARK_LOCAL_IP": os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"),
            "DBT_PROFILES_DIR": str(ROOT),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_EXCLUDE_RESOURCE_TYPES": "unit_test",
        }
    )
    env.pop("AI_FINOPS_PSEUDONYM_KEY", None)
    return env


def spark_build(raw: Path, warehouse: Path, key: Path, work: Path, label: str) -> Measure:
    """`scripts/run_build.py` on Spark (landing, then `dbt build`): wall time and peak RSS."""
    target = work / "spark-target"
    results = target / "run_results.json"
    results.unlink(missing_ok=True)
    warm_page_cache(raw)
    cmd = [str(BIN / "python"), str(ROOT / "scripts" / "run_build.py"),
           "--target-path", str(target), "--log-path", str(work / "spark-logs")]
    measured = measure(cmd, spark_env(raw, warehouse, key), work / f"{label}.log")
    if results.exists():
        measured.node_seconds, measured.slowest_nodes = node_times(results)
        shutil.copyfile(results, work / f"{label}.run_results.json")
    return measured


def bench_spark(raw: Path, next_day: Path, duckdb_refreshed: Path, key: Path,
                work: Path) -> SparkResult:
    """Full build of `raw` on Spark, the next day landed from `next_day`, the refresh, and the
    comparison with the DuckDB warehouse `duckdb_refreshed` (built from the same files)."""
    result = SparkResult()
    warehouse = work / "spark-warehouse"
    shutil.rmtree(warehouse, ignore_errors=True)
    result.full_build = spark_build(raw, warehouse, key, work, "spark-build")
    if result.full_build.ok:
        land_next_day(raw, next_day)
        result.refresh = spark_build(raw, warehouse, key, work, "spark-refresh")
        if result.refresh.ok:
            result.equals_duckdb = engine_differences(duckdb_refreshed, warehouse)
    shutil.rmtree(warehouse, ignore_errors=True)
    return result
