#!/usr/bin/env python3
"""Scores the incident detectors of ``mart_pricing_incidents`` against injected incidents.

For each scenario (each injectable incident type alone, all of them together, and a clean run)
the script writes a raw folder with ``scripts/generate_sample_data.py`` (``--inject``; the
generator lists what it injected in ``manifest.json``), builds the warehouse with dbt
(``dbt build --select +mart_pricing_incidents``, seeds and models, no tests), and matches the
incidents found against the manifest:

* an injected incident is *found* when an incident of the same type, provider and subject
  (model family for ``tokenizer_shift``, model for ``unit_price_change`` and ``spend_spike``,
  vendor SKU or model id for ``new_billing_unit`` and ``unpriced_model``, export folder for
  ``duplicate_export``) starts within 3 days of the onset (for ``duplicate_export``: or its
  window covers the onset); days to detect = started_on - onset, where the onset is the
  injected date or, when the affected model or SKU has no charge that day, its first charge
  after it (a price cannot be seen before something is billed at it);
* a *false positive* is an incident that matches neither an injected incident nor a real event
  of the window listed in the manifest (``events``: the Opus 4.7 tokenizer switch, the Copilot
  AI-credit unit) nor, in an injected run, an incident already reported by the clean run (which
  is counted once, in the clean row).

The table is printed as Markdown and written to ``build/score_detection.md``. Exit code 0 when
every injected incident is found in time and the clean run has no false positive, else 1.

Usage::

    .venv/bin/python scripts/score_detection.py [--out build/score_detection.md] [--work DIR]
        [--scenario NAME ...] [--keep] [--reuse]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Iterable, Sequence

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "scripts" / "generate_sample_data.py"
MODELS = ROOT / "seeds" / "models.csv"
DBT = Path(sys.executable).parent / "dbt"

START = "2026-04-01"
DAYS = 180
SEED = 42
TEAMS = 5
USERS = 4
# Every vendor an injection below needs, plus the gateway log (canary, key directory).
ONLY = "openai,anthropic,aws_bedrock,azure_openai,gateway"
MAX_DAYS = 3

INCIDENT_TYPES: tuple[str, ...] = (
    "tokenizer_shift",
    "unit_price_change",
    "new_billing_unit",
    "unpriced_model",
    "duplicate_export",
    "spend_spike",
)

# Each type alone: several injections of it, at 5 % or more where a magnitude is a ratio,
# on different providers, models and dates (weekdays, so that the affected usage exists on the
# onset day).
SCENARIOS: dict[str, tuple[str, ...]] = {
    "tokenizer_shift": (
        "tokenizer_shift:2026-06-10:1.05@gpt-5",
        "tokenizer_shift:2026-07-21:1.10@gemini-flash",
        "tokenizer_shift:2026-08-25:1.05@claude-opus",
    ),
    "unit_price_change": (
        "unit_price_change:2026-05-12:1.06@aws_bedrock/claude-sonnet-4-6",
        "unit_price_change:2026-06-02:1.05@openai/gpt-4o-mini",
        "unit_price_change:2026-07-07:0.95@anthropic/claude-opus-4-7",
        "unit_price_change:2026-08-11:1.08@azure_openai/gpt-4o-mini",
    ),
    "new_billing_unit": (
        "new_billing_unit:2026-05-20:1@azure_openai",
        "new_billing_unit:2026-07-15:1@openai",
    ),
    "unpriced_model": (
        "unpriced_model:2026-06-16:1@anthropic/claude-nova-1-20260601",
        "unpriced_model:2026-08-04:1@openai/gpt-5-nano-2025-08-07",
    ),
    "duplicate_export": (
        "duplicate_export:2026-05-15:1@openai/costs",
        "duplicate_export:2026-07-10:1.04@aws_cur",
        "duplicate_export:2026-08-12:1@anthropic/cost_report",
    ),
    "spend_spike": (
        "spend_spike:2026-06-24:3000@anthropic/bulk-tagger",
        "spend_spike:2026-08-20:6000@openai/doc-backfill",
    ),
}
SCENARIOS["all"] = tuple(spec for name in INCIDENT_TYPES for spec in SCENARIOS[name])
SCENARIOS["clean"] = ()


@dataclass(frozen=True)
class Expected:
    """An incident the data should show: injected (manifest ``incidents``) or a real event."""

    type: str
    provider: str | None
    model: str | None
    sku: str | None
    onset: date
    target: str | None
    spec: str
    is_event: bool = False
    visible_on: date | None = None  # first day the data can show it (default: the onset)

    @property
    def shown_on(self) -> date:
        return self.visible_on or self.onset


@dataclass(frozen=True)
class Detected:
    """One row of mart_pricing_incidents."""

    type: str
    provider: str
    model: str | None
    sku: str | None
    started_on: date
    window_start_on: date | None
    window_end_on: date | None
    magnitude: float | None
    evidence: str

    @property
    def identity(self) -> tuple[str, str, str | None, str | None, date]:
        return (self.type, self.provider, self.model, self.sku, self.started_on)


@dataclass
class RunScore:
    """Outcome of one scenario: each expected incident with its match, and the false positives."""

    scenario: str
    found: dict[Expected, Detected | None] = field(default_factory=dict)
    false_positives: list[Detected] = field(default_factory=list)

    def injected(self) -> list[Expected]:
        return [e for e in self.found if not e.is_event]


def load_model_families(path: Path = MODELS) -> dict[str, str]:
    """Canonical model and its developer's spelling -> model family, from the models seed."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["model"]]
    return {name: row["model_family"] for row in rows for name in (row["model"], row["model_name"])}


def expected_from_manifest(manifest: dict) -> list[Expected]:
    """Injected incidents and the real events of incident types listed in a generator manifest."""
    rows: list[Expected] = []
    for item, is_event in [(i, False) for i in manifest.get("incidents", [])] + [
        (e, True) for e in manifest.get("events", [])
    ]:
        if item["type"] not in INCIDENT_TYPES:
            continue  # list_price_change and bursty_agent must stay quiet: not expected
        target = item.get("target") or (item.get("details") or {}).get("model_family")
        rows.append(Expected(
            type=item["type"],
            provider=item.get("provider"),
            model=item.get("model"),
            sku=item.get("sku"),
            onset=date.fromisoformat(item["start_date"]),
            target=target,
            spec=item.get("spec") or f"event {item['type']} {item['start_date']}",
            is_event=is_event,
        ))
    return rows


def same_subject(expected: Expected, detected: Detected, families: dict[str, str]) -> bool:
    """Whether a detected incident is about what was injected (type, provider and subject)."""
    if expected.type != detected.type:
        return False
    if expected.provider is not None and expected.provider != detected.provider:
        return False
    if expected.type == "tokenizer_shift":
        family = expected.target or families.get(expected.model or "", expected.model)
        return families.get(detected.model or "", detected.model) == family
    if expected.type in ("unit_price_change", "spend_spike"):
        return detected.model == expected.model
    if expected.type in ("new_billing_unit", "unpriced_model"):
        return detected.sku == expected.sku
    if expected.type == "duplicate_export":
        return detected.sku == expected.target
    return False


def covers_onset(expected: Expected, detected: Detected) -> bool:
    """Whether the incident's detection window holds the onset."""
    start = detected.window_start_on or detected.started_on
    end = detected.window_end_on or detected.started_on
    return start <= expected.onset <= end


def days_to_detect(expected: Expected, detected: Detected) -> int:
    """Days from the first day the data shows the incident to its start.

    That day is the onset, or the first charge of the affected model or SKU on or after it
    when there is none on the onset day (no detector can see a price before a charge). A
    duplicated export covers whole periods: 0 when its window holds the onset.
    """
    if expected.type == "duplicate_export" and covers_onset(expected, detected):
        return 0
    return (detected.started_on - expected.shown_on).days


def score_run(
    scenario: str,
    expected: Sequence[Expected],
    detected: Sequence[Detected],
    families: dict[str, str],
    baseline: Iterable[tuple] = (),
    max_days: int = MAX_DAYS,
) -> RunScore:
    """Matches detected incidents to expected ones; the rest, unless in `baseline`, are false."""
    score = RunScore(scenario)
    used: set[int] = set()
    for item in expected:
        candidates = [
            (abs(days_to_detect(item, d)), index)
            for index, d in enumerate(detected)
            if same_subject(item, d, families) and abs(days_to_detect(item, d)) <= max_days
        ]
        if candidates:
            index = min(candidates)[1]
            used.add(index)
            score.found[item] = detected[index]
        else:
            score.found[item] = None
    known = set(baseline)
    for index, d in enumerate(detected):
        if index in used or d.identity in known:
            continue
        # a second incident about something injected (a later series of the same change, the
        # byte-identical copy and the restatement of one duplicated export) is not false
        if any(same_subject(item, d, families) and (d.started_on >= item.onset or covers_onset(item, d))
               for item in expected):
            continue
        score.false_positives.append(d)
    return score


def first_charge_on(db_path: Path, expected: Expected) -> date | None:
    """First day on or after the onset with a charge of the injected model or SKU (None: n/a)."""
    import duckdb

    column = {"unit_price_change": "model", "unpriced_model": "vendor_model_id",
              "new_billing_unit": "vendor_sku"}.get(expected.type)
    subject = expected.model if expected.type == "unit_price_change" else expected.sku
    if column is None or subject is None:
        return None
    with duckdb.connect(str(db_path), read_only=True) as con:
        row = con.execute(
            f"select min(charge_on) from main.int_ai_charges_priced where provider = ? and {column} = ?"
            " and charge_on >= ?",
            [expected.provider, subject, expected.onset],
        ).fetchone()
    return row[0] if row else None


def generated_providers(manifest: dict) -> set[str]:
    """Providers whose exports (or canary log) the generator wrote."""
    providers = set()
    for export, rows in manifest.get("row_counts", {}).items():
        if not rows:
            continue
        head = export.split("/")[0]
        providers.add({"aws_cur": "aws_bedrock", "azure_cost": "azure_openai",
                       "gcp_billing": "gcp_vertex"}.get(head, head))
    if "gateway" in providers:  # the canary covers the anthropic, openai and gcp families
        providers |= {"anthropic", "openai", "gcp_vertex"}
    return providers


def read_incidents(db_path: Path) -> list[Detected]:
    """The rows of mart_pricing_incidents in a warehouse file."""
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.execute(
            "select incident_type, provider, model, sku, started_on, window_start_on,"
            " window_end_on, magnitude, evidence from main.mart_pricing_incidents"
            " order by started_on, incident_type, provider"
        ).fetchall()
    return [Detected(*row) for row in rows]


def generate(raw_dir: Path, specs: Sequence[str]) -> dict:
    """Writes a raw folder with the generator and returns its manifest."""
    cmd = [
        sys.executable, str(GENERATOR), "--out", str(raw_dir), "--start", START,
        "--days", str(DAYS), "--seed", str(SEED), "--teams", str(TEAMS), "--users", str(USERS),
        "--only", ONLY, "--no-progress",
    ]
    if specs:
        cmd += ["--inject", ",".join(specs)]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads((raw_dir / "manifest.json").read_text(encoding="utf-8"))


def build(raw_dir: Path, work_dir: Path) -> Path:
    """Builds mart_pricing_incidents and its parents over `raw_dir`; returns the DuckDB file."""
    db_path = work_dir / "warehouse.duckdb"
    env = dict(os.environ)
    env.update({
        "AI_FINOPS_RAW_PATH": str(raw_dir),
        "AI_FINOPS_DB_PATH": str(db_path),
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    })
    cmd = [
        str(DBT), "build", "--select", "+mart_pricing_incidents", "--exclude-resource-type",
        "test", "--exclude-resource-type", "unit_test", "--project-dir", str(ROOT),
        "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
    ]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"dbt failed for {raw_dir}:\n{proc.stdout[-4000:]}{proc.stderr[-2000:]}")
    return db_path


def table_rows(scores: dict[str, RunScore]) -> list[list[str]]:
    """Rows of the score table: each type alone, each type in the combined run, the clean run."""
    rows: list[list[str]] = []

    def row(run: str, kind: str, items: list[Expected], score: RunScore, fps: list[Detected]) -> None:
        days = [days_to_detect(i, score.found[i]) for i in items if score.found[i] is not None]
        found = sum(score.found[i] is not None for i in items)
        rows.append([
            run, kind, str(len(items)), str(found),
            f"{found / len(items):.0%}" if items else "-",
            str(max(days)) if days else "-",
            str(len(fps)),
        ])

    for name in INCIDENT_TYPES:
        if name in scores:
            score = scores[name]
            row(f"{name} alone", name, score.injected(), score, score.false_positives)
    if "all" in scores:
        score = scores["all"]
        for name in INCIDENT_TYPES:
            items = [i for i in score.injected() if i.type == name]
            row("all together", name, items, score, [d for d in score.false_positives if d.type == name])
        others = [d for d in score.false_positives if d.type not in INCIDENT_TYPES]
        if others:
            row("all together", "other types", [], score, others)
    if "clean" in scores:
        score = scores["clean"]
        row(f"clean, {DAYS} days", "any", [], score, score.false_positives)
    return rows


def markdown(scores: dict[str, RunScore]) -> str:
    """The score table and its notes, as Markdown."""
    header = ["run", "incident type", "injected", f"found within {MAX_DAYS} days", "recall",
              "days to detect (max)", "false positives"]
    lines = [
        f"Detection score: generator seed {SEED}, {DAYS} days from {START}, {TEAMS} teams, "
        f"{USERS} users per business unit, vendors {ONLY.replace(',', ', ')}.",
        "",
        "| " + " | ".join(header) + " |",
        "| " + " | ".join("---" for _ in header) + " |",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in table_rows(scores)]
    events = [
        (e, d) for score in scores.values() if score.scenario == "clean"
        for e, d in score.found.items() if e.is_event
    ]
    if events:
        lines += ["", "Real events of the window (clean run):", ""]
        for event, hit in events:
            status = (f"found on {hit.started_on} (x{hit.magnitude:.3f})" if hit and hit.magnitude
                      else f"found on {hit.started_on}" if hit else "not found")
            lines.append(f"- {event.type} {event.provider} {event.model or event.sku} "
                         f"{event.onset}: {status}")
    late = sorted({(e.spec, e.shown_on) for s in scores.values() for e in s.found
                   if not e.is_event and e.shown_on != e.onset})
    if late:
        lines += ["", "Injected on a day without a charge of the affected model or SKU (days to "
                  "detect counted from its first charge):", ""]
        lines += [f"- `{spec}`: first charge on {day}" for spec, day in late]
    misses = [(s.scenario, e) for s in scores.values() for e, d in s.found.items()
              if d is None and not e.is_event]
    fps = [(s.scenario, d) for s in scores.values() for d in s.false_positives]
    if misses or fps:
        lines += ["", "Misses and false positives:", ""]
        lines += [f"- {run}: missed `{e.spec}`" for run, e in misses]
        lines += [f"- {run}: false {d.type} {d.provider} {d.model or d.sku or ''} {d.started_on}: "
                  f"{d.evidence}" for run, d in fps]
    return "\n".join(lines) + "\n"


def targets_met(scores: dict[str, RunScore]) -> bool:
    """Every injected incident found in time; no false positive in the clean run."""
    found_all = all(d is not None for s in scores.values() for e, d in s.found.items() if not e.is_event)
    clean = scores.get("clean")
    return found_all and (clean is None or not clean.false_positives)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "score_detection.md")
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS),
                        help="run only these scenarios (clean always runs first)")
    parser.add_argument("--keep", action="store_true", help="keep raw folders and warehouses")
    parser.add_argument("--reuse", action="store_true",
                        help="with --work: score the warehouses already built there")
    args = parser.parse_args(argv)

    names = ["clean"] + [n for n in (args.scenario or list(SCENARIOS)) if n != "clean"]
    work = args.work or Path(tempfile.mkdtemp(prefix="score_detection_"))
    work.mkdir(parents=True, exist_ok=True)
    families = load_model_families()
    scores: dict[str, RunScore] = {}
    baseline: set[tuple] = set()
    try:
        for name in names:
            run_dir = work / name
            if args.reuse and (run_dir / "warehouse.duckdb").exists():
                manifest = json.loads((run_dir / "raw" / "manifest.json").read_text(encoding="utf-8"))
                db_path = run_dir / "warehouse.duckdb"
            else:
                shutil.rmtree(run_dir, ignore_errors=True)
                print(f"[{name}] generating and building ...", file=sys.stderr, flush=True)
                manifest = generate(run_dir / "raw", SCENARIOS[name])
                db_path = build(run_dir / "raw", run_dir)
            detected = read_incidents(db_path)
            providers = generated_providers(manifest)
            expected = [
                replace(e, visible_on=first_charge_on(db_path, e))
                for e in expected_from_manifest(manifest)
                if not e.is_event or e.provider in providers
            ]
            scores[name] = score_run(name, expected, detected, families,
                                     baseline if name != "clean" else ())
            if name == "clean":
                baseline = {d.identity for d in detected}
    finally:
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    text = markdown(scores)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return 0 if targets_met(scores) else 1


if __name__ == "__main__":
    sys.exit(main())
