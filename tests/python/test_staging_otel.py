"""stg_otel__genai_spans over the real-format OpenTelemetry fixture
(tests/fixtures/real/gateways/otel/genai_spans, PROVENANCE.md).

Every expected figure is recomputed here from the fixture file with Python's json module, and
checked against the figures PROVENANCE.md states, before it is compared with the staging table.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest

from conftest import FIXTURES, DbtResult, build_warehouse, copy_raw

GATEWAYS = FIXTURES / "real" / "gateways"
SPANS_FILE = GATEWAYS / "otel" / "genai_spans" / "2026-05-03T060000Z_spans.jsonl"
MODEL_CALL_OPERATIONS = {"chat", "text_completion", "generate_content", "embeddings"}


def attribute_values(attributes: list[dict]) -> dict[str, object]:
    """{key: value} of an OTLP/JSON attribute list (intValue is a decimal string)."""
    values: dict[str, object] = {}
    for attribute in attributes:
        value = attribute["value"]
        if "intValue" in value:
            values[attribute["key"]] = int(value["intValue"])
        elif "stringValue" in value:
            values[attribute["key"]] = value["stringValue"]
        else:
            values[attribute["key"]] = next(iter(value.values()))
    return values


def fixture_spans() -> list[dict]:
    """The fixture's spans in file order, each with its attributes and service."""
    spans = []
    for line in SPANS_FILE.read_text().splitlines():
        request = json.loads(line)
        for resource_span in request["resourceSpans"]:
            service = attribute_values(resource_span["resource"]["attributes"])["service.name"]
            for scope_span in resource_span["scopeSpans"]:
                for span in scope_span["spans"]:
                    spans.append({**span, "service": service,
                                  "attrs": attribute_values(span.get("attributes", []))})
    return spans


@pytest.fixture(scope="module")
def otel_warehouse(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    # the OpenTelemetry folder alone, and the whole project built over it
    base = tmp_path_factory.mktemp("otel")
    raw = copy_raw(GATEWAYS / "otel", base / "raw" / "otel").parent
    result = build_warehouse(raw, base / "work", unit_tests=False)
    assert result.returncode == 0, result.output[-5000:]
    return result


def test_span_counts_match_the_fixture(otel_warehouse: DbtResult) -> None:
    spans = fixture_spans()
    operations = Counter(span["attrs"].get("gen_ai.operation.name") for span in spans)
    # PROVENANCE.md: 12 spans, 10 GenAI (5 chat, 4 invoke_agent, 1 execute_tool), 2 non-GenAI,
    # 4 traces, 2 spans with status.code 2
    assert len(spans) == 12
    assert operations == {"chat": 5, "invoke_agent": 4, "execute_tool": 1, None: 2}
    assert len({span["traceId"] for span in spans}) == 4
    assert sum(span["status"].get("code") == 2 for span in spans) == 2

    rows = otel_warehouse.query(
        "select operation_name, count(*), count(rejected_reason),"
        " count(*) filter (where is_model_call), count(*) filter (where status = 'error')"
        " from stg_otel__genai_spans group by all")
    staged = {operation: (count, rejected, model_calls, errors)
              for operation, count, rejected, model_calls, errors in rows}
    assert staged == {"chat": (5, 0, 5, 1), "invoke_agent": (4, 0, 0, 1),
                      "execute_tool": (1, 0, 0, 0), None: (2, 0, 0, 0)}
    assert otel_warehouse.scalar(
        "select count(distinct trace_id) from stg_otel__genai_spans") == 4
    assert otel_warehouse.scalar(
        "select count(*) from stg_otel__genai_spans"
        " where rejected_reason is not null or request_source != 'otel'"
        " or export_period_key != source_file") == 0


def test_chat_tokens_match_the_fixture(otel_warehouse: DbtResult) -> None:
    chats = [span["attrs"] for span in fixture_spans()
             if span["attrs"].get("gen_ai.operation.name") == "chat"]
    input_tokens = sum(a.get("gen_ai.usage.input_tokens", 0) for a in chats)
    output_tokens = sum(a.get("gen_ai.usage.output_tokens", 0) for a in chats)
    cache_read = sum(a.get("gen_ai.usage.cache_read.input_tokens", 0) for a in chats)
    cache_creation = sum(a.get("gen_ai.usage.cache_creation.input_tokens", 0) for a in chats)
    # PROVENANCE.md: input 20268 (cached included), output 1847, cache read 15360, cache
    # creation 512, uncached 4396
    assert (input_tokens, output_tokens, cache_read, cache_creation) == (20268, 1847, 15360, 512)
    assert input_tokens - cache_read - cache_creation == 4396

    assert otel_warehouse.query(
        "select sum(input_tokens), sum(output_tokens), sum(cached_input_tokens),"
        " sum(cache_write_tokens), sum(uncached_input_tokens)"
        " from stg_otel__genai_spans where is_model_call") == [(20268, 1847, 15360, 512, 4396)]
    # agent, tool and non-GenAI spans carry no tokens
    assert otel_warehouse.scalar(
        "select count(*) from stg_otel__genai_spans where not is_model_call"
        " and coalesce(input_tokens, output_tokens, cached_input_tokens) is not null") == 0


def test_tokens_by_provider_and_service(otel_warehouse: DbtResult) -> None:
    by_provider: Counter[tuple[str, str]] = Counter()
    by_service: Counter[tuple[str, str]] = Counter()
    for span in fixture_spans():
        attrs = span["attrs"]
        if attrs.get("gen_ai.operation.name") != "chat":
            continue
        provider = attrs.get("gen_ai.provider.name", attrs.get("gen_ai.system"))
        for key, kind in (("gen_ai.usage.input_tokens", "in"),
                          ("gen_ai.usage.output_tokens", "out")):
            by_provider[provider, kind] += attrs.get(key, 0)
            by_service[span["service"], kind] += attrs.get(key, 0)
    # PROVENANCE.md: openai 10850/592, anthropic 7068/845, aws.bedrock 2350/410;
    # invoice-agent 13200/1002, support-copilot 7068/845
    assert dict(by_provider) == {("openai", "in"): 10850, ("openai", "out"): 592,
                                 ("anthropic", "in"): 7068, ("anthropic", "out"): 845,
                                 ("aws.bedrock", "in"): 2350, ("aws.bedrock", "out"): 410}
    assert dict(by_service) == {("invoice-agent", "in"): 13200, ("invoice-agent", "out"): 1002,
                                ("support-copilot", "in"): 7068,
                                ("support-copilot", "out"): 845}

    staged = otel_warehouse.query(
        "select provider_name, coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0),"
        " count(*) from stg_otel__genai_spans where is_model_call group by all")
    assert sorted(staged) == [("anthropic", 7068, 845, 2), ("aws.bedrock", 2350, 410, 1),
                              ("openai", 10850, 592, 2)]
    staged = otel_warehouse.query(
        "select service_name, coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0)"
        " from stg_otel__genai_spans where is_model_call group by all")
    assert sorted(staged) == [("invoice-agent", 13200, 1002), ("support-copilot", 7068, 845)]


def test_each_span_keeps_its_identity_time_model_and_agent(otel_warehouse: DbtResult) -> None:
    expected = {}
    for row, span in enumerate(fixture_spans(), start=1):
        attrs = span["attrs"]
        nanos = int(span["startTimeUnixNano"])
        expected[row] = (
            f"{span['traceId']}/{span['spanId']}",
            span.get("parentSpanId"),
            span["name"],
            span["service"],
            attrs.get("gen_ai.response.model", attrs.get("gen_ai.request.model")),
            attrs.get("gen_ai.agent.name"),
            # microseconds kept: integer division of the nanoseconds
            dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
            + dt.timedelta(microseconds=nanos // 1000),
            "error" if span["status"].get("code") == 2 else "success",
        )
    staged = {row[0]: tuple(row[1:]) for row in otel_warehouse.query(
        "select source_row, request_id, parent_span_id, span_name, service_name,"
        " vendor_model_id, agent, requested_at, status from stg_otel__genai_spans")}
    assert staged == expected
    # the Bedrock span has only the older gen_ai.system and the request model
    assert otel_warehouse.query(
        "select provider_name, vendor_model_id, cached_input_tokens from stg_otel__genai_spans"
        " where span_name = 'chat amazon.nova-pro-v1:0'") == [
            ("aws.bedrock", "amazon.nova-pro-v1:0", 0)]


def test_a_truncated_line_is_rejected_with_its_reason(tmp_path: Path) -> None:
    raw = copy_raw(GATEWAYS, tmp_path / "raw")
    spans_file = raw / "otel" / "genai_spans" / SPANS_FILE.name
    lines = SPANS_FILE.read_text().splitlines()
    truncated = lines[1][: len(lines[1]) // 2]
    # the truncated copy of line 2 follows line 1: the spans after it are numbered on
    spans_file.write_text("\n".join([lines[0], truncated, *lines[1:]]) + "\n")
    result = build_warehouse(raw, tmp_path / "work", select="+stg_otel__genai_spans",
                             unit_tests=False)
    assert result.returncode == 0, result.output[-5000:]
    first_line_spans = sum(len(scope_span["spans"])
                           for resource_span in json.loads(lines[0])["resourceSpans"]
                           for scope_span in resource_span["scopeSpans"])
    assert first_line_spans == 5
    assert result.query(
        "select source_row, raw_record, rejected_reason, request_id from stg_otel__genai_spans"
        " where rejected_reason is not null") == [
            (first_line_spans + 1, truncated, "line is not valid JSON", None)]
    # the 12 spans are still staged, with the same tokens
    assert result.query(
        "select count(*), sum(input_tokens), sum(output_tokens) from stg_otel__genai_spans"
        " where rejected_reason is null") == [(12, 20268, 1847)]


def test_otel_alone_builds_and_adds_no_cost(otel_warehouse: DbtResult) -> None:
    spans = fixture_spans()
    assert otel_warehouse.query(
        "select request_source, count(*) from int_gateway_requests group by 1") == [
            ("otel", len(spans))]
    assert otel_warehouse.scalar("select count(*) from fct_ai_costs") == 0
    assert otel_warehouse.scalar("select count(*) from mart_rejected_rows") == 0
