"""Staging of the API exports (OpenAI, Anthropic, Cursor) and the gateway log.

Builds the six staging models once over one raw folder assembled from four
hand-written fixture folders (tests/fixtures/openai_api_exports,
anthropic_api_exports, cursor_api_exports, gateway_logs), and once over a raw
folder where every one of these vendors is absent. Checks that every record
is read once and is either used or rejected with its reason (the bad inputs
are listed in api_exports_cases.py), the vendor totals and the parsed columns
of each export, and that absent vendor folders give empty relations with the
same column types. Every figure below was worked out by hand from the fixture
files; the per-file record counts and the vendor totals are also recomputed
in Python (readers in api_exports_cases.py), independently of dbt.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from api_exports_cases import (
    CONTRACT_COLUMNS,
    EXPECTED_FILE_COUNTS,
    EXPECTED_REJECTIONS,
    MODELS,
    SELECT,
    as_decimal,
    assemble_raw,
    by_file,
    column_types,
    fixture_files,
    page_results,
    records_in_file,
)
from conftest import DbtResult, build_warehouse


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    base = tmp_path_factory.mktemp("staging_api_exports")
    raw = assemble_raw(base / "raw")
    result = build_warehouse(raw, base / "work", select=SELECT)
    assert result.returncode == 0, result.output[-5000:]
    return result


@pytest.fixture(scope="module")
def staged_absent(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    base = tmp_path_factory.mktemp("staging_api_exports_absent")
    raw = base / "raw"
    raw.mkdir()
    result = build_warehouse(raw, base / "work", select=SELECT)
    assert result.returncode == 0, result.output[-5000:]
    return result


def test_build_ran_unit_tests(staged: DbtResult) -> None:
    for name in [
        "test_stg_openai__costs_parses_line_items",
        "test_stg_openai__usage_completions_uncached_input",
        "test_stg_anthropic__cost_report_cents_and_token_types",
        "test_stg_cursor__usage_events_epoch_and_cents",
    ]:
        assert name in staged.output


@pytest.mark.parametrize("model", sorted(MODELS))
def test_rows_read_equal_used_plus_rejected(staged: DbtResult, model: str) -> None:
    files = fixture_files(MODELS[model])
    staged_counts = by_file(staged, model)
    assert set(staged_counts) == {path.name for path in files}
    for path in files:
        total, used, rejected = staged_counts[path.name]
        assert total == records_in_file(path), path.name
        assert total == used + rejected
        assert (total, used, rejected) == EXPECTED_FILE_COUNTS[(model, path.name)]


def test_every_record_once(staged: DbtResult) -> None:
    for model in MODELS:
        duplicates = staged.scalar(
            f"""
            select count(*) from (
                select source_file, source_row from {model}
                group by 1, 2 having count(*) > 1
            ) as duplicated
            """
        )
        assert duplicates == 0, model


def test_rejected_reasons(staged: DbtResult) -> None:
    found = {}
    for model in MODELS:
        for name, source_row, reason in staged.query(
            f"""
            select regexp_extract(source_file, '[^/]+$'), source_row,
                rejected_reason
            from {model}
            where rejected_reason is not null
            """
        ):
            found[(model, name, source_row)] = reason
    assert found == EXPECTED_REJECTIONS


def test_whole_file_rows_have_no_record(staged: DbtResult) -> None:
    for model in MODELS:
        rows = staged.query(
            f"select raw_record, rejected_reason from {model} where source_row = 0"
        )
        assert all(raw is None and reason for raw, reason in rows), model


def test_openai_costs_total_matches_vendor(staged: DbtResult) -> None:
    results = page_results("openai/costs")
    numeric = [
        r for r in results if isinstance(r["amount"]["value"], (int, Decimal))
    ]
    # every result with a numeric amount is used, whatever its line item
    vendor_total = sum(Decimal(str(r["amount"]["value"])) for r in numeric)
    assert vendor_total == Decimal("21.445")
    staged_total = staged.scalar(
        "select sum(billed_cost) from stg_openai__costs"
        " where rejected_reason is null"
    )
    assert staged_total == Decimal("21.4450000000")
    assert staged_total == vendor_total
    assert staged.scalar(
        "select sum(billed_cost) from stg_openai__costs"
    ) == sum(Decimal(str(r["amount"]["value"])) for r in numeric)
    assert staged.query(
        "select distinct billing_currency from stg_openai__costs"
        " where rejected_reason is null"
    ) == [("USD",)]


def test_openai_costs_line_items(staged: DbtResult) -> None:
    rows = staged.query(
        """
        select line_item, vendor_model_id, token_class, service_tier,
            context_tier, tokens, quantity, quantity_unit, billed_cost,
            export_period_key, usage_on::varchar
        from stg_openai__costs
        where source_row > 0
        order by source_row
        """
    )
    assert rows == [
        ("gpt-4o-mini-2024-07-18, cached input", "gpt-4o-mini-2024-07-18",
         "cached_input", None, "standard", 55_000_000,
         Decimal("55000000"), "tokens", Decimal("4.125"),
         "2026-05-01", "2026-05-01"),
        ("gpt-4o-mini-2024-07-18, input", "gpt-4o-mini-2024-07-18", "input",
         None, "standard", 10_000_000, Decimal("10000"), "1000_tokens",
         Decimal("1.5"), "2026-05-01", "2026-05-01"),
        ("priority | gpt-5.6-sol, output, long context", "gpt-5.6-sol",
         "output", "priority", "long", 411_333, Decimal("411333"), "tokens",
         Decimal("12.34"), "2026-05-01", "2026-05-01"),
        ("web search tool calls", None, "web_search", None, None, None,
         Decimal("100"), None, Decimal("0.25"), "2026-05-01", "2026-05-01"),
        ("gpt-4.1-2025-04-14, output", "gpt-4.1-2025-04-14", "output", None,
         "standard", 100_000, Decimal("100000"), "tokens", Decimal("0.8"),
         "2026-05-01", "2026-05-01"),
        ("Vector storage", None, "storage", None, None, None, Decimal("2.5"),
         "gibibyte_hours", Decimal("0.1"), "2026-05-02", "2026-05-02"),
        ("gpt-4o: input", None, None, None, None, 1000, Decimal("1000"),
         "tokens", Decimal("0.33"), "2026-05-02", "2026-05-02"),
        ("gpt-4.1-2025-04-14, input", "gpt-4.1-2025-04-14", "input", None,
         "standard", 5000, Decimal("5000"), "tokens", None, "2026-05-02",
         "2026-05-02"),
        (None, None, None, None, None, None, None, None, Decimal("2"),
         "2026-05-02", "2026-05-02"),
    ]


def test_openai_usage_uncached_input(staged: DbtResult) -> None:
    rows = staged.query(
        """
        select regexp_extract(source_file, '[^/]+$'), source_row,
            input_tokens, input_cached_tokens, input_cache_write_tokens,
            input_uncached_tokens, output_tokens, request_count, is_batch,
            service_tier, export_period_key
        from stg_openai__usage_completions
        where rejected_reason is null
        order by 1, 2
        """
    )
    assert rows == [
        # old payload: 1000 - 300 - 0
        ("20260503T060000Z_usage_completions.json", 1, 1000, 300, None, 700,
         50, 4, False, None, "2026-05-01"),
        # new payload: input_uncached_tokens reported (2000 - 500 - 200)
        ("20260503T060000Z_usage_completions.json", 2, 2000, 500, 200, 1300,
         100, 2, False, "standard", "2026-05-01"),
        ("20260503T060000Z_usage_completions.json", 5, 800, 0, None, 800, 40,
         8, True, "batch", "2026-05-02"),
        # pretty-printed page with CRLF line ends: 3000 - 1000
        ("20260503T090000Z_usage_completions_crlf.json", 1, 3000, 1000, None,
         2000, 250, 6, False, None, "2026-05-03"),
    ]
    # the uncached sum from the raw pages, computed in Python
    used = [
        r for r in page_results("openai/usage_completions")
        if isinstance(r["input_tokens"], int) and "num_model_requests" in r
    ]
    python_uncached = sum(
        r.get("input_uncached_tokens",
              r["input_tokens"] - r["input_cached_tokens"]
              - r.get("input_cache_write_tokens", 0))
        for r in used
    )
    assert python_uncached == 4800
    assert staged.scalar(
        "select sum(input_uncached_tokens) from stg_openai__usage_completions"
        " where rejected_reason is null"
    ) == python_uncached


def test_anthropic_usage_is_additive(staged: DbtResult) -> None:
    rows = staged.query(
        """
        select source_row, vendor_model_id, api_key_id, workspace_id,
            service_tier, context_window, context_tier, inference_geo, speed,
            uncached_input_tokens, cache_read_input_tokens,
            cache_write_5m_input_tokens, cache_write_1h_input_tokens,
            output_tokens, web_search_requests, export_period_key
        from stg_anthropic__usage_messages
        where rejected_reason is null
        order by source_row
        """
    )
    assert rows == [
        (1, "claude-opus-4-7", None, "wrk_01", "standard", "0-200k",
         "standard", "us", "standard", 1000, 5000, 200, 100, 700, 3,
         "2026-05-01"),
        (2, "claude-sonnet-4-6", "apikey_01", None, "priority", "200k-1M",
         "long", "global", None, 250_000, 0, 0, 0, 2000, 0, "2026-05-01"),
        (4, "claude-haiku-4-5-20251001", "apikey_01", "wrk_01", "batch",
         "0-200k", "standard", None, None, 40, 300, 60, 0, 20, 0,
         "2026-05-02"),
    ]
    # additive input: 1000 + 5000 + 200 + 100 for the first result
    assert staged.scalar(
        """
        select uncached_input_tokens + cache_read_input_tokens
            + cache_write_5m_input_tokens + cache_write_1h_input_tokens
        from stg_anthropic__usage_messages where source_row = 1
        """
    ) == 6300


def test_anthropic_cost_total_matches_vendor(staged: DbtResult) -> None:
    used = [
        r for r in page_results("anthropic/cost_report")
        if as_decimal(r.get("amount")) is not None
    ]
    # amount is a string in cents
    vendor_total = sum(Decimal(r["amount"]) for r in used) / 100
    assert vendor_total == Decimal("43.4745")
    staged_total = staged.scalar(
        "select sum(billed_cost) from stg_anthropic__cost_report"
        " where rejected_reason is null"
    )
    assert staged_total == vendor_total
    rows = staged.query(
        """
        select regexp_extract(source_file, '[^/]+$'), source_row,
            token_class, billed_cost, service_tier, context_tier,
            export_period_key
        from stg_anthropic__cost_report
        where rejected_reason is null
        order by 1, 2
        """
    )
    assert rows == [
        ("20260503T060000Z_cost_report.json", 1, "output",
         Decimal("28.7350000000"), "standard", "standard", "2026-05-01"),
        ("20260503T060000Z_cost_report.json", 2, "input",
         Decimal("1.2345000000"), "standard", "standard", "2026-05-01"),
        ("20260503T060000Z_cost_report.json", 3, "cached_input",
         Decimal("0.0050000000"), "standard", "standard", "2026-05-01"),
        ("20260503T060000Z_cost_report.json", 6, "web_search",
         Decimal("10.0000000000"), None, None, "2026-05-01"),
        ("20260503T060000Z_cost_report.json", 7, "code_execution",
         Decimal("2.5000000000"), None, None, "2026-05-02"),
        # the page that starts with a UTF-8 byte-order mark
        ("20260503T090000Z_cost_report_bom.json", 1, "output",
         Decimal("1.0000000000"), "batch", "standard", "2026-05-03"),
    ]


def test_cursor_events(staged: DbtResult) -> None:
    rows = staged.query(
        """
        select source_row, user_email, vendor_model_id, kind,
            strftime(event_at, '%Y-%m-%d %H:%M:%S.%g'), event_on::varchar,
            export_period_key, request_units, input_tokens, output_tokens,
            cache_write_tokens, cache_read_tokens, reported_cost,
            billing_currency, is_included_in_seat, is_max_mode,
            is_token_based_call, is_free_bugbot
        from stg_cursor__usage_events
        where rejected_reason is null
        order by source_row
        """
    )
    # people arrive pseudonymised (docs/privacy.md)
    dev, ops = staged.pseudonym("dev@acme.org"), staged.pseudonym("ops@acme.org")
    assert rows == [
        (1, dev, "claude-4-sonnet", "Usage-based",
         "2026-05-01 12:00:00.000", "2026-05-01", "2026-05-01",
         Decimal("1"), 5200, 900, 0, 31000, Decimal("0.0437000000"), "USD",
         False, False, True, False),
        (2, ops, "gpt-5", "Included in Business",
         "2026-05-01 23:59:59.999", "2026-05-01", "2026-05-01",
         Decimal("2"), 12000, 3000, 1500, 0, Decimal("0.1250000000"), "USD",
         True, True, True, False),
        (3, dev, "auto", "Usage-based",
         "2026-05-02 08:15:30.000", "2026-05-02", "2026-05-02",
         Decimal("0.5"), None, None, None, None, None, "USD",
         False, False, False, False),
    ]
    used = [
        e for e in page_results("cursor/usage_events")
        if as_decimal(e.get("requestsCosts")) is not None
    ]
    vendor_cents = sum(
        Decimal(str(e["tokenUsage"]["totalCents"]))
        for e in used if "tokenUsage" in e
    )
    assert vendor_cents / 100 == Decimal("0.1687")
    assert staged.scalar(
        "select sum(reported_cost) from stg_cursor__usage_events"
        " where rejected_reason is null"
    ) == vendor_cents / 100


def test_gateway_requests(staged: DbtResult) -> None:
    rows = staged.query(
        """
        select regexp_extract(source_file, '[^/]+$'), source_row, request_id,
            provider, vendor_model_id, agent, team, workload, status,
            input_tokens, cached_input_tokens, uncached_input_tokens,
            output_tokens, prompt_chars, completion_chars,
            strftime(requested_at, '%Y-%m-%d %H:%M:%S'), export_period_key
        from stg_gateway__requests
        where rejected_reason is null
        order by 1, 2
        """
    )
    assert rows == [
        ("20260503T060000Z_gateway.jsonl", 1, "req_001", "openai",
         "gpt-4o-mini-2024-07-18", "support-bot", "support", "chat", "ok",
         1200, 200, 1000, 300, 4800, 1150, "2026-05-01 09:30:00",
         "2026-05-01"),
        ("20260503T060000Z_gateway.jsonl", 2, "req_002", "anthropic",
         "claude-opus-4-7", "code-review", "platform", "batch-review", "ok",
         5000, 0, 5000, 800, 19000, 3100, "2026-05-01 23:59:59",
         "2026-05-01"),
        # line 5 is blank: not a record, so the next line is source_row 6
        ("20260503T060000Z_gateway.jsonl", 6, "req_005", "openai",
         "gpt-4.1-2025-04-14", "etl", "data", "summarise", "ok",
         700, 100, 600, 90, 2800, 360, "2026-05-02 10:00:00", "2026-05-02"),
        ("20260503T090000Z_gateway_crlf.jsonl", 1, "req_101", "cursor",
         "claude-4-sonnet", "ide", "platform", "coding", "ok",
         400, 0, 400, 60, 1600, 240, "2026-05-03 11:00:00", "2026-05-03"),
        ("20260503T090000Z_gateway_crlf.jsonl", 2, "req_102", "gcp_vertex",
         "gemini-2.5-pro", "canary", "finops", "canary", "ok",
         100, 0, 100, 10, 400, 40, "2026-05-03 12:00:00", "2026-05-03"),
    ]
    # CRLF line ends are folded: no carriage return reaches raw_record
    assert staged.scalar(
        "select count(*) from stg_gateway__requests"
        " where raw_record like '%' || chr(13) || '%'"
    ) == 0
    # the invalid line is kept verbatim as the rejected record
    assert staged.scalar(
        "select raw_record from stg_gateway__requests"
        " where rejected_reason = 'line is not valid JSON'"
    ).startswith('{"request_id":"req_003"')


@pytest.mark.parametrize("model", sorted(MODELS))
def test_absent_vendor_folders_give_empty_typed_relations(
    staged: DbtResult, staged_absent: DbtResult, model: str
) -> None:
    assert staged_absent.scalar(f"select count(*) from {model}") == 0
    absent_columns = column_types(staged_absent, model)
    assert absent_columns[: len(CONTRACT_COLUMNS)] == CONTRACT_COLUMNS
    assert ("export_period_key", "VARCHAR") in absent_columns
    # same columns and types as when the vendor's files are there
    assert absent_columns == column_types(staged, model)


def test_money_and_token_types(staged: DbtResult) -> None:
    expected = {
        "stg_openai__costs": {
            "billed_cost": "DECIMAL(38,10)", "tokens": "BIGINT",
            "charge_period_start_at": "TIMESTAMP WITH TIME ZONE",
            "usage_on": "DATE",
        },
        "stg_openai__usage_completions": {
            "input_uncached_tokens": "BIGINT", "request_count": "BIGINT",
            "is_batch": "BOOLEAN",
        },
        "stg_anthropic__cost_report": {"billed_cost": "DECIMAL(38,10)"},
        "stg_anthropic__usage_messages": {
            "cache_write_1h_input_tokens": "BIGINT",
        },
        "stg_cursor__usage_events": {
            "reported_cost": "DECIMAL(38,10)",
            "request_units": "DECIMAL(38,10)",
            "event_at": "TIMESTAMP WITH TIME ZONE",
        },
        "stg_gateway__requests": {
            "input_tokens": "BIGINT",
            "requested_at": "TIMESTAMP WITH TIME ZONE",
        },
    }
    for model, columns in expected.items():
        types = dict(column_types(staged, model))
        for column, column_type in columns.items():
            assert types[column] == column_type, (model, column)
