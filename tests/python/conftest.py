"""pytest harness: builds the warehouse with dbt over a raw folder into a temporary DuckDB file.

`build_warehouse(raw_dir)` copies nothing by itself; the session fixture `sample_warehouse`
copies `data/sample` into a temporary folder, runs `dbt build` once, and hands tests a
read-only DuckDB connection factory. Tests assert figures worked out independently from
the fixture files, never only that dbt ran.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import duckdb
import pytest

from ai_finops.privacy import Pseudonymiser, default_key_file
from parse_cache import dbt_location, save_parse, start_from_saved_parse

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
DBT = str(Path(sys.executable).parent / "dbt")


@dataclass
class DbtResult:
    """Outcome of one dbt invocation."""

    returncode: int
    output: str
    db_path: Path
    raw_dir: Path

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.db_path), read_only=True)

    def query(self, sql: str, params: list[object] | None = None) -> list[tuple]:
        with self.connect() as con:
            return con.execute(sql, params or []).fetchall()

    def scalar(self, sql: str, params: list[object] | None = None) -> object:
        rows = self.query(sql, params)
        return rows[0][0] if rows else None

    def pseudonym(self, identifier: str) -> str:
        """The warehouse's pseudonym of a person's identifier (its key file, docs/privacy.md)."""
        key = default_key_file(str(self.db_path)).read_bytes().strip()
        return Pseudonymiser(key).pseudonym(identifier)


def run_dbt(
    args: list[str],
    raw_dir: Path,
    db_path: Path,
    work_dir: Path,
    extra_env: dict[str, str] | None = None,
) -> DbtResult:
    """Runs one dbt command against `raw_dir` and `db_path` with its own target folder
    (starting from the project's last saved parse: parse_cache.py)."""
    cwd, db_name = dbt_location(db_path)
    target = work_dir / "target"
    start_from_saved_parse(target, ROOT, db_name)
    env = dict(os.environ)
    env.update(
        {
            "AI_FINOPS_RAW_PATH": str(Path(raw_dir).resolve()),
            "AI_FINOPS_DB_PATH": db_name,
            "DBT_PROFILES_DIR": str(ROOT),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
    )
    env.update(extra_env or {})
    cmd = [
        DBT,
        *args,
        "--project-dir",
        str(ROOT),
        "--target-path",
        str(target.resolve()),
        "--log-path",
        str((work_dir / "logs").resolve()),
    ]
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    save_parse(target, ROOT, db_name)
    return DbtResult(proc.returncode, proc.stdout + proc.stderr, db_path, raw_dir)


def build_warehouse(
    raw_dir: Path,
    work_dir: Path,
    select: str | None = None,
    extra_env: dict[str, str] | None = None,
    unit_tests: bool = True,
) -> DbtResult:
    """`dbt build` (optionally `--select`) of `raw_dir` into `work_dir/ai_finops.duckdb`.

    `unit_tests=False` skips dbt's unit tests, which do not depend on the raw folder and
    run in the sample build already.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    args = ["build"] + (["--select", select] if select else [])
    if not unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    return run_dbt(args, raw_dir, work_dir / "ai_finops.duckdb", work_dir, extra_env)


def copy_raw(src: Path, dest: Path) -> Path:
    """Copies a raw export folder so a test can add, break or remove files freely."""
    shutil.copytree(src, dest)
    return dest


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DbtResult]:
    """The shipped sample, built once per test run.

    `make test` runs the modules on two pytest-xdist workers (-n 2 --dist loadfile): the
    first worker to ask builds the sample under the run's shared temporary folder while
    holding a lock, the other waits and reuses it (tests only read it).
    """
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    base = shared / "sample"
    with open(shared / "sample.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        output = base / "dbt-build.log"
        if output.exists():
            result = DbtResult(0, output.read_text(), base / "work" / "ai_finops.duckdb",
                               base / "raw")
        else:
            # a build that failed earlier in this run left its copy behind
            shutil.rmtree(base, ignore_errors=True)
            raw = copy_raw(ROOT / "data" / "sample", base / "raw")
            result = build_warehouse(raw, base / "work")
            assert result.returncode == 0, result.output[-5000:]
            output.write_text(result.output)
    yield result


# The longest modules, longest first (seconds on two busy cores, from `--durations`). `make test`
# hands whole modules to two workers in this order (`--dist loadfile --no-loadscope-reorder`),
# so the long ones start early and the short ones fill in: the workers finish together.
LONGEST_FIRST = [
    "test_spark_parity.py",  # about 450 (the unit tests and freshness: make test-spark)
    "test_refresh_property.py",  # about 210 per drawn sequence, 1 in make test
    "test_refresh_fixed_cases.py",  # about 350
    "test_refresh.py",  # about 180
    "test_single_vendor.py",  # about 175
    "test_privacy.py",  # about 100
    "test_detectors.py",  # about 60
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Orders the modules longest first (LONGEST_FIRST), the others after them as collected."""

    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)
