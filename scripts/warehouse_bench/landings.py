"""The raw landings: generated once and cached, calibrated to a number of records, copied
as hard links, and the export of day N+1 landed on N days."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from warehouse_bench.settings import FULL_DAYS, HORIZON, ROOT

GENERATOR = ROOT / "scripts" / "generate_sample_data.py"


def generate(out: Path, days: int, scale: float, horizon: int = 0) -> dict[str, Any]:
    """Generates (once) a landing of `days` days at `scale`; returns its manifest."""
    marker = out / ".complete"
    if not marker.exists():
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run(
            [sys.executable, str(GENERATOR), "--out", str(out), "--days", str(days),
             "--scale", f"{scale:g}", "--jobs", str(os.cpu_count() or 1), "--no-progress",
             *(["--horizon", str(horizon)] if horizon else [])],
            check=True, stdout=subprocess.DEVNULL,
        )
        marker.write_text(dt.datetime.now(dt.timezone.utc).isoformat() + "\n")
    return json.loads((out / "manifest.json").read_text())


def calibrate(cache: Path) -> tuple[float, float]:
    """Raw records over 365 days = a + b * scale, from two small generator runs."""
    totals = [
        generate(cache / "calibration" / f"scale-{s}", FULL_DAYS, s)["total_rows"] for s in (1, 2)
    ]
    return totals[0] - (totals[1] - totals[0]), totals[1] - totals[0]


def scale_for(rows: int, fixed: float, per_scale: float) -> float:
    return max(round((rows - fixed) / per_scale, 2), 0.01)


def landing(cache: Path, scale: float, days: int) -> Path:
    """The landing of `days` days of the world that spans HORIZON days."""
    path = cache / "raw" / f"scale-{scale:g}" / f"horizon-{HORIZON}" / f"days-{days}"
    generate(path, days, scale, HORIZON)
    return path


def raw_megabytes(raw: Path) -> float:
    return round(sum(p.stat().st_size for p in raw.rglob("*") if p.is_file()) / 2**20, 1)


def link_tree(src: Path, dest: Path) -> None:
    """A copy of a landing made of hard links (instant; the cached files are never written)."""
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(src, dest, copy_function=os.link)


def land_next_day(history: Path, next_landing: Path) -> int:
    """Links the files of the N+1-day landing that the N-day landing lacks; returns how many."""
    added = 0
    for path in next_landing.rglob("*"):
        target = history / path.relative_to(next_landing)
        if path.is_file() and path.name != "manifest.json" and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)
            added += 1
    return added
