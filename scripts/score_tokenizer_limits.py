#!/usr/bin/env python3
"""Measures the detection limits of the ``tokenizer_shift`` detector under realistic noise.

For each day-to-day noise level and each tokenizer shift at a model switch (and clean switches
of the same shapes), the script writes replicates of a synthetic 60-day OpenAI organisation
(``scripts/tokenizer_limits/scenarios.py``: weekends at 30% volume, a one-day agent burst, a
key joining mid-way, two keys switching to a newer snapshot or version of their model family)
into one raw folder holding ONLY the OpenAI usage export (``openai/usage_completions``, pages
of ``GET /v1/organization/usage/completions`` as the API writes them), builds the detector and
its parents with dbt over it, and matches the rows of ``int_incidents__tokenizer_shift`` to the
replicates (``scripts/tokenizer_limits/scoring.py``): recall within 3 days of the switch, how
many dated on the switch, days to detect, and false positives of the clean and shifted runs.

Replicates cannot interact (own keys and project; replicates of one family lie 84 days apart),
so the whole grid is one build. The Markdown table is printed and written to ``--out``. Exit
code 0 when the targets are met (at ±12% noise every shift of 15% or more found and dated on
the switch; no false incident in any clean run), else 1.

Usage::

    .venv/bin/python scripts/score_tokenizer_limits.py [--replicates 40] [--clean-replicates 100]
        [--noise 0.02 0.05 0.12 0.20] [--shift 1.05 1.10 1.15 1.25 1.35] [--work DIR]
        [--no-switch] [--no-burst] [--no-joiner] [--reuse] [--vars YAML] [--details] [--list]

``--no-switch`` keeps every key on its model (the change comes without a switch: the day-by-day
scan alone); ``--reuse`` rebuilds only the detector over the staged rows of ``--work`` (for
trying settings with ``--vars``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from tokenizer_limits.scenarios import Scenario, make_grid, usage_rows, write_usage_export  # noqa: E402
from tokenizer_limits.scoring import (  # noqa: E402
    MAX_DAYS, Incident, markdown_table, misses_and_false_positives, score, targets_met,
)

DBT = Path(sys.executable).parent / "dbt"
MODEL = "int_incidents__tokenizer_shift"
NOISES = (0.02, 0.05, 0.12, 0.20)
SHIFTS = (1.05, 1.10, 1.15, 1.25, 1.35)
WORK = Path("/tmp/tokscore/grid")


def write_raw(raw_dir: Path, scenarios: Sequence[Scenario]) -> int:
    """Writes the usage export of every replicate into a fresh raw folder; returns its rows."""
    shutil.rmtree(raw_dir, ignore_errors=True)
    rows = [row for scenario in scenarios for row in usage_rows(scenario)]
    write_usage_export(raw_dir, rows)
    return len(rows)


def run_dbt(work: Path, raw_dir: Path, db_path: Path, reuse: bool, dbt_vars: str | None) -> None:
    """Builds the detector and its parents (seeds and models, no tests) into `db_path`; with
    `reuse`, only the detector on the staged rows already there."""
    env = dict(os.environ)
    env.update({
        "AI_FINOPS_RAW_PATH": str(raw_dir),
        "AI_FINOPS_DB_PATH": str(db_path),
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    })
    env.setdefault("AI_FINOPS_THREADS", "1")  # other builds share the machine
    if reuse:
        cmd = [str(DBT), "run", "--select", MODEL]
    else:
        cmd = [str(DBT), "build", "--select", f"+{MODEL}", "--exclude-resource-type", "test",
               "--exclude-resource-type", "unit_test"]
    cmd += ["--project-dir", str(ROOT), "--target-path", str(work / "target"),
            "--log-path", str(work / "logs")]
    if dbt_vars:
        cmd += ["--vars", dbt_vars]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"dbt failed:\n{proc.stdout[-4000:]}{proc.stderr[-2000:]}")


def read_incidents(db_path: Path) -> list[Incident]:
    """The rows of int_incidents__tokenizer_shift."""
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.execute(
            f"select incident_key, model, started_on, magnitude, evidence from main.{MODEL}"
            " order by incident_key, started_on"
        ).fetchall()
    return [Incident.from_row(*row) for row in rows]


def report(scenarios: Sequence[Scenario], incidents: Sequence[Incident], args: argparse.Namespace,
           seconds: float) -> tuple[str, bool]:
    """The Markdown report (table, settings, misses and false positives) and the verdict."""
    outcomes, stray = score(scenarios, incidents)
    met = targets_met(outcomes, stray, args.target_noise, args.target_shift)
    clean = sum(s.is_clean for s in scenarios)
    lines = [
        f"tokenizer_shift detection limits: {len(scenarios) - clean} shifted and {clean} clean "
        f"replicates of a 60-day OpenAI organisation (seed {args.seed}); found = an incident of "
        f"the replicate's family starting within {MAX_DAYS} days of the switch; "
        f"{date.today().isoformat()}, {seconds:.0f} s.",
        "",
        markdown_table(outcomes, stray, args.noise, args.shift),
        f"Targets (at ±{args.target_noise:.0%}: every shift of {args.target_shift - 1:.0%} or more "
        f"found and dated on the switch; no false incident in the clean runs): "
        f"{'met' if met else 'NOT met'}.",
    ]
    details = misses_and_false_positives(outcomes, stray)
    if details and args.details:
        lines += ["", "Misses, late finds and false positives:", ""] + details
    return "\n".join(lines) + "\n", met


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--noise", type=float, nargs="+", default=list(NOISES),
                        help="day-to-day noise levels: sd of ln(input tokens per request)")
    parser.add_argument("--shift", type=float, nargs="+", default=list(SHIFTS),
                        help="tokenizer shifts at the switch (ratio of tokens per request)")
    parser.add_argument("--replicates", type=int, default=40, help="replicates per noise and shift")
    parser.add_argument("--clean-replicates", type=int, default=100,
                        help="replicates with a clean switch (shift 1.0) per noise level")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--weekend-factor", type=float, default=0.3,
                        help="weekend requests as a share of weekday requests")
    parser.add_argument("--burst-requests", type=float, default=10.0,
                        help="requests of the burst day as a multiple of the key's usual ones")
    parser.add_argument("--burst-ratio", type=float, default=1.5,
                        help="tokens per request of the burst day as a multiple of the usual")
    parser.add_argument("--no-burst", action="store_true", help="replicates without the burst")
    parser.add_argument("--no-joiner", action="store_true", help="replicates without a joining key")
    parser.add_argument("--switching-keys", type=int, default=2, help="keys that switch models")
    parser.add_argument("--no-switch", action="store_true",
                        help="the keys keep their model: the shift comes without a switch "
                             "(measures the day-by-day scan)")
    parser.add_argument("--target-noise", type=float, default=0.12)
    parser.add_argument("--target-shift", type=float, default=1.15)
    parser.add_argument("--work", type=Path, default=WORK,
                        help=f"working folder: raw/, warehouse.duckdb, target/, logs/ (default {WORK})")
    parser.add_argument("--reuse", action="store_true",
                        help="rebuild only the detector over the warehouse already in --work "
                             "(same grid arguments; for tuning its settings)")
    parser.add_argument("--vars", dest="dbt_vars",
                        help="dbt --vars, e.g. '{incident_tokenizer_switch_z: 3.5}'")
    parser.add_argument("--out", type=Path, help="also write the report here (default: WORK/report.md)")
    parser.add_argument("--details", action="store_true", help="list misses and false positives")
    parser.add_argument("--list", action="store_true", help="print the replicates and exit")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    options: dict[str, object] = {
        "weekend_factor": args.weekend_factor, "burst_requests": args.burst_requests,
        "burst_ratio": args.burst_ratio, "switching_keys": args.switching_keys,
    }
    scenarios = make_grid(args.noise, args.shift, args.replicates, args.clean_replicates,
                          seed=args.seed, **options)
    if args.no_burst:
        scenarios = [replace(s, burst_day=None) for s in scenarios]
    if args.no_joiner:
        scenarios = [replace(s, join_day=None) for s in scenarios]
    if args.no_switch:
        scenarios = [replace(s, family=replace(s.family, new_model=s.family.old_model))
                     for s in scenarios]
    if args.list:
        for s in scenarios:
            print(f"{s.name} {s.family.name} {s.start_on}..{s.end_on} switch {s.switch_on} "
                  f"x{s.shift:g} burst {s.burst_day}@{s.burst_key} join {s.join_day}")
        return 0
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    raw_dir, db_path = work / "raw", work / "warehouse.duckdb"
    if args.reuse and not db_path.exists():
        raise SystemExit(f"--reuse: no warehouse in {work}")
    if not args.reuse:
        db_path.unlink(missing_ok=True)
        rows = write_raw(raw_dir, scenarios)
        print(f"{len(scenarios)} replicates, {rows} usage rows in {raw_dir}; building ...",
              file=sys.stderr, flush=True)
    run_dbt(work, raw_dir, db_path, args.reuse, args.dbt_vars)
    text, met = report(scenarios, read_incidents(db_path), args, time.monotonic() - started)
    print(text)
    out = args.out or work / "report.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
