"""Staging of Langfuse observations and traces (stg_langfuse__observations, stg_langfuse__traces).

Builds the real-format fixtures (tests/fixtures/real/gateways/langfuse, PROVENANCE.md) three
times, each over its own raw folder:

* v1: `langfuse/observations` holds the v1 API page, `langfuse/traces` the traces page;
* v2: `langfuse/observations` holds the v2 API page of the same 5 generations instead. The
  two pages are the same observations: a user exports one or the other, and in one folder
  they would be two exports each counted until the later de-duplication by request_id, so
  they are built apart and must give the same figures;
* bad: the v1 folder plus files with bad records, each rejected with its reason while the
  good page's figures do not move.

Every figure is worked out twice: by hand (the PROVENANCE.md figures, written out below) and
with Python's json module from the fixture files (`page_figures`), independently of dbt.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import FIXTURES, DbtResult, build_warehouse, copy_raw

LANGFUSE = FIXTURES / "real" / "gateways" / "langfuse"
V1_PAGE = LANGFUSE / "observations" / "2026-05-03T060000Z_observations.json"
V2_PAGE = LANGFUSE / "observations_v2" / "2026-05-03T060000Z_observations_v2.json"
TRACES_PAGE = LANGFUSE / "traces" / "2026-05-03T060000Z_traces.json"
SELECT = "+stg_langfuse__observations +stg_langfuse__traces"

# worked out by hand from the v1 page (PROVENANCE.md):
# cost 0.01168 + 0.0003735 + 0.0176742 + 0 (not priced) + 0 (not priced, ERROR)
HAND_TOTAL_COST = Decimal("0.0297277")
# input incl. cache: 0 + 900 + (412 + 6144 + 512) + 1250 + (1104 + 4096 + 0 audio)
HAND_INPUT_TOKENS = 14418
HAND_OUTPUT_TOKENS = 1685  # 0 + 150 + 845 + 310 + 380
HAND_CACHED_INPUT_TOKENS = 10240  # 6144 + 4096
HAND_CACHE_WRITE_TOKENS = 512
HAND_UNCACHED_INPUT_TOKENS = 3666  # 0 + 900 + 412 + 1250 + 1104 (+ 0 audio)
UNPRICED = {"d4e5f60718293a4b", "e5f60718293a4b5c"}  # costDetails {}
ERRORS = {"e5f60718293a4b5c"}  # level ERROR (a 429)
# reported cost by trace name (the agent), as the traces page's totalCost gives it
HAND_COST_BY_AGENT = {
    "invoice-bot": Decimal("0.0120535"),  # 0.01168 + 0.0003735
    "support-copilot": Decimal("0.0176742"),  # plus the unpriced ERROR generation
    "nightly-summary": None,  # its only generation is not priced
}


def page(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)["data"]


def page_figures(path: Path) -> dict[str, object]:
    """The figures of an observations page, recomputed with the json module (cached tokens
    are separate usageDetails keys; costDetails {} is not priced)."""
    observations = page(path)
    figures: dict[str, object] = {
        "count": len(observations),
        "generations": sum(o["type"] == "GENERATION" for o in observations),
        "cost": sum((Decimal(o["costDetails"]["total"]) for o in observations
                     if o["costDetails"]), Decimal(0)),
        "input": 0, "cached": 0, "cache_write": 0, "output": 0,
        "unpriced": {o["id"] for o in observations if not o["costDetails"]},
        "errors": {o["id"] for o in observations if o["level"] == "ERROR"},
    }
    for observation in observations:
        for key, value in observation["usageDetails"].items():
            name = key.lower().replace("_", "")
            if "input" in name:
                figures["input"] += value
                if "cacheread" in name or "cached" in name:
                    figures["cached"] += value
                if "cachecreation" in name or "cachewrite" in name:
                    figures["cache_write"] += value
            elif "output" in name:
                figures["output"] += value
    figures["uncached"] = figures["input"] - figures["cached"] - figures["cache_write"]
    return figures


def raw_folder(base: Path, observations_page: Path) -> Path:
    """A raw root with `langfuse/observations` (the given page) and `langfuse/traces`."""
    raw = base / "raw"
    copy_raw(LANGFUSE / "traces", raw / "langfuse" / "traces")
    (raw / "langfuse" / "observations").mkdir()
    shutil.copy2(observations_page, raw / "langfuse" / "observations" / observations_page.name)
    return raw


def build(base: Path, raw: Path, select: str | None = SELECT) -> DbtResult:
    result = build_warehouse(raw, base / "work", select=select, unit_tests=False)
    assert result.returncode == 0, result.output[-5000:]
    return result


@pytest.fixture(scope="module")
def staged_v1(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    # the Langfuse folder alone, and the whole project built over it
    base = tmp_path_factory.mktemp("langfuse_v1")
    return build(base, raw_folder(base, V1_PAGE), select=None)


@pytest.fixture(scope="module")
def staged_v2(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    base = tmp_path_factory.mktemp("langfuse_v2")
    return build(base, raw_folder(base, V2_PAGE))


BAD_PAGE = {"data": [
    {"id": "bad-1", "traceId": "t", "startTime": "2026-05-04T01:00:00.000Z",
     "type": "GENERATION", "model": "gpt-4o", "usageDetails": {"input": "12x", "output": 3},
     "costDetails": {}},
    {"id": "bad-2", "traceId": "t", "startTime": "2026-05-04T01:00:00.000Z",
     "type": "GENERATION", "model": "gpt-4o", "usageDetails": {"input": 10, "output": 3},
     "costDetails": {"total": "n/a"}},
    {"id": "bad-3", "traceId": "t", "startTime": "not a time", "type": "GENERATION"},
    {"traceId": "t", "startTime": "2026-05-04T01:00:00.000Z", "type": "GENERATION"},
    {"id": "bad-5", "traceId": "t", "startTime": "2026-05-04T01:00:00.000Z",
     "type": "GENERATION", "usageDetails": {"input": 10, "input_cached_tokens": 5,
                                            "output": 3},
     "costDetails": {}, "promptTokens": 10, "completionTokens": 3},
    {"id": "bad-6", "traceId": "t", "startTime": "2026-05-04T01:00:00.000Z",
     "type": "GENERATION", "usageDetails": {"input": 10, "output": -1}, "costDetails": {}},
    "not an object",
    {"id": "span-8", "traceId": "t", "startTime": "2026-05-04T01:00:00.000Z",
     "type": "SPAN", "name": "retrieve", "usageDetails": {}, "costDetails": {}},
], "meta": {"page": 1, "limit": 50, "totalItems": 8, "totalPages": 1}}
BAD_LINES = ('{"id": "line-1", "startTime": "2026-05-04T02:00:00Z", "type": "GENERATION"}\n'
             '{"id": \n')
EXPECTED_BAD = {
    ("2026-05-04T060000Z_observations.json", 1): "usageDetails.input is not a number: '12x'",
    ("2026-05-04T060000Z_observations.json", 2): "costDetails.total is not a number: 'n/a'",
    ("2026-05-04T060000Z_observations.json", 3):
        "startTime is not an ISO 8601 timestamp: 'not a time'",
    ("2026-05-04T060000Z_observations.json", 4): "id is missing",
    ("2026-05-04T060000Z_observations.json", 5):
        "promptTokens 10 is not the sum of the usageDetails keys starting with input (15)",
    ("2026-05-04T060000Z_observations.json", 6):
        "usageDetails.output is not a whole non-negative number: '-1'",
    ("2026-05-04T060000Z_observations.json", 7): "observation is not a JSON object",
    ("2026-05-04T060000Z_observations.json", 8): None,  # a SPAN: used, not a model call
    ("2026-05-04T070000Z_observations.jsonl", 1): None,
    ("2026-05-04T070000Z_observations.jsonl", 2): "record is not valid JSON",
    ("2026-05-04T080000Z_observations.json", 0): "empty file",
}


@pytest.fixture(scope="module")
def staged_bad(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    base = tmp_path_factory.mktemp("langfuse_bad")
    raw = raw_folder(base, V1_PAGE)
    folder = raw / "langfuse" / "observations"
    (folder / "2026-05-04T060000Z_observations.json").write_text(json.dumps(BAD_PAGE))
    (folder / "2026-05-04T070000Z_observations.jsonl").write_text(BAD_LINES)
    (folder / "2026-05-04T080000Z_observations.json").write_text("")
    (raw / "langfuse" / "traces" / "2026-05-04T060000Z_traces.jsonl").write_text(
        '{"id": "tr-bad", "timestamp": "2026-05-04T01:00:00Z", "tags": "agent:x"}\n')
    return build(base, raw)


def totals(result: DbtResult, where: str = "true") -> dict[str, object]:
    row = result.query(f"""
        select count(*), count(*) filter (where rejected_reason is not null),
            count(*) filter (where is_model_call), sum(reported_cost),
            sum(input_tokens), sum(cached_input_tokens), sum(cache_write_tokens),
            sum(output_tokens), sum(uncached_input_tokens)
        from stg_langfuse__observations
        where {where}
    """)[0]
    keys = ("count", "rejected", "generations", "cost", "input", "cached", "cache_write",
            "output", "uncached")
    return dict(zip(keys, row))


def test_independent_figures_agree_with_the_hand_figures() -> None:
    """The json-module recount of both pages gives PROVENANCE.md's figures."""
    for path in (V1_PAGE, V2_PAGE):
        figures = page_figures(path)
        assert figures["count"] == figures["generations"] == 5
        assert figures["cost"] == HAND_TOTAL_COST
        assert figures["input"] == HAND_INPUT_TOKENS
        assert figures["cached"] == HAND_CACHED_INPUT_TOKENS
        assert figures["cache_write"] == HAND_CACHE_WRITE_TOKENS
        assert figures["output"] == HAND_OUTPUT_TOKENS
        assert figures["uncached"] == HAND_UNCACHED_INPUT_TOKENS
        assert figures["unpriced"] == UNPRICED
        assert figures["errors"] == ERRORS
    # v1's own sums: promptTokens (every key starting with input) and calculatedTotalCost
    v1 = page(V1_PAGE)
    assert sum(o["promptTokens"] for o in v1) == HAND_INPUT_TOKENS
    assert sum(o["completionTokens"] for o in v1) == HAND_OUTPUT_TOKENS
    assert sum(Decimal(o["calculatedTotalCost"]) for o in v1) == HAND_TOTAL_COST
    # v2 says totalCost null (not 0) for the unpriced ones
    assert {o["id"] for o in page(V2_PAGE) if o["totalCost"] is None} == UNPRICED


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_observation_totals(version: str, staged_v1: DbtResult, staged_v2: DbtResult) -> None:
    result = staged_v1 if version == "v1" else staged_v2
    assert totals(result) == {
        "count": 5, "rejected": 0, "generations": 5, "cost": HAND_TOTAL_COST,
        "input": HAND_INPUT_TOKENS, "cached": HAND_CACHED_INPUT_TOKENS,
        "cache_write": HAND_CACHE_WRITE_TOKENS, "output": HAND_OUTPUT_TOKENS,
        "uncached": HAND_UNCACHED_INPUT_TOKENS,
    }


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_each_observation_as_in_the_page(
    version: str, staged_v1: DbtResult, staged_v2: DbtResult
) -> None:
    result, path = (staged_v1, V1_PAGE) if version == "v1" else (staged_v2, V2_PAGE)
    rows = {row[0]: row[1:] for row in result.query("""
        select request_id, source_row, span_id, trace_id, parent_span_id, span_name,
            workload, operation_name, vendor_model_id, environment, status, is_model_call,
            reported_cost, reported_cost_currency, provider_name, agent, tags,
            strftime(requested_at, '%Y-%m-%dT%H:%M:%S.%gZ'), cast(requested_on as varchar),
            request_source, export_period_key = source_file
        from stg_langfuse__observations
    """)}
    observations = page(path)
    assert set(rows) == {o["id"] for o in observations}
    for position, o in enumerate(observations, start=1):
        cost = Decimal(o["costDetails"]["total"]) if o["costDetails"] else None
        assert rows[o["id"]] == (
            position, o["id"], o["traceId"], o["parentObservationId"], o["name"], o["name"],
            "generation", o.get("model") or o.get("providedModelName"), "production",
            "error" if o["level"] == "ERROR" else "success", True,
            cost, "USD" if cost is not None else None,
            None, None, None,  # no provider in the metadata; agent and tags: the trace's
            o["startTime"], "2026-05-03", "langfuse", True,
        ), o["id"]


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_unpriced_and_error_generations(
    version: str, staged_v1: DbtResult, staged_v2: DbtResult
) -> None:
    result = staged_v1 if version == "v1" else staged_v2
    unpriced = result.query("""
        select request_id from stg_langfuse__observations where reported_cost is null
    """)
    assert {row[0] for row in unpriced} == UNPRICED
    # not priced is null, never a zero cost
    assert result.scalar(
        "select count(*) from stg_langfuse__observations where reported_cost = 0") == 0
    errors = result.query("""
        select request_id, input_tokens, output_tokens, reported_cost
        from stg_langfuse__observations where status = 'error'
    """)
    assert errors == [("e5f60718293a4b5c", 0, 0, None)]


def test_cached_tokens_are_part_of_input(staged_v1: DbtResult) -> None:
    # by hand: Anthropic 412 + 6144 read + 512 write = 7068; OpenAI 1104 + 4096 read = 5200
    rows = staged_v1.query("""
        select request_id, input_tokens, cached_input_tokens, cache_write_tokens,
            uncached_input_tokens, output_tokens
        from stg_langfuse__observations
        where request_id in ('c3d4e5f607182930', 'a1b2c3d4e5f60718')
        order by request_id
    """)
    assert rows == [
        ("a1b2c3d4e5f60718", 5200, 4096, 0, 1104, 380),
        ("c3d4e5f607182930", 7068, 6144, 512, 412, 845),
    ]
    # and they are Langfuse's promptTokens / completionTokens
    by_id = {o["id"]: o for o in page(V1_PAGE)}
    for request_id, input_tokens, *_, output_tokens in rows:
        assert input_tokens == by_id[request_id]["promptTokens"]
        assert output_tokens == by_id[request_id]["completionTokens"]


def test_traces(staged_v1: DbtResult) -> None:
    rows = staged_v1.query("""
        select trace_id, source_row, rejected_reason, trace_name, user_id, session_id, tags,
            environment, release, trace_version,
            strftime(started_at, '%Y-%m-%dT%H:%M:%S.%gZ'), export_period_key = source_file
        from stg_langfuse__traces
    """)
    traces = page(TRACES_PAGE)
    assert len(rows) == len(traces) == 4
    by_id = {row[0]: row[1:] for row in rows}
    for position, t in enumerate(traces, start=1):
        user = staged_v1.pseudonym(t["userId"]) if t["userId"] else None
        assert by_id[t["id"]] == (
            position, None, t["name"], user, t["sessionId"], t["tags"], t["environment"],
            t["release"], t["version"], t["timestamp"], True,
        ), t["id"]
    # the people's ids were pseudonymised when landed: not in the staged text
    texts = " ".join(row[0] for row in staged_v1.query(
        "select raw_record from stg_langfuse__traces"))
    assert "user_7f3e21" not in texts and "user_c91a07" not in texts


def test_cost_by_agent_is_the_traces_total_cost(staged_v1: DbtResult) -> None:
    """The generations' costs by the name of their trace (the agent) equal the traces page's
    totalCost (a trace whose generations are all unpriced has no cost, not 0)."""
    rows = dict(staged_v1.query("""
        select traces.trace_name, sum(observations.reported_cost)
        from stg_langfuse__observations as observations
        inner join stg_langfuse__traces as traces
            on observations.trace_id = traces.trace_id
        group by traces.trace_name
    """))
    assert rows == HAND_COST_BY_AGENT
    by_name: dict[str, Decimal] = {}
    for t in page(TRACES_PAGE):
        by_name[t["name"]] = by_name.get(t["name"], Decimal(0)) + Decimal(t["totalCost"])
    assert {name: cost or None for name, cost in by_name.items()} == HAND_COST_BY_AGENT


def test_bad_records_are_rejected_with_their_reason(staged_bad: DbtResult) -> None:
    rows = staged_bad.query("""
        select regexp_extract(source_file, '[^/]+$'), source_row, rejected_reason
        from stg_langfuse__observations
        where source_file not like '%2026-05-03T060000Z_observations.json'
    """)
    assert {(name, row): reason for name, row, reason in rows} == EXPECTED_BAD
    assert len(rows) == len(EXPECTED_BAD)
    # the SPAN is a used record, not a model call; the bad records keep their text
    assert staged_bad.query("""
        select is_model_call, operation_name from stg_langfuse__observations
        where request_id = 'span-8'
    """) == [(False, "span")]
    assert staged_bad.scalar("""
        select count(*) from stg_langfuse__observations
        where rejected_reason is not null and source_row > 0 and raw_record is null
    """) == 0
    # the good page is untouched by its bad neighbours
    assert totals(staged_bad, "source_file like '%2026-05-03T060000Z_observations.json'") == {
        "count": 5, "rejected": 0, "generations": 5, "cost": HAND_TOTAL_COST,
        "input": HAND_INPUT_TOKENS, "cached": HAND_CACHED_INPUT_TOKENS,
        "cache_write": HAND_CACHE_WRITE_TOKENS, "output": HAND_OUTPUT_TOKENS,
        "uncached": HAND_UNCACHED_INPUT_TOKENS,
    }
    assert staged_bad.query("""
        select trace_id, rejected_reason from stg_langfuse__traces
        where rejected_reason is not null
    """) == [("tr-bad", "tags is not a JSON array")]


def test_langfuse_alone_builds_and_adds_no_cost(staged_v1: DbtResult) -> None:
    generations = page(V1_PAGE)
    assert staged_v1.query(
        "select request_source, count(*) from int_gateway_requests group by 1") == [
            ("langfuse", len(generations))]
    assert staged_v1.scalar("select count(*) from fct_ai_costs") == 0
    assert staged_v1.scalar("select count(*) from mart_rejected_rows") == 0
