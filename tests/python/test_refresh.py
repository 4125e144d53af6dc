"""The scheduled refresh (scripts/refresh): atomic publish under kills, concurrent readers, lock.

A tiny raw landing (OpenAI only, 3 days, made by the generator) is built once (state A) and
published in two warehouses. Then the next export (4 days; it supersedes the 3-day file day by
day) lands, and refreshes move a warehouse to state B. The two warehouses run their sequences
in parallel, one per core:

* "publish" lane: an uninterrupted refresh A -> B watched by a reader process and contended by
  a second refresh, then SIGKILLs right after and right before the rename, then a re-run;
* "early" lane: three refreshes that fail (dbt build, strict freshness, checkpoint) and must
  publish nothing; then SIGKILLs after the lock, cleanup and copy, in source freshness, while
  dbt starts and while it writes tables, after the build and in the checkpoint; then a re-run.

To keep the module fast, refreshes rebuild only the models from staging to the public tables
(`REBUILD`: no seeds, no data tests) and skip source freshness except where a kill targets it; the lock,
the building copy, the dbt build, the Great Expectations checkpoint and the publish are the real
ones. A state is fingerprinted by the row counts and billed-cost sums of the public tables, read
through a read-only DuckDB connection.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import duckdb
import pytest

from conftest import ROOT, run_dbt

REFRESH = ROOT / "scripts" / "refresh"
GENERATOR = ROOT / "scripts" / "generate_sample_data.py"
RUN_TIMEOUT = 300.0
WAREHOUSE = "ai_finops.duckdb"
REBUILD = [
    "--",
    "--select",
    "+focus_ai_costs",
    "+mart_rejected_rows",
    "--exclude",
    "tag:reference",
    "--exclude-resource-type",
    "test",
    "unit_test",
]
FINGERPRINT_SQL = """
    select
        (select count(*) from fct_ai_costs),
        (select cast(sum(billed_cost) as varchar) from fct_ai_costs),
        (select count(*) from focus_ai_costs),
        (select cast(sum("BilledCost") as varchar) from focus_ai_costs),
        (select count(*) from mart_rejected_rows),
        (select count(*) from mart_pricing_incidents)
"""
# A separate process that reads the published warehouse in a loop until `stop` exists, writing
# one JSON line per read: the fingerprint, or the error it got.
READER = textwrap.dedent(
    """
    import json, sys, time, os, duckdb
    db, sql, out, stop = sys.argv[1:5]
    with open(out, "a") as sink:
        while not os.path.exists(stop):
            try:
                with duckdb.connect(db, read_only=True) as con:
                    row = con.execute(sql).fetchone()
                sink.write(json.dumps({"fingerprint": list(row)}) + "\\n")
            except Exception as error:
                sink.write(json.dumps({"error": repr(error)}) + "\\n")
            sink.flush()
            time.sleep(0.1)
    """
)

Fingerprint = tuple[object, ...]


def fingerprint(db: Path) -> Fingerprint:
    """Row counts and billed-cost sums of the public tables, read-only."""
    with duckdb.connect(str(db), read_only=True) as con:
        return tuple(con.execute(FINGERPRINT_SQL).fetchone())


def generate(out: Path, days: int) -> None:
    """A tiny raw landing: OpenAI usage and costs, one team of two people."""
    subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(out), "--days", str(days), "--teams", "1",
         "--users", "2", "--only", "openai", "--no-progress"],
        check=True, capture_output=True,
    )


@dataclass
class Run:
    """A finished refresh."""

    returncode: int
    stdout: str
    log: str  # this run's part of refresh.log

    def status_lines(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.startswith("[refresh] step=")]


@dataclass
class Warehouse:
    """A published warehouse in a temporary folder, and how to refresh it."""

    root: Path
    raw: Path
    db: Path
    work: Path
    pristine_a: Path = field(init=False)

    def __post_init__(self) -> None:
        self.pristine_a = self.root / "state_a.duckdb"

    @property
    def log_path(self) -> Path:
        return self.root / "logs" / "refresh.log"

    @property
    def lock_path(self) -> Path:
        return self.db.with_name(self.db.name + ".lock")

    def env(self, kill_at: str | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "AI_FINOPS_RAW_PATH": str(self.raw),
                "AI_FINOPS_DB_PATH": str(self.db),
                "AI_FINOPS_LOG_DIR": str(self.root / "logs"),
                "AI_FINOPS_REFRESH_WORK_DIR": str(self.work),
                "AI_FINOPS_GX_DOCS_DIR": str(self.root / "gx_docs"),
                "AI_FINOPS_PYTHON": sys.executable,
            }
        )
        env.pop("AI_FINOPS_REFRESH_KILL_AT", None)
        if kill_at:
            env["AI_FINOPS_REFRESH_KILL_AT"] = kill_at
        return env

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_since(self, offset: int) -> str:
        if not self.log_path.exists():
            return ""
        with open(self.log_path, encoding="utf-8", errors="replace") as handle:
            handle.seek(offset)
            return handle.read()

    def start(self, args: list[str], kill_at: str | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(REFRESH), *args], cwd=ROOT, env=self.env(kill_at),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )

    def finish(self, proc: subprocess.Popen[str], offset: int) -> Run:
        stdout, _ = proc.communicate(timeout=RUN_TIMEOUT)
        return Run(proc.returncode, stdout, self.log_since(offset))

    def run(self, args: list[str], kill_at: str | None = None) -> Run:
        offset = self.log_size()
        return self.finish(self.start(args, kill_at), offset)

    def wait_for_log(self, offset: int, marker: str, proc: subprocess.Popen[str]) -> None:
        """Blocks until `marker` appears in the log after `offset` (fails if the run ends first)."""
        deadline = time.monotonic() + RUN_TIMEOUT
        while marker not in self.log_since(offset):
            log = self.log_since(offset)[-3000:]
            assert proc.poll() is None, f"refresh ended before {marker!r}:\n{log}"
            assert time.monotonic() < deadline, f"no {marker!r} in the log"
            time.sleep(0.05)

    def leftovers(self) -> list[str]:
        return sorted(p.name for p in self.db.parent.glob(self.db.name + ".building*"))

    def reset_to_a(self) -> None:
        """Publishes state A again (atomically, as the refresh would)."""
        staged = self.db.with_name("state_a.staged")
        shutil.copyfile(self.pristine_a, staged)
        os.replace(staged, self.db)

    def lock_is_free(self, within: float = 5.0) -> bool:
        """True once no process (refresh or an orphaned child) holds the refresh lock."""
        deadline = time.monotonic() + within
        with open(self.lock_path, "a") as handle:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    fcntl.flock(handle, fcntl.LOCK_UN)
                    return True
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        return False
                    time.sleep(0.05)


@dataclass(frozen=True)
class Kill:
    """Where to SIGKILL a refresh: a hook point (the refresh kills itself) or a log marker."""

    name: str
    hook: str | None = None
    marker: str | None = None
    delay: float = 0.0
    freshness: bool = False
    publishes: bool = False


@dataclass
class KillOutcome:
    """What a kill left behind, recorded right after it."""

    kill: Kill
    returncode: int
    lock_free: bool
    state: Fingerprint
    leftovers: list[str]


@dataclass(frozen=True)
class Failure:
    """A refresh that must fail with a given exit code and leave the published file alone."""

    name: str
    args: list[str]
    exit_code: int
    step: str


@dataclass
class FailureOutcome:
    failure: Failure
    run: Run
    state: Fingerprint
    leftovers: list[str]


@dataclass
class CleanRun:
    """An uninterrupted refresh A -> B, watched by a reader process and a second refresh."""

    run: Run
    contender: Run
    readings: list[dict[str, object]]
    held_connection_after_publish: Fingerprint
    state_b: Fingerprint


@dataclass
class Lane:
    """One warehouse's sequence of refreshes: kills, then a final re-run."""

    warehouse: Warehouse
    state_a: Fingerprint
    kills: list[KillOutcome] = field(default_factory=list)
    failures: list[FailureOutcome] = field(default_factory=list)
    final: Run | None = None
    final_state: Fingerprint | None = None
    final_leftovers: list[str] = field(default_factory=list)
    final_lock_free: bool = False
    clean: CleanRun | None = None


@dataclass
class Scenario:
    """Everything the module's tests assert on, recorded once (two warehouses in parallel)."""

    publish_lane: Lane
    early_lane: Lane
    seconds: float


# Lane 1 kills around the publish; lane 2 kills in every step before it.
PUBLISH_KILLS: list[Kill] = [
    Kill("after the rename", hook="after-rename", publishes=True),
    Kill("before the rename", hook="before-rename"),
]
# The early lane starts with failures: each cleans up after itself and publishes nothing.
FAILURES: list[Failure] = [
    Failure("dbt rejects its arguments", ["--skip-freshness", "--", "--vars", "{not yaml"], 4,
            "build"),
    Failure("stale sources with --strict-freshness", ["--strict-freshness", *REBUILD], 3,
            "freshness"),
    # only mart_rejected_rows is rebuilt: the warehouse misses the landed 4-day export
    Failure("checkpoint finds the warehouse behind the landing",
            ["--skip-freshness", "--", "--select", "mart_rejected_rows",
             "--exclude-resource-type", "test", "unit_test"], 5, "checkpoint"),
]
EARLY_KILLS: list[Kill] = [
    Kill("after the lock", hook="lock"),
    Kill("after cleanup", hook="cleanup"),
    Kill("after the copy", hook="prepare"),
    Kill("in source freshness", marker="START freshness of", freshness=True),
    Kill("while dbt starts", marker="step=build status=start", delay=1.0),
    Kill("while dbt writes tables", marker="START sql table model", delay=0.2),
    Kill("after the build", hook="build"),
    Kill("in the checkpoint", marker="[gx] suite=public_tables"),
]


def kill_refresh(wh: Warehouse, kill: Kill) -> Run:
    """Starts a refresh and SIGKILLs it at the kill point."""
    args = ([] if kill.freshness else ["--skip-freshness"]) + REBUILD
    if kill.hook:
        return wh.run(args, kill_at=kill.hook)
    assert kill.marker is not None
    offset = wh.log_size()
    proc = wh.start(args)
    wh.wait_for_log(offset, kill.marker, proc)
    time.sleep(kill.delay)
    proc.send_signal(signal.SIGKILL)
    return wh.finish(proc, offset)


def run_kills(lane: Lane, kills: list[Kill]) -> None:
    """Each kill, its outcome recorded; a kill that published is rolled back to A after."""
    wh = lane.warehouse
    for kill in kills:
        run = kill_refresh(wh, kill)
        lane.kills.append(
            KillOutcome(kill, run.returncode, wh.lock_is_free(), fingerprint(wh.db), wh.leftovers())
        )
        if kill.publishes:
            wh.reset_to_a()


def final_rerun(lane: Lane) -> None:
    """The re-run after the kills: it must clean up and publish the new state."""
    wh = lane.warehouse
    lane.final = wh.run(["--skip-freshness", *REBUILD])
    lane.final_state = fingerprint(wh.db)
    lane.final_leftovers = wh.leftovers()
    lane.final_lock_free = wh.lock_is_free(within=0.0)


def clean_refresh(wh: Warehouse) -> CleanRun:
    """Refresh A -> B without faults while a reader loops and a second refresh tries to start."""
    readings_path, stop = wh.root / "readings.jsonl", wh.root / "reader.stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(wh.db), FINGERPRINT_SQL, str(readings_path), str(stop)]
    )
    held = duckdb.connect(str(wh.db), read_only=True)  # opened on A, kept across the publish
    try:
        while not readings_path.exists() or not readings_path.read_text().strip():
            time.sleep(0.05)
        offset = wh.log_size()
        proc = wh.start(["--skip-freshness", *REBUILD])
        wh.wait_for_log(offset, "step=lock status=ok", proc)
        contender = wh.run(["--skip-freshness", *REBUILD])
        run = wh.finish(proc, offset)
        time.sleep(0.5)  # a few reads of the new state
        held_after = tuple(held.execute(FINGERPRINT_SQL).fetchone())
    finally:
        held.close()
        stop.touch()
        reader.wait(timeout=60)
    readings = [json.loads(line) for line in readings_path.read_text().splitlines()]
    state_b = fingerprint(wh.db)
    wh.reset_to_a()
    return CleanRun(run, contender, readings, held_after, state_b)


def publish_lane(lane: Lane) -> Lane:
    lane.clean = clean_refresh(lane.warehouse)
    run_kills(lane, PUBLISH_KILLS)
    final_rerun(lane)
    return lane


def run_failures(lane: Lane) -> None:
    wh = lane.warehouse
    for failure in FAILURES:
        run = wh.run(failure.args)
        lane.failures.append(FailureOutcome(failure, run, fingerprint(wh.db), wh.leftovers()))


def early_lane(lane: Lane) -> Lane:
    run_failures(lane)
    run_kills(lane, EARLY_KILLS)
    final_rerun(lane)
    return lane


def build_state_a(wh: Warehouse) -> Fingerprint:
    """Builds the 3-day landing straight into the refresh's building path, then publishes it.

    Using the building path makes the refreshes reuse this build's dbt partial parse.
    """
    wh.db.parent.mkdir(parents=True)
    building = wh.db.with_name(wh.db.name + ".building")
    result = run_dbt(
        ["build", "--exclude-resource-type", "test", "unit_test"], wh.raw, building, wh.work
    )
    assert result.returncode == 0, result.output[-5000:]
    os.replace(building, wh.db)
    shutil.copyfile(wh.db, wh.pristine_a)
    return fingerprint(wh.db)


def copy_state_a(source: Warehouse, wh: Warehouse) -> Fingerprint:
    """Publishes a copy of another warehouse's state A (its first dbt run parses anew)."""
    wh.db.parent.mkdir(parents=True)
    shutil.copyfile(source.pristine_a, wh.pristine_a)
    shutil.copyfile(source.pristine_a, wh.db)
    return fingerprint(wh.db)


def land_next_export(raw: Path, scratch: Path) -> None:
    """The 4-day export lands next to the 3-day one (it supersedes it, day by day)."""
    generate(scratch, days=4)
    for path in scratch.rglob("*.json"):
        if path.name != "manifest.json":
            target = raw / path.relative_to(scratch)
            shutil.copy2(path, target)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    started = time.monotonic()
    root = tmp_path_factory.mktemp("refresh")
    raw = root / "raw"
    generate(raw, days=3)
    warehouses = [
        Warehouse(root / lane, raw, root / lane / "warehouse" / WAREHOUSE, root / lane / "work")
        for lane in ("publish", "early")
    ]
    states = [build_state_a(warehouses[0])]
    states.append(copy_state_a(warehouses[0], warehouses[1]))
    land_next_export(raw, root / "next")
    lanes = [Lane(wh, state) for wh, state in zip(warehouses, states)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        publishing = pool.submit(publish_lane, lanes[0])
        early = pool.submit(early_lane, lanes[1])
        result = Scenario(publishing.result(), early.result(), 0.0)
    result.seconds = time.monotonic() - started
    print(f"\nrefresh scenario: {result.seconds:.1f} s")
    return result


@pytest.fixture(scope="module")
def clean(scenario: Scenario) -> CleanRun:
    assert scenario.publish_lane.clean is not None
    return scenario.publish_lane.clean


def test_clean_refresh_reports_each_step_and_publishes_the_new_state(
    scenario: Scenario, clean: CleanRun
) -> None:
    assert clean.run.returncode == 0, clean.run.stdout + clean.run.log[-5000:]
    assert [line.split()[1] for line in clean.run.status_lines()] == [
        "step=lock", "step=cleanup", "step=prepare", "step=freshness", "step=build",
        "step=checkpoint", "step=publish", "step=refresh",
    ]
    assert "base=copy" in clean.run.stdout and "step=freshness status=skipped" in clean.run.stdout
    a, b = scenario.publish_lane.state_a, clean.state_b
    # day 4 adds charges and cost; every record of the 3-day export is superseded
    assert b[0] > a[0] and b[2] > a[2]
    assert float(b[1]) > float(a[1]) and b[1] == b[3]
    assert a[4] == 0 and b[4] == 16  # the 3-day export's 5 usage + 11 cost records


def test_second_refresh_exits_2_while_the_first_holds_the_lock(clean: CleanRun) -> None:
    assert clean.contender.returncode == 2, clean.contender.stdout
    lines = clean.contender.status_lines()
    assert len(lines) == 1 and lines[0].startswith("[refresh] step=lock status=locked")
    assert clean.run.returncode == 0


def test_reader_sees_only_complete_states_during_a_refresh(
    scenario: Scenario, clean: CleanRun
) -> None:
    """A reader looping over the marts never errors and sees A, then B, and nothing else."""
    state_a, state_b = scenario.publish_lane.state_a, clean.state_b
    assert [r["error"] for r in clean.readings if "error" in r] == []
    states = [tuple(r["fingerprint"]) for r in clean.readings]
    assert len(states) >= 20
    assert set(states) == {state_a, state_b}
    assert states[0] == state_a and states[-1] == state_b
    first_b = states.index(state_b)
    assert set(states[first_b:]) == {state_b}  # once B is seen, A never comes back
    # a connection opened before the publish keeps reading the old file
    assert clean.held_connection_after_publish == state_a


def test_failed_refreshes_exit_with_their_code_and_publish_nothing(scenario: Scenario) -> None:
    lane = scenario.early_lane
    assert [outcome.failure.name for outcome in lane.failures] == [f.name for f in FAILURES]
    for outcome in lane.failures:
        failure, run = outcome.failure, outcome.run
        assert run.returncode == failure.exit_code, f"{failure.name}: {run.stdout}"
        assert f"[refresh] step={failure.step} status=failed" in run.stdout, failure.name
        last = run.status_lines()[-1]
        assert last.startswith("[refresh] step=refresh status=failed"), failure.name
        assert last.endswith(f"exit={failure.exit_code} published=unchanged"), failure.name
        assert outcome.state == lane.state_a, failure.name
        assert outcome.leftovers == [], failure.name
    # the checkpoint names what it found: the landed 4-day files are not in the warehouse
    checkpoint_run = lane.failures[-1].run
    assert "suite=raw_landing_rows status=failed" in checkpoint_run.log
    assert "failing=rows_conserved" in checkpoint_run.log


def test_kill_at_any_point_leaves_the_old_or_the_new_complete_state(
    scenario: Scenario, clean: CleanRun
) -> None:
    """SIGKILL at 10 points across the steps: the published file is A, or B once renamed."""
    outcomes = scenario.publish_lane.kills + scenario.early_lane.kills
    assert len(outcomes) >= 10
    state_a = scenario.publish_lane.state_a
    for outcome in outcomes:
        name = outcome.kill.name
        assert outcome.returncode == -signal.SIGKILL, name
        assert outcome.lock_free, f"{name}: a process of the killed refresh still holds the lock"
        assert outcome.state == (clean.state_b if outcome.kill.publishes else state_a), name
    by_name = {o.kill.name: o for o in outcomes}
    assert by_name["after the lock"].leftovers == []
    assert by_name["after the rename"].leftovers == []
    for name in ("after the copy", "after the build", "in the checkpoint", "before the rename"):
        assert by_name[name].leftovers == [f"{WAREHOUSE}.building"], name
    # killed mid-write: the building file and possibly its write-ahead log
    assert f"{WAREHOUSE}.building" in by_name["while dbt writes tables"].leftovers


def test_rerun_after_kills_cleans_up_and_converges_to_the_clean_state(
    scenario: Scenario, clean: CleanRun
) -> None:
    for lane in (scenario.publish_lane, scenario.early_lane):
        assert lane.final is not None
        assert lane.final.returncode == 0, lane.final.stdout + lane.final.log[-5000:]
        # the last kill of each lane left its building file; the re-run removed it
        assert "step=cleanup status=ok" in lane.final.stdout and "removed=1" in lane.final.stdout
        assert lane.final_state == clean.state_b
        assert lane.final_leftovers == []
        assert lane.final_lock_free


def test_prepare_copies_the_warehouse_byte_for_byte(tmp_path: Path) -> None:
    """copy_file (copy_file_range, or a plain copy where refused) keeps every byte."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import refresh

    source = tmp_path / "published.duckdb"
    payload = os.urandom(3 * 2**20 + 12345)  # not a multiple of any block size
    source.write_bytes(payload)
    target = tmp_path / "published.duckdb.building"
    refresh.copy_file(source, target)
    assert target.read_bytes() == payload
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    refresh.copy_file(empty, tmp_path / "empty.copy")
    assert (tmp_path / "empty.copy").read_bytes() == b""
