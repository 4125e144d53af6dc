"""The options of a run: the parsed command line, and the arguments of the shipped sample."""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Sequence

from sample_generator.catalogue import EXPORTS, ONLY_ALIASES
from sample_generator.incidents import Incident, parse_incident


SAMPLE_ARGS: tuple[str, ...] = (
    "--start", "2026-03-01",
    "--days", "272",
    "--seed", "42",
    "--teams", "5",
    "--users", "40",
    "--scale", "1",
    "--inject", "duplicate_export:2026-05-15:1@openai/costs",
)


@dataclass
class Options:
    """Parsed command line."""

    out: Path
    start: date
    days: int
    seed: int
    teams: int
    users: int
    scale: float
    exports: tuple[str, ...]
    incidents: list[Incident]
    only: tuple[str, ...]
    inject_specs: tuple[str, ...]
    aws_format: str
    progress: bool
    jobs: int = 1
    horizon: int = 0

    @property
    def end(self) -> date:
        """Last day of the window (inclusive)."""
        return self.start + timedelta(days=self.days - 1)

    @property
    def world_days(self) -> int:
        """Days the simulated world spans (--horizon, at least --days)."""
        return max(self.days, self.horizon)

    @property
    def world_end(self) -> date:
        """Last day of the world's span: people, seats and workload schedules are drawn over
        [start, world_end], so landings of one horizon are one world seen on different days."""
        return self.start + timedelta(days=self.world_days - 1)

    @property
    def units(self) -> int:
        return max(1, math.ceil(self.scale - 1e-9))

    @property
    def activity(self) -> float:
        return self.scale / self.units


def parse_args(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        description="Write deterministic AI-vendor billing exports (see the module docstring).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, required=True, help="output root (the raw folder)")
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 3, 1), help="first UTC day")
    parser.add_argument("--days", type=int, default=272, help="number of days (default 272)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--teams", type=int, default=5)
    parser.add_argument("--users", type=int, default=40, help="people per business unit")
    parser.add_argument("--scale", type=float, default=1.0, help="row-volume multiplier")
    parser.add_argument("--inject", action="append", default=[], help="NAME[:DATE[:MAGNITUDE]][@TARGET][,...]")
    parser.add_argument("--only", default="", help="comma-separated vendors/exports to write")
    parser.add_argument("--aws-format", choices=("csv", "csv.gz"), default="csv")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (output is identical for any value)")
    parser.add_argument(
        "--horizon", type=int, default=0,
        help="days the simulated world spans (default --days): landings with the same horizon and"
        " fewer --days are the same world exported on an earlier day, as a daily landing is")
    ns = parser.parse_args(argv)
    if ns.days < 1:
        parser.error("--days must be >= 1")
    if ns.horizon and ns.horizon < ns.days:
        parser.error("--horizon must be >= --days")
    if ns.teams < 1 or ns.users < 0 or ns.scale <= 0:
        parser.error("--teams >= 1, --users >= 0 and --scale > 0 are required")
    specs = tuple(s.strip() for chunk in ns.inject for s in chunk.split(",") if s.strip())
    try:
        incidents = [parse_incident(s, ns.start, ns.days) for s in specs]
    except ValueError as exc:
        parser.error(str(exc))
    only = tuple(s.strip() for s in ns.only.split(",") if s.strip())
    exports: list[str] = []
    for name in only or EXPORTS:
        if name not in ONLY_ALIASES:
            parser.error(f"--only: unknown vendor {name!r} ({', '.join(sorted(ONLY_ALIASES))})")
        exports.extend(e for e in ONLY_ALIASES[name] if e not in exports)
    ordered = tuple(e for e in EXPORTS if e in exports)
    return Options(
        out=ns.out,
        start=ns.start,
        days=ns.days,
        seed=ns.seed,
        teams=ns.teams,
        users=ns.users,
        scale=ns.scale,
        exports=ordered,
        incidents=incidents,
        only=only,
        inject_specs=specs,
        aws_format=ns.aws_format,
        progress=not ns.no_progress,
        jobs=max(1, ns.jobs),
        horizon=ns.horizon,
    )
