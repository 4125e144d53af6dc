"""Public examples the vendors wrote (tests/fixtures/real, PROVENANCE.md), built end to end.

Figures are recomputed here from the JSON and CSV files: every result with an amount reaches
fct_ai_costs as vendor-reported cost, nothing is rejected, and usage on a day a cost export
covers is priced by that export, never estimated on top of it. The GitHub reports
(tests/fixtures/real/github, landed as `github_copilot/`) are read with Python's csv module:
every row is AI spend billed at its net amount or excluded with its reason.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
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
    # the GitHub reports are kept under github/; the raw layout reads github_copilot/
    (raw / "github").rename(raw / "github_copilot")
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


# --------------------------------------------------------------------------
# GitHub billing reports (tests/fixtures/real/github)
# --------------------------------------------------------------------------

GITHUB = REAL / "github"
PRU_REPORT = "premiumRequestUsageReport_1_c6fca30f0acd458098a95808eaf43399.csv"
TOKEN_REPORT = "Token.Usage.Report.csv"
ANALYTICS_REPORT = "premium_interactions_b16336c228824bf39744429a39994e16.csv"
USAGE_REPORT = "usageReport_1_constructed_from_docs.csv"
AI_PRODUCTS = ("copilot", "spark", "coding_agent")
ANALYTICS_REASON = ("premium request analytics report: requests without amounts"
                    " (their cost is in the usage report)")
TEN_PLACES = Decimal("0.0000000001")


def github_records() -> list[tuple[str, int, dict]]:
    """(file, source_row, record by header) of every GitHub report row.

    The files have no blank lines and no line breaks inside fields, so a row's number after
    the header is its source_row.
    """
    found = []
    for path in sorted(GITHUB.glob("*.csv")):
        rows = csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines())
        found += [(path.name, number, row) for number, row in enumerate(rows, start=1)]
    return found


def billed(amount: str) -> Decimal:
    """A report amount as the warehouse keeps money: decimal(38, 10), half away from zero."""
    return Decimal(amount).quantize(TEN_PLACES, rounding=ROUND_HALF_UP)


def github_staged(real: DbtResult, columns: str, where: str = "true") -> dict:
    return {
        (name, row): rest for name, row, *rest in real.query(
            f"select regexp_extract(source_file, '[^/]+$'), source_row, {columns}"
            f" from stg_github_copilot__usage where {where}")
    }


def test_github_reports_are_read_by_header(real: DbtResult) -> None:
    counts = {
        name: (variant, rows) for name, variant, rows in real.query(
            "select regexp_extract(source_file, '[^/]+$'), report_variant, count(*)"
            " from stg_github_copilot__usage where rejected_reason is null group by all")
    }
    python_counts: dict[str, int] = defaultdict(int)
    for name, _, _ in github_records():
        python_counts[name] += 1
    assert counts == {
        PRU_REPORT: ("premium_request_report", python_counts[PRU_REPORT]),
        TOKEN_REPORT: ("token_usage_report", python_counts[TOKEN_REPORT]),
        ANALYTICS_REPORT: ("premium_request_analytics", python_counts[ANALYTICS_REPORT]),
        USAGE_REPORT: ("usage_report", python_counts[USAGE_REPORT]),
    }
    assert dict(python_counts) == {PRU_REPORT: 23, TOKEN_REPORT: 9, ANALYTICS_REPORT: 4,
                                   USAGE_REPORT: 10}
    assert real.scalar("select count(*) from mart_rejected_rows"
                       " where staging_model = 'stg_github_copilot__usage'") == 0


def test_github_rows_are_ai_spend_or_excluded_with_reason(real: DbtResult) -> None:
    # by hand: the analytics report has no amounts (4 rows); the usage report's three Actions
    # rows and its Packages row are not AI spend; every other row is
    expected_excluded = {
        (ANALYTICS_REPORT, row): ANALYTICS_REASON for row in (1, 2, 3, 4)
    } | {
        (USAGE_REPORT, 1): "not AI spend: product 'actions', sku 'actions_linux'",
        (USAGE_REPORT, 2):
            "not AI spend: product 'actions', sku 'actions_custom_image_storage'",
        (USAGE_REPORT, 3): "not AI spend: product 'actions', sku 'actions_linux_16_core'",
        (USAGE_REPORT, 4): "not AI spend: product 'packages', sku 'packages_storage'",
    }
    excluded = {key: reason for key, (reason,) in github_staged(
        real, "excluded_reason", "excluded_reason is not null").items()}
    assert excluded == expected_excluded
    python_spend = {(name, row) for name, row, record in github_records()
                    if "net_amount" in record and record["product"] in AI_PRODUCTS}
    assert len(python_spend) == 38
    spend = {(name, row) for name, row in real.query(
        "select regexp_extract(source_file, '[^/]+$'), source_row from fct_ai_costs"
        " where provider = 'github_copilot'")}
    assert spend == python_spend
    assert spend.isdisjoint(excluded)
    assert len(spend) + len(excluded) == len(github_records())


def test_github_billed_per_product_equals_the_reports_net(real: DbtResult) -> None:
    product_of = {(name, row): record.get("product") for name, row, record in github_records()}
    python_net: dict[str, Decimal] = defaultdict(Decimal)
    python_row_net = {}
    for name, row, record in github_records():
        if "net_amount" in record and record["product"] in AI_PRODUCTS:
            python_net[record["product"]] += billed(record["net_amount"])
            python_row_net[(name, row)] = billed(record["net_amount"])
    # by hand, each net_amount to 10 decimal places:
    # copilot: premium requests 0.08 + 0.04 + 0.04, AI units 0.14103635 + 0.00117
    #   + 0.49915925, coding-agent AI units 2.5521072 + 3.2470926 (premium-request report);
    #   0 (token report); seats 0.6785714286 + 83.5714285714 + 1.3571428571 (usage report)
    # spark: AI units 6.7611005 + 0.824024 + 3.49341675 (the demo enterprise's $11.08),
    #   4.025511 (usage report)
    # coding_agent: 0.3 (usage report)
    assert dict(python_net) == {
        "copilot": Decimal("92.2077082571"),
        "spark": Decimal("15.10405225"),
        "coding_agent": Decimal("0.3"),
    }
    rows = real.query(
        "select regexp_extract(source_file, '[^/]+$'), source_row, billed_cost, cost_source,"
        " billing_currency from fct_ai_costs where provider = 'github_copilot'")
    warehouse_net: dict[str, Decimal] = defaultdict(Decimal)
    for name, row, cost, source, currency in rows:
        assert cost == python_row_net[(name, row)], (name, row)
        assert (source, currency) == ("vendor_reported", "USD")
        warehouse_net[product_of[(name, row)]] += cost
    assert warehouse_net == python_net
    # the spark AI units of the premium-request report alone: unrounded they sum to
    # 11.0785412499999998, to 10 places 11.07854125
    spark_units = [r for n, _, r in github_records()
                   if n == PRU_REPORT and r["sku"] == "spark_ai_unit"]
    assert sum(Decimal(r["net_amount"]) for r in spark_units) == Decimal("11.0785412499999998")
    assert sum(billed(r["net_amount"]) for r in spark_units) == Decimal("11.07854125")


def test_github_ai_units_have_their_own_class(real: DbtResult) -> None:
    units = {(name, row): record for name, row, record in github_records()
             if record.get("unit_type") == "ai-units"}
    assert len(units) == 15  # 5 copilot, 4 coding agent, 4 spark (PRU); 1 + 1 (usage)
    rows = real.query(
        "select regexp_extract(source_file, '[^/]+$'), source_row, token_class,"
        " consumed_unit, consumed_quantity, list_cost, charge_category from fct_ai_costs"
        " where provider = 'github_copilot' and vendor_sku like '%ai_unit'")
    assert {(name, row) for name, row, *_ in rows} == set(units)
    for name, row, token_class, unit, quantity, list_cost, category in rows:
        record = units[(name, row)]
        assert (token_class, unit, category) == ("ai_unit", "Units", "Usage")
        # fractional quantities kept (676.1100500000002 -> 676.11005); $0.01 list, as reported
        assert quantity == billed(record["quantity"])
        assert list_cost == billed(record["gross_amount"])
        assert record["applied_cost_per_quantity"] == "0.01"
    assert real.scalar("select count(*) from fct_ai_costs where provider = 'github_copilot'"
                       " and token_class = 'other'") == 0
    # the price book knows AI units ($0.01 each): priced, and no unpriced_model
    assert real.scalar("select count(*) from fct_ai_costs where token_class = 'ai_unit'"
                       " and list_unit_price is distinct from 0.01") == 0
    assert real.scalar("select count(*) from mart_pricing_incidents where incident_type ="
                       " 'unpriced_model' and provider = 'github_copilot'") == 0


def test_github_seats_and_premium_requests(real: DbtResult) -> None:
    by_class = dict(real.query(
        "select token_class, list(distinct vendor_sku order by vendor_sku)"
        " from fct_ai_costs where provider = 'github_copilot' group by 1"))
    assert by_class == {
        "ai_unit": ["coding_agent_ai_unit", "copilot_ai_unit", "spark_ai_unit"],
        "premium_request": ["coding_agent_premium_request", "copilot_premium_request",
                            "spark_premium_request"],
        "seat": ["copilot_enterprise", "copilot_for_business", "copilot_standalone"],
    }
    assert real.query(
        "select distinct consumed_unit, charge_category from fct_ai_costs"
        " where provider = 'github_copilot' and token_class = 'seat'"
    ) == [("Seats", "Purchase")]
    assert real.query(
        "select distinct consumed_unit from fct_ai_costs"
        " where provider = 'github_copilot' and token_class = 'premium_request'"
    ) == [("Requests",)]


def test_github_token_report_tokens(real: DbtResult) -> None:
    python_tokens: dict[str, int] = defaultdict(int)
    for name, _, record in github_records():
        if name == TOKEN_REPORT:
            for column in ("total_input_tokens", "total_output_tokens",
                           "total_cache_creation_tokens", "total_cache_read_tokens"):
                python_tokens[column] += int(record[column])
    # by hand: input 44897 + 481 + 625 + 1905 + 11877 + 162995 + 0 + 190 + 0, output
    # 11976 + 1922 + 2486 + 56 + 2305 + 11936 + 30 + 855 + 5529, cache writes
    # 1395060 + 18403 + 130848 + 50146, cache reads 1443242 + 36346 + 141814 + 6528
    # + 107520 + 32378
    assert dict(python_tokens) == {
        "total_input_tokens": 222970, "total_output_tokens": 37095,
        "total_cache_creation_tokens": 1594457, "total_cache_read_tokens": 1767828,
    }
    assert real.query(
        "select sum(input_tokens), sum(output_tokens), sum(cache_write_tokens),"
        " sum(cached_input_tokens) from stg_github_copilot__usage"
        " where report_variant = 'token_usage_report'"
    ) == [(222970, 37095, 1594457, 1767828)]


def test_github_analytics_report_rows(real: DbtResult) -> None:
    rows = github_staged(
        real, "usage_on::varchar, vendor_model, quantity, is_quota_exceeded,"
        " is_quota_unlimited, export_period_key, is_ai_spend",
        f"source_file like '%{ANALYTICS_REPORT}'")
    # four requests of claude-sonnet-4 on 2025-06-02 (UTC), 1.00 each, within an unlimited
    # quota: usage without amounts, excluded (not rejected)
    assert sorted(rows.values()) == [
        ["2025-06-02", "claude-sonnet-4", Decimal(1), False, True,
         "premium_request_analytics|2025-06-02", False]] * 4
    # the report's `User` column is a person's login: pseudonymised when landed
    users = github_staged(real, "username", f"source_file like '%{ANALYTICS_REPORT}'")
    assert {value[0] for value in users.values()} == {real.pseudonym("bspann")}
