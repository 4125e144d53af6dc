"""Public examples the vendors wrote (tests/fixtures/real, PROVENANCE.md), built end to end.

Figures are recomputed here from the JSON files: every result with an amount reaches
fct_ai_costs as vendor-reported cost, nothing is rejected, and usage on a day a cost export
covers is priced by that export, never estimated on top of it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import FIXTURES, DbtResult, build_warehouse, copy_raw

REAL = FIXTURES / "real"


def results(export: str) -> list[tuple[Path, dict, dict]]:
    """(file, bucket, result) of every result of every page of an export folder."""
    found = []
    for path in sorted((REAL / export).glob("*.json")):
        for bucket in json.loads(path.read_text())["data"]:
            for result in bucket["results"]:
                found.append((path, bucket, result))
    return found


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    base = tmp_path_factory.mktemp("real")
    raw = copy_raw(REAL, base / "raw")
    (raw / "PROVENANCE.md").unlink()
    result = build_warehouse(raw, base / "work", unit_tests=False)
    assert result.returncode == 0, result.output[-4000:]
    return result


def test_nothing_is_rejected(real: DbtResult) -> None:
    assert real.query("select source_file, reason from mart_rejected_rows") == []


def test_openai_billed_equals_the_cost_pages(real: DbtResult) -> None:
    vendor: dict[str, Decimal] = defaultdict(Decimal)
    for path, _, result in results("openai/costs"):
        vendor[str(path.name)] += Decimal(str(result["amount"]["value"]))
    assert dict(vendor) == {
        "20241102T000000Z_costs_api_reference.json": Decimal("0.06"),
        "20241103T000000Z_costs_object_example.json": Decimal("0.06"),
    }
    billed = dict(
        real.query(
            "select regexp_extract(billed_source_file, '[^/]+$'), sum(billed_cost)"
            " from fct_ai_costs where provider = 'openai' group by 1"
        )
    )
    assert billed == vendor
    assert real.scalar(
        "select count(*) from fct_ai_costs where cost_source = 'estimated_from_price_book'"
    ) == 0


def test_ungrouped_cost_covers_the_days_usage(real: DbtResult) -> None:
    # The costs example ($0.06, no line item, no project) and the usage example (1,000 input
    # tokens of which 800 cached, 500 output) are the same day, 2024-11-01: the cost row
    # splits over the day's usage by tokens (uncached input 200, cached 800, output 500):
    # 0.06 × 200/1500 = 0.008, × 800/1500 = 0.032, × 500/1500 = 0.02.
    (_, bucket, usage), = results("openai/usage_completions")
    assert (bucket["start_time"], usage["input_tokens"], usage["input_cached_tokens"],
            usage["output_tokens"]) == (1730419200, 1000, 800, 500)
    rows = real.query(
        "select token_class, consumed_quantity, billed_cost, cost_allocation"
        " from fct_ai_costs where cost_grain = 'usage' order by token_class"
    )
    assert rows == [
        ("cached_input", 800, Decimal("0.032"), "day"),
        ("input", 200, Decimal("0.008"), "day"),
        ("output", 500, Decimal("0.02"), "day"),
    ]


def test_cost_row_without_usage_stays_whole(real: DbtResult) -> None:
    # "Image models" on proj_abc, 2024-11-02: no usage that day, kept whole and unallocated
    assert real.query(
        "select charge_on::varchar, sub_account_id, vendor_sku, billed_cost, cost_allocation"
        " from fct_ai_costs where cost_grain = 'cost_export'"
    ) == [("2024-11-02", "proj_abc", "Image models", Decimal("0.06"), "unallocated")]


def cursor_events() -> list[dict]:
    """Every usage event of the Cursor fixtures, in time order."""
    events = [e for path in sorted((REAL / "cursor" / "usage_events").glob("*.json"))
              for e in json.loads(path.read_text(), parse_float=Decimal)["usageEvents"]]
    return sorted(events, key=lambda e: int(e["timestamp"]))


def test_cursor_bills_charged_cents_else_total_cents(real: DbtResult) -> None:
    # What Cursor bills: chargedCents where the response has it (its token fee added, its
    # discount applied), else totalCents (older responses); isChargeable false is in the plan
    events = cursor_events()
    billed = [
        Decimal(0) if e.get("isChargeable") is False or "Included" in e["kind"]
        else e.get("chargedCents", e["tokenUsage"]["totalCents"]) / 100
        for e in events
    ]
    listed = [(e["tokenUsage"]["totalCents"] + e.get("cursorTokenFee", 0)) / 100 for e in events]
    assert billed == [Decimal("0.0437"), Decimal(0), Decimal("0.0865")]
    assert listed == [Decimal("0.0437"), Decimal("0.031"), Decimal("0.1075")]
    # the discounted event: 10.5 cents less 20 %, plus the 0.25-cent token fee
    assert Decimal("10.5") * Decimal("0.8") + Decimal("0.25") == events[2]["chargedCents"]
    rows = real.query(
        "select billed_cost, list_cost, model, is_included_in_seat from fct_ai_costs"
        " where provider = 'cursor' order by charge_period_start_at"
    )
    assert [r[0] for r in rows] == billed
    assert [r[1] for r in rows] == listed
    # Cursor's model names reach the canonical models ("-thinking" is a mode, not a model)
    assert [r[2] for r in rows] == ["claude-sonnet-4", "claude-opus-4", "claude-sonnet-4-5"]
    assert [r[3] for r in rows] == [False, True, False]
