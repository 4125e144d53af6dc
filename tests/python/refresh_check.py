"""Helpers of the refresh tests: landing changes, builds, and the comparison with a full build.

A refresh is correct when, after any change to the landing or to the seeds, the warehouse built
incrementally (the same DuckDB file built again) and a warehouse built from scratch over the same
raw folder hold the same rows in every model, and the same money per provider, month and cost
source. `compare_warehouses()` checks that on every table and view of the full build.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ai_finops.compare import compare_warehouses
from conftest import ROOT
from parse_cache import dbt_location, save_parse, start_from_saved_parse

DBT = str(Path(sys.executable).parent / "dbt")
GENERATOR = ROOT / "scripts" / "generate_sample_data.py"


@dataclass
class Project:
    """A dbt project folder (the repository, or a copy whose seeds a test may change)."""

    root: Path

    def dbt(self, args: list[str], raw: Path, db: Path, work: Path) -> subprocess.CompletedProcess:
        cwd, db_name = dbt_location(db)
        target = (work / "target").resolve()
        start_from_saved_parse(target, self.root, db_name)
        env = dict(os.environ)
        env.update({
            "AI_FINOPS_RAW_PATH": str(raw.resolve()),
            "AI_FINOPS_DB_PATH": db_name,
            # a refresh and the full build it is compared with share one pseudonym key
            "AI_FINOPS_PSEUDONYM_KEY_FILE": str((raw.parent / "pseudonym.key").resolve()),
            "DBT_PROFILES_DIR": str(self.root),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        })
        env.pop("AI_FINOPS_LANDING_PATH", None)
        env.pop("AI_FINOPS_PSEUDONYM_KEY", None)
        result = subprocess.run(
            [DBT, *args, "--project-dir", str(self.root),
             "--target-path", str(target), "--log-path", str((work / "logs").resolve())],
            cwd=cwd, env=env, capture_output=True, text=True, check=False)
        save_parse(target, self.root, db_name)
        return result

    def build(self, raw: Path, db: Path, work: Path, data_tests: bool = False) -> None:
        """`dbt build` without unit tests (and without data tests unless asked); must pass."""
        excluded = ["unit_test"] if data_tests else ["unit_test", "test"]
        result = self.dbt(["build", "--exclude-resource-type", *excluded], raw, db, work)
        assert result.returncode == 0, (result.stdout + result.stderr)[-6000:]


def copy_project(dest: Path) -> Project:
    """A copy of the dbt project (models, macros, seeds, tests, configuration)."""
    dest.mkdir(parents=True)
    for name in ("models", "macros", "seeds", "tests"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("python"))
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy2(ROOT / name, dest / name)
    return Project(dest)


def generate(out: Path, days: int, horizon: int, start: str = "2026-03-01",
             scale: str = "0.3", seed: int = 42) -> Path:
    """Day `days` of one world of `horizon` days: what the vendors have exported by then."""
    if not (out / ".complete").exists():
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run(
            [sys.executable, str(GENERATOR), "--out", str(out), "--start", start,
             "--days", str(days), "--horizon", str(horizon), "--scale", scale,
             "--seed", str(seed), "--no-progress"],
            check=True, capture_output=True)
        (out / "manifest.json").unlink()
        (out / ".complete").write_text("")
    return out


def export_files(raw: Path) -> list[Path]:
    """The raw export files of a landing, in name order."""
    return sorted(p for p in raw.rglob("*") if p.is_file() and p.parent != raw)


def rewrite_in_place(path: Path) -> None:
    """Re-delivers a file under its own name with changed values: its last record dropped and,
    where it has one, a number of its first record doubled."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".json":
        page = json.loads(text, parse_float=Decimal)
        items_key = "usageEvents" if "usageEvents" in page else "data"
        items = page[items_key]
        buckets = [b for b in items if isinstance(b, dict) and b.get("results")]
        records = buckets[-1]["results"] if items_key == "data" and buckets else items
        if records:
            records.pop()
        if records and isinstance(records[0], dict):
            double_first_number(records[0])
        path.write_text(json.dumps(page, default=str), encoding="utf-8")
        return
    lines = text.rstrip("\n").split("\n")
    if len(lines) > 2:
        lines.pop()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def double_first_number(record: dict) -> None:
    """Doubles the first positive number of a JSON record (searching nested objects)."""
    for key, value in record.items():
        if isinstance(value, bool):
            continue
        if isinstance(value, (int, Decimal)) and value > 0:
            record[key] = value * 2
            return
        if isinstance(value, dict):
            double_first_number(value)
            return


def later_copy(path: Path, stamp: str, restate: bool) -> Path:
    """The file landed again as a newer export (`stamp` replaces its timestamp prefix): a
    byte-identical duplicate, or a restatement with changed values."""
    target = path.with_name(stamp + path.name[len(stamp):])
    shutil.copy2(path, target)
    if restate:
        rewrite_in_place(target)
    return target


def change_a_price(project: Project) -> None:
    """Raises every token price of the price book by 10% (a seed every charge depends on)."""
    seed = project.root / "seeds" / "price_book.csv"
    with open(seed, newline="") as source:
        rows = list(csv.DictReader(source))
    for row in rows:
        if row["pricing_unit"] == "1000000 Tokens":
            row["unit_price"] = str(Decimal(row["unit_price"]) * Decimal("1.1"))
    with open(seed, "w", newline="") as sink:
        writer = csv.DictWriter(sink, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def full_build(project: Project, raw: Path, work: Path) -> Path:
    """A warehouse built from scratch over `raw` (a new file each time)."""
    db = work / "full.duckdb"
    for stale in work.glob("full.*"):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    project.build(raw, db, work / "full-work")
    return db


def assert_refresh_equals_full(project: Project, raw: Path, db: Path, work: Path,
                               data_tests: bool, step: str) -> None:
    project.build(raw, db, work / "refresh-work", data_tests=data_tests)
    problems = compare_warehouses(db, full_build(project, raw, work))
    assert not problems, f"after {step}:\n" + "\n".join(problems[:20])
