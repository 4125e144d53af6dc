"""Expectation suites of the AI FinOps checkpoint, as code: one suite per dataset.

Every expectation carries a stable check name in `meta["check"]` (printed on failure, asserted
by the tests) and a one-line description shown in Data Docs. The datasets themselves are
defined in `finops_datasets.py`.

* public_tables: the four public tables exist.
* fct_ai_costs: charge_id unique and not null; allowed providers, cost sources, charge
  categories and token classes; team and cost centre never null; costs >= 0 except Credit
  rows (<= 0) and Adjustment rows (either sign); quantities >= 0.
* focus_ai_costs: the same on the FOCUS columns (x_ChargeId, BilledCost, ...).
* mart_pricing_incidents: incident_type one of the eight documented types; provider allowed;
  started_on set; magnitude > 0 when set.
* mart_rejected_rows: one row per raw record, with its file, row and reason.
* raw_landing_rows: per raw file, records read = used + rejected + superseded.
* raw_landing_money: per raw cost file, vendor cost over used rows = fct billed cost.
* cross_table: FOCUS rows and billed cost = fct's priced rows and billed cost; rejected mart
  rows = records not used; every vendor-reported charge names its billed source file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import great_expectations.expectations as gxe

PROVIDERS: list[str] = [
    "openai",
    "anthropic",
    "aws_bedrock",
    "azure_openai",
    "gcp_vertex",
    "github_copilot",
    "cursor",
]
COST_SOURCES: list[str] = ["vendor_reported", "estimated_from_price_book"]
CHARGE_CATEGORIES: list[str] = ["Usage", "Purchase", "Tax", "Credit", "Adjustment"]
TOKEN_CLASSES: list[str] = [
    "input",
    "cached_input",
    "cache_write",
    "cache_write_5m",
    "cache_write_1h",
    "output",
    "web_search",
    "code_execution",
    "storage",
    "ptu_hour",
    "premium_request",
    "ai_credit",
    "seat",
    "request",
    "other",
]
INCIDENT_TYPES: list[str] = [
    "tokenizer_shift",
    "unit_price_change",
    "new_billing_unit",
    "unpriced_model",
    "reconciliation_gap",
    "spend_spike",
    "duplicate_export",
    "schema_drift",
]
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


def not_null(column: str, what: str) -> Check:
    return _named(
        f"{column}_not_null",
        f"{what} is never null",
        gxe.ExpectColumnValuesToNotBeNull(column=column),
    )


def in_set(column: str, values: list[str], what: str) -> Check:
    return _named(
        f"{column}_allowed",
        f"{what} is one of: {', '.join(values)}",
        gxe.ExpectColumnValuesToBeInSet(column=column, value_set=values),
    )


def non_negative(column: str, what: str, check: str | None = None) -> Check:
    return _named(
        check or f"{column}_non_negative",
        what,
        gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0),
    )


def cost_non_negative(column: str, what: str) -> Check:
    """`<column>_non_credit` (the cost of rows that are not Credit/Adjustment) >= 0."""
    return non_negative(
        f"{column}_non_credit",
        f"{what} >= 0 except Credit and Adjustment rows",
        f"{column}_non_negative",
    )


def credit_non_positive(what: str) -> Check:
    return _named(
        "credit_billed_cost_non_positive",
        f"Credit rows have {what} <= 0",
        gxe.ExpectColumnValuesToBeBetween(column="billed_cost_credit", max_value=0),
    )


def equal(check: str, left: str, right: str, what: str) -> Check:
    return _named(check, what, gxe.ExpectColumnPairValuesToBeEqual(column_A=left, column_B=right))


def unique(column: str, what: str) -> Check:
    return _named(f"{column}_unique", what, gxe.ExpectColumnValuesToBeUnique(column=column))


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


def fct_suite() -> Suite:
    return Suite(
        "fct_ai_costs",
        "fct_ai_costs",
        [
            not_null("charge_id", "charge_id"),
            unique("charge_id", "charge_id identifies one charge"),
            not_null("provider", "provider"),
            in_set("provider", PROVIDERS, "provider"),
            not_null("cost_source", "cost_source"),
            in_set("cost_source", COST_SOURCES, "cost_source"),
            not_null("charge_category", "charge_category"),
            in_set("charge_category", CHARGE_CATEGORIES, "charge_category (FOCUS)"),
            in_set("token_class", TOKEN_CLASSES, "token_class"),
            not_null("team", "team (unattributed spend is 'unallocated')"),
            not_null("cost_center", "cost_center (unattributed spend is 'unallocated')"),
            cost_non_negative("billed_cost", "billed_cost"),
            cost_non_negative("list_cost", "list_cost"),
            cost_non_negative("effective_cost", "effective_cost"),
            cost_non_negative("billed_cost_reporting", "billed_cost_reporting"),
            credit_non_positive("billed_cost"),
            non_negative("consumed_quantity", "consumed_quantity >= 0"),
            non_negative("pricing_quantity", "pricing_quantity >= 0"),
            non_negative("request_count", "request_count >= 0"),
        ],
    )


def focus_suite() -> Suite:
    return Suite(
        "focus_ai_costs",
        "focus_ai_costs",
        [
            not_null("x_charge_id", "x_ChargeId"),
            unique("x_charge_id", "x_ChargeId identifies one charge"),
            in_set("x_provider", PROVIDERS, "x_Provider"),
            not_null("x_cost_source", "x_CostSource"),
            in_set("x_cost_source", COST_SOURCES, "x_CostSource"),
            not_null("charge_category", "ChargeCategory"),
            in_set("charge_category", CHARGE_CATEGORIES, "ChargeCategory"),
            in_set("x_token_class", TOKEN_CLASSES, "x_TokenClass"),
            not_null("x_team", "x_Team"),
            not_null("x_cost_center", "x_CostCenter"),
            not_null("billed_cost", "BilledCost (FOCUS: never null)"),
            not_null("billing_currency", "BillingCurrency"),
            cost_non_negative("billed_cost", "BilledCost"),
            cost_non_negative("effective_cost", "EffectiveCost"),
            cost_non_negative("list_cost", "ListCost"),
            credit_non_positive("BilledCost"),
            non_negative("consumed_quantity", "ConsumedQuantity >= 0"),
            non_negative("pricing_quantity", "PricingQuantity >= 0"),
        ],
    )


def incidents_suite() -> Suite:
    return Suite(
        "mart_pricing_incidents",
        "mart_pricing_incidents",
        [
            not_null("incident_type", "incident_type"),
            in_set("incident_type", INCIDENT_TYPES, "incident_type"),
            in_set("provider", PROVIDERS, "provider"),
            not_null("started_on", "started_on"),
            _named(
                "magnitude_positive",
                "magnitude (ratio new/old) > 0 when set",
                gxe.ExpectColumnValuesToBeBetween(
                    column="magnitude", min_value=0, strict_min=True
                ),
            ),
        ],
    )


def rejected_suite() -> Suite:
    return Suite(
        "mart_rejected_rows",
        "mart_rejected_rows",
        [
            not_null("source_file", "source_file"),
            not_null("source_row", "source_row"),
            non_negative("source_row", "source_row >= 0 (0 = the whole file)"),
            not_null("reason", "reason"),
            _named(
                "raw_record_unique",
                "one row per raw record (source_file, source_row)",
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["source_file", "source_row"]),
            ),
        ],
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


def cross_table_suite() -> Suite:
    return Suite(
        "cross_table",
        "cross_table",
        [
            equal(
                "focus_rows_match_fct", "focus_rows", "fct_priced_rows",
                "focus_ai_costs has one row per priced fct_ai_costs charge",
            ),
            equal(
                "focus_billed_matches_fct", "focus_billed_cost", "fct_billed_cost",
                "sum of BilledCost = sum of fct billed_cost",
            ),
            equal(
                "rejected_rows_match_classified", "rejected_mart_rows", "classified_not_used_rows",
                "mart_rejected_rows lists every raw record not used",
            ),
            equal(
                "vendor_charges_name_source", "vendor_rows_without_billed_source", "zero",
                "every vendor-reported charge names its billed source file",
            ),
        ],
    )


def suites() -> list[Suite]:
    """All suites of the checkpoint, in the order they run and print."""
    return [
        public_tables_suite(),
        fct_suite(),
        focus_suite(),
        incidents_suite(),
        rejected_suite(),
        raw_rows_suite(),
        raw_money_suite(),
        cross_table_suite(),
    ]


def result_format(suite: Suite) -> dict[str, Any]:
    """COMPLETE results (with identifying columns) for small aggregates, SUMMARY otherwise."""
    if suite.index_columns:
        return {"result_format": "COMPLETE", "unexpected_index_column_names": suite.index_columns}
    return {"result_format": "SUMMARY"}
