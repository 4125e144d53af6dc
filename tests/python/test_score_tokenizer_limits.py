"""Unit tests of scripts/score_tokenizer_limits.py: replicates, the usage export, scoring.

No dbt here: the scenarios are drawn and written to a temporary folder, incidents are written by
hand, and every expected figure is worked out in the test.
"""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from tokenizer_limits.scenarios import (  # noqa: E402
    FAMILIES, STRIDE_DAYS, Scenario, make_grid, page_json, usage_rows, write_usage_export,
)
from tokenizer_limits.scoring import (  # noqa: E402
    Incident, markdown_table, misses_and_false_positives, score, targets_met,
)

GPT41 = FAMILIES[0]


def scenario(**changes: object) -> Scenario:
    """A replicate starting on Monday 5 January 2026, switch on day 30 (Wednesday 4 February)."""
    base = Scenario(name="t", family=GPT41, start_on=date(2026, 1, 5), noise=0.12, shift=1.15,
                    switch_day=30, seed="test:1", burst_day=10, burst_key="st0", join_day=25)
    return replace(base, **changes)  # type: ignore[arg-type]


def per_key(rows: list) -> dict[str, dict[date, object]]:
    keyed: dict[str, dict[date, object]] = {}
    for row in rows:
        keyed.setdefault(row.api_key_id.rsplit("_", 1)[-1], {})[row.day] = row
    return keyed


# ---------------------------------------------------------------------------------------------
# scenarios
# ---------------------------------------------------------------------------------------------


def test_keys_models_and_the_switch() -> None:
    s = scenario()
    keys = per_key(usage_rows(s))
    assert sorted(keys) == ["join", "st0", "sw0", "sw1"]
    assert s.switch_on == date(2026, 2, 4)
    for key in ("sw0", "sw1", "join"):
        assert {r.model for d, r in keys[key].items() if d < s.switch_on} == {"gpt-4.1-2025-04-14"}
        assert {r.model for d, r in keys[key].items() if d >= s.switch_on} == {"gpt-4.1-2026-03-05"}
    assert {r.model for r in keys["st0"].values()} == {"gpt-4.1-2025-04-14"}
    # 60 days for the keys from the start, 35 for the key joining on day 25
    assert [len(keys[k]) for k in ("sw0", "sw1", "st0", "join")] == [60, 60, 60, 35]
    assert min(keys["join"]) == date(2026, 1, 30)
    assert {r.project_id for k in keys.values() for r in k.values()} == {"proj_t"}


def test_shift_applies_to_switching_keys_from_the_switch_only() -> None:
    """Same seed, shift 1.15 against 1.0: the noise is the same draw (common random numbers)."""
    shifted, clean = per_key(usage_rows(scenario())), per_key(usage_rows(scenario(shift=1.0)))
    for key, days in shifted.items():
        for day, row in days.items():
            other = clean[key][day]
            assert row.requests == other.requests
            expected = 1.15 if key != "st0" and day >= date(2026, 2, 4) else 1.0
            # whole token counts: off by at most half a token per request in each
            ratio = (row.input_tokens / row.requests) / (other.input_tokens / other.requests)
            assert ratio == pytest.approx(expected, abs=2e-3)


def test_weekends_burst_and_noise_level() -> None:
    s = scenario(noise=0.12, burst_day=None)
    keys = per_key(usage_rows(s))
    sw0 = keys["sw0"]
    weekday = statistics.median(r.requests for d, r in sw0.items() if d.weekday() < 5)
    weekend = statistics.median(r.requests for d, r in sw0.items() if d.weekday() >= 5)
    assert weekend / weekday == pytest.approx(0.3, abs=0.08)
    logs = [math.log(r.input_tokens / r.requests) for d, r in sw0.items() if d < s.switch_on]
    assert 0.08 < statistics.stdev(logs) < 0.16  # 30 draws of sd 0.12
    quiet_rows = per_key(usage_rows(replace(s, noise=0.02)))["sw0"].values()
    quiet = [math.log(r.input_tokens / r.requests) for r in quiet_rows if r.day < s.switch_on]
    assert statistics.stdev(quiet) == pytest.approx(statistics.stdev(logs) / 6, rel=0.01)
    bursty = per_key(usage_rows(scenario(burst_day=10, burst_key="st0")))["st0"]
    calm = per_key(usage_rows(scenario(burst_day=None)))["st0"]
    day = date(2026, 1, 15)
    assert bursty[day].requests == round(calm[day].requests * 10)
    per_request = {name: rows[day].input_tokens / rows[day].requests
                   for name, rows in (("bursty", bursty), ("calm", calm))}
    assert per_request["bursty"] / per_request["calm"] == pytest.approx(1.5, abs=1e-3)
    assert all(bursty[d] == calm[d] for d in calm if d != day)


def test_grid_shapes_slots_and_names() -> None:
    grid = make_grid([0.05, 0.12], [1.10, 1.25], replicates=3, clean_replicates=5, seed=9)
    assert len(grid) == 2 * (3 * 2 + 5)
    assert len({s.name for s in grid}) == len(grid)
    for noise in (0.05, 0.12):
        cells = [s for s in grid if s.noise == noise]
        assert sum(s.is_clean for s in cells) == 5
        # replicate i of a level has one shape and one seed at every shift and in its clean run
        for index in range(3):
            same = [s for s in cells if s.name.endswith(f"r{index:02d}")]
            assert sorted(s.shift for s in same) == [1.0, 1.10, 1.25]
            shapes = {(s.switch_day, s.burst_day, s.burst_key, s.join_day, s.seed, s.family) for s in same}
            assert len(shapes) == 1
    for s in grid:
        assert s.start_on.weekday() == 0 and s.switch_on.weekday() < 5 and 28 <= s.switch_day <= 38
        assert s.burst_day != s.switch_day and 20 <= (s.join_day or 0) <= 40
    # replicates of a family never overlap and lie more than the 28-day merge apart
    for family in {s.family for s in grid}:
        starts = sorted(s.start_on for s in grid if s.family == family)
        assert all((b - a).days == STRIDE_DAYS for a, b in zip(starts, starts[1:]))
        assert STRIDE_DAYS - 60 + 10 > 28  # first testable day of the next slot vs last of this one
    assert make_grid([0.05], [1.1], 2, 2, seed=9) == make_grid([0.05], [1.1], 2, 2, seed=9)


# ---------------------------------------------------------------------------------------------
# the usage export
# ---------------------------------------------------------------------------------------------


def test_usage_export_layout_and_round_trip(tmp_path: Path) -> None:
    rows = usage_rows(scenario())
    paths = write_usage_export(tmp_path, rows, page_results=40)
    names = sorted(p.name for p in paths)
    assert all(p.parent == tmp_path / "openai" / "usage_completions" for p in paths)
    # January 5 to March 5: three monthly exports, stamped the first day of the next month
    assert names[0] == "2026-02-01T0600Z_usage_completions_2026-01_page001.json"
    assert {n[:16] for n in names} == {"2026-02-01T0600Z", "2026-03-01T0600Z", "2026-04-01T0600Z"}
    seen = []
    for path in sorted(paths):
        page = json.loads(path.read_text(encoding="utf-8"))
        assert page["object"] == "page" and set(page) == {"object", "data", "has_more", "next_page"}
        assert page["has_more"] == (page["next_page"] is not None)
        for bucket in page["data"]:
            assert bucket["object"] == "bucket" and bucket["end_time"] - bucket["start_time"] == 86400
            day = date(1970, 1, 1) + timedelta(seconds=bucket["start_time"])
            for result in bucket["results"]:
                assert result["object"] == "organization.usage.completions.result"
                assert result["batch"] is False and result["user_id"] is None
                seen.append((day, result["api_key_id"], result["model"], result["num_model_requests"],
                             result["input_tokens"]))
    assert sorted(seen) == sorted(
        (r.day, r.api_key_id, r.model, r.requests, r.input_tokens) for r in rows)
    january = sorted(p for p in paths if "_2026-01_" in p.name)
    # 27 January days of 3 keys and 2 of the joiner (from the 30th): 83 results; a page closes
    # at the first bucket boundary from 40 results on: 42 (14 days) + 41
    assert [p.name[-12:] for p in january] == ["page001.json", "page002.json"]
    first = json.loads(january[0].read_text(encoding="utf-8"))
    assert first["has_more"] is True and first["next_page"] == "page_2026-02-01T0600Z_002"


def test_page_json_of_an_empty_page() -> None:
    assert json.loads(page_json([], None)) == {"object": "page", "data": [], "has_more": False,
                                               "next_page": None}


# ---------------------------------------------------------------------------------------------
# scoring
# ---------------------------------------------------------------------------------------------


def incident(family: str, started: date, magnitude: float = 1.15) -> Incident:
    return Incident.from_row(f"openai:{family}", "gpt-4.1", started, magnitude, "evidence")


def test_score_found_late_clean_and_stray() -> None:
    a = scenario(name="a", noise=0.12, shift=1.15)
    slot = timedelta(days=STRIDE_DAYS)
    b = scenario(name="b", noise=0.12, shift=1.25, start_on=a.start_on + slot)
    c = scenario(name="c", noise=0.12, shift=1.0, start_on=a.start_on + 2 * slot)
    d = scenario(name="d", noise=0.12, shift=1.35, family=FAMILIES[1])
    incidents = [
        incident("gpt-4-1", a.switch_on),                          # a: on the switch
        incident("gpt-4-1", a.switch_on + timedelta(days=10)),     # a: a second, false
        incident("gpt-4-1", b.switch_on + timedelta(days=3)),      # b: found, 3 days late
        incident("gpt-4-1", c.switch_on, 0.93),                    # c: clean run, false
        incident("gpt-4o", d.switch_on - timedelta(days=4)),       # d: 4 days early, false; missed
        incident("gpt-5", a.switch_on),                            # no replicate of gpt-5
    ]
    outcomes, stray = score([a, b, c, d], incidents)
    by_name = {o.scenario.name: o for o in outcomes}
    assert by_name["a"].found == incidents[0] and by_name["a"].days_to_detect == 0
    assert by_name["a"].false_positives == [incidents[1]]
    assert by_name["b"].days_to_detect == 3 and not by_name["b"].false_positives
    assert by_name["c"].found is None and by_name["c"].false_positives == [incidents[3]]
    assert by_name["d"].found is None and by_name["d"].false_positives == [incidents[4]]
    assert stray == [incidents[5]]
    assert not targets_met(outcomes, stray)
    lines = misses_and_false_positives(outcomes, stray)
    assert sum(line.startswith("- false") for line in lines) == 4
    assert any(line.startswith("- missed d") for line in lines)
    assert any(line.startswith("- late b") for line in lines)


def test_targets_and_table() -> None:
    grid = make_grid([0.05, 0.12], [1.05, 1.15], replicates=2, clean_replicates=2, seed=3)
    # every switch found on its day except the 5 % ones at 12 %, one of which 2 days late
    incidents = [incident(s.family.name, s.switch_on) for s in grid
                 if not s.is_clean and not (s.noise == 0.12 and s.shift == 1.05)]
    late = next(s for s in grid if s.noise == 0.12 and s.shift == 1.05)
    incidents.append(incident(late.family.name, late.switch_on + timedelta(days=2)))
    outcomes, stray = score(grid, incidents)
    assert targets_met(outcomes, stray)  # 5 % shifts are below the 15 % of the target
    table = markdown_table(outcomes, stray, [0.05, 0.12], [1.05, 1.15])
    lines = table.splitlines()
    assert lines[0] == ("| day-to-day noise | shift 5% | shift 15% | days to detect (max) "
                        "| false positives, clean runs | false positives, shifted runs |")
    assert lines[2] == ("| ±5% | 100% (2/2, 2 on the switch) | 100% (2/2, 2 on the switch) | 0 "
                        "| 0 in 2 runs | 0 in 4 runs |")
    assert lines[3] == ("| ±12% | 50% (1/2, 0 on the switch) | 100% (2/2, 2 on the switch) | 2 "
                        "| 0 in 2 runs | 0 in 4 runs |")
    # a false incident in a clean run, or one 1 day late at the target, fails the targets
    clean = next(s for s in grid if s.is_clean)
    assert not targets_met(*score(grid, incidents + [incident(clean.family.name, clean.switch_on)]))
    target = next(s for s in grid if s.noise == 0.12 and s.shift == 1.15)
    moved = [i for i in incidents
             if not (i.model_family == target.family.name and i.started_on == target.switch_on)]
    moved.append(incident(target.family.name, target.switch_on + timedelta(days=1)))
    assert not targets_met(*score(grid, moved))


def test_cli_lists_the_grid_without_building() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "score_tokenizer_limits.py"), "--list", "--noise", "0.12",
         "--shift", "1.15", "--replicates", "2", "--clean-replicates", "1"],
        capture_output=True, text=True, check=True,
    )
    lines = proc.stdout.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("n12x115r00 gpt-4-1 2001-01-01..2001-03-01 switch ")
    assert [line.split()[0] for line in lines] == ["n12x115r00", "n12x100r00", "n12x115r01"]
