"""dbt commands on Spark one after another in one process, so that one JVM serves them all.

dbt-spark's session method starts Spark inside the dbt process; a build in a fresh process pays
the JVM's start and its warm-up (the first run of a query compiles it: about 12 s, against 2 s
the second time) again. The parity test runs a full build and a refresh; here both run through
dbt's programmatic runner (`dbtRunner`) in one child process, as they would against a long-lived
Spark Thrift server, and the second finds the session warm.

The child reads one command per line on stdin: `land` (python -m ai_finops.land, as
`make build` does on Spark) or a JSON list of dbt arguments; after each it prints
`spark-session-exit <code>` on a line of its own. `SparkProcess` drives it from a test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import TracebackType

EXIT = "spark-session-exit "


class SparkProcess:
    """The child process, started with `env` (spark_env() of the parity test)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, __file__], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, cwd=env.get("DBT_PROJECT_DIR"))

    def run(self, command: str) -> tuple[int, str]:
        """Sends one command; its exit code and its output (also appended to the log)."""
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        lines: list[str] = []
        with open(self.log, "a") as log:
            for line in self.process.stdout:
                log.write(line)
                if line.startswith(EXIT):
                    return int(line[len(EXIT):]), "".join(lines)
                lines.append(line)
        return -1, "".join(lines) + "(the Spark process ended)"

    def dbt(self, *args: str) -> str:
        """A dbt command that must succeed; its output."""
        code, output = self.run(json.dumps(list(args)))
        assert code == 0, output[-6000:]
        return output

    def build(self, *args: str) -> str:
        """`make build` on Spark: the landing, then `dbt build` with `args`; dbt's output."""
        code, output = self.run("land")
        assert code == 0, output[-6000:]
        return self.dbt("build", *args)

    def __enter__(self) -> SparkProcess:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def serve() -> None:
    """The child: runs each command read from stdin."""
    from dbt.cli.main import dbtRunner

    runner = dbtRunner()
    for line in sys.stdin:
        command = line.strip()
        if command == "land":
            code = subprocess.call([sys.executable, "-m", "ai_finops.land"])
        else:
            result = runner.invoke(json.loads(command))
            if result.exception is not None:
                print(f"dbt failed: {result.exception!r}")
            code = 0 if result.success else 1
        print(f"{EXIT}{code}", flush=True)


if __name__ == "__main__":
    serve()
