"""Expectation suites of the AI FinOps checkpoint, as code: one suite per dataset.

Every expectation carries a stable check name in `meta["check"]` (printed on failure, asserted
by the tests) and a one-line description shown in Data Docs. The datasets themselves are
defined in `finops_datasets.py`. Only what dbt's tests cannot express is here (allowed values,
uniqueness, sign rules and cross-table totals are dbt tests on the models):

* public_tables: the four public tables exist.
* raw_landing_rows: per raw file, records read (counted from the file) = used + rejected +
  superseded.
* raw_landing_money: per raw cost file, vendor cost over used rows = fct billed cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import great_expectations.expectations as gxe

PUBLIC_TABLE_NAMES: list[str] = [
    "fct_ai_costs",
    "focus_ai_costs",
    "mart_pricing_incidents",
    "mart_rejected_rows",
]


@dataclass(frozen=True)
class Suite:
    """One expectation suite: the dataset it validates and its (check name, expectation) list."""

    name: str
    dataset: str
    checks: list[Check]
    # columns that identify a failing row in Data Docs (small aggregate datasets only)
    index_columns: list[str] = field(default_factory=list)


Check = tuple[str, gxe.Expectation]


def _named(check: str, description: str, expectation: gxe.Expectation) -> Check:
    """Attaches the stable check name and the description to an expectation."""
    expectation.meta = {"check": check}
    expectation.description = description
    return check, expectation


def equal(check: str, left: str, right: str, what: str) -> Check:
    return _named(check, what, gxe.ExpectColumnPairValuesToBeEqual(column_A=left, column_B=right))


def public_tables_suite() -> Suite:
    return Suite(
        "public_tables",
        "public_tables",
        [
            _named(
                "public_table_present",
                "every public table exists in the warehouse",
                gxe.ExpectColumnValuesToBeInSet(column="is_present", value_set=[True]),
            ),
            _named(
                "public_table_rows",
                "the four public tables are listed",
                gxe.ExpectTableRowCountToEqual(value=len(PUBLIC_TABLE_NAMES)),
            ),
        ],
        ["table_name"],
    )


def raw_rows_suite() -> Suite:
    return Suite(
        "raw_landing_rows",
        "raw_landing_rows",
        [
            equal(
                "rows_conserved",
                "rows_read",
                "rows_accounted",
                "per raw file: records read = used + rejected + superseded",
            ),
            _named(
                "record_status_known",
                "every classified record is used, rejected or superseded",
                gxe.ExpectColumnValuesToBeBetween(
                    column="rows_other_status", min_value=0, max_value=0
                ),
            ),
        ],
        ["export_name", "file_name"],
    )


def raw_money_suite() -> Suite:
    return Suite(
        "raw_landing_money",
        "raw_landing_money",
        [
            _named(
                "money_conserved",
                "per raw cost file: fct billed cost - vendor cost over used rows = 0"
                " (exact decimals)",
                gxe.ExpectColumnValuesToBeBetween(column="billed_gap", min_value=0, max_value=0),
            ),
        ],
        ["file_name"],
    )


def suites() -> list[Suite]:
    """All suites of the checkpoint, in the order they run and print."""
    return [
        public_tables_suite(),
        raw_rows_suite(),
        raw_money_suite(),
    ]


def result_format(suite: Suite) -> dict[str, Any]:
    """COMPLETE results (with identifying columns) for small aggregates, SUMMARY otherwise."""
    if suite.index_columns:
        return {"result_format": "COMPLETE", "unexpected_index_column_names": suite.index_columns}
    return {"result_format": "SUMMARY"}
