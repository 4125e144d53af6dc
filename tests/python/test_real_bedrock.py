"""Amazon Bedrock usage types in a CUR 2.0 excerpt (tests/fixtures/real/aws, PROVENANCE.md), built
end to end.

The fixture holds one or more rows of every Bedrock usage-type form the usage-type table of
stg_aws__cur knows (first party with tier and cross-region suffixes, bedrock-mantle, 1-hour
cache writes, provisioned throughput, marketplace "(Amazon Bedrock Edition)" rows in both
dimension spellings, reserved tier), AmazonBedrockService rows, a credit, a tax row, a usage
type no form matches and a non-AI row. Figures are recomputed here from the CSV with Python's
csv module and Decimal: every row is used, nothing is rejected, and the billed cost of every
Bedrock usage type in fct_ai_costs equals the sum of its `line_item_unblended_cost`.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import FIXTURES, DbtResult, build_warehouse

AWS = FIXTURES / "real" / "aws"
CUR = "20260601T080000Z_cur2_bedrock_2026-05.csv"
BEDROCK_CODES = ("AmazonBedrock", "AmazonBedrockService")
EDITION = "(Amazon Bedrock Edition)"


def cur_rows() -> list[dict[str, str]]:
    """The fixture's rows by header (no field spans lines, so row n is source_row n)."""
    with (AWS / CUR).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def is_bedrock(row: dict[str, str]) -> bool:
    """AI spend as the README defines it: Bedrock, or an "(Amazon Bedrock Edition)" product."""
    product_name = json.loads(row["product"]).get("product_name", "")
    return row["line_item_product_code"] in BEDROCK_CODES or product_name.endswith(EDITION)


def cost_by_usage_type(rows: list[dict[str, str]]) -> dict[str | None, Decimal]:
    totals: dict[str | None, Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[row["line_item_usage_type"] or None] += Decimal(row["line_item_unblended_cost"])
    return dict(totals)


@pytest.fixture(scope="module")
def bedrock(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    base = tmp_path_factory.mktemp("real_bedrock")
    raw = base / "raw"
    (raw / "aws_cur").mkdir(parents=True)
    for path in AWS.glob("*.csv"):
        shutil.copy2(path, raw / "aws_cur" / path.name)
    result = build_warehouse(raw, base / "work", unit_tests=False)
    assert result.returncode == 0, result.output[-6000:]
    return result


def test_nothing_is_rejected(bedrock: DbtResult) -> None:
    assert bedrock.query("select source_file, reason from mart_rejected_rows") == []
    rows = cur_rows()
    assert len(rows) == 31
    assert bedrock.query(
        "select count(*), count(*) filter (where rejected_reason is null),"
        " count(*) filter (where is_ai_spend) from stg_aws__cur"
    ) == [(31, 31, 30)]
    assert sum(is_bedrock(row) for row in rows) == 30


def test_billed_cost_per_usage_type_equals_the_export(bedrock: DbtResult) -> None:
    rows = cur_rows()
    expected = cost_by_usage_type([row for row in rows if is_bedrock(row)])
    billed = dict(
        bedrock.query(
            "select vendor_sku, sum(billed_cost) from fct_ai_costs"
            " where provider = 'aws_bedrock' group by 1"
        )
    )
    assert billed == expected
    # by hand: two days of Claude Sonnet 4.6 input less a credit, 0.069 + 0.1245 - 0.05
    assert expected["USE1-Claude4.6Sonnet-input-tokens"] == Decimal("0.1435")
    # 5372.659 x 1K at 0.0003 and 433.893 x 1K at 0.00375
    assert expected["USE1-Claude4.6Sonnet-cache-read-input-token-count"] == Decimal("1.6117977")
    assert expected["USE1-Claude4.6Sonnet-cache-write-input-token-count"] == Decimal(
        "1.62709875"
    )
    # 24 model-unit hours at 60.5; the tax row has no usage type
    assert expected["USE1-Nova2.0Lite-ProvisionedThroughput-NoCommit-ModelUnits"] == Decimal(
        "1452"
    )
    assert expected[None] == Decimal("0.92")
    # the usage type no form matches keeps its cost
    assert expected["USE1-BedrockKnowledgeBase-searchunits"] == Decimal("0.004")
    # every Bedrock row is billed, the EC2 row is not AI spend
    assert sum(expected.values()) == Decimal("1592.39402145")
    assert bedrock.scalar(
        "select sum(billed_cost) from fct_ai_costs where provider = 'aws_bedrock'"
    ) == Decimal("1592.39402145")
    assert bedrock.scalar(
        "select count(*) from fct_ai_costs where vendor_sku like '%BoxUsage%'"
    ) == 0
    assert bedrock.scalar(
        "select count(*) from fct_ai_costs where cost_source != 'vendor_reported'"
        " and provider = 'aws_bedrock'"
    ) == 0


# usage type -> (form, token class, service tier, context tier, cross-region), by hand from
# the usage-type table of macros/staging/bedrock_usage_types.sql
FORMS = {
    "EUW2-Mistral7B-input-tokens": ("input", "input", "standard", "standard", False),
    "EUW2-Mistral7B-output-tokens": ("output", "output", "standard", "standard", False),
    "EUW2-NovaLite-input-tokens": ("input", "input", "standard", "standard", False),
    "EUW2-NovaMicro-output-tokens": ("output", "output", "standard", "standard", False),
    "EU-Qwen3-32B-input-tokens-batch": ("input", "input", "batch", "standard", True),
    "EU-Qwen3-32B-output-tokens-batch": ("output", "output", "batch", "standard", True),
    "EUW2-Qwen3Coder-30B-A3B-input-tokens": ("input", "input", "standard", "standard", False),
    "USE1-Claude4.6Sonnet-input-tokens": ("input", "input", "standard", "standard", False),
    "USE1-Claude4.6Sonnet-cache-read-input-token-count": (
        "cache_read", "cached_input", "standard", "standard", False),
    "USE1-Claude4.6Sonnet-cache-write-input-token-count": (
        "cache_write", "cache_write", "standard", "standard", False),
    "USE1-Nova2.0Lite-input-tokens-flex": ("input", "input", "flex", "standard", False),
    "USE1-gpt-oss-120b-output-tokens-priority": (
        "output", "output", "priority", "standard", False),
    "USE1-Claude4.6Opus-output-tokens-cross-region-global": (
        "output", "output", "standard", "standard", True),
    "USE1-Claude4.6Opus-cache-read-input-token-count-cross-region-global": (
        "cache_read", "cached_input", "standard", "standard", True),
    "USW2-anthropic.claude-opus-4-8-mantle-input-tokens-global-standard": (
        "mantle_input", "input", "standard", "standard", True),
    "USE1-openai.gpt-oss-120b-mantle-input-tokens-standard": (
        "mantle_input", "input", "standard", "standard", False),
    "USE1-Nova2.0Lite-ProvisionedThroughput-NoCommit-ModelUnits": (
        "provisioned_throughput", "ptu_hour", None, None, False),
    "USW2-MP:USW2_InputTokenCount-Units": (
        "marketplace_input", "input", "standard", "standard", False),
    "USW2-MP:USW2_OutputTokenCount-Units": (
        "marketplace_output", "output", "standard", "standard", False),
    "USE1-MP:USE1_InputTokenCount_Global-Units": (
        "marketplace_input", "input", "standard", "standard", True),
    "USE1-MP:USE1_CacheWrite1hInputTokenCount-Units": (
        "marketplace_cache_write_1h", "cache_write_1h", "standard", "standard", False),
    "USE1-MP:USE1_InputTokenCount_Global_Batch-Units": (
        "marketplace_input", "input", "batch", "standard", True),
    "USE1-MP:USE1_MillionBatchOutputTokens-Units": (
        "marketplace_batch_output", "output", "batch", "standard", False),
    "USW2-MP:USW2_InputTokenCount_LCtx_Global-Units": (
        "marketplace_input", "input", "standard", "long", True),
    "USE1-MP:USE1_input_tokens_long_ctx_global_standard-Units": (
        "marketplace_input", "input", "standard", "long", True),
    "USE1-MP:USE1_Reserved_1Month_InputTPM_Global-Units": (
        "marketplace_reserved_tpm", "other", None, None, True),
    "USE1-BedrockKnowledgeBase-searchunits": (None, "other", None, None, False),
}


def test_every_usage_type_is_parsed_by_its_form(bedrock: DbtResult) -> None:
    parsed = {
        row[0]: row[1:]
        for row in bedrock.query(
            "select distinct usage_type, usage_type_form, token_class, service_tier,"
            " context_tier, is_cross_region from stg_aws__cur"
            " where is_ai_spend and usage_type is not null"
        )
    }
    assert parsed == FORMS
    assert bedrock.query(
        "select distinct usage_type from stg_aws__cur where is_unmatched_usage_type"
    ) == [("USE1-BedrockKnowledgeBase-searchunits",)]


def test_tokens_follow_the_pricing_unit(bedrock: DbtResult) -> None:
    tokens = dict(
        bedrock.query(
            "select usage_type, sum(tokens) from stg_aws__cur"
            " where usage_type in (?, ?, ?, ?, ?) group by 1",
            [
                "USE1-Claude4.6Sonnet-cache-read-input-token-count",
                "USE1-Claude4.6Sonnet-input-tokens",
                "USE1-MP:USE1_InputTokenCount_Global-Units",
                "USE1-MP:USE1_MillionBatchOutputTokens-Units",
                "USE1-Nova2.0Lite-ProvisionedThroughput-NoCommit-ModelUnits",
            ],
        )
    )
    assert tokens == {
        # 1K tokens: 5372.659 x 1000; 23 x 1000 + 41.5 x 1000 + 0 (the credit)
        "USE1-Claude4.6Sonnet-cache-read-input-token-count": 5372659,
        "USE1-Claude4.6Sonnet-input-tokens": 64500,
        # marketplace Units are 1M tokens: 1.2 x 1000000, 0.4 x 1000000
        "USE1-MP:USE1_InputTokenCount_Global-Units": 1200000,
        "USE1-MP:USE1_MillionBatchOutputTokens-Units": 400000,
        # model-unit hours are not tokens
        "USE1-Nova2.0Lite-ProvisionedThroughput-NoCommit-ModelUnits": None,
    }
    assert bedrock.query(
        "select consumed_unit, consumed_quantity, token_class from fct_ai_costs"
        " where vendor_sku = 'USE1-Nova2.0Lite-ProvisionedThroughput-NoCommit-ModelUnits'"
    ) == [("Hrs", Decimal("24"), "ptu_hour")]


def test_models_resolve_to_canonical_models(bedrock: DbtResult) -> None:
    models = dict(
        bedrock.query(
            "select distinct vendor_model_id, model from fct_ai_costs"
            " where provider = 'aws_bedrock' and vendor_model_id is not null"
        )
    )
    # an alias (usage-type token), the rule (bedrock-mantle model id, marketplace product)
    assert models["Claude4.6Opus"] == "claude-opus-4-6"
    assert models["Claude4.6Sonnet"] == "claude-sonnet-4-6"
    assert models["anthropic.claude-opus-4-8"] == "claude-opus-4-8"
    assert models["Claude Sonnet 4.5"] == "claude-sonnet-4-5"
    # models the warehouse has no canonical model for keep their vendor cost, model null
    assert models["Mistral7B"] is None
    assert models["openai.gpt-oss-120b"] is None
