"""Timing and memory of child processes: wall time and peak RSS, dbt runs and their per-node
times (run_results.json), the untimed `dbt parse` before a timed build, the warm page cache."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from warehouse_bench.results import Measure
from warehouse_bench.settings import BIN, ROOT


def measure(cmd: list[str], env: dict[str, str], log: Path) -> Measure:
    """Runs a command with output to `log`; wall time and the child's peak RSS (ru_maxrss)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as sink:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)
    text = log.read_text(errors="replace")
    error = None if code == 0 else first_error(text)
    return Measure(round(seconds, 2), round(usage.ru_maxrss / 1024, 1), code, error,
                   code == 0 or all_nodes_ran(text))


ANSI = re.compile(r"\x1b\[[0-9;]*m")
DONE = re.compile(r"Done\. PASS=(\d+) WARN=(\d+) ERROR=(\d+) SKIP=(\d+)")


def all_nodes_ran(log_text: str) -> bool:
    """True when dbt's summary line says that no node was skipped (failures were tests)."""
    done = DONE.search(ANSI.sub("", log_text))
    return bool(done) and done.group(4) == "0" and "Runtime Error" not in log_text


def first_error(log_text: str) -> str:
    """The line of a failed run's log that says what went wrong."""
    lines = [ANSI.sub("", line).strip() for line in log_text.splitlines()]
    for marker in ("Out of Memory", "Runtime Error", "Database Error", " FAIL ", " ERROR ",
                   "Traceback", "Error"):
        for line in lines:
            if marker in line:
                return line[:300]
    return (lines[-1] if lines else "")[:300]


def dbt_env(raw: Path, db: Path, memory_limit: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "AI_FINOPS_RAW_PATH": str(raw),
            "AI_FINOPS_DB_PATH": str(db),
            "AI_FINOPS_MEMORY_LIMIT": memory_limit,
            # every build of a run pseudonymises with one key (a refresh is compared with
            # a full build of its own)
            "AI_FINOPS_PSEUDONYM_KEY_FILE": str(db.parent / "pseudonym.key"),
            "DBT_PROFILES_DIR": str(ROOT),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            # builds run as scripts/refresh runs them: unit tests check code, not data
            "DBT_EXCLUDE_RESOURCE_TYPES": "unit_test",
        }
    )
    return env


def dbt(
    args: list[str], raw: Path, db: Path, work: Path, log_name: str, memory_limit: str
) -> Measure:
    """One dbt command against `db`, with its own target folder under `work`."""
    cmd = [str(BIN / "dbt"), *args, "--project-dir", str(ROOT),
           "--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    results = work / "target" / "run_results.json"
    results.unlink(missing_ok=True)
    measured = measure(cmd, dbt_env(raw, db, memory_limit), work / f"{log_name}.log")
    if results.exists():
        measured.node_seconds, measured.slowest_nodes = node_times(results)
        # every node's time, kept beside the log for a closer look
        shutil.copyfile(results, work / f"{log_name}.run_results.json")
    return measured


def node_times(run_results: Path) -> tuple[dict[str, float], list[tuple[str, float]]]:
    """dbt's execution time summed per resource type, and the five slowest nodes."""
    nodes = json.loads(run_results.read_text())["results"]
    per_type: dict[str, float] = {}
    for node in nodes:
        kind = node["unique_id"].split(".")[0]
        per_type[kind] = round(per_type.get(kind, 0.0) + node["execution_time"], 2)
    slowest = sorted(nodes, key=lambda node: -node["execution_time"])[:5]
    return per_type, [(n["unique_id"].split(".")[-1], round(n["execution_time"], 2))
                      for n in slowest]


def timed_build(raw: Path, db: Path, work: Path, label: str, memory_limit: str) -> Measure:
    """`dbt parse` (untimed warm-up for this database path), then the timed `dbt build`."""
    parsed = dbt(["parse"], raw, db, work, f"{label}-parse", memory_limit)
    if not parsed.ok:
        raise SystemExit(f"dbt parse failed: {parsed.error} (log in {work})")
    warm_page_cache(raw)
    return dbt(["build"], raw, db, work, label, memory_limit)


def warm_page_cache(raw: Path) -> None:
    """Reads every raw file once, so that each measurement starts with a warm page cache."""
    for path in raw.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                while handle.read(1 << 24):
                    pass
