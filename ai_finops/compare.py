"""Whether two warehouses hold the same data: a refresh compared with a full build.

`compare_warehouses(refreshed, full)` lists every difference between an incrementally built
warehouse and one built from scratch over the same raw folder: a relation of the full build
missing or with other columns, rows of one that the other lacks (every table and view of schema
main, compared as multisets: the row count and the sum of the rows' 64-bit hashes, then the
rows themselves when those differ), and the money of fct_ai_costs per provider, month, cost
source and currency. Used by the refresh tests and by scripts/bench.py.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# relations that are not the output of a model
NOT_MODELS = {"raw_schema_drift_log"}
# columns that name where a build wrote its own files, not data
BUILD_PATHS = {"landed_path"}


def relations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables and views of the connection's own database that models wrote."""
    rows = con.execute(
        "select table_name from duckdb_tables() where schema_name = 'main'"
        " and database_name = current_database()"
        " union select view_name from duckdb_views() where schema_name = 'main'"
        " and database_name = current_database() and not internal order by 1").fetchall()
    return [r[0] for r in rows if r[0] not in NOT_MODELS]


def columns(con: duckdb.DuckDBPyConnection, database: str, relation: str) -> list[str]:
    """A relation's columns in order, without the build paths."""
    rows = con.execute(
        "select column_name from duckdb_columns() where database_name = ?"
        " and schema_name = 'main' and table_name = ? order by column_index",
        [database, relation]).fetchall()
    return [r[0] for r in rows if r[0] not in BUILD_PATHS]


def money(con: duckdb.DuckDBPyConnection, database: str) -> dict[tuple, tuple]:
    """Billed, effective and list cost of fct_ai_costs per provider, month and cost source."""
    rows = con.execute(
        f"select provider, strftime(charge_on, '%Y-%m'), cost_source, billing_currency,"
        f" count(*), sum(billed_cost), sum(effective_cost), sum(list_cost)"
        f' from "{database}".main.fct_ai_costs group by all').fetchall()
    return {tuple(r[:4]): tuple(r[4:]) for r in rows}


def compare_warehouses(incremental: Path, full: Path) -> list[str]:
    """Differences between an incrementally built warehouse and a full build (empty: none)."""
    problems: list[str] = []
    with duckdb.connect(str(full), read_only=True) as con:
        con.execute(f"attach '{incremental}' as refreshed (read_only)")
        full_name = con.execute("select current_database()").fetchall()[0][0]
        refreshed_relations = set(
            r[0] for r in con.execute(
                "select table_name from duckdb_tables() where database_name = 'refreshed'"
                " union select view_name from duckdb_views()"
                " where database_name = 'refreshed'").fetchall())
        for relation in relations(con):
            if relation not in refreshed_relations:
                problems.append(f"{relation}: missing from the refreshed warehouse")
                continue
            wanted = columns(con, full_name, relation)
            got = columns(con, "refreshed", relation)
            if wanted != got:
                problems.append(f"{relation}: columns {got} != {wanted}")
                continue
            listed = ", ".join(f'"{c}"' for c in wanted)
            full_rows = f'select {listed} from "{full_name}".main."{relation}"'
            refreshed_rows = f'select {listed} from refreshed.main."{relation}"'
            # a multiset fingerprint first (one scan each); the rows only when they differ
            fingerprint = (f"select count(*), cast(sum(cast(hash({listed}) as hugeint))"
                           f" as varchar) from ({{}})")
            if (con.execute(fingerprint.format(full_rows)).fetchall()
                    == con.execute(fingerprint.format(refreshed_rows)).fetchall()):
                continue
            extra = con.execute(
                f"select count(*) from ({refreshed_rows} except all {full_rows})").fetchall()[0][0]
            missing = con.execute(
                f"select count(*) from ({full_rows} except all {refreshed_rows})").fetchall()[0][0]
            if extra or missing:
                problems.append(f"{relation}: {extra} rows not in the full build,"
                                f" {missing} rows of the full build missing")
        full_money, refreshed_money = money(con, full_name), money(con, "refreshed")
        if full_money != refreshed_money:
            keys = sorted(set(full_money) | set(refreshed_money), key=str)
            for key in keys:
                if full_money.get(key) != refreshed_money.get(key):
                    problems.append(f"money {key}: refreshed {refreshed_money.get(key)}"
                                    f" != full {full_money.get(key)}")
    return problems
