"""LiteLLM's request log and daily rollups (tests/fixtures/real/gateways, in the exact shapes
the proxy writes them), the request shape every gateway and tracing source feeds
(int_gateway_requests), and the three-way reconciliation (mart_cost_reconciliation).

Expected figures are recomputed here from the fixture files with Python's csv and json
modules, not read back from the warehouse; the vendor side of the reconciliation is an
OpenAI cost page this test writes with amounts chosen by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import FIXTURES, DbtResult, build_warehouse, copy_raw

GATEWAYS = FIXTURES / "real" / "gateways"
SPEND_LOGS = GATEWAYS / "litellm" / "spend_logs"
DAILY = GATEWAYS / "litellm" / "daily_spend"

# the vendor's own bill of 2026-05-03 for gpt-4o-mini, by hand: 0.0002 + 0.0003 = 0.0005 USD
OPENAI_COST_PAGE = {
    "object": "page",
    "data": [{
        "object": "bucket", "start_time": 1777766400, "end_time": 1777852800,
        "results": [
            {"object": "organization.costs.result", "amount": {"value": 0.0002, "currency": "usd"},
             "line_item": "gpt-4o-mini-2024-07-18, input", "project_id": "proj_gw"},
            {"object": "organization.costs.result", "amount": {"value": 0.0003, "currency": "usd"},
             "line_item": "gpt-4o-mini-2024-07-18, output", "project_id": "proj_gw"},
        ],
    }],
    "has_more": False, "next_page": None,
}


def spend_log_rows() -> list[dict]:
    """Every request of the CSV and JSON-lines exports, as the files hold them."""
    with open(SPEND_LOGS / "2026-05-03_spend_logs.csv", newline="") as handle:
        rows = [dict(row) for row in csv.DictReader(handle)]
    lines = (SPEND_LOGS / "2026-05-03_spend_logs.jsonl").read_text().splitlines()
    return rows + [json.loads(line, parse_float=Decimal) for line in lines if line.strip()]


def usage_of(row: dict) -> dict:
    metadata = row["metadata"]
    metadata = json.loads(metadata) if isinstance(metadata, str) else metadata
    return metadata.get("usage_object") or {}


@pytest.fixture(scope="module")
def gateways(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    base = tmp_path_factory.mktemp("gateways")
    raw = copy_raw(GATEWAYS, base / "raw")
    shutil.rmtree(raw / "langfuse" / "observations_v2")  # the same generations as v1
    costs = raw / "openai" / "costs"
    costs.mkdir(parents=True)
    (costs / "20260504T060000Z_costs.json").write_text(json.dumps(OPENAI_COST_PAGE))
    result = build_warehouse(raw, base / "work", unit_tests=False)
    assert result.returncode == 0, result.output[-5000:]
    return result


def test_spend_logs_are_read_whole_from_csv_and_json_lines(gateways: DbtResult) -> None:
    rows = spend_log_rows()
    by_file: dict[str, tuple[Decimal, int, int, int]] = {}
    for row in rows:
        name = "csv" if isinstance(row["spend"], str) else "jsonl"
        spend, prompt, completion, count = by_file.get(name, (Decimal(0), 0, 0, 0))
        by_file[name] = (spend + Decimal(str(row["spend"])), prompt + int(row["prompt_tokens"]),
                         completion + int(row["completion_tokens"]), count + 1)
    staged = gateways.query(
        """
        select case when source_file like '%.csv' then 'csv' else 'jsonl' end,
               sum(reported_cost), sum(input_tokens), sum(output_tokens), count(*),
               count(rejected_reason)
        from stg_litellm__spend_logs group by 1
        """)
    assert {r[0]: (r[1], r[2], r[3], r[4]) for r in staged} == by_file
    assert [r[5] for r in staged] == [0, 0]
    # by hand from the files (PROVENANCE.md): 0.0299581 and 0.0176742 USD
    assert by_file["csv"][0] == Decimal("0.0299581")
    assert by_file["jsonl"][0] == Decimal("0.0176742")


def test_cache_tokens_come_from_the_usage_object(gateways: DbtResult) -> None:
    expected = {}
    for row in spend_log_rows():
        usage = usage_of(row)
        cached = usage.get("cache_read_input_tokens")
        if cached is None:
            cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0
        written = usage.get("cache_creation_input_tokens") or 0
        prompt = int(row["prompt_tokens"])
        expected[row["request_id"]] = (prompt, int(cached), int(written),
                                       prompt - int(cached) - int(written))
    staged = gateways.query(
        "select request_id, input_tokens, cached_input_tokens, cache_write_tokens,"
        " uncached_input_tokens from stg_litellm__spend_logs")
    assert {r[0]: r[1:] for r in staged} == expected
    # the Anthropic request: 7068 = 412 uncached + 6144 read + 512 written
    assert expected["msg_01XkTq7bVn3RfJ9wLp2sYc8D"] == (7068, 6144, 512, 412)


def test_a_request_in_two_exports_is_one_request(gateways: DbtResult) -> None:
    rows = spend_log_rows()
    distinct = {row["request_id"]: row for row in rows}
    assert len(rows) == 9 and len(distinct) == 6
    summary = gateways.query(
        "select count(*), sum(reported_cost), count(*) filter (where not is_model_call)"
        " from int_gateway_requests where request_source = 'litellm'")
    spend = sum(Decimal(str(row["spend"])) for row in distinct.values())
    hits = sum(1 for row in distinct.values() if str(row["cache_hit"]) == "True")
    assert summary == [(6, spend, hits)]
    assert hits == 1


def test_providers_and_models_resolve(gateways: DbtResult) -> None:
    resolved = gateways.query(
        """
        select requests.provider_name, requests.provider, vendor_models.model
        from int_gateway_requests as requests
        left join int_vendor_models as vendor_models
            on requests.provider = vendor_models.provider
            and requests.vendor_model_id = vendor_models.vendor_model_id
        where requests.request_source = 'litellm'
        group by all order by all
        """)
    assert resolved == [
        ("anthropic", "anthropic", "claude-sonnet-4-5"),
        ("azure", "azure_openai", "gpt-4.1"),
        ("bedrock", "aws_bedrock", "claude-haiku-3-5"),
        ("openai", "openai", "gpt-4o-mini"),
    ]


def test_daily_rollups_by_table(gateways: DbtResult) -> None:
    expected = {}
    for path, kind in ((DAILY / "2026-05-03_daily_team_spend.csv", "team"),
                       (DAILY / "2026-05-03_daily_user_spend.csv", "user"),
                       (DAILY / "2026-05-03_daily_tag_spend.csv", "tag")):
        with open(path, newline="") as handle:
            rows = list(csv.DictReader(handle))
        expected[kind] = (sum(Decimal(r["spend"]) for r in rows),
                          sum(int(r["api_requests"]) for r in rows), len(rows))
    staged = gateways.query(
        "select rollup_kind, sum(reported_cost), sum(api_requests), count(*)"
        " from stg_litellm__daily_spend where rejected_reason is null group by 1")
    assert {r[0]: r[1:] for r in staged} == expected
    # the team rollup holds every request once: the same spend as the request log
    assert expected["team"][0] == Decimal("0.0299581")


def test_three_way_reconciliation(gateways: DbtResult) -> None:
    spend = sum(Decimal(str(row["spend"])) for row in
                {row["request_id"]: row for row in spend_log_rows()}.values()
                if row["custom_llm_provider"] == "openai")
    row = gateways.query(
        "select billed_cost, vendor_reported_cost, litellm_reported_cost, litellm_gap"
        " from mart_cost_reconciliation"
        " where provider = 'openai' and model = 'gpt-4o-mini' and cost_on = '2026-05-03'")
    # the vendor billed 0.0005 (the cost page above); LiteLLM priced the same day 0.0003735
    assert spend == Decimal("0.0003735")
    assert row == [(Decimal("0.0005"), Decimal("0.0005"), spend, spend - Decimal("0.0005"))]
    # providers LiteLLM saw but the warehouse holds no bill of that day: the tool's side only
    anthropic = gateways.query(
        "select billed_cost, litellm_reported_cost from mart_cost_reconciliation"
        " where provider = 'anthropic'")
    assert anthropic == [(None, Decimal("0.0176742"))]


def test_people_are_pseudonymised_in_the_request_log(gateways: DbtResult) -> None:
    with open(SPEND_LOGS / "2026-05-03_spend_logs.csv", newline="") as handle:
        users = {row["user"] for row in csv.DictReader(handle) if row["user"]}
    assert users
    landed = " ".join(r[0] for r in gateways.query(
        "select raw_record from stg_litellm__spend_logs"))
    for user in users:
        assert user not in landed
        assert gateways.pseudonym(user) in landed


def otel_spans() -> dict[str, dict]:
    """Every span of the OTLP fixture by `<traceId>/<spanId>`, with its attributes as a dict."""
    spans = {}
    path = GATEWAYS / "otel" / "genai_spans" / "2026-05-03T060000Z_spans.jsonl"
    for line in path.read_text().splitlines():
        for resource in json.loads(line)["resourceSpans"]:
            for scope in resource["scopeSpans"]:
                for span in scope["spans"]:
                    attributes = {a["key"]: next(iter(a["value"].values()))
                                  for a in span.get("attributes", [])}
                    spans[f"{span['traceId']}/{span['spanId']}"] = {**span, "attrs": attributes}
    return spans


def test_traced_calls_take_the_agent_of_their_span_parent_or_trace(gateways: DbtResult) -> None:
    spans = otel_spans()

    def agent_of(key: str, depth: int = 0) -> str | None:
        span = spans.get(key)
        if span is None or depth > 2:
            return None
        own = span["attrs"].get("gen_ai.agent.name")
        parent = f"{span['traceId']}/{span.get('parentSpanId')}"
        return own or agent_of(parent, depth + 1)

    expected = {key: agent_of(key) for key in spans}
    staged = dict(gateways.query(
        "select request_id, agent from int_gateway_requests where request_source = 'otel'"))
    assert staged == expected
    assert {expected[k] for k, s in spans.items()
            if s["attrs"].get("gen_ai.operation.name") == "chat"} == {
                "invoice-bot", "support-copilot"}

    traces = json.loads(
        (GATEWAYS / "langfuse" / "traces" / "2026-05-03T060000Z_traces.json").read_text())["data"]
    observations = json.loads((GATEWAYS / "langfuse" / "observations"
                               / "2026-05-03T060000Z_observations.json").read_text())["data"]
    names = {trace["id"]: trace["name"] for trace in traces}
    assert dict(gateways.query(
        "select request_id, agent from int_gateway_requests where request_source = 'langfuse'"
    )) == {o["id"]: names.get(o["traceId"]) for o in observations}


def test_langfuse_generations_take_their_models_developer_as_provider(
    gateways: DbtResult,
) -> None:
    providers = dict(gateways.query(
        "select vendor_model_id, any_value(provider) from int_gateway_requests"
        " where request_source = 'langfuse' group by 1"))
    # Langfuse names no provider: gpt-* are OpenAI's, claude-* Anthropic's; a model the
    # catalogue does not know has none
    assert providers == {"gpt-4o": "openai", "gpt-4o-mini": "openai",
                         "claude-sonnet-4-5-20250929": "anthropic",
                         "llama-3.1-8b-instruct": None}


def test_langfuse_cost_in_the_reconciliation(gateways: DbtResult) -> None:
    observations = json.loads((GATEWAYS / "langfuse" / "observations"
                               / "2026-05-03T060000Z_observations.json").read_text())["data"]
    mini = sum(Decimal(str(o["costDetails"]["total"])) for o in observations
               if o["model"] == "gpt-4o-mini" and o["costDetails"])
    row = gateways.query(
        "select billed_cost, langfuse_reported_cost, langfuse_gap from mart_cost_reconciliation"
        " where provider = 'openai' and model = 'gpt-4o-mini'")
    assert row == [(Decimal("0.0005"), mini, mini - Decimal("0.0005"))]


def agents_from_tags(tags: object) -> str | None:
    """The agent a LiteLLM request names: its `agent:<name>` tag (seed rule gateway-tag-agent)."""
    values = json.loads(tags) if isinstance(tags, str) else (tags or [])
    return next((tag.split(":", 1)[1] for tag in values if tag.startswith("agent:")), None)


def test_requests_and_tokens_per_agent_and_day_equal_the_files(gateways: DbtResult) -> None:
    expected: dict[tuple[str, str, str], tuple[int, int, int]] = {}

    def add(source: str, day: str, agent: str | None, tokens_in: int, tokens_out: int) -> None:
        key = (source, day, agent or "unallocated")
        requests, inputs, outputs = expected.get(key, (0, 0, 0))
        expected[key] = (requests + 1, inputs + tokens_in, outputs + tokens_out)

    # LiteLLM: each request once (the CSV and JSON-lines exports overlap); a hit of its own
    # response cache reached no vendor
    for row in {row["request_id"]: row for row in spend_log_rows()}.values():
        if str(row["cache_hit"]) != "True":
            add("litellm", str(row["startTime"])[:10], agents_from_tags(row["request_tags"]),
                int(row["prompt_tokens"]), int(row["completion_tokens"]))
    # Langfuse: every generation, its agent the trace's name, its tokens promptTokens
    traces = json.loads(
        (GATEWAYS / "langfuse" / "traces" / "2026-05-03T060000Z_traces.json").read_text())["data"]
    names = {trace["id"]: trace["name"] for trace in traces}
    for observation in json.loads((GATEWAYS / "langfuse" / "observations"
                                   / "2026-05-03T060000Z_observations.json").read_text())["data"]:
        add("langfuse", observation["startTime"][:10], names.get(observation["traceId"]),
            int(observation.get("promptTokens") or 0),
            int(observation.get("completionTokens") or 0))
    # OpenTelemetry: chat spans (model calls), the agent of the span or its ancestors
    spans = otel_spans()
    for key, span in spans.items():
        if span["attrs"].get("gen_ai.operation.name") != "chat":
            continue
        agent, parent = None, key
        for _ in range(3):
            ancestor = spans.get(parent)
            if ancestor is None:
                break
            agent = agent or ancestor["attrs"].get("gen_ai.agent.name")
            parent = f"{ancestor['traceId']}/{ancestor.get('parentSpanId')}"
        day = dt.datetime.fromtimestamp(int(span["startTimeUnixNano"]) / 1e9, dt.UTC).date()
        add("otel", day.isoformat(), agent,
            int(span["attrs"].get("gen_ai.usage.input_tokens") or 0),
            int(span["attrs"].get("gen_ai.usage.output_tokens") or 0))

    usage = gateways.query(
        "select request_source, cast(requested_on as varchar), agent, sum(request_count),"
        " sum(input_tokens), sum(output_tokens) from mart_gateway_usage_daily"
        " where request_count > 0 group by 1, 2, 3")
    assert {(r[0], r[1], r[2]): (int(r[3]), int(r[4]), int(r[5])) for r in usage} == expected
    # every request whose log names an agent is attributed to it
    assert not [key for key in expected if key[2] == "unallocated" and key[0] != "litellm"]


def test_litellm_team_alias_and_agent_tag_attribute_its_requests(gateways: DbtResult) -> None:
    rows = {row["request_id"]: row for row in spend_log_rows()}
    expected = {}
    for request_id, row in rows.items():
        metadata = row["metadata"]
        metadata = json.loads(metadata) if isinstance(metadata, str) else metadata
        expected[request_id] = (metadata.get("user_api_key_team_alias") or "unallocated",
                                agents_from_tags(row["request_tags"]) or "unallocated")
    attributed = gateways.query(
        "select request_id, team, agent from int_gateway_requests_attributed"
        " where request_source = 'litellm'")
    assert {r[0]: (r[1], r[2]) for r in attributed} == expected
    assert {r[1] for r in attributed} == {"finance-automation", "customer-support",
                                          "data-platform"}


def test_the_logs_add_no_cost(gateways: DbtResult) -> None:
    # the warehouse bills what the vendor's cost page says, and nothing from the logs
    assert gateways.query(
        "select sum(billed_cost), count(*) filter (where staging_model not like 'stg_openai%')"
        " from fct_ai_costs") == [(Decimal("0.0005"), 0)]



@pytest.fixture(scope="module")
def litellm_alone(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    """LiteLLM's folder as the only raw folder: the whole project builds over it (Langfuse and
    OpenTelemetry alone: test_staging_langfuse.py, test_staging_otel.py)."""
    base = tmp_path_factory.mktemp("litellm_alone")
    raw = copy_raw(GATEWAYS / "litellm", base / "raw" / "litellm").parent
    return build_warehouse(raw, base / "work", unit_tests=False)


def test_litellm_alone_builds_and_adds_no_cost(litellm_alone: DbtResult) -> None:
    assert litellm_alone.returncode == 0, litellm_alone.output[-5000:]
    distinct = {row["request_id"] for row in spend_log_rows()}
    assert litellm_alone.query(
        "select request_source, count(*) from int_gateway_requests group by 1") == [
            ("litellm", len(distinct))]
    assert litellm_alone.scalar("select count(*) from fct_ai_costs") == 0
    assert litellm_alone.scalar("select count(*) from mart_rejected_rows") == 0
