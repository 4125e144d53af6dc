"""Tests of scripts/compare_prices.py: the price book against LiteLLM's price map.

The first test runs the comparison the way ``scripts/compare_prices.py`` does, against the
pinned LiteLLM wheel (downloaded once into build/cache/litellm/) and the committed allow-list.
The others run the mapping and comparison on a hand-written price map and price-book excerpt;
every expected figure is worked out in the test. LiteLLM prices per token, the book per
1,000,000 tokens: 2.5e-06 per token x 1,000,000 = 2.50 per 1M.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import compare_prices as cp  # noqa: E402
from finops_prices import PRICE_BOOK_COLUMNS, PriceBook  # noqa: E402

D = Decimal
ON = date(2026, 12, 3)
OPENAI = "https://platform.openai.com/docs/pricing"
ANTHROPIC = "https://platform.claude.com/docs/en/about-claude/pricing"
BEDROCK = "https://aws.amazon.com/bedrock/pricing/"
VERTEX = "https://cloud.google.com/vertex-ai/generative-ai/pricing"
TOKENS = "USD,1000000 Tokens"

# A price-book excerpt: provider,model,token_class,service_tier,context_tier,unit_price,...
BOOK = [
    f"openai,gpt-4-1,input,standard,standard,2,{TOKENS},,,{OPENAI},",
    f"openai,gpt-4-1,output,standard,standard,8,{TOKENS},,,{OPENAI},",
    f"openai,gpt-4-1,input,batch,standard,1,{TOKENS},,,{OPENAI},",
    f"openai,gpt-4-1-mini,cached_input,standard,standard,0.1,{TOKENS},,,{OPENAI},",
    f"openai,gpt-4o,input,standard,standard,2.5,{TOKENS},,,{OPENAI},",
    f"openai,o3-mini,input,standard,standard,1.1,{TOKENS},,,{OPENAI},",
    f"openai,o3-mini,cached_input,standard,standard,0.30,{TOKENS},,2026-06-01,{OPENAI},history",
    f"openai,o3-mini,cached_input,standard,standard,0.275,{TOKENS},2026-06-01,,{OPENAI},",
    f"openai,chatgpt-enterprise-seat,seat,standard,standard,60,USD,Seat-Months,,,{OPENAI},",
    f"anthropic,claude-opus-4,input,standard,standard,15,{TOKENS},,,{ANTHROPIC},",
    f"anthropic,claude-opus-4-1,input,standard,standard,15,{TOKENS},,,{ANTHROPIC},",
    f"anthropic,claude-opus-4-1,cache_write_1h,standard,standard,30,{TOKENS},,,{ANTHROPIC},",
    f"anthropic,claude-opus-4-1,input,priority,standard,15,{TOKENS},,,{ANTHROPIC},",
    f"anthropic,claude-sonnet-4-5,output,standard,standard,15,{TOKENS},,,{ANTHROPIC},",
    f"aws_bedrock,claude-haiku-3-5,input,standard,standard,0.8,{TOKENS},,,{BEDROCK},",
    f"gcp_vertex,gemini-2-5-pro,cached_input,standard,long,0.625,{TOKENS},,,{VERTEX},",
    f"gcp_vertex,gemini-2-5-pro,cached_input,standard,standard,0.125,{TOKENS},,,{VERTEX},",
    "cursor,claude-sonnet-4-5,output,standard,standard,15,USD,1000000 Tokens,,,https://cursor.com/pricing,",
]

# The price map excerpt, numbers written as LiteLLM writes them (per token).
PRICE_MAP = """{
  "sample_spec": {"input_cost_per_token": 0, "litellm_provider": "one of the providers"},
  "gpt-4.1": {"litellm_provider": "openai", "input_cost_per_token": 2e-06,
              "output_cost_per_token": 8e-06, "input_cost_per_token_batches": 1e-06},
  "gpt-4.1-mini": {"litellm_provider": "openai", "cache_read_input_token_cost": 1e-07},
  "gpt-4o": {"litellm_provider": "openai", "input_cost_per_token": 2.5e-06},
  "o3-mini": {"litellm_provider": "openai", "input_cost_per_token": 1.1e-06,
              "cache_read_input_token_cost": 5.5e-07},
  "claude-opus-4": {"litellm_provider": "bedrock", "input_cost_per_token": 1.5e-05},
  "claude-opus-4-1-20250805": {"litellm_provider": "anthropic", "input_cost_per_token": 1.5e-05,
                               "cache_creation_input_token_cost_above_1hr": 3e-05},
  "claude-sonnet-4-5": {"litellm_provider": "anthropic", "output_cost_per_token": 1.5e-05},
  "anthropic.claude-3-5-haiku-20241022-v1:0": {"litellm_provider": "bedrock", "input_cost_per_token": 8e-07},
  "us.anthropic.claude-3-5-haiku-20241022-v1:0": {"litellm_provider": "bedrock", "input_cost_per_token": 8.8e-07},
  "gemini-2.5-pro": {"litellm_provider": "vertex_ai-language-models",
                     "cache_read_input_token_cost": 1.25e-07,
                     "cache_read_input_token_cost_above_200k_tokens": 2.5e-07}
}"""

ALLOW_HEADER = ",".join(cp.ALLOWLIST_COLUMNS)
ALLOWED_GEMINI = (f"gcp_vertex,gemini-2-5-pro,cached_input,standard,long,0.625,0.25,"
                  f"ours is wrong; correcting it changes the committed sample: pending ({VERTEX})")
STALE_GPT = "openai,gpt-4-1,output,standard,standard,8,9,LiteLLM listed 9 per 1M"
ALLOWED_O3 = f"openai,o3-mini,cached_input,standard,standard,0.275,0.55,test entry ({OPENAI})"


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def book_file(tmp_path: Path) -> Path:
    return write(tmp_path / "price_book.csv", [",".join(PRICE_BOOK_COLUMNS), *BOOK])


def wheel_file(tmp_path: Path, text: str = PRICE_MAP) -> Path:
    wheel = tmp_path / "litellm-1.110.2-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(cp.PRICE_MAP_MEMBER, text)
    return wheel


def aliases_file(tmp_path: Path) -> Path:
    return write(tmp_path / "model_aliases.csv", [
        "provider,vendor_model_id,model",
        "anthropic,claude-opus-4-1-20250805,claude-opus-4-1",
        "anthropic,Claude Opus 4.1,claude-opus-4-1",
        "aws_bedrock,us.anthropic.claude-3-5-haiku-20241022-v1:0,claude-haiku-3-5",
    ])


def compare(tmp_path: Path, allow: list[str]) -> cp.Comparison:
    price_map, _ = cp.load_price_map(wheel_file(tmp_path))
    allowlist = cp.load_allowlist(write(tmp_path / "allow.csv", [ALLOW_HEADER, *allow]))
    return cp.compare(PriceBook.load(book_file(tmp_path)), cp.load_vendor_ids(aliases_file(tmp_path)),
                      price_map, allowlist, ON)


# --------------------------------------------------------------------------- the real price map


def test_price_book_agrees_with_the_pinned_litellm_price_map() -> None:
    try:
        wheel = cp.ensure_wheel()
    except cp.PriceMapUnavailable as exc:
        pytest.fail(f"the pinned LiteLLM wheel (litellm=={cp.LITELLM_VERSION}) is needed and could not be "
                    f"downloaded into {cp.CACHE_DIR}: {exc}")
    result, source = cp.run(date.today(), wheel)
    assert result.ok, cp.report(result, source)
    # The mapping reaches every hosting provider of the book, not just a few models.
    compared_providers = {key[0] for key in result.compared}
    assert compared_providers >= {"openai", "azure_openai", "anthropic", "aws_bedrock", "gcp_vertex"}
    assert len(result.compared) > 10 * len(result.unmapped)


# --------------------------------------------------------------------------- mapping rules


def test_names_and_key_shapes() -> None:
    assert cp.dotted("gpt-5-4-mini") == "gpt-5.4-mini"
    assert cp.dotted("gpt-4o") == "gpt-4o"
    assert cp.dotted("gemini-2-5-pro") == "gemini-2.5-pro"
    assert cp.claude3_order("claude-haiku-3-5") == "claude-3-5-haiku"
    assert cp.claude3_order("claude-opus-3") == "claude-3-opus"
    assert cp.claude3_order("claude-opus-4-1") is None
    assert cp.bare_vendor_id("global.anthropic.claude-sonnet-4-6-v1:0") == "claude-sonnet-4-6"
    assert cp.bare_vendor_id("Claude Sonnet 4.6") is None
    assert cp.snapshot_base("anthropic.claude-opus-4-1-20250805-v1:0") == "anthropic.claude-opus-4-1"
    assert cp.snapshot_base("anthropic.claude-haiku-4-5@20251001") == "anthropic.claude-haiku-4-5"
    assert cp.snapshot_base("gpt-4o-2024-08-06") == "gpt-4o"
    assert cp.snapshot_base("gemini-2.5-pro") == "gemini-2.5-pro"


def test_token_class_and_tier_fields() -> None:
    entry: dict[str, Any] = {
        "input_cost_per_token": D("1e-07"), "input_cost_per_token_batches": D("5e-08"),
        "cache_creation_input_token_cost": D("1.25e-07"),
        "cache_creation_input_token_cost_above_1hr": D("2e-07"),
        "cache_creation_input_token_cost_above_1hr_above_100k_tokens": D("1e-06"),
        "cache_read_input_token_cost_above_100k_tokens": D("5e-08"),
        "output_cost_per_token_above_100k_tokens_batches": D("1.25e-06"),
    }
    field = cp.litellm_field
    assert field("input", "standard", "standard", entry) == "input_cost_per_token"
    assert field("input", "batch", "standard", entry) == "input_cost_per_token_batches"
    assert field("cache_write_5m", "standard", "standard", entry) == "cache_creation_input_token_cost"
    assert field("cache_write", "standard", "standard", entry) == "cache_creation_input_token_cost"
    assert field("cache_write_1h", "standard", "long", entry) == (
        "cache_creation_input_token_cost_above_1hr_above_100k_tokens")
    assert field("cached_input", "standard", "long", entry) == "cache_read_input_token_cost_above_100k_tokens"
    assert field("output", "batch", "long", entry) == "output_cost_per_token_above_100k_tokens_batches"
    assert field("output", "standard", "standard", entry) is None  # LiteLLM has no such field
    assert field("input", "priority", "standard", entry) is None
    assert field("seat", "standard", "standard", entry) is None
    two_thresholds = {"input_cost_per_token_above_128k_tokens": 1, "input_cost_per_token_above_200k_tokens": 2}
    assert field("input", "standard", "long", two_thresholds) is None  # ambiguous: not compared


def test_keys_resolve_per_provider(tmp_path: Path) -> None:
    price_map, _ = cp.load_price_map(wheel_file(tmp_path))
    book = PriceBook.load(book_file(tmp_path))
    ids = cp.load_vendor_ids(aliases_file(tmp_path))

    def key(provider: str, model: str) -> str | None:
        return cp.resolve_key(provider, model, book, ids, price_map)[0]

    assert key("openai", "gpt-4-1") == "gpt-4.1"
    assert key("anthropic", "claude-opus-4-1") == "claude-opus-4-1-20250805"  # the dated snapshot
    # Bedrock: the Claude 3 word order, any snapshot suffix, never the us. geography (+10%)
    assert key("aws_bedrock", "claude-haiku-3-5") == "anthropic.claude-3-5-haiku-20241022-v1:0"
    assert key("gcp_vertex", "gemini-2-5-pro") == "gemini-2.5-pro"
    assert key("cursor", "claude-sonnet-4-5") == "claude-sonnet-4-5"  # the developer's own key
    # a key of the right name but another LiteLLM provider is not a match
    assert key("anthropic", "claude-opus-4") is None
    assert cp.resolve_key("github_copilot", "copilot-ai-credit", book, ids, price_map) == (None, [])


# --------------------------------------------------------------------------- comparison


def test_difference_allowed_stale_and_unmapped_on_hand_written_data(tmp_path: Path) -> None:
    result = compare(tmp_path, [ALLOWED_GEMINI, STALE_GPT])
    # Current token price points: gpt-4-1 x3, gpt-4-1-mini, gpt-4o, o3-mini x2 (the 0.30 row
    # ended 2026-06-01), claude-opus-4-1 x2 (its priority row has no LiteLLM field),
    # claude-sonnet-4-5, Bedrock claude-haiku-3-5, gemini-2-5-pro x2 and Cursor's
    # claude-sonnet-4-5: 14 compared.
    assert len(result.compared) == 14
    by_key = {d.key: d for d in result.differences}
    assert set(by_key) == {
        ("openai", "o3-mini", "cached_input", "standard", "standard"),
        ("gcp_vertex", "gemini-2-5-pro", "cached_input", "standard", "long"),
    }
    # o3-mini cached input: 5.5e-07 per token x 1,000,000 = 0.55 per 1M against our 0.275
    o3 = by_key[("openai", "o3-mini", "cached_input", "standard", "standard")]
    assert (o3.ours, o3.litellm, o3.litellm_key, o3.litellm_field) == (
        D("0.275"), D("0.55"), "o3-mini", "cache_read_input_token_cost")
    # gemini-2-5-pro long-context cached input: 2.5e-07 x 1,000,000 = 0.25 per 1M against 0.625
    gemini = by_key[("gcp_vertex", "gemini-2-5-pro", "cached_input", "standard", "long")]
    assert (gemini.ours, gemini.litellm) == (D("0.625"), D("0.25"))
    assert gemini.litellm_field == "cache_read_input_token_cost_above_200k_tokens"
    assert result.allowed == [gemini]
    assert result.not_allowed == [o3]
    # gpt-4-1 output: 8e-06 x 1,000,000 = 8 = ours, so the entry saying LiteLLM has 9 is stale
    assert [e.key for e in result.stale] == [("openai", "gpt-4-1", "output", "standard", "standard")]
    assert list(result.unmapped) == [("anthropic", "claude-opus-4")]
    assert result.no_field == [(("anthropic", "claude-opus-4-1", "input", "priority", "standard"),
                                "claude-opus-4-1-20250805")]
    assert result.not_token_priced == [("openai", "chatgpt-enterprise-seat")]
    assert not result.ok


def test_prices_compare_in_exact_decimal(tmp_path: Path) -> None:
    # 1e-07 x 1,000,000 is 0.09999999999999999 in binary floating point; in Decimal it is 0.1
    # exactly, and 2.5e-06 x 1,000,000 = 2.50 equals our 2.5.
    assert 1e-07 * 1_000_000 != 0.1
    assert D("1e-07") * 1_000_000 == D("0.1")
    result = compare(tmp_path, [ALLOWED_GEMINI, ALLOWED_O3])
    assert ("openai", "gpt-4-1-mini", "cached_input", "standard", "standard") in result.compared
    assert ("openai", "gpt-4o", "input", "standard", "standard") in result.compared
    assert all(d.key[2] == "cached_input" for d in result.differences)
    assert result.ok and not result.stale and len(result.allowed) == 2


def test_an_entry_accepts_only_the_same_two_prices(tmp_path: Path) -> None:
    # The entry names the price point but an older figure of ours (0.30): the difference is not
    # accepted and the entry is stale.
    older = "openai,o3-mini,cached_input,standard,standard,0.30,0.55,was 0.30"
    result = compare(tmp_path, [ALLOWED_GEMINI, older])
    assert [d.key[1] for d in result.not_allowed] == ["o3-mini"]
    assert [e.our_price for e in result.stale] == [D("0.30")]
    # 0.550 and 0.55 are the same price
    same = "openai,o3-mini,cached_input,standard,standard,0.2750,0.550,same figures"
    assert compare(tmp_path, [ALLOWED_GEMINI, same]).ok


def test_allowlist_needs_reasons_and_unique_entries(tmp_path: Path) -> None:
    no_reason = write(tmp_path / "a.csv", [ALLOW_HEADER, "openai,o3-mini,cached_input,standard,standard,0.275,0.55,"])
    with pytest.raises(ValueError, match="reason"):
        cp.load_allowlist(no_reason)
    twice = write(tmp_path / "b.csv", [ALLOW_HEADER, ALLOWED_O3, ALLOWED_O3])
    with pytest.raises(ValueError, match="duplicate"):
        cp.load_allowlist(twice)
    with pytest.raises(ValueError, match="columns"):
        cp.load_allowlist(write(tmp_path / "c.csv", ["provider,model,reason"]))


def test_the_committed_allowlist_is_well_formed() -> None:
    entries = cp.load_allowlist(cp.ALLOWLIST_PATH)
    for entry in entries:
        assert entry.our_price != entry.litellm_price, entry
        assert "https://" in entry.reason or "pending" in entry.reason, entry


# --------------------------------------------------------------------------- the command


def run_main(tmp_path: Path, allow: list[str], wheel: Path | None = None) -> int:
    return cp.main([
        "--on", ON.isoformat(), "--wheel", str(wheel or wheel_file(tmp_path)),
        "--price-book", str(book_file(tmp_path)), "--aliases", str(aliases_file(tmp_path)),
        "--allowlist", str(write(tmp_path / "allow.csv", [ALLOW_HEADER, *allow])),
    ])


def test_exit_codes_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_main(tmp_path, [ALLOWED_GEMINI, STALE_GPT]) == 1
    out = capsys.readouterr().out
    assert ("NOT ALLOWED openai/o3-mini/cached_input/standard/standard: ours 0.275 vs LiteLLM 0.55 "
            "USD per 1000000 Tokens [o3-mini cache_read_input_token_cost]") in out
    assert "allowed     gcp_vertex/gemini-2-5-pro/cached_input/standard/long: ours 0.625 vs LiteLLM 0.25" in out
    assert "openai/gpt-4-1/output/standard/standard: ours 8 vs LiteLLM 9" in out
    assert "anthropic/claude-opus-4 (tried claude-opus-4)" in out
    assert out.rstrip().endswith("FAILED: reconcile each difference (docs/pricing.md)")

    assert run_main(tmp_path, [ALLOWED_GEMINI, ALLOWED_O3]) == 0
    assert capsys.readouterr().out.rstrip().endswith("OK")

    broken = tmp_path / "broken.whl"
    broken.write_bytes(b"not a zip file")
    assert run_main(tmp_path, [ALLOWED_GEMINI, ALLOWED_O3], broken) == 2
    assert "cannot read litellm/model_prices_and_context_window_backup.json" in capsys.readouterr().err


def test_a_cached_wheel_is_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cached = wheel_file(tmp_path)

    def no_download(*args: object, **kwargs: object) -> None:
        raise AssertionError("pip must not run when the wheel is cached")

    monkeypatch.setattr(subprocess, "run", no_download)
    assert cp.ensure_wheel(tmp_path) == cached


def test_a_failed_download_is_an_error_not_a_skip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        assert f"litellm=={cp.LITELLM_VERSION}" in command and "--no-deps" in command
        return subprocess.CompletedProcess(command, 1, "", "ERROR: No matching distribution found")

    monkeypatch.setattr(subprocess, "run", failing)
    with pytest.raises(cp.PriceMapUnavailable, match="No matching distribution"):
        cp.ensure_wheel(tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []  # no half-downloaded file is left behind
