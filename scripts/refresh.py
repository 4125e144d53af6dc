"""Scheduled refresh of the AI FinOps warehouse with an atomic publish (run as scripts/refresh).

    scripts/refresh [--wait SECONDS] [--full-refresh] [--skip-freshness] [--strict-freshness]
                    [--keep-failed] [-- DBT_BUILD_ARGS ...]

Steps, each reported by one status line on stdout (and in the log file), for example
`[refresh] step=build status=ok seconds=41.2`:

1. lock        an exclusive flock on `<db>.lock`; a second refresh of the same warehouse exits 2
               at once (or waits up to --wait seconds). The lock file descriptor is inherited by
               the dbt and checkpoint processes, and they are killed when the refresh dies, so
               the lock is held exactly as long as any part of a refresh runs.
2. cleanup     removes what a killed or failed earlier run left (`<db>.building*`).
3. prepare     copies the published warehouse to `<db>.building` (incremental models keep their
               state), or starts from an empty file with --full-refresh or on the first run.
4. freshness   `dbt source freshness` against the building file; a stale source is a warning,
               and an error only with --strict-freshness (exit 3).
5. build       `dbt build` into the building file (extra arguments after `--` go to dbt),
               without unit tests (DBT_EXCLUDE_RESOURCE_TYPES=unit_test unless set): they
               test the code on fixed inputs and run in `make test`, CI and `make build`.
6. checkpoint  the Great Expectations checkpoint (scripts/run_gx_checkpoint.py) on it.
7. publish     fsync, then an atomic `os.replace` of the building file over AI_FINOPS_DB_PATH.
               Readers that opened the old file keep reading it; new readers see the new one.

The published file is only ever replaced whole, after build and checkpoint have passed: a
failure or a kill at any point leaves it untouched, and the next run cleans up and converges
to the state of a clean run. The building file has a fixed name (not a timestamp) because the
database path is part of dbt's profile: a new name every run would defeat partial parsing.

Exit codes: 0 published; 1 unexpected error or bad arguments; 2 another refresh holds the
lock; 3 stale sources (with --strict-freshness); 4 dbt build failed; 5 checkpoint failed;
6 publish failed; 143 / 130 stopped by SIGTERM / SIGINT (cleaned up, nothing published).

Scheduling: cron `15 6 * * * cd /opt/ai-finops && scripts/refresh >> /var/log/ai-finops.log
2>&1`; Airflow `BashOperator(bash_command="cd /opt/ai-finops && scripts/refresh",
skip_on_exit_code=2)` (a run that finds the previous one still going is skipped, not failed);
a Dagster op or a Kubernetes CronJob (`concurrencyPolicy: Forbid`, the warehouse on a local or
block volume: flock is not reliable on NFS) runs the same command and branches on the exit
code. Readers must open the published file read-only (`duckdb.connect(path, read_only=True)`).

Environment: AI_FINOPS_RAW_PATH, AI_FINOPS_DB_PATH (default warehouse/ai_finops.duckdb),
AI_FINOPS_LOG_DIR (refresh.log; default: the warehouse's folder), AI_FINOPS_REFRESH_WORK_DIR
(dbt target and logs; default target/refresh), AI_FINOPS_GX_DOCS_DIR (Data Docs of the
checkpoint; default build/gx_docs). AI_FINOPS_REFRESH_KILL_AT=<point> makes the refresh
SIGKILL itself right after that step (lock, cleanup, prepare, freshness, build, checkpoint) or
at before-rename / after-rename: a fault-injection hook for tests.
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import datetime as dt
import fcntl
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, NoReturn

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_LOCKED = 2
EXIT_STALE = 3
EXIT_BUILD = 4
EXIT_CHECKPOINT = 5
EXIT_PUBLISH = 6
EXIT_SIGNAL_BASE = 128
PR_SET_PDEATHSIG = 1
TAIL_LINES = 40


class StepFailed(Exception):
    """A step failed: its name and the exit code of the refresh."""

    def __init__(self, step: str, code: int, message: str = "") -> None:
        super().__init__(message or step)
        self.step, self.code = step, code


class Terminated(Exception):
    """SIGTERM or SIGINT arrived: stop, clean up, publish nothing."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def resolve(path: str) -> Path:
    """Relative paths are relative to the repository root, as everywhere in the project."""
    candidate = Path(path)
    return candidate if candidate.is_absolute() else ROOT / candidate


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Paths:
    """Every file the refresh touches, derived from the environment."""

    published: Path
    building: Path
    lock: Path
    log: Path
    work: Path
    raw: Path

    @classmethod
    def from_env(cls) -> "Paths":
        published = resolve(os.environ.get("AI_FINOPS_DB_PATH", "warehouse/ai_finops.duckdb"))
        log_dir = resolve(os.environ.get("AI_FINOPS_LOG_DIR", str(published.parent)))
        return cls(
            published=published,
            building=published.with_name(published.name + ".building"),
            lock=published.with_name(published.name + ".lock"),
            log=log_dir / "refresh.log",
            work=resolve(os.environ.get("AI_FINOPS_REFRESH_WORK_DIR", "target/refresh")),
            raw=resolve(os.environ.get("AI_FINOPS_RAW_PATH", "data/sample")),
        )

    def leftovers(self) -> list[Path]:
        """Files and folders an earlier run may have left next to the warehouse."""
        return sorted(self.building.parent.glob(self.building.name + "*"))

    def wal(self, database: Path) -> Path:
        return database.with_name(database.name + ".wal")


class Reporter:
    """Status lines on stdout and in the log; child output in the log only."""

    def __init__(self, log_path: Path) -> None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log: IO[str] = open(log_path, "a", encoding="utf-8", buffering=1)

    def write_log(self, text: str) -> None:
        self.log.write(text if text.endswith("\n") else text + "\n")

    def status(self, step: str, status: str, seconds: float | None = None, **extra: object) -> None:
        """`[refresh] step=<step> status=<status> seconds=<s> key=value ...`."""
        parts = [f"step={step}", f"status={status}"]
        if seconds is not None:
            parts.append(f"seconds={seconds:.1f}")
        parts += [f"{key}={value}" for key, value in extra.items()]
        line = "[refresh] " + " ".join(parts)
        print(line, flush=True)
        self.write_log(f"{utc_now()} {line}")

    def start(self, step: str) -> float:
        """Marks the start of a step in the log (not on stdout); returns the start time."""
        self.write_log(f"{utc_now()} [refresh] step={step} status=start")
        return time.monotonic()


def fault_point(name: str) -> None:
    """Test hook: SIGKILL ourselves here when AI_FINOPS_REFRESH_KILL_AT names this point."""
    if os.environ.get("AI_FINOPS_REFRESH_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _die_with_parent(parent_pid: int) -> None:
    """In the child: get SIGKILL when the refresh dies (Linux), even by SIGKILL."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the inherited lock still guards overlap
        return
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def remove_leftovers(paths: Paths) -> int:
    """Removes what earlier (killed or failed) runs left; only ever called under the lock."""
    leftovers = paths.leftovers()
    for path in leftovers:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    return len(leftovers)


def fsync_path(path: Path) -> None:
    """Flushes a file's data (or a folder's entries) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)



def copy_file(source: Path, target: Path) -> None:
    """Copies `source` to `target` with copy_file_range, which shares the blocks (a reflink)
    on file systems that can (XFS, Btrfs) and copies inside the kernel elsewhere, so that a
    warehouse of several GB is prepared in seconds; plain copying where it is refused."""
    try:
        with open(source, "rb") as src, open(target, "wb") as dst:
            remaining = os.fstat(src.fileno()).st_size
            while remaining > 0:
                copied = os.copy_file_range(src.fileno(), dst.fileno(), remaining)
                if copied == 0:
                    break
                remaining -= copied
        if remaining == 0:
            return
    except OSError:
        pass
    shutil.copyfile(source, target)

class Refresh:
    """One refresh: the steps after the lock, sharing paths, log and the lock descriptor."""

    def __init__(self, args: argparse.Namespace, dbt_args: list[str], paths: Paths,
                 report: Reporter, lock_fd: int) -> None:
        self.args, self.dbt_args, self.paths = args, dbt_args, paths
        self.report, self.lock_fd = report, lock_fd

    # --- children -----------------------------------------------------------------------------

    def child_env(self) -> dict[str, str]:
        """dbt and the checkpoint see the building file as the warehouse, never the published."""
        env = dict(os.environ)
        env.pop("AI_FINOPS_REFRESH_KILL_AT", None)
        env.update(
            {
                "AI_FINOPS_DB_PATH": str(self.paths.building),
                "AI_FINOPS_RAW_PATH": str(self.paths.raw),
                "DBT_PROFILES_DIR": env.get("DBT_PROFILES_DIR", str(ROOT)),
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                "DBT_USE_COLORS": "false",  # a plain-text log
                "PYTHONUNBUFFERED": "1",  # child output reaches the log line by line
            }
        )
        # unit tests check the project's code on fixed inputs, not the data: they run in
        # `make test` / CI and `make build`, not in every scheduled refresh (dbt's own advice)
        env.setdefault("DBT_EXCLUDE_RESOURCE_TYPES", "unit_test")
        return env

    def run_child(self, cmd: list[str]) -> tuple[int, str]:
        """Runs a command, its output streamed to the log; returns (exit code, last lines).

        The child inherits the lock descriptor and is SIGKILLed if the refresh dies; on SIGTERM
        or SIGINT of the refresh the child is killed before the exception goes on.
        """
        parent = os.getpid()
        self.report.write_log("$ " + " ".join(cmd))
        tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=self.child_env(), text=True, errors="replace",
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            pass_fds=(self.lock_fd,), preexec_fn=lambda: _die_with_parent(parent),
        )
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                self.report.write_log(line)
                tail.append(line.rstrip("\n"))
            return proc.wait(), "\n".join(tail)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            if proc.stdout is not None:
                proc.stdout.close()

    def dbt(self, *args: str) -> tuple[int, str]:
        work = self.paths.work
        return self.run_child([
            str(BIN / "dbt"), *args, "--project-dir", str(ROOT),
            "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
        ])

    # --- steps --------------------------------------------------------------------------------

    def prepare(self) -> str:
        """The building file: a copy of the published warehouse, or none (dbt creates it)."""
        if self.args.full_refresh or not self.paths.published.exists():
            return "empty"
        copy_file(self.paths.published, self.paths.building)
        return "copy"

    def freshness(self) -> str:
        """`dbt source freshness`: ok, or warn (a failure with --strict-freshness)."""
        code, tail = self.dbt("source", "freshness")
        if code == 0:
            return "ok"
        if self.args.strict_freshness:
            raise StepFailed("freshness", EXIT_STALE, tail)
        return "warn"

    def build(self) -> None:
        """`dbt build` into the building file."""
        full = ["--full-refresh"] if self.args.full_refresh else []
        code, tail = self.dbt("build", *full, *self.dbt_args)
        if code != 0 or not self.paths.building.exists():
            raise StepFailed("build", EXIT_BUILD, tail)

    def checkpoint(self) -> None:
        """The Great Expectations checkpoint on the building file."""
        script = ROOT / "scripts" / "run_gx_checkpoint.py"
        code, tail = self.run_child([
            sys.executable, str(script), "--db", str(self.paths.building),
            "--raw", str(self.paths.raw),
        ])
        if code != 0:
            raise StepFailed("checkpoint", EXIT_CHECKPOINT, tail)

    def publish(self) -> None:
        """Atomically replaces the published warehouse with the building file."""
        paths = self.paths
        try:
            if paths.wal(paths.building).exists():
                raise OSError(f"{paths.wal(paths.building)} exists: the build did not close")
            if paths.wal(paths.published).exists():
                raise OSError(
                    f"{paths.wal(paths.published)} exists: another process writes to the warehouse"
                )
            fsync_path(paths.building)
            fault_point("before-rename")
            # a SIGTERM cannot separate the rename from the folder's fsync
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
            try:
                os.replace(paths.building, paths.published)
                fault_point("after-rename")
                fsync_path(paths.published.parent)
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        except OSError as error:
            raise StepFailed("publish", EXIT_PUBLISH, str(error)) from error

    def run(self) -> None:
        """cleanup, prepare, freshness, build, checkpoint, publish; one status line each."""
        self.step("cleanup", lambda: {"removed": remove_leftovers(self.paths)})
        self.step("prepare", lambda: {"base": self.prepare()})
        if self.args.skip_freshness:
            self.report.status("freshness", "skipped")
            fault_point("freshness")
        else:
            self.step("freshness", lambda: {"status": self.freshness()})
        self.step("build", self.build)
        self.step("checkpoint", self.checkpoint)
        self.step("publish", self.publish)

    def step(self, name: str, action: Callable[[], dict[str, object] | None]) -> None:
        """Runs one step and prints its status line (a step may return its own status)."""
        started = self.report.start(name)
        extra = dict(action() or {})
        status = str(extra.pop("status", "ok"))
        self.report.status(name, status, time.monotonic() - started, **extra)
        fault_point(name)


def acquire_lock(paths: Paths, wait_seconds: float) -> int:
    """Takes the exclusive flock; raises StepFailed(lock, 2) when another refresh holds it."""
    paths.lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(paths.lock, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = paths.lock.read_text(errors="replace").strip() or "unknown"
                os.close(fd)
                raise StepFailed("lock", EXIT_LOCKED, f"held by {holder}") from None
            time.sleep(0.2)
    os.ftruncate(fd, 0)
    os.write(fd, f"pid={os.getpid()} since={utc_now()}\n".encode())
    return fd


class Parser(argparse.ArgumentParser):
    """Usage errors exit 1, so that 2 always means "locked"."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """The refresh's options, and the dbt build arguments after `--`."""
    split = argv.index("--") if "--" in argv else len(argv)
    parser = Parser(prog="refresh", description=__doc__.split("\n\n")[0])
    parser.add_argument("--wait", type=float, default=0.0,
                        help="seconds to wait for the lock (default 0: exit 2 at once)")
    parser.add_argument("--full-refresh", action="store_true",
                        help="build from an empty file (and pass --full-refresh to dbt)")
    parser.add_argument("--skip-freshness", action="store_true",
                        help="do not run dbt source freshness")
    parser.add_argument("--strict-freshness", action="store_true",
                        help="stale sources fail the refresh (exit 3)")
    parser.add_argument("--keep-failed", action="store_true",
                        help="keep a failed run's building file (until the next run) to inspect it")
    return parser.parse_args(argv[:split]), argv[split + 1:]


ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def one_line(text: str, limit: int = 160) -> str:
    """The line of a step's output that best says why it failed, quoted, for a status line.

    The last line naming an error or a failure, else the last non-empty line.
    """
    lines = [ANSI_ESCAPE.sub("", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    telling = [
        line for line in lines
        if re.search(r"ERROR|FAIL|Error|Failure|failed", line) and "Done. PASS=" not in line
    ]
    chosen = (telling or lines or [""])[-1]
    return repr(chosen[:limit])


def on_signal(signum: int, frame: object) -> None:
    raise Terminated(signum)


def main(argv: list[str] | None = None) -> int:
    args, dbt_args = parse_args(sys.argv[1:] if argv is None else argv)
    paths = Paths.from_env()
    report = Reporter(paths.log)
    report.write_log(f"{utc_now()} [refresh] ==== pid={os.getpid()} db={paths.published}"
                     f" raw={paths.raw}")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    started = time.monotonic()
    lock_fd, code = -1, EXIT_OK
    try:
        lock_started = report.start("lock")
        lock_fd = acquire_lock(paths, args.wait)
        report.status("lock", "ok", time.monotonic() - lock_started)
        fault_point("lock")
        Refresh(args, dbt_args, paths, report, lock_fd).run()
    except StepFailed as failure:
        code = failure.code
        if code == EXIT_LOCKED:
            report.status("lock", "locked", holder=one_line(str(failure)))
            return code
        report.status(failure.step, "failed", reason=one_line(str(failure)))
        print(f"[refresh] the {failure.step} step failed; its last output (full log:"
              f" {paths.log}):\n{failure}", file=sys.stderr)
    except Terminated as stop:
        code = EXIT_SIGNAL_BASE + stop.signum
        report.status("refresh", "terminated", signal=str(stop))
    except Exception as error:  # noqa: BLE001 - reported, then a distinct exit code
        code = EXIT_ERROR
        report.status("refresh", "error", reason=one_line(repr(error)))
    finally:
        if lock_fd >= 0:
            if not (args.keep_failed and code in (EXIT_BUILD, EXIT_CHECKPOINT)):
                remove_leftovers(paths)
            os.close(lock_fd)
    report.status("refresh", "ok" if code == EXIT_OK else "failed", time.monotonic() - started,
                  exit=code, published=paths.published if code == EXIT_OK else "unchanged")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
