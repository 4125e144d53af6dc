"""The incident detectors of mart_pricing_incidents, on generated raw folders and on the sample.

Two small raw folders are written with scripts/generate_sample_data.py (100 days, openai,
anthropic and the gateway log) from the same seed: a clean one, which must give no incident
at all, and one with every injectable incident at once (the detectors look at different
things, so they are independent), plus three hand-made defects the generator cannot inject:

* the July usage of claude-opus-4-7 removed from the Anthropic usage export (a usage export
  that misses a model: a reconciliation_gap of the cost export against the usage);
* the cost rows of the injected unpriced model removed from the OpenAI cost export (its usage
  then has no vendor cost and no price: null costs that only the incident explains, also on
  the days and projects the cost export still covers);
* a row in main.raw_schema_drift_log, as a build stopped by check_required_columns() leaves it.

Every expected figure is worked out from the raw files here (first days, tokens, spend with the
price book, the cost/usage ratio), never read back from the warehouse. The shipped sample
(session fixture) must show the real Claude Opus 4.7 tokenizer switch and the Copilot AI-credit
billing unit.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pytest

from conftest import ROOT, DbtResult, build_warehouse

sys.path.insert(0, str(ROOT / "scripts"))
from finops_prices import PriceBook, resolve_model  # noqa: E402

GENERATOR = ROOT / "scripts" / "generate_sample_data.py"
WINDOW = ("--start", "2026-06-02", "--days", "100", "--seed", "42", "--teams", "5", "--users", "4")
ONLY = "openai,anthropic,gateway"
# the models the detectors and the null-cost invariant need, and only the incident tests
SELECT = (
    "+mart_pricing_incidents +fct_ai_costs assert_null_costs_have_unpriced_model_incident"
    " test_name:pricing_incident"
)
ONLY_SELECTED_TESTS = {"DBT_INDIRECT_SELECTION": "empty"}
INJECTIONS = (
    "tokenizer_shift:2026-07-21:1.10@gpt-5",
    "unit_price_change:2026-07-14:1.06@openai/gpt-4o-mini",
    "new_billing_unit:2026-07-15:1@openai",
    "unpriced_model:2026-07-28:1@openai/gpt-5-nano-2025-08-07",
    "duplicate_export:2026-06-16:1.04@openai/costs",
    "spend_spike:2026-08-19:6000@anthropic/bulk-tagger",
)
UNPRICED_ID = "gpt-5-nano-2025-08-07"
DRIFT_FILE = "2026-08-30T0900Z_cost_details_2026-08.csv"
DRIFT_AT = "2026-08-30 09:15:00+00"


# ---------------------------------------------------------------------------------------------
# raw-file helpers (independent of the warehouse)
# ---------------------------------------------------------------------------------------------


def generate(out: Path, injections: tuple[str, ...] = ()) -> dict[str, Any]:
    """Writes a raw folder with the generator; returns its manifest."""
    cmd = [sys.executable, str(GENERATOR), "--out", str(out), *WINDOW, "--only", ONLY, "--no-progress"]
    if injections:
        cmd += ["--inject", ",".join(injections)]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def to_json(value: Any) -> str:
    """Compact JSON that writes Decimals exactly as parsed (the vendors' numbers unchanged)."""
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(k) + ":" + to_json(v) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value)


def pages(folder: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in sorted(folder.glob("*.json")):
        yield path, json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


def bucket_day(bucket: dict[str, Any]) -> date:
    if "start_time" in bucket:
        return datetime.fromtimestamp(int(bucket["start_time"]), tz=timezone.utc).date()
    return date.fromisoformat(bucket["starting_at"][:10])


def drop_results(folder: Path, keep: Any) -> int:
    """Rewrites every page of `folder` without the results for which keep(day, result) is false."""
    dropped = 0
    for path, page in pages(folder):
        for bucket in page["data"]:
            kept = [r for r in bucket["results"] if keep(bucket_day(bucket), r)]
            dropped += len(bucket["results"]) - len(kept)
            bucket["results"] = kept
        path.write_text(to_json(page), encoding="utf-8")
    return dropped


def results(folder: Path) -> Iterator[tuple[date, dict[str, Any]]]:
    """(day, result) of the pages of the newest export of each day (restatements win)."""
    newest: dict[date, tuple[str, list[dict[str, Any]]]] = {}
    for path, page in pages(folder):
        for bucket in page["data"]:
            day = bucket_day(bucket)
            if day not in newest or path.name > newest[day][0]:
                newest[day] = (path.name, bucket["results"])
    for day in sorted(newest):
        for result in newest[day][1]:
            yield day, result


def anthropic_classes(result: dict[str, Any]) -> dict[str, int]:
    """Token counts per price-book class of an Anthropic usage result (input is additive)."""
    cache = result.get("cache_creation") or {}
    return {
        "input": result["uncached_input_tokens"],
        "cached_input": result["cache_read_input_tokens"],
        "cache_write_5m": cache.get("ephemeral_5m_input_tokens", 0),
        "cache_write_1h": cache.get("ephemeral_1h_input_tokens", 0),
        "output": result["output_tokens"],
        "web_search": (result.get("server_tool_use") or {}).get("web_search_requests", 0),
    }


def anthropic_list_value(result: dict[str, Any], day: date, book: PriceBook) -> Decimal:
    """Price-book value of one Anthropic usage result."""
    model = resolve_model("anthropic", result["model"])
    assert model is not None, result["model"]
    context = "long" if result.get("context_window") == "200k-1M" else "standard"
    return sum(
        (book.cost("anthropic", model, cls, qty, day, result["service_tier"], context)
         for cls, qty in anthropic_classes(result).items() if qty),
        Decimal(0),
    )


# ---------------------------------------------------------------------------------------------
# fixtures: two builds
# ---------------------------------------------------------------------------------------------


def incidents(result: DbtResult, incident_type: str | None = None) -> list[dict[str, Any]]:
    with result.connect() as con:
        cur = con.execute(
            "select * from main.mart_pricing_incidents"
            + (" where incident_type = ?" if incident_type else "")
            + " order by started_on, provider",
            [incident_type] if incident_type else [],
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    base = tmp_path_factory.mktemp("detectors_clean")
    generate(base / "raw")
    result = build_warehouse(base / "raw", base / "work", select=SELECT, extra_env=ONLY_SELECTED_TESTS,
                             unit_tests=False)
    assert result.returncode == 0, result.output[-5000:]
    return result


@pytest.fixture(scope="module")
def injected(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtResult, dict[str, Any]]:
    base = tmp_path_factory.mktemp("detectors_injected")
    raw = base / "raw"
    manifest = generate(raw, INJECTIONS)
    july = lambda day: day.year == 2026 and day.month == 7  # noqa: E731
    assert drop_results(raw / "anthropic" / "usage_messages",
                        lambda day, r: not (july(day) and r["model"] == "claude-opus-4-7")) > 0
    assert drop_results(raw / "openai" / "costs",
                        lambda day, r: not (r.get("line_item") or "").startswith(UNPRICED_ID)) > 0
    work = base / "work"
    work.mkdir()
    with duckdb.connect(str(work / "ai_finops.duckdb")) as con:
        con.execute(
            "create table main.raw_schema_drift_log (source_name varchar, table_name varchar,"
            " source_file varchar, missing_column varchar, detected_at timestamptz"
            " default current_timestamp)"
        )
        con.execute(
            "insert into main.raw_schema_drift_log values ('azure', 'cost_details', ?,"
            " 'CostInBillingCurrency', ?)",
            [f"/elsewhere/azure_cost/{DRIFT_FILE}", DRIFT_AT],
        )
    result = build_warehouse(raw, work, select=SELECT, extra_env=ONLY_SELECTED_TESTS,
                             unit_tests=False)
    # the reconciliation gap is an error-severity incident: the build reports it and fails
    assert "Failure in test pricing_incident_reconciliation_gap" in result.output, result.output[-5000:]
    assert result.returncode == 1
    return result, manifest


# ---------------------------------------------------------------------------------------------
# clean data: no incident at all
# ---------------------------------------------------------------------------------------------


def test_clean_data_has_no_incident(clean: DbtResult) -> None:
    # 100 days with a bursty evaluation agent (thousands of calls after weeks of nothing), the
    # Sonnet 4.6 priority tier that only the usage export has, and growth: all quiet
    assert incidents(clean) == []
    assert clean.scalar("select count(*) from main.fct_ai_costs") > 1000


# ---------------------------------------------------------------------------------------------
# one test per detector on the injected data
# ---------------------------------------------------------------------------------------------


def test_tokenizer_shift(injected: tuple[DbtResult, dict[str, Any]]) -> None:
    result, _ = injected
    raw = result.raw_dir / "gateway"
    canary: dict[date, float] = {}
    for path in sorted(raw.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec["workload"] == "canary" and rec["model"].startswith("gpt-5"):
                canary[date.fromisoformat(rec["timestamp"][:10])] = rec["input_tokens"] / rec["prompt_chars"]
    onset = date(2026, 7, 21)
    before = statistics.median(v for d, v in canary.items() if onset - timedelta(days=14) <= d < onset)
    after = statistics.median(v for d, v in canary.items() if onset <= d < onset + timedelta(days=14))
    assert after / before == pytest.approx(1.10, abs=0.001)  # round(1350 x 1.1) / 1350
    rows = incidents(result, "tokenizer_shift")
    assert [(r["provider"], r["model"], r["started_on"]) for r in rows] == [("openai", "gpt-5", onset)]
    assert rows[0]["magnitude"] == pytest.approx(after / before, rel=1e-9)
    assert "canary" in rows[0]["evidence"]


def test_unit_price_change(injected: tuple[DbtResult, dict[str, Any]]) -> None:
    result, _ = injected
    onset = date(2026, 7, 14)
    days = [d for d, r in results(result.raw_dir / "openai" / "costs")
            if d >= onset and (r.get("line_item") or "").startswith("gpt-4o-mini")]
    rows = incidents(result, "unit_price_change")
    assert [(r["provider"], r["model"], r["started_on"]) for r in rows] == [("openai", "gpt-4o-mini", min(days))]
    assert rows[0]["magnitude"] == pytest.approx(1.06, rel=1e-6)


def test_new_billing_unit(injected: tuple[DbtResult, dict[str, Any]]) -> None:
    result, _ = injected
    first = min(d for d, r in results(result.raw_dir / "openai" / "costs") if r.get("line_item") == "Vector storage")
    rows = incidents(result, "new_billing_unit")
    assert [(r["provider"], r["sku"], r["started_on"]) for r in rows] == [("openai", "Vector storage", first)]
    assert "the price book has no price for it" in rows[0]["evidence"]


def test_unpriced_model_and_the_null_cost_invariant(injected: tuple[DbtResult, dict[str, Any]]) -> None:
    result, _ = injected
    usage = [(d, r) for d, r in results(result.raw_dir / "openai" / "usage_completions") if r["model"] == UNPRICED_ID]
    # the days and projects the (edited) cost export still covers
    covered = {(d, r.get("project_id")) for d, r in results(result.raw_dir / "openai" / "costs")}
    class_rows = uncovered_rows = 0
    for d, r in usage:
        cached = r.get("input_cached_tokens") or 0
        write = r.get("input_cache_write_tokens") or 0
        n = sum(q > 0 for q in (r["input_tokens"] - cached - write, cached, write, r["output_tokens"]))
        class_rows += n
        if (d, r["project_id"]) not in covered and (d, None) not in covered:
            uncovered_rows += n
    assert 0 < uncovered_rows < class_rows
    tokens = sum(r["input_tokens"] + r["output_tokens"] for _, r in usage)
    rows = incidents(result, "unpriced_model")
    assert [(r["provider"], r["model"], r["sku"], r["started_on"]) for r in rows] == [
        ("openai", None, UNPRICED_ID, min(d for d, _ in usage))
    ]
    # its cost rows were removed: a usage row with no vendor cost and no price has a null
    # cost, never a 0, whether or not a cost export covers its day and project (where one
    # does, it is labelled absent_from_cost_export)
    evidence = rows[0]["evidence"]
    assert f"{class_rows} row(s) from" in evidence
    assert f"{tokens} tokens, {class_rows} row(s) with a null cost" in evidence
    assert result.scalar("select count(*) from main.fct_ai_costs where billed_cost is null") == class_rows
    assert result.query(
        "select cost_allocation, cost_source, count(*), count(billed_cost) from main.fct_ai_costs"
        " where vendor_model_id = ? group by all order by 1", [UNPRICED_ID]
    ) == [("absent_from_cost_export", "estimated_from_price_book", class_rows - uncovered_rows, 0),
          ("no_cost_export", "estimated_from_price_book", uncovered_rows, 0)]
    # the invariant: no null cost without an unpriced_model incident for its provider and model
    uncovered = result.scalar(
        "select count(*) from main.fct_ai_costs as f where f.billed_cost is null and not exists ("
        " select 1 from main.mart_pricing_incidents as i where i.incident_type = 'unpriced_model'"
        " and i.provider = f.provider and i.model is not distinct from f.model"
        " and i.sku = coalesce(f.vendor_model_id, f.vendor_sku, f.token_class))"
    )
    assert uncovered == 0
    assert "PASS assert_null_costs_have_unpriced_model_incident" in result.output


def test_duplicate_export(injected: tuple[DbtResult, dict[str, Any]]) -> None:
    result, manifest = injected
    details = next(i for i in manifest["incidents"] if i["type"] == "duplicate_export")["details"]
    original, copy, restated = (Path(details[k]).name for k in ("original", "duplicate", "restated"))
    rows = incidents(result, "duplicate_export")
    assert [(r["provider"], r["sku"]) for r in rows] == [("openai", "openai/costs")] * 2
    identical, restatement = rows
    assert original in identical["evidence"] and copy in identical["evidence"]
    assert "byte-identical" in identical["evidence"]
    assert (identical["started_on"], identical["window_end_on"]) == (date(2026, 6, 2), date(2026, 6, 30))
    # the restated export changed June from the 16th on: earlier days are a plain re-export
    assert restatement["started_on"] == date(2026, 6, 16)
    assert restatement["window_end_on"] == date(2026, 6, 30)
    assert restated.removesuffix("_page001.json") in restatement["evidence"]
    assert "15 period(s)" in restatement["evidence"]  # 16 to 30 June


def test_spend_spike(injected: tuple[DbtResult, dict[str, Any]]) -> None:
    result, _ = injected
    book = PriceBook.load()
    onset = date(2026, 8, 19)
    spend = sum(
        (anthropic_list_value(r, d, book) for d, r in results(result.raw_dir / "anthropic" / "usage_messages")
         if d == onset and r["api_key_id"] == "apikey_bulktagger"),
        Decimal(0),
    )
    assert spend > 20  # the absolute floor of a key without history
    rows = incidents(result, "spend_spike")
    assert [(r["provider"], r["model"], r["started_on"]) for r in rows] == [("anthropic", "claude-sonnet-4-6", onset)]
    assert rows[0]["magnitude"] is None
    assert f"spent {spend.quantize(Decimal('0.01'))} on 2026-08-19" in rows[0]["evidence"]
    assert "no spend in the previous 90 days" in rows[0]["evidence"]


def test_reconciliation_gap(injected: tuple[DbtResult, dict[str, Any]]) -> None:
    result, _ = injected
    book = PriceBook.load()
    july = lambda d: (d.year, d.month) == (2026, 7)  # noqa: E731
    cost = sum(
        (Decimal(r["amount"]) / 100 for d, r in results(result.raw_dir / "anthropic" / "cost_report") if july(d)),
        Decimal(0),
    )
    # the usage side leaves out the priority tier, which the cost report never carries
    usage = sum(
        (anthropic_list_value(r, d, book) for d, r in results(result.raw_dir / "anthropic" / "usage_messages")
         if july(d) and r["service_tier"] != "priority"),
        Decimal(0),
    )
    assert cost / usage > Decimal("1.05")
    rows = incidents(result, "reconciliation_gap")
    assert [(r["provider"], r["started_on"], r["severity"]) for r in rows] == [("anthropic", date(2026, 7, 1), "error")]
    assert rows[0]["magnitude"] == pytest.approx(float(cost / usage), rel=1e-9)
    assert "cost_api_vs_usage" in rows[0]["evidence"]


def test_schema_drift(injected: tuple[DbtResult, dict[str, Any]]) -> None:
    result, _ = injected
    rows = incidents(result, "schema_drift")
    assert [(r["provider"], r["sku"], r["started_on"]) for r in rows] == [
        ("azure_openai", "azure.cost_details", date(2026, 8, 30))
    ]
    assert DRIFT_FILE in rows[0]["evidence"] and "CostInBillingCurrency" in rows[0]["evidence"]


def test_nothing_else_fires_on_the_injected_data(injected: tuple[DbtResult, dict[str, Any]]) -> None:
    result, _ = injected
    counts: dict[str, int] = defaultdict(int)
    for row in incidents(result):
        counts[row["incident_type"]] += 1
    assert dict(counts) == {
        "tokenizer_shift": 1, "unit_price_change": 1, "new_billing_unit": 1, "unpriced_model": 1,
        "duplicate_export": 2, "spend_spike": 1, "reconciliation_gap": 1, "schema_drift": 1,
    }
    ids = result.query("select incident_id, md5(incident_type || '|' || incident_key || '|' ||"
                       " strftime(started_on, '%Y-%m-%d')) from main.mart_pricing_incidents")
    assert all(a == b for a, b in ids)
    # each row's severity is the one its pricing_incident test runs with
    manifest = json.loads((result.db_path.parent / "target" / "manifest.json").read_text(encoding="utf-8"))
    configured = {
        node["test_metadata"]["kwargs"]["incident_type"]: node["config"]["severity"].lower()
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and (node.get("test_metadata") or {}).get("name") == "pricing_incident"
    }
    assert len(configured) == 8
    severities = dict(result.query("select distinct incident_type, severity from main.mart_pricing_incidents"))
    assert severities == {kind: configured[kind] for kind in severities}
    assert configured["reconciliation_gap"] == "error"


# ---------------------------------------------------------------------------------------------
# the shipped sample
# ---------------------------------------------------------------------------------------------


def test_sample_opus_4_7_tokenizer_shift(sample_warehouse: DbtResult) -> None:
    canary: dict[date, tuple[str, float]] = {}
    for path in sorted((sample_warehouse.raw_dir / "gateway").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec["workload"] == "canary" and rec["model"].startswith("claude-opus"):
                day = date.fromisoformat(rec["timestamp"][:10])
                canary[day] = (rec["model"], rec["input_tokens"] / rec["prompt_chars"])
    switch = min(d for d, (model, _) in canary.items() if model == "claude-opus-4-7")
    assert switch == date(2026, 4, 16)
    ratio = canary[switch][1] / canary[switch - timedelta(days=1)][1]
    assert ratio == pytest.approx(1.35, abs=0.001)  # 2025 / 1500 tokens for the same 5,400 characters
    rows = [r for r in incidents(sample_warehouse, "tokenizer_shift")]
    assert [(r["provider"], r["model"], r["started_on"]) for r in rows] == [("anthropic", "claude-opus-4-7", switch)]
    assert rows[0]["magnitude"] == pytest.approx(ratio, rel=1e-9)
    assert rows[0]["severity"] == "warn"


def test_sample_copilot_ai_credit_unit(sample_warehouse: DbtResult) -> None:
    rows = incidents(sample_warehouse, "new_billing_unit")
    assert [(r["provider"], r["model"], r["sku"], r["started_on"]) for r in rows] == [
        ("github_copilot", None, "copilot_ai_credit", date(2026, 6, 1))
    ]
    # first used on 2 June; the price book prices AI credits from 1 June
    assert "on 2026-06-02" in rows[0]["evidence"] and "prices it from 2026-06-01" in rows[0]["evidence"]


def test_sample_duplicate_export_and_quiet_detectors(sample_warehouse: DbtResult) -> None:
    rows = incidents(sample_warehouse, "duplicate_export")
    assert [(r["provider"], r["sku"], r["started_on"], r["window_end_on"]) for r in rows] == [
        ("openai", "openai/costs", date(2026, 5, 1), date(2026, 5, 31))
    ]
    # vendors bill at the price book, the Sonnet 5.5 cache-read cut is effective-dated in it,
    # and the evaluation agent's bursts are its normal pattern
    quiet = ("unit_price_change", "reconciliation_gap", "spend_spike", "schema_drift")
    assert [r["incident_type"] for r in incidents(sample_warehouse) if r["incident_type"] in quiet] == []


def test_sample_null_costs_have_unpriced_model_incidents(sample_warehouse: DbtResult) -> None:
    uncovered = sample_warehouse.scalar(
        "select count(*) from main.fct_ai_costs as f where f.billed_cost is null and not exists ("
        " select 1 from main.mart_pricing_incidents as i where i.incident_type = 'unpriced_model'"
        " and i.provider = f.provider and i.model is not distinct from f.model"
        " and i.sku = coalesce(f.vendor_model_id, f.vendor_sku, f.token_class))"
    )
    assert uncovered == 0
