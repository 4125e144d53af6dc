"""No personal data or secrets in the public tables.

Every table of schema ``main`` whose name starts with ``fct_``, ``dim_``, ``mart_`` or
``focus_`` is scanned, every text-like column (lists, structs and JSON cast to text), for
e-mail addresses and API-key-shaped strings. With pseudonymisation on (the default) the
sample warehouse has none; with ``AI_FINOPS_KEEP_EMAILS=true`` the addresses come back,
which shows the scan finds them.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, DbtResult, build_warehouse

PUBLIC_PREFIXES = ("fct_", "dim_", "mart_", "focus_")
PATTERNS: dict[str, str] = {
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
    "openai_key": r"sk-(proj-)?[A-Za-z0-9_-]{20,}",
    "anthropic_key": r"sk-ant-[A-Za-z0-9_-]{20,}",
    "aws_access_key": r"(AKIA|ASIA)[0-9A-Z]{16}",
}
# DuckDB types that can hold text: plain text, JSON, and nested types cast to text
NUMERIC_OR_TEMPORAL = (
    "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER", "DOUBLE",
    "FLOAT", "DECIMAL", "BOOLEAN", "DATE", "TIME", "TIMESTAMP", "INTERVAL", "UUID",
)


def text_columns(result: DbtResult) -> list[tuple[str, str]]:
    """(table, column) of every text-like column of the public tables."""
    rows = result.query(
        """
        select table_name, column_name, data_type
        from information_schema.columns
        where table_schema = 'main'
        order by table_name, ordinal_position
        """
    )
    return [
        (table, column)
        for table, column, data_type in rows
        if table.startswith(PUBLIC_PREFIXES)
        and not data_type.upper().startswith(NUMERIC_OR_TEMPORAL)
    ]


def scan(result: DbtResult) -> dict[tuple[str, str, str], tuple[int, str]]:
    """(table, column, pattern) -> (matching rows, one example) for every hit.

    One query per table: a count and an example per (column, pattern).
    """
    hits: dict[tuple[str, str, str], tuple[int, str]] = {}
    columns = text_columns(result)
    with result.connect() as con:
        for table in sorted({table for table, _ in columns}):
            checks = [(column, name, pattern) for t, column in columns if t == table
                      for name, pattern in PATTERNS.items()]
            select, params = [], []
            for column, _, pattern in checks:
                text = f'cast("{column}" as varchar)'
                select.append(f"count(*) filter (where regexp_matches({text}, ?))")
                select.append(
                    f"any_value(regexp_extract({text}, ?)) filter (where regexp_matches({text}, ?))"
                )
                params += [pattern, pattern, pattern]
            row = con.execute(f'select {", ".join(select)} from main."{table}"', params).fetchone()
            for number, (column, name, _) in enumerate(checks):
                count, example = row[2 * number], row[2 * number + 1]
                if count:
                    hits[(table, column, name)] = (count, example)
    return hits


def test_public_tables_are_scanned(sample_warehouse: DbtResult) -> None:
    tables = {table for table, _ in text_columns(sample_warehouse)}
    assert {"fct_ai_costs", "focus_ai_costs", "mart_rejected_rows"} <= tables
    assert {"mart_chargeback_monthly", "mart_ai_system_inventory"} <= tables


def test_no_email_or_key_in_public_tables(sample_warehouse: DbtResult) -> None:
    # the sample is full of addresses (seats, activity, Cursor events) ...
    raw_addresses = sample_warehouse.scalar(
        "select count(*) from int_ai_charges_priced where user_name like '%@%'"
    )
    assert raw_addresses > 0
    # ... and none of them reaches a public table
    assert scan(sample_warehouse) == {}


def test_pattern_catches_what_it_should() -> None:
    samples = {
        "email": "ana.ruiz@acme.example",
        "openai_key": "sk-proj-" + "a1B2" * 8,
        "anthropic_key": "sk-ant-api03-" + "x9Y8" * 8,
        "aws_access_key": "AKIA" + "ABCDEFGHIJKLMNOP",
    }
    for name, text in samples.items():
        assert re.search(PATTERNS[name], text), name
    for text in ("key_searchranker", "apikey_supporttriage", "user_3f2a9c0d1e2b4a5c", "sa-canary"):
        assert not any(re.search(p, text) for p in PATTERNS.values()), text


@pytest.fixture(scope="module")
def kept_emails_warehouse(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    """A small folder (the sample's seats, activity and Cursor events) built with
    AI_FINOPS_KEEP_EMAILS=true."""
    base = tmp_path_factory.mktemp("keep_emails")
    raw = base / "raw"
    for folder in ("seats", "activity", "cursor"):
        shutil.copytree(ROOT / "data" / "sample" / folder, raw / folder)
    result = build_warehouse(
        raw, base / "work", extra_env={"AI_FINOPS_KEEP_EMAILS": "true"}, unit_tests=False
    )
    assert result.returncode == 0, result.output[-5000:]
    return result


def test_keep_emails_brings_the_addresses_back(kept_emails_warehouse: DbtResult) -> None:
    hits = scan(kept_emails_warehouse)
    emails = {(table, column) for table, column, name in hits if name == "email"}
    assert ("fct_ai_costs", "user_name") in emails
    assert ("focus_ai_costs", "x_UserName") in emails
    seat_holders = {
        row["user_email"].lower()
        for path in (kept_emails_warehouse.raw_dir / "seats").glob("*.csv")
        for row in csv_rows(path)
    }
    in_fct = {
        name for (name,) in kept_emails_warehouse.query(
            "select distinct lower(user_name) from fct_ai_costs where user_name like '%@%'"
        )
    }
    assert in_fct and in_fct <= seat_holders
    # the finance and inventory marts never carry people, even then
    finance_marts = (
        "mart_chargeback",
        "mart_showback",
        "mart_budget",
        "mart_seat",
        "mart_unit",
        "mart_ai_system",
    )
    assert not [table for table, _ in emails if table.startswith(finance_marts)]


def csv_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file as dictionaries."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
