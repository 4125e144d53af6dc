"""Costs worked out by hand for at least one raw record of every vendor and unit.

Each case names a raw record of the shipped sample, restates the figures it carries (checked
against the raw file first, so a changed sample fails loudly), and the cost computed by hand
from the list prices in seeds/price_book.csv.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

from conftest import DbtResult

D = Decimal


def raw(sample: DbtResult, relative: str) -> Path:
    return sample.raw_dir / relative


def charges(sample: DbtResult, where: str, params: list[object]) -> dict[str, tuple]:
    """token_class → (billed_cost, consumed_quantity, cost_source, list_cost) of matching fct rows."""
    rows = sample.query(
        f"select token_class, sum(billed_cost), sum(consumed_quantity), any_value(cost_source),"
        f" sum(list_cost) from fct_ai_costs where {where} group by 1",
        params,
    )
    return {r[0]: r[1:] for r in rows}


def test_openai_cost_export_row_allocated_to_usage(sample_warehouse: DbtResult) -> None:
    # costs 2026-07-01 export, results 1-3 of the file:
    #   gpt-5 input 1,350 tokens × $1.25/1M = $0.0016875
    #   gpt-5 output 327 tokens × $10/1M = $0.00327
    #   gpt-4o-mini cached input 333,571 tokens × $0.075/1M = $0.025017825 (amount $0.025017825)
    path = raw(sample_warehouse, "openai/costs/2026-07-01T0605Z_costs_2026-06_page001.json")
    results = [r for b in json.loads(path.read_text())["data"] for r in b["results"]][:3]
    assert [(r["line_item"], r["quantity"]) for r in results] == [
        ("gpt-5-2025-08-07, input", 1350),
        ("gpt-5-2025-08-07, output", 327),
        ("gpt-4o-mini-2024-07-18, cached input", 333571),
    ]
    expected = [D("1350") * D("1.25"), D("327") * D("10"), D("333571") * D("0.075")]
    for row, cost in zip((1, 2, 3), expected):
        billed = sample_warehouse.query(
            "select sum(billed_cost), sum(consumed_quantity), count(*) from fct_ai_costs"
            " where billed_source_file = ? and billed_source_row = ?",
            [str(path), row],
        )[0]
        assert billed[0] == cost / D(1_000_000)
        assert billed[2] >= 1  # allocated onto the usage rows (user, key)


def test_anthropic_priority_tier_is_estimated_from_the_price_book(sample_warehouse: DbtResult) -> None:
    # Priority Tier never appears in cost_report: the usage row is priced at the book.
    # claude-sonnet-4-6 on 2026-04-03, api key apikey_codereview:
    #   25,887 × 3 + 46,699 × 0.30 + 5,871 × 3.75 + 3,945 × 6 + 11,063 × 15 = 303,301.95 / 1M
    path = raw(sample_warehouse, "anthropic/usage_messages/2026-05-01T0610Z_usage_messages_2026-04_page001.json")
    rows = charges(sample_warehouse, "source_file = ? and source_row = 7", [str(path)])
    assert {k: v[0] for k, v in rows.items()} == {
        "input": D("0.077661"),
        "cached_input": D("0.0140097"),
        "cache_write_5m": D("0.02201625"),
        "cache_write_1h": D("0.02367"),
        "output": D("0.165945"),
    }
    assert sum(v[0] for v in rows.values()) == D("0.30330195")
    assert {v[2] for v in rows.values()} == {"estimated_from_price_book"}


def test_anthropic_cost_report_cents(sample_warehouse: DbtResult) -> None:
    # cost_report amounts are decimal strings in cents: "0.75" → $0.0075, "0.9175" → $0.009175
    path = raw(sample_warehouse, "anthropic/cost_report/2026-05-01T0615Z_cost_report_2026-04_page001.json")
    page = json.loads(path.read_text())
    first = [r for b in page["data"] for r in b["results"]]
    row = next(i for i, r in enumerate(first, 1) if r["amount"] == "0.75"
               and r["description"] == "Claude Opus 4.6 Usage - Input Tokens")
    billed = sample_warehouse.scalar(
        "select sum(billed_cost) from fct_ai_costs where billed_source_file = ? and billed_source_row = ?",
        [str(path), row],
    )
    assert billed == D("0.0075")


def test_bedrock_first_party_per_1k_and_marketplace_per_1m(sample_warehouse: DbtResult) -> None:
    path = raw(sample_warehouse, "aws_cur/2026-05-01T0800Z_cur2_2026-04.csv")
    rows = list(csv.DictReader(path.open()))
    assert (rows[0]["line_item_usage_type"], rows[0]["pricing_unit"], rows[0]["line_item_usage_amount"]) == (
        "USE1-Claude4.6Sonnet-input-tokens", "1K tokens", "246.544")
    assert (rows[8]["product_product_name"], rows[8]["pricing_unit"], rows[8]["line_item_usage_amount"]) == (
        "Claude Sonnet 4.5 (Amazon Bedrock Edition)", "Units", "0.425013")
    first = charges(sample_warehouse, "source_file = ? and source_row = 1", [str(path)])
    # 246.544 × 1,000 tokens × $3/1M = $0.739632
    assert first["input"][0] == D("0.739632")
    assert first["input"][1] == D("246544")
    market = charges(sample_warehouse, "source_file = ? and source_row = 9", [str(path)])
    # 0.425013 × 1,000,000 tokens × $3/1M = $1.275039
    assert market["input"][0] == D("1.275039")
    assert market["input"][1] == D("425013")


def test_azure_1k_block_meter(sample_warehouse: DbtResult) -> None:
    # "gpt 4o 1120 Inp glbl Tokens", UoM 1K, Quantity 189.092 × $0.0025 = $0.47273; 189,092 tokens
    path = raw(sample_warehouse, "azure_cost/2026-05-01T0900Z_cost_details_2026-04.csv")
    first = next(csv.DictReader(path.open()))
    assert (first["MeterName"], first["UnitOfMeasure"], first["Quantity"]) == (
        "gpt 4o 1120 Inp glbl Tokens", "1K", "189.092")
    row = charges(sample_warehouse, "source_file = ? and source_row = 1", [str(path)])
    assert row["input"][0] == D("189.092") * D("0.0025")
    assert row["input"][1] == D("189092")


def test_gcp_negative_credit_is_its_own_row(sample_warehouse: DbtResult) -> None:
    # Gemini API flash input, 72,022 tokens × $0.30/1M = $0.0216066, fully offset by a
    # PROMOTION credit of -$0.0216066: billed nets to 0 across the two FOCUS rows
    path = raw(sample_warehouse, "gcp_billing/2026-05-01T0400Z_billing_export_2026-04.jsonl")
    record = json.loads(path.read_text().splitlines()[72])
    assert record["usage"]["amount"] == 72022 and record["credits"][0]["amount"] == -0.0216066
    rows = sample_warehouse.query(
        "select charge_category, billed_cost from fct_ai_costs where source_file = ? and source_row = 73"
        " order by 1 desc", [str(path)])
    assert rows == [("Usage", D("72022") * D("0.30") / D(1_000_000)), ("Credit", D("-0.0216066"))]


def test_copilot_premium_requests_then_ai_credits(sample_warehouse: DbtResult) -> None:
    april = raw(sample_warehouse, "github_copilot/2026-05-01T1200Z_usage_report_2026-04.csv")
    june = raw(sample_warehouse, "github_copilot/2026-07-01T1200Z_usage_report_2026-06.csv")
    # 5 premium requests (Sonnet 4.6, multiplier 1) × $0.04 = $0.20 gross, all within the
    # included allowance: net (billed) $0.00, list $0.20
    pr = charges(sample_warehouse, "source_file = ? and source_row = 4", [str(april)])
    assert pr == {"premium_request": (D("0"), D("5"), "vendor_reported", D("0.20"))}
    # 7 AI credits × $0.01 = $0.07 gross, covered by the pooled seat credits: net $0.00
    aic = charges(sample_warehouse, "source_file = ? and source_row = 4", [str(june)])
    assert aic == {"ai_credit": (D("0"), D("7"), "vendor_reported", D("0.07"))}
    assert sample_warehouse.scalar(
        "select estimated_cost from fct_ai_costs where source_file = ? and source_row = 4", [str(june)]
    ) == D("0.07")


def test_cursor_cents_and_included_events(sample_warehouse: DbtResult) -> None:
    path = raw(sample_warehouse, "cursor/usage_events/2026-04-01T0620Z_usage_events_2026-03_page001.json")
    events = json.loads(path.read_text())["usageEvents"]
    assert events[0]["tokenUsage"]["totalCents"] == 3.45 and events[0]["kind"] == "Usage-based"
    assert events[1]["kind"] == "Included in Business"
    first = charges(sample_warehouse, "source_file = ? and source_row = 1", [str(path)])
    assert first["request"][0] == D("0.0345")  # 3.45 cents
    second = charges(sample_warehouse, "source_file = ? and source_row = 2", [str(path)])
    # covered by the seat: billed 0, its notional cost kept as list cost
    assert second["request"][0] == 0
    assert second["request"][3] == D(str(events[1]["tokenUsage"]["totalCents"])) / 100


def test_seat_months(sample_warehouse: DbtResult) -> None:
    # Claude Team at $30 per seat-month: October 2026 = 30 × seats held in October
    seats_file = next((sample_warehouse.raw_dir / "seats").glob("*.csv"))
    held = [
        r for r in csv.DictReader(seats_file.open())
        if r["product"] == "claude_team" and r["start_date"] <= "2026-10-31"
        and (r["end_date"] == "" or r["end_date"] > "2026-10-01")
    ]
    billed = sample_warehouse.query(
        "select count(*), sum(billed_cost) from fct_ai_costs where cost_grain = 'seat'"
        " and service_name = 'claude_team' and charge_on = date '2026-10-01'")[0]
    assert billed == (len(held), D(30) * len(held))
    assert len(held) > 0
