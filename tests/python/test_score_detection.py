"""Unit tests of scripts/score_detection.py: matching, days to detect, false positives, table.

No dbt here: manifests and incidents are written by hand, and every expected figure is worked
out in the test.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_detection", ROOT / "scripts" / "score_detection.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["score_detection"] = module
    spec.loader.exec_module(module)
    return module


sd = _load()

FAMILIES = {"gpt-5": "gpt-5", "gpt-5-mini": "gpt-5", "gpt-4o-mini": "gpt-4o",
            "claude-opus-4-6": "claude-opus", "claude-opus-4-7": "claude-opus"}

MANIFEST = {
    "incidents": [
        {"type": "tokenizer_shift", "provider": "openai", "model": "gpt-5", "sku": None,
         "start_date": "2026-06-10", "magnitude": 1.05, "target": "gpt-5",
         "spec": "tokenizer_shift:2026-06-10:1.05@gpt-5", "details": {"model_family": "gpt-5"}},
        {"type": "duplicate_export", "provider": "openai", "model": None, "sku": None,
         "start_date": "2026-05-15", "magnitude": 1.0, "target": "openai/costs",
         "spec": "duplicate_export:2026-05-15:1@openai/costs", "details": {}},
        {"type": "unit_price_change", "provider": "openai", "model": "gpt-4o-mini", "sku": None,
         "start_date": "2026-07-01", "magnitude": 1.08, "target": "openai/gpt-4o-mini",
         "spec": "unit_price_change:2026-07-01:1.08@openai/gpt-4o-mini", "details": {}},
    ],
    "events": [
        {"type": "tokenizer_shift", "provider": "anthropic", "model": "claude-opus-4-7", "sku": None,
         "start_date": "2026-04-16", "magnitude": 1.35, "details": {"model_family": "claude-opus"}},
        {"type": "bursty_agent", "provider": "openai", "model": "gpt-5", "sku": None,
         "start_date": "2026-04-09", "magnitude": None, "details": {}},
        {"type": "list_price_change", "provider": "anthropic", "model": "claude-sonnet-5-5",
         "sku": None, "start_date": "2026-10-07", "magnitude": 0.5, "details": {}},
    ],
}


def incident(kind: str, provider: str, started: str, model: str | None = None, sku: str | None = None,
             window: tuple[str, str] | None = None, magnitude: float | None = None) -> object:
    """A mart_pricing_incidents row."""
    start = date.fromisoformat(started)
    low, high = (date.fromisoformat(window[0]), date.fromisoformat(window[1])) if window else (start, start)
    return sd.Detected(kind, provider, model, sku, start, low, high, magnitude, "evidence")


def test_expected_from_manifest_keeps_incident_types_only() -> None:
    expected = sd.expected_from_manifest(MANIFEST)
    # 3 injected + the Opus event; bursty_agent and list_price_change must stay quiet
    assert [(e.type, e.is_event) for e in expected] == [
        ("tokenizer_shift", False), ("duplicate_export", False), ("unit_price_change", False),
        ("tokenizer_shift", True),
    ]
    opus = expected[3]
    assert opus.target == "claude-opus" and opus.onset == date(2026, 4, 16)


def test_same_subject_per_type() -> None:
    shift, dup, price, opus = sd.expected_from_manifest(MANIFEST)
    # tokenizer shifts match by model family: gpt-5-mini is in the gpt-5 family
    assert sd.same_subject(shift, incident("tokenizer_shift", "openai", "2026-06-10", "gpt-5-mini"), FAMILIES)
    assert not sd.same_subject(shift, incident("tokenizer_shift", "openai", "2026-06-10", "gpt-4o-mini"), FAMILIES)
    other_provider = incident("tokenizer_shift", "azure_openai", "2026-06-10", "gpt-5")
    assert not sd.same_subject(shift, other_provider, FAMILIES)
    assert sd.same_subject(opus, incident("tokenizer_shift", "anthropic", "2026-04-16", "claude-opus-4-7"), FAMILIES)
    assert sd.same_subject(dup, incident("duplicate_export", "openai", "2026-05-01", sku="openai/costs"), FAMILIES)
    other_export = incident("duplicate_export", "openai", "2026-05-01", sku="openai/usage_completions")
    assert not sd.same_subject(dup, other_export, FAMILIES)
    assert sd.same_subject(price, incident("unit_price_change", "openai", "2026-07-01", "gpt-4o-mini"), FAMILIES)
    assert not sd.same_subject(price, incident("reconciliation_gap", "openai", "2026-07-01"), FAMILIES)


def test_days_to_detect() -> None:
    shift, dup, _, _ = sd.expected_from_manifest(MANIFEST)
    assert sd.days_to_detect(shift, incident("tokenizer_shift", "openai", "2026-06-12", "gpt-5")) == 2
    assert sd.days_to_detect(shift, incident("tokenizer_shift", "openai", "2026-06-09", "gpt-5")) == -1
    # a duplicated monthly file covers its whole month: 0 days when the window holds the onset
    covering = incident("duplicate_export", "openai", "2026-05-01", sku="openai/costs",
                        window=("2026-05-01", "2026-05-31"))
    assert sd.days_to_detect(dup, covering) == 0
    later = incident("duplicate_export", "openai", "2026-05-20", sku="openai/costs",
                     window=("2026-05-20", "2026-05-31"))
    assert sd.days_to_detect(dup, later) == 5


def test_score_run_found_late_and_false() -> None:
    expected = sd.expected_from_manifest(MANIFEST)
    detected = [
        incident("tokenizer_shift", "openai", "2026-06-10", "gpt-5", magnitude=1.05),  # found, 0 days
        incident("duplicate_export", "openai", "2026-05-01", sku="openai/costs", window=("2026-05-01", "2026-05-31")),
        incident("unit_price_change", "openai", "2026-07-05", "gpt-4o-mini"),  # 4 days late: a miss
        incident("tokenizer_shift", "anthropic", "2026-04-16", "claude-opus-4-7"),  # the real event
        incident("spend_spike", "openai", "2026-04-09", "gpt-5"),  # the bursty agent: false
        incident("unpriced_model", "aws_bedrock", "2026-04-05", sku="Claude Sonnet 4.5"),  # in the clean run
    ]
    baseline = {detected[5].identity}
    score = sd.score_run("all", expected, detected, FAMILIES, baseline)
    found = {e.type: d for e, d in score.found.items() if not e.is_event}
    assert found["tokenizer_shift"] is detected[0]
    assert found["duplicate_export"] is detected[1]
    assert found["unit_price_change"] is None
    # the late unit_price_change is about the injected change: neither found nor false
    assert score.false_positives == [detected[4]]
    assert not sd.targets_met({"all": score})


def test_score_run_clean_counts_every_unexpected_incident() -> None:
    manifest = {"incidents": [], "events": MANIFEST["events"]}
    detected = [
        incident("tokenizer_shift", "anthropic", "2026-04-17", "claude-opus-4-7"),  # event, 1 day late
        incident("unpriced_model", "aws_bedrock", "2026-04-05", sku="Claude Sonnet 4.5"),
    ]
    score = sd.score_run("clean", sd.expected_from_manifest(manifest), detected, FAMILIES)
    assert score.false_positives == [detected[1]]
    assert not sd.targets_met({"clean": score})
    assert sd.targets_met({"clean": sd.score_run("clean", [], [], FAMILIES)})


def test_markdown_table_figures() -> None:
    expected = sd.expected_from_manifest(MANIFEST)
    detected = [
        incident("tokenizer_shift", "openai", "2026-06-11", "gpt-5", magnitude=1.05),
        incident("duplicate_export", "openai", "2026-05-01", sku="openai/costs", window=("2026-05-01", "2026-05-31")),
        incident("unit_price_change", "openai", "2026-07-02", "gpt-4o-mini", magnitude=1.08),
    ]
    scores = {
        "all": sd.score_run("all", expected, detected, FAMILIES),
        "clean": sd.score_run("clean", [], [], FAMILIES),
    }
    text = sd.markdown(scores)
    lines = [line for line in text.splitlines() if line.startswith("| all together")]
    by_type = {line.split(" | ")[1]: line for line in lines}
    # tokenizer: 1 injected, found 1 day late; unit price: 1 day late; duplicate: window covers it
    assert by_type["tokenizer_shift"].endswith("| 1 | 1 | 100% | 1 | 0 |")
    assert by_type["unit_price_change"].endswith("| 1 | 1 | 100% | 1 | 0 |")
    assert by_type["duplicate_export"].endswith("| 1 | 1 | 100% | 0 | 0 |")
    assert by_type["spend_spike"].endswith("| 0 | 0 | - | - | 0 |")
    assert "| clean, 180 days | any | 0 | 0 | - | - | 0 |" in text
    assert sd.targets_met(scores)


def test_model_families_from_the_seed() -> None:
    families = sd.load_model_families()
    assert families["claude-opus-4-7"] == families["claude-opus-4-6"] == "claude-opus"
    assert families["gpt-5-mini"] == "gpt-5"


def test_scenarios_cover_every_injectable_type() -> None:
    assert set(sd.INCIDENT_TYPES) <= set(sd.SCENARIOS)
    assert sorted(sd.SCENARIOS["all"]) == sorted(s for t in sd.INCIDENT_TYPES for s in sd.SCENARIOS[t])
    for name in sd.INCIDENT_TYPES:
        for spec in sd.SCENARIOS[name]:
            assert spec.startswith(name + ":")
            magnitude = float(spec.split("@")[0].split(":")[2])
            if name in ("tokenizer_shift", "unit_price_change"):
                assert abs(magnitude - 1) >= 0.05 - 1e-12


@pytest.mark.parametrize("name", ["tokenizer_shift", "spend_spike"])
def test_scenario_dates_are_inside_the_window(name: str) -> None:
    first = date.fromisoformat(sd.START)
    for spec in sd.SCENARIOS[name]:
        onset = date.fromisoformat(spec.split(":")[1])
        assert 31 <= (onset - first).days < sd.DAYS - 14
