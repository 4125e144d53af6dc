"""The landing of the gateway and tracing exports: OTLP trace exports split into spans, and the
people in LiteLLM spend logs and OpenTelemetry attributes pseudonymised when landed.

Every expected record is written out by hand from the inputs below.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import duckdb

from ai_finops import landing
from ai_finops.privacy import Pseudonymiser

OTEL = next(e for e in landing.EXPORTS if e.name == "otel/genai_spans")
LITELLM = next(e for e in landing.EXPORTS if e.name == "litellm/spend_logs")
KEY = b"test-key"


def pseudonym(identifier: str) -> str:
    """HMAC-SHA256 of the normalised identifier, recomputed here (docs/privacy.md)."""
    digest = hmac.new(KEY, identifier.strip().lower().encode(), hashlib.sha256).hexdigest()
    return "user_" + digest[:16]


def split(name: str, text: str, export: landing.Export) -> landing.Records:
    with duckdb.connect() as con:
        return landing.split_file(Path(name), text.encode(), export, con)


def span(name: str, *attributes: tuple[str, str]) -> dict:
    return {"name": name, "attributes": [
        {"key": key, "value": {"stringValue": value}} for key, value in attributes]}


def export_request(service: str, *scopes: tuple[str, list[dict]]) -> dict:
    return {"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name",
                                     "value": {"stringValue": service}}]},
        "scopeSpans": [{"scope": {"name": scope}, "spans": spans} for scope, spans in scopes],
    }]}


def test_otlp_json_lines_give_one_record_per_span_with_its_context() -> None:
    first = export_request(
        "billing-agent",
        ("openai.instrumentation", [span("chat gpt-4o"), span("chat gpt-4o-mini")]),
        ("http", [span("GET /invoices")]),
    )
    empty = export_request("idle", ("openai.instrumentation", []))
    second = export_request("support-bot", ("anthropic", [span("chat claude")]))
    text = "\n".join([json.dumps(first), "", "not json", json.dumps(empty),
                      '{"resourceLogs": []}', json.dumps(second)])
    records = split("2026-05-03_spans.jsonl", text, OTEL)
    assert records.problem is None
    rows = [(number, json.loads(raw) if raw[:1] == "{" else raw,
             json.loads(bucket) if bucket else None) for number, raw, bucket, _ in records.rows]
    billing = {"attributes": [{"key": "service.name", "value": {"stringValue": "billing-agent"}}]}
    assert rows == [
        (1, span("chat gpt-4o"),
         {"line": 1, "resource": billing, "scope": {"name": "openai.instrumentation"}}),
        (2, span("chat gpt-4o-mini"),
         {"line": 1, "resource": billing, "scope": {"name": "openai.instrumentation"}}),
        (3, span("GET /invoices"), {"line": 1, "resource": billing, "scope": {"name": "http"}}),
        # a line that is not an export request is one record, without context (rejected later)
        (4, "not json", None),
        # an export request without spans has no record; one of logs is not a trace export
        (5, {"resourceLogs": []}, None),
        (6, span("chat claude"), {
            "line": 6, "resource": {"attributes": [
                {"key": "service.name", "value": {"stringValue": "support-bot"}}]},
            "scope": {"name": "anthropic"}}),
    ]


def test_an_otlp_json_file_is_one_export_request_and_keeps_exact_numbers() -> None:
    request = export_request("agent", ("s", [span("chat")]))
    request["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["attributes"].append(
        {"key": "gen_ai.request.temperature", "value": {"doubleValue": 0.10}})
    text = json.dumps(request, indent=2).replace('"doubleValue": 0.1', '"doubleValue": 0.10')
    [(number, raw, bucket, fields)] = split("spans.json", text, OTEL).rows
    assert number == 1 and fields is None
    assert '"doubleValue":0.10' in raw  # the decimal as written, not 0.1
    assert json.loads(bucket)["line"] == 1


def test_people_in_otel_attributes_are_pseudonymised() -> None:
    request = export_request("agent", ("s", [
        span("chat", ("enduser.id", "Ana.Ruiz"), ("gen_ai.request.model", "gpt-4o"),
             ("note", "ask ops@acme.example"))]))
    request["resourceSpans"][0]["resource"]["attributes"].append(
        {"key": "user.id", "value": {"stringValue": "bob"}})
    records = split("s.jsonl", json.dumps(request), OTEL)
    [(_, raw, bucket, _)] = landing.protect(records, OTEL, Pseudonymiser(KEY)).rows
    attributes = {a["key"]: a["value"]["stringValue"] for a in json.loads(raw)["attributes"]}
    assert attributes == {"enduser.id": pseudonym("ana.ruiz"), "gen_ai.request.model": "gpt-4o",
                          "note": f"ask {pseudonym('ops@acme.example')}"}
    resource = json.loads(bucket)["resource"]["attributes"]
    assert {a["key"]: a["value"]["stringValue"] for a in resource} == {
        "service.name": "agent", "user.id": pseudonym("bob")}


def test_people_in_litellm_spend_logs_are_pseudonymised_in_columns_and_metadata() -> None:
    metadata = json.dumps({"user_api_key_alias": "invoice-bot",
                           "user_api_key_user_id": "u-123", "tags": ["prod"]})
    csv_text = ('request_id,user,end_user,model,spend,metadata\n'
                f'r1,alice,,gpt-4o,0.0012,"{metadata.replace(chr(34), chr(34) * 2)}"\n')
    records = split("spend_logs.csv", csv_text, LITELLM)
    [(_, raw, _, fields)] = landing.protect(records, LITELLM, Pseudonymiser(KEY)).rows
    assert fields is not None
    assert fields[:5] == ["r1", pseudonym("alice"), "", "gpt-4o", "0.0012"]
    assert json.loads(fields[5]) == {"user_api_key_alias": "invoice-bot",
                                     "user_api_key_user_id": pseudonym("u-123"),
                                     "tags": ["prod"]}
    # the line is written again from its fields: it parses back to them
    assert raw is not None and "alice" not in raw and "u-123" not in raw
    line = json.loads(json.dumps(raw))
    assert line.startswith(f"r1,{pseudonym('alice')},,gpt-4o,0.0012,")
