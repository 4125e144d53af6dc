"""Whether a Spark build and a DuckDB build of the same raw folder hold the same results.

The Spark build's tables are Parquet folders under `<warehouse>/tables/<schema>.db/`, read here
with DuckDB (any Parquet reader can). `engine_differences(duckdb_file, spark_warehouse)` lists,
for the public tables and every other model both builds wrote: a missing table or other
columns; other figures (rows; billed, effective and list cost per provider, month and cost
source to the cent; incidents by type, provider and start day; rejected rows by reason); and
rows of one that the other lacks, compared as multisets with numbers rounded to 6 decimals.
Columns that are hashes of one engine's own rendering (partition_digest, record_hash) or paths
of its own files (landed_path) are left out of the row comparison.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

PUBLIC = ("fct_ai_costs", "focus_ai_costs", "mart_pricing_incidents", "mart_rejected_rows")
ENGINE_OWN = {"partition_digest", "landed_path", "record_hash"}
FIGURES = {
    "money per provider, month and cost source": """
        select provider, strftime(charge_on, '%Y-%m') as month, cost_source,
               round(sum(billed_cost), 2), round(sum(effective_cost), 2),
               round(sum(list_cost), 2), count(*)
        from {fct_ai_costs} group by all order by all""",
    "incidents by type, provider and start day": """
        select incident_type, provider, started_on, count(*)
        from {mart_pricing_incidents} group by all order by all""",
    "rejected rows by reason": """
        select reason, count(*) from {mart_rejected_rows} group by all order by all""",
}


def spark_tables(warehouse: Path, schema: str = "ai_finops") -> dict[str, Path]:
    """The Spark build's tables that hold Parquet files, by name."""
    return {folder.name: folder for folder in sorted((warehouse / "tables" / f"{schema}.db").glob("*"))
            if any(folder.rglob("*.parquet"))}


def engine_differences(duckdb_file: Path, spark_warehouse: Path) -> list[str]:
    """Every difference between the two builds (empty when they agree)."""
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute(f"attach '{duckdb_file}' as duck (read_only)")
    duck = {r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = 'duck'"
        " union select view_name from duckdb_views() where database_name = 'duck'"
        " and not internal").fetchall()}
    spark = spark_tables(spark_warehouse)
    problems = [f"{name}: not written by Spark" for name in PUBLIC if name not in spark]
    for name, folder in spark.items():
        con.execute(f"create view spark_{name} as select * from read_parquet("
                    f"'{folder}/**/*.parquet', hive_partitioning = true)")
    for title, sql in FIGURES.items():
        if not all(name in spark for name in PUBLIC):
            break
        on_duck = con.execute(sql.format(**{n: f"duck.main.{n}" for n in PUBLIC})).fetchall()
        on_spark = con.execute(sql.format(**{n: f"spark_{n}" for n in PUBLIC})).fetchall()
        if on_duck != on_spark:
            problems.append(f"{title}: DuckDB {sorted(set(on_duck) - set(on_spark))[:5]}"
                            f" vs Spark {sorted(set(on_spark) - set(on_duck))[:5]}")
    for name in sorted(set(spark) & duck):
        problems += table_differences(con, name)
    return problems


def table_differences(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    """Columns, then rows (as multisets) of one table on both engines."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_catalog = 'duck' and table_name = ? order by ordinal_position",
        [name]).fetchall()
    spark_columns = {r[0] for r in con.execute(f"describe spark_{name}").fetchall()}
    if {c for c, _ in columns} != spark_columns:
        return [f"{name}: columns differ: {sorted({c for c, _ in columns} ^ spark_columns)}"]
    values = ", ".join(normalised(column, kind) for column, kind in columns
                       if column not in ENGINE_OWN)
    only_duck, only_spark = (con.execute(
        f"select count(*) from (select {values} from {a} except all select {values} from {b})"
    ).fetchone()[0] for a, b in ((f"duck.main.{name}", f"spark_{name}"),
                                 (f"spark_{name}", f"duck.main.{name}")))
    if only_duck or only_spark:
        return [f"{name}: {only_duck} rows only on DuckDB, {only_spark} only on Spark"]
    return []


def normalised(column: str, kind: str) -> str:
    """A column as both engines' values compare: numbers to 6 decimals, instants in UTC."""
    if kind in ("DOUBLE", "FLOAT") or kind.startswith("DECIMAL"):
        return f'round(cast("{column}" as double), 6)'
    if kind.startswith("TIMESTAMP"):
        return f'cast("{column}" as timestamptz)'
    return f'cast("{column}" as varchar)'
