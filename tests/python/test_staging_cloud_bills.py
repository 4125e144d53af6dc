"""Staging of the cloud bills: AWS CUR 2.0, Azure cost details, Google Cloud
billing export (stg_aws__cur, stg_azure__cost_details, stg_gcp__billing_export).

One dbt invocation: a build of the three models (with their unit and data
tests) over a copy of the hand-written raw folder
tests/fixtures/aws_azure_gcp_bills, to which the files whose bytes matter
(gzip, parquet, byte-order mark + CRLF, Latin-1, zero-byte) are added by
cloud_bills_cases.add_generated_files. The build that must fail on a missing
required column is test_staging_cloud_bills_schema_drift.py.

Every expected figure is worked out by hand from the fixture text (the
comments show the sums), and the per-file record counts and cost totals are
recomputed here with Python's csv / json / gzip modules, independently of
dbt. Bad inputs covered: a .csv.gz file (with BOM + CRLF inside), a parquet
file (typed columns, map tags), a CSV with a UTF-8 BOM and CRLF line ends, a
non-numeric cost, a non-numeric quantity and usage amount, rows with too many
and too few fields, unknown extra columns (ignored), an empty CSV, a
zero-byte .csv.gz, a Latin-1 (non-UTF-8) CSV, an invalid JSON line.
"""

from __future__ import annotations

import gzip
import json
import shutil
from decimal import Decimal

import duckdb
import pytest

from cloud_bills_cases import (
    AWS,
    AZURE,
    AZURE_BOM,
    AZURE_EA,
    AZURE_MCA,
    CUR_CSV,
    CUR_EMPTY,
    CUR_EMPTY_GZ,
    CUR_GZ,
    CUR_GZ_ROWS,
    CUR_LATIN1,
    CUR_PARQUET,
    FIXTURE,
    GCP,
    GCP_JSONL,
    PARQUET_ROWS,
    SELECT,
    add_generated_files,
    csv_usable,
    file_counts,
    is_decimal,
    money,
)
from conftest import DbtResult, build_warehouse


# --- dbt build ---------------------------------------------------------------


@pytest.fixture(scope="module")
def cloud_bills(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    base = tmp_path_factory.mktemp("cloud_bills")
    raw = base / "raw"
    shutil.copytree(FIXTURE, raw)
    add_generated_files(raw)
    result = build_warehouse(raw, base / "work", select=SELECT)
    assert result.returncode == 0, result.output[-6000:]
    return result


# --- tests -------------------------------------------------------------------


def test_rows_read_equal_usable_plus_rejected_per_file(
    cloud_bills: DbtResult,
) -> None:
    # (rows read, usable, rejected), by hand from the fixture files; a file
    # that cannot be read is one rejected row (source_row 0)
    assert file_counts(cloud_bills, AWS) == {
        CUR_CSV: (15, 12, 3),
        CUR_GZ: (3, 2, 1),
        CUR_PARQUET: (2, 2, 0),
        CUR_EMPTY: (1, 0, 1),
        CUR_LATIN1: (1, 0, 1),
        CUR_EMPTY_GZ: (1, 0, 1),
    }
    assert file_counts(cloud_bills, AZURE) == {
        AZURE_EA: (13, 11, 2),
        AZURE_MCA: (2, 2, 0),
        AZURE_BOM: (2, 2, 0),
    }
    assert file_counts(cloud_bills, GCP) == {GCP_JSONL: (10, 8, 2)}


def test_rows_read_match_an_independent_parse(cloud_bills: DbtResult) -> None:
    raw = cloud_bills.raw_dir
    cur_numeric = [
        "line_item_usage_amount", "line_item_unblended_rate",
        "line_item_unblended_cost", "pricing_public_on_demand_cost",
    ]
    read, usable = csv_usable(
        (raw / "aws_cur" / CUR_CSV).read_text(), "line_item_unblended_cost",
        cur_numeric,
    )
    gz_text = gzip.decompress((raw / "aws_cur" / CUR_GZ).read_bytes())
    gz_read, gz_usable = csv_usable(
        gz_text.decode("utf-8").replace("\r\n", "\n"),
        "line_item_unblended_cost", cur_numeric,
    )
    with duckdb.connect() as con:
        parquet_rows = con.execute(
            f"select count(*) from '{raw / 'aws_cur' / CUR_PARQUET}'"
        ).fetchall()[0][0]
    counts = file_counts(cloud_bills, AWS)
    assert counts[CUR_CSV][:2] == (read, len(usable))
    assert counts[CUR_GZ][:2] == (gz_read, len(gz_usable))
    assert counts[CUR_PARQUET][:2] == (parquet_rows, parquet_rows)

    azure_numeric = ["Quantity", "EffectivePrice", "CostInBillingCurrency"]
    azure_counts = file_counts(cloud_bills, AZURE)
    for name in (AZURE_EA, AZURE_MCA, AZURE_BOM):
        text = (raw / "azure_cost" / name).read_bytes().decode("utf-8-sig")
        read, usable = csv_usable(
            text.replace("\r\n", "\n"), "CostInBillingCurrency", azure_numeric
        )
        assert azure_counts[name][:2] == (read, len(usable)), name

    lines = [
        line
        for line in (raw / "gcp_billing" / GCP_JSONL).read_text().splitlines()
        if line.strip()
    ]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    usable_lines = [p for p in parsed if is_decimal(str(p.get("cost")))]
    assert file_counts(cloud_bills, GCP)[GCP_JSONL][:2] == (
        len(lines), len(usable_lines)
    )


def test_rejected_reasons_name_the_field_and_value(
    cloud_bills: DbtResult,
) -> None:
    reasons = {
        (row[0], row[1]): row[2]
        for row in cloud_bills.query(
            f"""
            select regexp_extract(source_file, '[^/]+$'), source_row,
                rejected_reason
            from {AWS} where rejected_reason is not null
            union all
            select regexp_extract(source_file, '[^/]+$'), source_row,
                rejected_reason
            from {AZURE} where rejected_reason is not null
            union all
            select regexp_extract(source_file, '[^/]+$'), source_row,
                rejected_reason
            from {GCP} where rejected_reason is not null
            """
        )
    }
    assert reasons == {
        (CUR_CSV, 13): "line_item_unblended_cost is not a number: 'abc'",
        (CUR_CSV, 14): "row has 10 fields, header has 23",
        (CUR_CSV, 15): "row has 24 fields, header has 23",
        (CUR_GZ, 3): "line_item_usage_amount is not a number: 'n/a'",
        (CUR_EMPTY, 0): "empty file",
        (CUR_EMPTY_GZ, 0): "empty file",
        (CUR_LATIN1, 0): "file is not UTF-8 text",
        (AZURE_EA, 12): "Quantity is not a number: 'n/a'",
        (AZURE_EA, 13): "row has 32 fields, header has 31",
        (GCP_JSONL, 9): "line is not valid JSON (truncated or malformed)",
        (GCP_JSONL, 10): "cost is not a number: 'abc'",
    }


def test_aws_unblended_cost_totals_to_the_cent(cloud_bills: DbtResult) -> None:
    # csv: 0.069 + 0.06 + 0.03 + 0.0375 + 0.075 + 0.006 + 0.75 + 1.98 + 0.01
    #      + 0.5 (Bedrock tax) = 3.5175 AI; + 0.096 + 0.023 = 3.6365 in all
    # gz: 0.015 AI + 0.0000166667 Lambda = 0.0150166667
    # parquet: 1.77297747 AI + 0.5 S3 = 2.27297747
    rows = dict(
        cloud_bills.query(
            f"""
            select is_ai_spend, sum(unblended_cost)
            from {AWS} where rejected_reason is null group by 1
            """
        )
    )
    assert rows[True] == Decimal("5.3054774700")
    assert rows[False] == Decimal("0.6190166667")
    assert rows[True] + rows[False] == Decimal("5.9244941367")

    raw = cloud_bills.raw_dir
    _, usable = csv_usable(
        (raw / "aws_cur" / CUR_CSV).read_text(), "line_item_unblended_cost",
        ["line_item_unblended_cost"],
    )
    gz_text = gzip.decompress((raw / "aws_cur" / CUR_GZ).read_bytes())
    _, gz_usable = csv_usable(
        gz_text.decode("utf-8").replace("\r\n", "\n"),
        "line_item_unblended_cost",
        ["line_item_unblended_cost", "line_item_usage_amount"],
    )
    independent = sum(
        Decimal(r["line_item_unblended_cost"]) for r in usable + gz_usable
    ) + sum(Decimal(r["cost"]) for r in PARQUET_ROWS)
    assert money(independent) == rows[True] + rows[False]
    assert cloud_bills.scalar(
        f"select count(distinct billing_currency) from {AWS}"
        " where rejected_reason is null"
    ) == 1


def test_aws_ai_rows_tokens_and_parsing(cloud_bills: DbtResult) -> None:
    counts = dict(
        cloud_bills.query(
            f"select is_ai_spend, count(*) from {AWS}"
            " where rejected_reason is null group by 1"
        )
    )
    # csv 10 AI (9 Bedrock + 1 Bedrock tax... incl. 2 marketplace) + gz 1 +
    # parquet 1; not AI: EC2, S3 (csv), Lambda (gz), S3 (parquet)
    assert counts == {True: 12, False: 4}
    rows = {
        row[0]: row[1:]
        for row in cloud_bills.query(
            f"""
            select usage_type, usage_region, bedrock_model_token, token_class,
                service_tier, is_cross_region, is_marketplace, tokens,
                is_unknown_unit
            from {AWS}
            where rejected_reason is null and is_ai_spend and usage_type != ''
            """
        )
    }
    # first party per 1K tokens: 23 x 1000
    assert rows["USE1-Claude4.6Sonnet-input-tokens"] == (
        "USE1", "Claude4.6Sonnet", "input", "standard", False, False, 23000,
        False,
    )
    # marketplace -Units per 1M: 0.25 x 1000000
    assert rows["USE1-MP:USE1_InputTokenCount-Units"] == (
        "USE1", "Claude Sonnet 4.6", "input", "standard", False, True,
        250000, False,
    )
    assert rows["EU-Qwen3-32B-input-tokens-batch"][2:6] == (
        "input", "batch", True, False
    )
    assert rows["USE1-Claude4.6Sonnet-cache-read-input-token-count"][2] == (
        "cached_input"
    )
    assert rows["USE1-Claude4.6Sonnet-cache-write-input-token-count"][2] == (
        "cache_write"
    )
    assert rows["USE1-Claude4Sonnet-input-tokens-cross-region-global"][4] is True
    # parquet: 5372.659 x 1000, read from a double column
    assert rows["USW2-Claude4.5Sonnet-cache-read-input-token-count"][6] == (
        5372659
    )
    assert rows["USE1-Claude4.6Sonnet-output-tokens-batch"][3:] == (
        "batch", False, False, 2000, False
    )
    # `1B tokens` is not a unit staging knows: no guess, flagged
    assert rows["USE1-NovaMicro-input-tokens"][6:] == (None, True)
    tax = cloud_bills.query(
        f"select token_class, is_ai_spend from {AWS}"
        " where line_item_type = 'Tax'"
    )
    assert tax == [("other", True)]


def test_aws_keys_tags_and_file_times(cloud_bills: DbtResult) -> None:
    assert cloud_bills.query(
        f"select distinct export_period_key from {AWS}"
        " where rejected_reason is null"
    ) == [("111111111111|2026-05-01",)]
    tags = dict(
        cloud_bills.query(
            f"""
            select regexp_extract(source_file, '[^/]+$') || ':' || source_row,
                resource_tags
            from {AWS}
            where rejected_reason is null and source_row = 1
            """
        )
    )
    assert tags == {
        f"{CUR_CSV}:1": '{"user:team":"search","iamPrincipal/costcenter":"cc-42"}',
        f"{CUR_GZ}:1": '{"user:team":"search"}',
        f"{CUR_PARQUET}:1": '{"user:team":"ml"}',
    }
    # the product name comes from the `product` map of CUR 2.0
    assert cloud_bills.scalar(
        f"select product_name from {AWS}"
        " where usage_type = 'USE1-MP:USE1_OutputTokenCount-Units'"
    ) == "Claude Sonnet 4.6 (Amazon Bedrock Edition)"
    assert cloud_bills.scalar(
        f"select count(*) from {AWS} where file_modified_at is null"
    ) == 0
    # the gzip file's lines keep their order: row 1 is the first data line
    assert cloud_bills.scalar(
        f"select raw_record from {AWS} where source_file like '%.csv.gz'"
        " and source_row = 1"
    ) == CUR_GZ_ROWS[0]


def test_azure_costs_in_billing_currency_to_the_cent(
    cloud_bills: DbtResult,
) -> None:
    # EA (EUR): 8.25 + 5.75 + 0.92 + 0.069 + 3.8 + 22.8 + 0.28 + 0.135 = 42.004
    #   AI; 10 (Language) + 2.4 (VM) + 8.5 (disk) = 20.9 not AI
    # BOM file (EUR): 2.5 AI + 0.05 bandwidth
    # MCA (USD): 0.66 AI + 1.1 VM
    totals = {
        (row[0], row[1]): row[2]
        for row in cloud_bills.query(
            f"""
            select billing_currency, is_ai_spend,
                sum(cost_in_billing_currency)
            from {AZURE} where rejected_reason is null group by 1, 2
            """
        )
    }
    assert totals == {
        ("EUR", True): Decimal("44.5040000000"),
        ("EUR", False): Decimal("20.9500000000"),
        ("USD", True): Decimal("0.6600000000"),
        ("USD", False): Decimal("1.1000000000"),
    }
    # the reference example: 12.5 blocks of 1M at 0.66 EUR = 8.25 EUR
    row = cloud_bills.query(
        f"""
        select quantity, block_size, tokens, effective_price,
            cost_in_billing_currency, billing_currency, token_class,
            deployment_scope, azure_model_token
        from {AZURE}
        where source_file like '%{AZURE_EA}' and source_row = 1
        """
    )[0]
    assert row == (
        Decimal("12.5000000000"), 1000000, 12500000, Decimal("0.6600000000"),
        Decimal("8.2500000000"), "EUR", "output", "regional",
        "gpt-4o-mini-0718",
    )
    assert Decimal("12.5") * Decimal("0.66") == Decimal("8.25")

    raw = cloud_bills.raw_dir
    independent: dict[str, Decimal] = {}
    for name in (AZURE_EA, AZURE_MCA, AZURE_BOM):
        text = (raw / "azure_cost" / name).read_bytes().decode("utf-8-sig")
        _, usable = csv_usable(
            text.replace("\r\n", "\n"), "CostInBillingCurrency",
            ["Quantity", "CostInBillingCurrency"],
        )
        for record in usable:
            currency = record["billingcurrency"]
            independent[currency] = independent.get(currency, Decimal(0)) + (
                Decimal(record["costinbillingcurrency"])
            )
    assert {c: money(v) for c, v in independent.items()} == {
        "EUR": totals[("EUR", True)] + totals[("EUR", False)],
        "USD": totals[("USD", True)] + totals[("USD", False)],
    }


def test_azure_ai_rows_tokens_and_tags(cloud_bills: DbtResult) -> None:
    counts = dict(
        cloud_bills.query(
            f"select is_ai_spend, count(*) from {AZURE}"
            " where rejected_reason is null group by 1"
        )
    )
    # AI: 8 EA (7 Azure OpenAI + 1 Foundry), 1 MCA, 1 BOM file;
    # not AI: Language, VM, disk (EA), VM (MCA), bandwidth (BOM file)
    assert counts == {True: 10, False: 5}
    tokens = dict(
        cloud_bills.query(
            f"""
            select meter_name || ' / ' || unit_of_measure, sum(tokens)
            from {AZURE}
            where rejected_reason is null and tokens is not null
            group by 1
            """
        )
    )
    assert tokens == {
        # 1K blocks: 2500 + 1000 (BOM file) blocks of 1000 tokens
        "gpt-4o-0806-Inp-glbl Tokens / 1K": 3500000,
        "gpt 4o 1120 cached Inp glbl Tokens / 1K": 800000,
        "DeepSeek-R1 Inp Glbl Tokens / 1K": 100000,
        # 1M blocks: 12.5 (EA) + 1 (MCA)
        "gpt-4o-mini-0718-Outp-regnl Tokens / 1M": 13500000,
        "GPT 5 Mini cchd Inpt Glbl / 1M": 3000000,
        "o3 Inpt DZone 1M Tokens / 1M": 2000000,
        "gpt-4o-mini-0718-Batch-Inp-glbl Tokens / 1M": 4000000,
    }
    ptu = cloud_bills.query(
        f"select token_class, is_ptu, tokens, block_size from {AZURE}"
        " where meter_name = 'Provisioned Managed Global Unit'"
    )
    assert ptu == [("ptu_hour", True, None, 1)]
    # EA tags without braces (EA and BOM file) and the MCA JSON object give
    # the same text
    same_tags = cloud_bills.query(
        f"""
        select distinct tags from {AZURE}
        where meter_name in (
            'gpt-4o-mini-0718-Outp-regnl Tokens', 'gpt-4o-0806-Inp-glbl Tokens'
        ) and rejected_reason is null and tags like '%env%'
        """
    )
    assert same_tags == [('{"team":"search","env":"prod"}',)]
    keys = dict(
        cloud_bills.query(
            f"""
            select regexp_extract(source_file, '[^/]+$'),
                max(export_period_key)
            from {AZURE} where rejected_reason is null group by 1
            """
        )
    )
    assert keys == {
        AZURE_EA: "a1a1a1a1-0000-4000-8000-000000000001|2026-05",
        AZURE_MCA: "b2b2b2b2-0000-4000-8000-000000000002|2026-05",
        AZURE_BOM: "c3c3c3c3-0000-4000-8000-000000000003|2026-05",
    }


def test_gcp_cost_and_credits_to_the_cent(cloud_bills: DbtResult) -> None:
    # cost: 12.5 + 0.3 + 0.6 + 0.0375 + 1.25 + 0.02 = 14.7075 AI;
    #       3.5 + 1.0 = 4.5 not AI
    # credits: -12.5 - 0.1 - 0.05 = -12.65 AI; -0.7 not AI
    totals = {
        row[0]: row[1:]
        for row in cloud_bills.query(
            f"""
            select is_ai_spend, sum(cost), sum(credits_amount), sum(net_cost),
                count(*)
            from {GCP} where rejected_reason is null group by 1
            """
        )
    }
    assert totals == {
        True: (
            Decimal("14.7075000000"), Decimal("-12.6500000000"),
            Decimal("2.0575000000"), 6,
        ),
        False: (
            Decimal("4.5000000000"), Decimal("-0.7000000000"),
            Decimal("3.8000000000"), 2,
        ),
    }
    lines = (cloud_bills.raw_dir / "gcp_billing" / GCP_JSONL).read_text()
    cost = Decimal(0)
    credits = Decimal(0)
    for line in lines.splitlines():
        try:
            record = json.loads(line, parse_float=Decimal)
        except json.JSONDecodeError:
            continue
        if not is_decimal(str(record["cost"])):
            continue
        cost += Decimal(str(record["cost"]))
        credits += sum(
            (Decimal(str(c["amount"])) for c in record.get("credits") or []),
            Decimal(0),
        )
    assert money(cost) == totals[True][0] + totals[False][0]
    assert money(cost + credits) == totals[True][2] + totals[False][2]


def test_gcp_parsing_labels_and_credits(cloud_bills: DbtResult) -> None:
    rows = {
        row[0]: row[1:]
        for row in cloud_bills.query(
            f"""
            select source_row, gcp_model_phrase, token_class, context_tier,
                service_tier, labels, tokens
            from {GCP} where rejected_reason is null and is_ai_spend
            """
        )
    }
    assert rows == {
        1: ("gemini 2.5 pro", "output", "standard", "standard",
            '{"team":"search","env":"prod"}', 1250000),
        2: ("gemini 2.5 flash", "input", "standard", "standard", "{}",
            1000000),
        3: ("gemini 2.5 flash", "input", "long", "standard", "{}", 1000000),
        4: ("gemini 2.5 flash", "cached_input", "standard", "standard",
            '{"team":"search"}', 500000),
        5: ("gemini 2.5 pro", "input", "standard", "batch",
            '{"team":"ranking"}', 2000000),
        6: (None, "storage", None, None, "{}", None),
    }
    credits = cloud_bills.scalar(
        f"select credits from {GCP} where source_row = 3"
    )
    assert [c["amount"] for c in json.loads(credits)] == [-0.1, -0.05]
    assert cloud_bills.scalar(
        f"select system_labels from {GCP} where source_row = 4"
    ) == '{"goog-vertex-endpoint":"ep-1"}'
    assert cloud_bills.scalar(
        f"select distinct export_period_key from {GCP}"
        " where rejected_reason is null"
    ) == "01AB23-CD45EF-6789GH|202605"
