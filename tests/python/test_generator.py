"""Tests of the deterministic sample-data generator (scripts/generate_sample_data.py).

The generator runs in-process into pytest's tmp_path on small windows. Expected prices are read
straight from seeds/price_book.csv with the csv module (not through the generator's helpers), so
a cost check does not trust the code it checks.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections import defaultdict
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import generate_sample_data as gen  # noqa: E402

PRICE_BOOK = ROOT / "seeds" / "price_book.csv"
ALIASES = ROOT / "seeds" / "model_aliases.csv"
SAMPLE = ROOT / "data" / "sample"

# 2026-05-20 .. 2026-06-08 spans the Copilot switch to AI credits and a month boundary.
SMALL = ["--start", "2026-05-20", "--days", "20", "--seed", "7", "--teams", "5", "--users", "20", "--scale", "1"]


def run(out: Path, *extra: str) -> dict[str, Any]:
    """Runs the generator CLI in-process and returns the manifest it wrote."""
    assert gen.main(["--out", str(out), "--no-progress", *SMALL, *extra]) == 0
    return json.loads((out / "manifest.json").read_text())


def file_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def json_pages(root: Path, export: str) -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in sorted((root / export).glob("*.json")):
        yield path, json.loads(path.read_text(), parse_float=Decimal)


def csv_rows(root: Path, export: str) -> Iterator[tuple[Path, dict[str, str]]]:
    for path in sorted((root / export).glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                yield path, row


def list_price(provider: str, model: str, token_class: str, on: date, tier: str = "standard") -> Decimal:
    """Price per ONE token/unit read independently from the CSV seed."""
    with PRICE_BOOK.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if (row["provider"], row["model"], row["token_class"], row["service_tier"], row["context_tier"]) != (
                provider, model, token_class, tier, "standard"
            ):
                continue
            start = date.fromisoformat(row["effective_from"]) if row["effective_from"] else date.min
            end = date.fromisoformat(row["effective_to"]) if row["effective_to"] else date.max
            if start <= on < end:
                block = Decimal(row["pricing_unit"].split(" ")[0]) if " " in row["pricing_unit"] else Decimal(1)
                return Decimal(row["unit_price"]) / block
    raise AssertionError(f"no price for {provider}/{model}/{token_class}/{tier} on {on}")


def canonical(provider: str, vendor_model_id: str) -> str | None:
    """The canonical model a vendor id names (seed model_aliases, else the rule)."""
    from finops_prices import resolve_model

    return resolve_model(provider, vendor_model_id)


def bucket_day(bucket: dict[str, Any]) -> date:
    if "start_time" in bucket:
        return datetime.fromtimestamp(int(bucket["start_time"]), tz=timezone.utc).date()
    return date.fromisoformat(bucket["starting_at"][:10])


# ------------------------------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    run(tmp_path / "a")
    run(tmp_path / "b")
    first, second = file_hashes(tmp_path / "a"), file_hashes(tmp_path / "b")
    assert first == second
    assert len(first) > 20
    run(tmp_path / "c", "--seed", "8")
    assert file_hashes(tmp_path / "c") != first


def test_a_horizon_makes_consecutive_landings_one_world(tmp_path: Path) -> None:
    """12 and 13 days (to 2026-05-31 and 2026-06-01) of one 13-day world: a daily landing.

    Every file of the first landing is in the second, byte for byte (May is complete in both),
    except the seats snapshot, which the second only extends: new rows, and end dates that
    became known. Without --horizon, landings of 12 and 20 days are two different
    organisations (their May files differ).
    """
    run(tmp_path / "d12", "--days", "12", "--horizon", "13")
    run(tmp_path / "d13", "--days", "13", "--horizon", "13")
    first, second = file_hashes(tmp_path / "d12"), file_hashes(tmp_path / "d13")
    kept = {name: digest for name, digest in first.items()
            if name != "manifest.json" and not name.startswith("seats/")}
    assert len(kept) == 11  # one May file per export but seats
    assert {name: second.get(name) for name in kept} == kept
    assert any(name.endswith("_2026-06_page001.json") for name in set(second) - set(first))

    def seats(root: Path) -> dict[tuple[str, str], dict[str, str]]:
        return {(row["seat_id"], row["start_date"]): row for _, row in csv_rows(root, "seats")}

    before, after = seats(tmp_path / "d12"), seats(tmp_path / "d13")
    assert set(before) <= set(after)
    for key, row in before.items():
        later = after[key]
        assert {k: v for k, v in later.items() if k != "end_date"} == {
            k: v for k, v in row.items() if k != "end_date"}
        assert row["end_date"] in ("", later["end_date"])
        assert row["end_date"] == "" or row["end_date"] <= "2026-06-01"

    run(tmp_path / "w12", "--days", "12")
    run(tmp_path / "w20", "--days", "20")
    worlds = file_hashes(tmp_path / "w12"), file_hashes(tmp_path / "w20")
    assert any(worlds[1].get(name) != digest for name, digest in worlds[0].items()
               if name != "manifest.json" and not name.startswith("seats/"))


def test_jobs_do_not_change_the_output(tmp_path: Path) -> None:
    run(tmp_path / "one")
    run(tmp_path / "two", "--jobs", "2")
    assert file_hashes(tmp_path / "one") == file_hashes(tmp_path / "two")


def test_openai_envelopes_and_fields(tmp_path: Path) -> None:
    run(tmp_path)
    for export in ("openai/usage_completions", "openai/costs"):
        pages = list(json_pages(tmp_path, export))
        assert pages and all("T0" in p.name.split("_")[0] for p, _ in pages)
        for _, page in pages:
            assert page["object"] == "page" and page["has_more"] is False and page["next_page"] is None
            for bucket in page["data"]:
                assert bucket["object"] == "bucket"
                assert bucket["end_time"] - bucket["start_time"] == 86400
    usage = [r for _, p in json_pages(tmp_path, "openai/usage_completions") for b in p["data"] for r in b["results"]]
    assert {r["object"] for r in usage} == {"organization.usage.completions.result"}
    for result in usage:
        assert {"input_tokens", "output_tokens", "num_model_requests", "project_id", "user_id", "api_key_id",
                "model", "batch", "input_cached_tokens"} <= result.keys()
        assert result["input_cached_tokens"] <= result["input_tokens"]
    assert any(r["batch"] for r in usage) or any(r["user_id"] is None for r in usage)
    costs = [r for _, p in json_pages(tmp_path, "openai/costs") for b in p["data"] for r in b["results"]]
    for result in costs:
        assert result["object"] == "organization.costs.result"
        assert result["amount"]["currency"] == "usd"
        assert isinstance(result["amount"]["value"], (Decimal, int))
        assert result["quantity_unit"] == "tokens"
    assert {r["line_item"].rsplit(", ", 1)[1] for r in costs} == {"input", "cached input", "output"}


def test_anthropic_envelopes_and_amounts_are_cent_strings(tmp_path: Path) -> None:
    run(tmp_path)
    usage: dict[tuple[date, Any, str, str, str], int] = defaultdict(int)
    for _, page in json_pages(tmp_path, "anthropic/usage_messages"):
        assert set(page) == {"data", "has_more", "next_page"}
        for bucket in page["data"]:
            assert bucket["starting_at"].endswith("T00:00:00Z")
            for r in bucket["results"]:
                assert {"uncached_input_tokens", "cache_read_input_tokens", "output_tokens", "cache_creation",
                        "server_tool_use", "api_key_id", "workspace_id", "model", "service_tier",
                        "context_window"} <= r.keys()
                if r["service_tier"] == "priority":
                    continue
                key = (bucket_day(bucket), r["workspace_id"], r["model"], r["service_tier"])
                usage[key + ("output_tokens",)] += r["output_tokens"]
    costs = [(bucket_day(b), r) for _, p in json_pages(tmp_path, "anthropic/cost_report")
             for b in p["data"] for r in b["results"]]
    assert costs
    for _, result in costs:
        assert isinstance(result["amount"], str)
        assert Decimal(result["amount"]) > 0
        assert result["currency"] == "USD"
    # An output-token charge equals usage tokens x list price, in cents.
    day, row = next((d, r) for d, r in costs if r["token_type"] == "output_tokens")
    tokens = usage[(day, row["workspace_id"], row["model"], row["service_tier"], "output_tokens")]
    model = canonical("anthropic", row["model"])
    assert model is not None
    expected_cents = tokens * list_price("anthropic", model, "output", day, row["service_tier"]) * 100
    assert Decimal(row["amount"]) == expected_cents


def test_openai_cost_equals_quantity_times_price_book(tmp_path: Path) -> None:
    run(tmp_path)
    checked = 0
    for _, page in json_pages(tmp_path, "openai/costs"):
        for bucket in page["data"]:
            day = bucket_day(bucket)
            for r in bucket["results"]:
                tier, _, item = r["line_item"].rpartition(" | ")
                vendor_id, piece = item.split(", ")
                token_class = {"input": "input", "cached input": "cached_input", "output": "output"}[piece]
                model = canonical("openai", vendor_id)
                assert model is not None, vendor_id
                price = list_price("openai", model, token_class, day, tier or "standard")
                assert r["amount"]["value"] == r["quantity"] * price, r
                checked += 1
    assert checked > 50
    # The brief's example row: gpt-4o-mini cached input at $0.075 per 1M tokens.
    sample = next(
        r for _, p in json_pages(tmp_path, "openai/costs") for b in p["data"] for r in b["results"]
        if r["line_item"] == "gpt-4o-mini-2024-07-18, cached input"
    )
    assert sample["amount"]["value"] == sample["quantity"] * Decimal("0.075") / 1_000_000


def test_unit_price_change_is_in_manifest_and_scales_cost_from_its_date(tmp_path: Path) -> None:
    clean = run(tmp_path / "clean")
    assert clean["incidents"] == []
    injected = run(tmp_path / "inj", "--inject", "unit_price_change:2026-05-28:1.08@openai/gpt-4o-mini")
    (incident,) = injected["incidents"]
    assert incident["type"] == "unit_price_change"
    assert (incident["provider"], incident["model"], incident["start_date"]) == ("openai", "gpt-4o-mini", "2026-05-28")
    assert incident["magnitude"] == pytest.approx(1.08)

    def costs(root: Path) -> dict[tuple[date, str, str], tuple[Decimal, Decimal]]:
        return {
            (bucket_day(b), r["project_id"], r["line_item"]): (r["quantity"], r["amount"]["value"])
            for _, p in json_pages(root, "openai/costs") for b in p["data"] for r in b["results"]
        }

    before, after = costs(tmp_path / "clean"), costs(tmp_path / "inj")
    onset = date(2026, 5, 28)
    # The target model always has charges on the onset day (a quiet day cannot hide the change).
    assert any(day == onset and "gpt-4o-mini" in item for day, _, item in after)
    assert set(before) <= set(after)
    assert all(day == onset and "gpt-4o-mini" in item for day, _, item in set(after) - set(before))
    changed = 0
    for key, (new_qty, new_amount) in after.items():
        day, _, item = key
        if "gpt-4o-mini" in item:
            tier, _, rest = item.rpartition(" | ")
            piece = rest.split(", ")[1]
            token_class = {"input": "input", "cached input": "cached_input", "output": "output"}[piece]
            price = list_price("openai", "gpt-4o-mini", token_class, day, tier or "standard")
            factor = Decimal("1.08") if day >= onset else Decimal(1)
            assert new_amount == new_qty * price * factor, key
            changed += day >= onset
        if key in before and day != onset:
            qty, amount = before[key]
            assert new_qty == qty  # quantities untouched
            assert new_amount == (amount * Decimal("1.08") if "gpt-4o-mini" in item and day >= onset else amount)
    assert changed > 0
    # Other exports are unaffected.
    assert file_hashes(tmp_path / "clean" / "anthropic") == file_hashes(tmp_path / "inj" / "anthropic")


def test_copilot_switches_from_premium_requests_to_ai_credits(tmp_path: Path) -> None:
    run(tmp_path)
    files = sorted((tmp_path / "github_copilot").glob("*.csv"))
    assert len(files) == 2
    headers = [f.read_text().splitlines()[0].split(",") for f in files]
    assert "aic_quantity" not in headers[0] and headers[1][-2:] == ["aic_quantity", "aic_gross_amount"]
    usage = [r for _, r in csv_rows(tmp_path, "github_copilot") if r["sku"] != "copilot_for_business"]
    before = [r for r in usage if r["date"] < "2026-06-01"]
    after = [r for r in usage if r["date"] >= "2026-06-01"]
    assert before and after
    assert {(r["sku"], r["unit_type"], r["applied_cost_per_quantity"]) for r in before} == {
        ("copilot_premium_request", "requests", "0.04")}
    assert {(r["sku"], r["unit_type"], r["applied_cost_per_quantity"]) for r in after} == {
        ("copilot_ai_credit", "ai-credits", "0.01")}
    for r in usage:
        gross, discount, net = (Decimal(r[k]) for k in ("gross_amount", "discount_amount", "net_amount"))
        assert gross - discount == net
        assert Decimal(r["quantity"]) * Decimal(r["applied_cost_per_quantity"]) == gross
    for r in after:
        assert r["aic_quantity"] == r["quantity"] and r["aic_gross_amount"] == r["gross_amount"]
    seats = [r for _, r in csv_rows(tmp_path, "github_copilot") if r["sku"] == "copilot_for_business"]
    assert seats and {r["unit_type"] for r in seats} == {"user-months"}


def test_cloud_bills_gcp_credits_azure_tags_aws_rows(tmp_path: Path) -> None:
    # 2026-06-20 .. 2026-07-10: Azure tags switch from EA style to JSON on 2026-07-01.
    assert gen.main(["--out", str(tmp_path), "--no-progress", "--start", "2026-06-20", "--days", "21",
                     "--seed", "3", "--users", "20", "--scale", "2"]) == 0
    tags = [r["Tags"] for _, r in csv_rows(tmp_path, "azure_cost") if r["Tags"]]
    assert any(t.startswith('"') for t in tags) and any(t.startswith("{") for t in tags)
    for text in tags:
        parsed = json.loads(text if text.startswith("{") else "{" + text + "}")
        assert "team" in parsed
    units = {r["UnitOfMeasure"] for _, r in csv_rows(tmp_path, "azure_cost")
             if r["MeterSubCategory"] == "Azure OpenAI"}
    assert {"1K", "1M"} <= units
    aws = [r for _, r in csv_rows(tmp_path, "aws_cur")]
    assert list(aws[0])[:2] == ["identity_line_item_id", "identity_time_interval"]
    assert {"AmazonBedrock", "AmazonEC2"} <= {r["line_item_product_code"] for r in aws}
    assert any(r["product_product_name"].endswith("(Amazon Bedrock Edition)") for r in aws)
    suffixes = {r["line_item_usage_type"].split("-", 2)[-1] for r in aws if r["line_item_product_code"] == "AmazonBedrock"}
    assert {"input-tokens", "output-tokens", "cache-read-input-token-count",
            "cache-write-input-token-count"} <= suffixes
    gcp = [json.loads(line, parse_float=Decimal) for p in sorted((tmp_path / "gcp_billing").glob("*.jsonl"))
           for line in p.read_text().splitlines()]
    assert {"Vertex AI", "Gemini API", "Compute Engine"} <= {r["service"]["description"] for r in gcp}
    credits = [c["amount"] for r in gcp for c in r["credits"]]
    assert credits and all(a < 0 for a in credits)
    assert any("Long" in r["sku"]["description"] or " long " in r["sku"]["description"] for r in gcp)


def test_cursor_events_use_string_epoch_ms_and_cents(tmp_path: Path) -> None:
    assert gen.main(["--out", str(tmp_path), "--no-progress", "--start", "2026-05-01", "--days", "10",
                     "--seed", "5", "--users", "30", "--scale", "3", "--only", "cursor"]) == 0
    events = []
    for _, page in json_pages(tmp_path, "cursor/usage_events"):
        assert set(page) == {"usageEvents", "pagination", "totalUsageEventsCount"}
        assert page["totalUsageEventsCount"] == len(page["usageEvents"])
        events += page["usageEvents"]
    assert events
    kinds = {e["kind"] for e in events}
    assert kinds <= {"Usage-based", "Included in Business"} and "Included in Business" in kinds
    for e in events:
        assert isinstance(e["timestamp"], str) and e["timestamp"].isdigit() and len(e["timestamp"]) == 13
        assert ("tokenUsage" in e) == e["isTokenBasedCall"]
        if e["isTokenBasedCall"]:
            assert e["tokenUsage"]["totalCents"] > 0


def test_only_filter_writes_the_same_files_as_a_full_run(tmp_path: Path) -> None:
    run(tmp_path / "full")
    manifest = run(tmp_path / "part", "--only", "cursor,seats,anthropic")
    written = {p.split("/")[0] for p in file_hashes(tmp_path / "part") if p != "manifest.json"}
    assert written == {"cursor", "seats", "anthropic"}
    assert set(manifest["row_counts"]) == {"anthropic/usage_messages", "anthropic/cost_report",
                                           "cursor/usage_events", "seats"}
    full = file_hashes(tmp_path / "full")
    for path, digest in file_hashes(tmp_path / "part").items():
        if path != "manifest.json":
            assert full[path] == digest, path


def test_duplicate_export_writes_a_copy_and_a_newer_restatement(tmp_path: Path) -> None:
    manifest = run(tmp_path, "--inject", "duplicate_export:2026-05-25:1.05@openai/costs")
    (incident,) = manifest["incidents"]
    details = incident["details"]
    original, copy, restated = (tmp_path / details[k] for k in ("original", "duplicate", "restated"))
    assert original.read_bytes() == copy.read_bytes() and original.name != copy.name
    assert sorted([original.name, copy.name, restated.name])[-1] == restated.name  # newest name sorts last
    old = json.loads(original.read_text(), parse_float=Decimal)
    new = json.loads(restated.read_text(), parse_float=Decimal)
    for old_bucket, new_bucket in zip(old["data"], new["data"]):
        for a, b in zip(old_bucket["results"], new_bucket["results"]):
            if bucket_day(old_bucket) < date(2026, 5, 25):
                assert a == b
            else:  # late usage: more tokens at the same unit price
                assert b["quantity"] >= a["quantity"]
                assert b["amount"]["value"] * a["quantity"] == a["amount"]["value"] * b["quantity"]


def test_injected_incidents_are_parameterised_and_listed(tmp_path: Path) -> None:
    specs = ["tokenizer_shift:2026-05-25:1.3@gpt-5", "new_billing_unit:2026-05-26", "unpriced_model:2026-05-27",
             "spend_spike:2026-05-28:4000@openai/doc-backfill"]
    manifest = run(tmp_path, "--inject", ",".join(specs))
    listed = {(i["type"], i["start_date"]) for i in manifest["incidents"]}
    assert listed == {("tokenizer_shift", "2026-05-25"), ("new_billing_unit", "2026-05-26"),
                      ("unpriced_model", "2026-05-27"), ("spend_spike", "2026-05-28")}
    canary = [json.loads(line) for p in sorted((tmp_path / "gateway").glob("*.jsonl"))
              for line in p.read_text().splitlines()]
    gpt5 = [r for r in canary if r["workload"] == "canary" and r["provider"] == "openai"]
    ratio = {r["timestamp"][:10] >= "2026-05-25": r["input_tokens"] / r["prompt_chars"] for r in gpt5}
    assert ratio[True] / ratio[False] == pytest.approx(1.3, rel=0.01)
    usage = [r for _, p in json_pages(tmp_path, "openai/usage_completions") for b in p["data"] for r in b["results"]]
    assert any(r["model"] == "gpt-5-nano-2025-08-07" for r in usage)
    assert canonical("openai", "gpt-5-nano-2025-08-07") is None
    spike = [r["num_model_requests"] for r in usage if r["api_key_id"] == "key_docbackfill"]
    assert len(spike) == 2 and min(spike) > 3000
    items = {r["line_item"] for _, p in json_pages(tmp_path, "openai/costs") for b in p["data"] for r in b["results"]}
    assert "Vector storage" in items


def test_price_book_and_aliases_are_consistent() -> None:
    from finops_prices import PriceBook, load_model_aliases, load_models, vendor_model_key

    book = PriceBook.load(PRICE_BOOK)
    assert book.problems() == []
    header = PRICE_BOOK.read_text().splitlines()[0]
    assert header == ("provider,model,token_class,service_tier,context_tier,unit_price,currency,pricing_unit,"
                      "effective_from,effective_to,source_url,notes")
    # the alias seed holds only what the rule cannot resolve, each to a priced model
    alias_rows = load_model_aliases(ALIASES)
    assert len(alias_rows) < 20
    for (provider, vendor_id), alias in alias_rows.items():
        assert book.has_model(provider, alias.model), (provider, vendor_id)
        assert vendor_model_key(vendor_id) not in {vendor_model_key(m) for m in load_models()}, vendor_id
    # Effective-dated history the sample spans.
    assert book.price("anthropic", "claude-sonnet-5-5", "cached_input", date(2026, 10, 6)).unit_price == Decimal("0.20")
    assert book.price("anthropic", "claude-sonnet-5-5", "cached_input", date(2026, 10, 7)).unit_price == Decimal("0.10")
    assert book.price("github_copilot", "copilot-premium-request", "premium_request", date(2026, 6, 1)) is None
    assert book.price("github_copilot", "copilot-ai-credit", "ai_credit", date(2026, 6, 1)) is not None


def test_shipped_sample_equals_a_fresh_generation(tmp_path: Path) -> None:
    manifest = json.loads((SAMPLE / "manifest.json").read_text())
    assert gen.main(["--out", str(tmp_path), "--no-progress", *gen.SAMPLE_ARGS]) == 0
    assert file_hashes(tmp_path) == file_hashes(SAMPLE)
    # Shipped-sample promises: only the duplicated file is injected, real events present.
    assert [i["type"] for i in manifest["incidents"]] == ["duplicate_export"]
    assert manifest["incidents"][0]["details"]["restated"] is None
    assert {e["type"] for e in manifest["events"]} >= {"tokenizer_shift", "new_billing_unit"}
    assert sum(p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file()) < 5_500_000


def test_shipped_sample_contains_the_opus_tokenizer_change() -> None:
    rows = [json.loads(line) for p in sorted((SAMPLE / "gateway").glob("*.jsonl"))
            for line in p.read_text().splitlines()]
    opus = [r for r in rows if r["workload"] == "canary" and r["model"].startswith("claude-opus")]
    per_char = defaultdict(list)
    for r in opus:
        per_char[r["model"]].append(r["input_tokens"] / r["prompt_chars"])
    old, new = (sum(v) / len(v) for v in (per_char["claude-opus-4-6"], per_char["claude-opus-4-7"]))
    assert new / old == pytest.approx(1.35, rel=0.01)
    assert min(r["timestamp"] for r in opus if r["model"] == "claude-opus-4-7") >= "2026-04-16"
    emitted = {("anthropic", r["model"]) for r in rows if r["provider"] == "anthropic"}
    assert all(canonical(*key) is not None for key in emitted)


def test_shipped_sample_models_all_resolve() -> None:
    seen: set[tuple[str, str]] = set()
    for _, page in json_pages(SAMPLE, "openai/usage_completions"):
        seen |= {("openai", r["model"]) for b in page["data"] for r in b["results"]}
    for _, page in json_pages(SAMPLE, "anthropic/usage_messages"):
        seen |= {("anthropic", r["model"]) for b in page["data"] for r in b["results"]}
    for _, page in json_pages(SAMPLE, "cursor/usage_events"):
        seen |= {("cursor", e["model"]) for e in page["usageEvents"]}
    for _, row in csv_rows(SAMPLE, "github_copilot"):
        if row["model"]:
            seen |= {("github_copilot", row["model"])}
    for _, row in csv_rows(SAMPLE, "aws_cur"):
        if row["line_item_product_code"] == "AmazonBedrock":
            seen |= {("aws_bedrock", row["line_item_usage_type"].split("-")[1])}
        elif row["product_product_name"].endswith("(Amazon Bedrock Edition)"):
            seen |= {("aws_bedrock", row["product_product_name"])}
    for _, row in csv_rows(SAMPLE, "azure_cost"):
        if row["MeterSubCategory"] == "Azure OpenAI":
            name = row["MeterName"]
            token = next(t for t in ("gpt-4o-mini-0718", "gpt 4o 1120", "GPT 5 Mini", "o3") if name.startswith(t))
            seen |= {("azure_openai", token)}
    assert seen and {key for key in seen if canonical(*key) is None} == set()
