"""A refresh equals a full build on the shipped sample, changed as a user would change it.

The four cases that once published wrong money, one after the other on one landing, each
refreshed with a full `dbt build` (data tests included) and compared with a build from scratch
of the same folder (refresh_check.compare_warehouses: every table and view, and the money per
provider, month and cost source): the same landing built twice; a wrongly landed cost export
deleted; an export re-delivered in place with changed values; a late restatement of a past
month. The drawn sequences of changes are in test_refresh_property.py.
"""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb

from conftest import ROOT
from refresh_check import Project, assert_refresh_equals_full, later_copy, rewrite_in_place

REPOSITORY = Project(ROOT)


def scalar(db: Path, sql: str) -> object:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()[0][0]


def copilot_seat_lines(raw: Path) -> tuple[int, Decimal]:
    """Count and net amount of the seat lines (unit user-months) of the GitHub usage reports,
    read with Python's csv module: 27 lines, $4,240.97 in the sample."""
    count, total = 0, Decimal(0)
    for path in sorted((raw / "github_copilot").glob("*.csv")):
        with open(path, newline="", encoding="utf-8-sig") as source:
            for row in csv.DictReader(source):
                if row["unit_type"] == "user-months":
                    count += 1
                    total += Decimal(row["net_amount"])
    return count, total


def test_fixed_cases_on_the_sample(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "data" / "sample", raw)
    db = tmp_path / "warehouse.duckdb"
    REPOSITORY.build(raw, db, tmp_path / "refresh-work", data_tests=True)
    copilot_seats = (
        "select count(*), sum(\"BilledCost\") from focus_ai_costs"
        " where \"x_Provider\" = 'github_copilot' and \"ChargeCategory\" = 'Purchase'"
        " and \"x_SourceFile\" like '%/github_copilot/%'")
    first = scalar(db, "select count(*) from focus_ai_costs")

    # 1. the same landing built twice: nothing is lost (the 27 Copilot seat purchases stay)
    assert_refresh_equals_full(REPOSITORY, raw, db, tmp_path, True, "a second build")
    assert scalar(db, "select count(*) from focus_ai_costs") == first
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(copilot_seats).fetchall()[0] == copilot_seat_lines(raw)

    # 2. a wrongly landed cost export deleted: April's OpenAI usage is estimated again, and
    # what stays vendor-reported are the 25 ChatGPT Enterprise seat-months at $60
    (raw / "openai" / "costs" / "2026-05-01T0605Z_costs_2026-04_page001.json").unlink()
    assert_refresh_equals_full(REPOSITORY, raw, db, tmp_path, True, "a deleted cost export")
    with duckdb.connect(str(db), read_only=True) as con:
        april = dict((source, (rows, cost)) for source, rows, cost in con.execute(
            "select cost_source, count(*), sum(billed_cost) from fct_ai_costs"
            " where provider = 'openai' and charge_on >= '2026-04-01'"
            " and charge_on < '2026-05-01' group by 1").fetchall())
    assert april["vendor_reported"] == (25, Decimal("1500.0000000000"))
    assert april["estimated_from_price_book"][0] > 0
    assert scalar(db, "select count(*) from fct_ai_costs where billed_source_file like"
                      " '%2026-05-01T0605Z_costs_2026-04%'") == 0

    # 3. an export re-delivered in place with changed values
    rewrite_in_place(raw / "anthropic" / "usage_messages"
                     / "2026-07-01T0610Z_usage_messages_2026-06_page001.json")
    assert_refresh_equals_full(REPOSITORY, raw, db, tmp_path, True, "a re-delivered export")

    # 4. a late restatement of a past month's OpenAI costs (a newer export of March)
    later_copy(raw / "openai" / "costs" / "2026-04-01T0605Z_costs_2026-03_page001.json",
               "2026-11-30T0605Z", restate=True)
    assert_refresh_equals_full(REPOSITORY, raw, db, tmp_path, True, "a late restatement")
