"""`make build`: runs `dbt build` over the raw exports and prints a short summary.

The summary shows AI spend by provider for the last full calendar month (in the reporting
currency), open pricing incidents by type, and rejected raw rows. The exit code is dbt's:
non-zero on any error-severity test failure or model error. With AI_FINOPS_TARGET=spark the
raw files are landed first (python -m ai_finops.land), dbt's unit tests are left out (as the
scheduled refresh leaves them out: they check the code on fixed inputs, and `make test-spark`
runs them on Spark; DBT_EXCLUDE_RESOURCE_TYPES set in the environment overrides this), and the
summary reads the Parquet tables under AI_FINOPS_SPARK_WAREHOUSE.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]


def db_path() -> Path:
    """The warehouse file, from AI_FINOPS_DB_PATH (relative paths are from the repo root)."""
    path = Path(os.environ.get("AI_FINOPS_DB_PATH", "warehouse/ai_finops.duckdb"))
    return path if path.is_absolute() else ROOT / path


def last_full_month(today: dt.date) -> tuple[dt.date, dt.date]:
    """First day of the previous calendar month and first day of the current one."""
    this_month = today.replace(day=1)
    previous = (this_month - dt.timedelta(days=1)).replace(day=1)
    return previous, this_month


def spark_warehouse() -> Path:
    """The Spark warehouse folder, from AI_FINOPS_SPARK_WAREHOUSE."""
    path = Path(os.environ.get("AI_FINOPS_SPARK_WAREHOUSE", "warehouse/spark"))
    return path if path.is_absolute() else ROOT / path


def spark_tables(con: duckdb.DuckDBPyConnection, warehouse: Path) -> None:
    """Views in `con` over the Spark build's Parquet tables (one folder per table)."""
    schema = os.environ.get("AI_FINOPS_SPARK_SCHEMA", "ai_finops")
    for folder in sorted((warehouse / "tables" / f"{schema}.db").glob("*")):
        if any(folder.rglob("*.parquet")):
            con.execute(f"create view {folder.name} as select * from read_parquet("
                        f"'{folder}/**/*.parquet', hive_partitioning = true)")


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_name = ?",
            [name],
        ).fetchone()[0]
    )


def summary(path: Path, today: dt.date, spark: bool = False) -> str:
    """The summary text printed after a build (of the DuckDB file, or of Spark's tables)."""
    lines: list[str] = []
    start, end = last_full_month(today)
    with duckdb.connect(":memory:" if spark else str(path), read_only=not spark) as con:
        if spark:
            spark_tables(con, path)
        if table_exists(con, "fct_ai_costs"):
            rows = con.execute(
                """
                select provider, reporting_currency,
                       sum(billed_cost_reporting) as billed,
                       count(*) filter (where billed_cost_reporting is null) as unpriced
                from fct_ai_costs
                where charge_on >= ? and charge_on < ?
                group by 1, 2 order by billed desc nulls last
                """,
                [start, end],
            ).fetchall()
            lines.append(f"AI spend {start:%Y-%m} (last full month) by provider:")
            total = Decimal(0)
            for provider, currency, billed, unpriced in rows:
                billed = billed or Decimal(0)
                total += billed
                note = f"  ({unpriced} unpriced rows)" if unpriced else ""
                lines.append(f"  {provider:<16} {billed:>14,.2f} {currency}{note}")
            if not rows:
                lines.append("  no charges in that month")
            else:
                lines.append(f"  {'total':<16} {total:>14,.2f}")
        if table_exists(con, "mart_pricing_incidents"):
            incidents = con.execute(
                "select incident_type, count(*) from mart_pricing_incidents"
                " group by 1 order by 1"
            ).fetchall()
            text = ", ".join(f"{kind} {n}" for kind, n in incidents) or "none"
            lines.append(f"Open incidents: {text}")
        if table_exists(con, "mart_rejected_rows"):
            rejected = con.execute("select count(*) from mart_rejected_rows").fetchone()[0]
            lines.append(f"Rejected raw rows: {rejected} (see mart_rejected_rows)")
    return "\n".join(lines)


def main() -> int:
    os.chdir(ROOT)
    spark = os.environ.get("AI_FINOPS_TARGET", "duckdb") == "spark"
    if spark:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("DBT_EXCLUDE_RESOURCE_TYPES", "unit_test")
        landed = subprocess.call([sys.executable, "-m", "ai_finops.land"])
        if landed != 0:
            return landed
    dbt = str(Path(sys.executable).parent / "dbt")
    code = subprocess.call([dbt, "build", *sys.argv[1:]])
    path = spark_warehouse() if spark else db_path()
    if path.exists():
        try:
            print(summary(path, dt.date.today(), spark))
        except duckdb.Error as error:  # a failed build may leave tables half-made
            print(f"(no summary: {error})")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
