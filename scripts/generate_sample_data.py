#!/usr/bin/env python3
"""Deterministic generator of AI-vendor billing and usage exports (the shipped ``data/sample``).

Usage::

    python scripts/generate_sample_data.py --out DIR --start 2026-03-01 --days N --seed S \\
        --teams T --users U --scale X [--inject NAME[:DATE[:MAGNITUDE]][@TARGET][,...]] \\
        [--only VENDOR,...] [--aws-format csv|csv.gz] [--jobs N] [--no-progress] [--horizon D]

The shipped sample is exactly (see ``SAMPLE_ARGS``)::

    python scripts/generate_sample_data.py --out data/sample --start 2026-03-01 --days 272 \\
        --seed 42 --teams 5 --users 40 --scale 1 --inject duplicate_export:2026-05-15:1@openai/costs

Everything is a pure function of the options: the same options give byte-identical files.
``--horizon D`` draws the world (people, joiners and leavers, seats, workload schedules) over D
days from ``--start`` while writing only ``--days`` of exports: landings with the same horizon
and consecutive ``--days`` are one organisation exported on consecutive days (the month-to-date
exports grow by a day, the seats snapshot lists what is known that day), as a daily landing
is; without it, a landing of N + 1 days is a different world from one of N days.
Random draws come from ``random.Random`` streams keyed by (seed, stream, day), one stream per
vendor, so ``--only`` writes exactly the files a full run would write for those vendors.
List prices are read from ``seeds/price_book.csv`` (the only place they live): every
vendor-reported cost equals quantity x the list price in force that day (times an injected
``unit_price_change`` factor, if any), so a clean run shows no price drift. Rounding follows
each vendor: OpenAI, Anthropic, AWS, Azure and Google report unrounded amounts (exact decimals,
at most 10 decimal places, so quantity x price reproduces them exactly); GitHub reports whole
cents (quantities are chosen so that gross amounts are exact); Cursor rounds ``totalCents`` to
two decimals (hundredths of a cent). ``--jobs N`` spreads the exports over N processes; the
bytes written do not depend on N.

The generator itself is the package ``scripts/sample_generator``: its docstring lists the
modules, and the world, the incidents and each export's format are described in the module
that makes them. This script is its command line and keeps its public names.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sample_generator.catalogue import EXPORTS, ONLY_ALIASES  # noqa: E402
from sample_generator.driver import generate, run_exports  # noqa: E402
from sample_generator.incidents import INCIDENT_TYPES, Incident, parse_incident  # noqa: E402
from sample_generator.options import SAMPLE_ARGS, Options, parse_args  # noqa: E402
from sample_generator.world import World  # noqa: E402
from sample_generator.writers import WRITERS  # noqa: E402
from sample_generator.writers.aws_cur import AWS_CUR_COLUMNS  # noqa: E402
from sample_generator.writers.azure_cost import AZURE_COLUMNS  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

__all__ = [
    "AWS_CUR_COLUMNS",
    "AZURE_COLUMNS",
    "EXPORTS",
    "INCIDENT_TYPES",
    "ONLY_ALIASES",
    "ROOT",
    "SAMPLE_ARGS",
    "WRITERS",
    "Incident",
    "Options",
    "World",
    "generate",
    "main",
    "parse_args",
    "parse_incident",
    "run_exports",
]


def main(argv: Sequence[str] | None = None) -> int:
    opts = parse_args(argv)
    manifest = generate(opts)
    elapsed = manifest.pop("_elapsed_seconds")
    total = manifest["total_rows"]
    for export, rows in manifest["row_counts"].items():
        print(f"{export:28s} {rows:>12,d} rows")
    print(f"{'total':28s} {total:>12,d} rows in {elapsed:.1f} s ({total / max(elapsed, 1e-9):,.0f} rows/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
