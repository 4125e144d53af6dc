"""The same project on Apache Spark gives DuckDB's results, on the sample and after a refresh.

Both engines build a copy of the shipped sample with one pseudonym key; every public table and
every other model both wrote is compared (ai_finops/parity.py): rows, money per provider, month
and cost source to the cent, incidents by type, provider and start day, rejected rows by reason.
Then a new day is landed (OpenAI re-exports November's usage and costs with one more day, as its
API does) and each engine refreshes incrementally: Spark by insert_overwrite of the partitions
that changed, DuckDB by delete and append. The comparison must hold again, and the new day must
be in both. Spark runs on this machine (dbt-spark's session method, local[2]), both builds in
one process (spark_process.py). `make test` runs this; `make test-spark` adds dbt's unit tests
on Spark and `dbt source freshness` on both engines.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import yaml

from ai_finops.parity import engine_differences
from conftest import ROOT, DbtResult, copy_raw, run_dbt
from spark_process import SparkProcess

SAMPLE = ROOT / "data" / "sample"
DAY = 86_400
NOVEMBER = {"openai/usage_completions": "2026-11-28T0600Z_usage_completions_2026-11_page001.json",
            "openai/costs": "2026-11-28T0605Z_costs_2026-11_page001.json"}
# dbt's tests are left out of the builds: the sample build of the suite runs them on DuckDB
NO_TESTS = ("--exclude-resource-type", "test", "unit_test")

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("pyspark") is None or shutil.which("java") is None,
    reason="Spark needs pyspark and Java: make spark-venv installs them")
spark_tests_only = pytest.mark.skipif(
    os.environ.get("AI_FINOPS_SPARK_TESTS") != "1",
    reason="dbt's unit tests and source freshness on Spark run with `make test-spark`")


def build_summary(warehouse: Path) -> str:
    """The summary `make build` prints (scripts/run_build.py) of a Spark build."""
    spec = importlib.util.spec_from_file_location("run_build", ROOT / "scripts" / "run_build.py")
    assert spec and spec.loader
    run_build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_build)
    return run_build.summary(warehouse, dt.date.today(), spark=True)


def land_a_new_day(raw: Path) -> str:
    """OpenAI's November exports delivered again the next day with one more daily bucket (a
    copy of the last day's, one day later); returns that day."""
    for export, name in NOVEMBER.items():
        page = json.loads((raw / export / name).read_text())
        last = page["data"][-1]
        new_day = copy.deepcopy(last)
        new_day["start_time"] += DAY
        new_day["end_time"] += DAY
        page["data"].append(new_day)
        (raw / export / name.replace("2026-11-28T", "2026-11-29T")).write_text(json.dumps(page))
    return "2026-11-28"


def spark_env(raw: Path, warehouse: Path, key: Path) -> dict[str, str]:
    """The environment of a dbt command on Spark (local[2]) over `raw`."""
    env = dict(os.environ)
    env.update({"AI_FINOPS_TARGET": "spark", "AI_FINOPS_SPARK_WAREHOUSE": str(warehouse),
                "AI_FINOPS_SPARK_MASTER": "local[2]", "AI_FINOPS_RAW_PATH": str(raw),
                # the sample is small: one shuffle partition, no adaptive re-planning
                # (13% faster here)
                "AI_FINOPS_SPARK_SHUFFLE_PARTITIONS": "1", "AI_FINOPS_SPARK_ADAPTIVE": "false",
                "AI_FINOPS_PSEUDONYM_KEY_FILE": str(key), "SPARK_LOCAL_IP": "127.0.0.1",
                "DBT_PROFILES_DIR": str(ROOT), "DBT_PROJECT_DIR": str(ROOT)})
    env.pop("AI_FINOPS_PSEUDONYM_KEY", None)
    return env


def spark_targets(work: Path) -> tuple[str, ...]:
    return ("--target-path", str(work / "target"), "--log-path", str(work / "logs"))


def unit_test_count() -> int:
    """The unit tests the project defines (its YAML files, read apart from dbt)."""
    count = 0
    for path in (ROOT / "models").rglob("*.yml"):
        count += len((yaml.safe_load(path.read_text()) or {}).get("unit_tests", []))
    return count


def duckdb_build(raw: Path, key: Path, work: Path) -> DbtResult:
    """`dbt build` on DuckDB without dbt's tests (the sample build runs them)."""
    work.mkdir(parents=True, exist_ok=True)
    result = run_dbt(["build", "--exclude-resource-type", "test", "unit_test"], raw,
                     work / "ai_finops.duckdb", work, {"AI_FINOPS_PSEUDONYM_KEY_FILE": str(key)})
    assert result.returncode == 0, result.output[-6000:]
    return result


def billed_on(con: duckdb.DuckDBPyConnection, table: str, day: str) -> object:
    return con.execute(f"select sum(billed_cost) from {table} where provider = 'openai'"
                       " and charge_on = ?", [day]).fetchone()[0]


def test_spark_builds_the_sample_and_a_refresh_as_duckdb_does(tmp_path: Path) -> None:
    raw = copy_raw(SAMPLE, tmp_path / "raw")
    key = tmp_path / "pseudonym.key"
    key.write_text("5" * 64)
    duck_work, spark_work = tmp_path / "duckdb", tmp_path / "spark"
    warehouse = spark_work / "warehouse"

    duck = duckdb_build(raw, key, duck_work)
    with SparkProcess(spark_env(raw, warehouse, key), spark_work / "spark.log") as spark:
        spark.build(*NO_TESTS, *spark_targets(spark_work))
        # the sample's figures (README): the same summary as a DuckDB build prints
        summary = build_summary(warehouse)
        assert "total                  3,011.29" in summary
        assert "Open incidents: duplicate_export 1, new_billing_unit 1, tokenizer_shift 1" in summary
        assert "Rejected raw rows: 176" in summary
        assert engine_differences(duck.db_path, warehouse) == []

        day = land_a_new_day(raw)
        duckdb_build(raw, key, duck_work)
        spark.build(*NO_TESTS, *spark_targets(spark_work))
    assert engine_differences(duck.db_path, warehouse) == []
    # the new day is billed (by the cost export's copied day: the same amount), on Spark too
    with duckdb.connect(str(duck.db_path), read_only=True) as con:
        assert billed_on(con, "fct_ai_costs", day) == billed_on(con, "fct_ai_costs", "2026-11-27")
        assert billed_on(con, "fct_ai_costs", day) > 0


@spark_tests_only
def test_unit_tests_pass_on_spark(tmp_path: Path) -> None:
    """dbt's unit tests on Spark, over a Spark build of the sample (their fixtures take their
    column types from its tables): each runs its model's SQL as Spark compiles it, so an engine
    difference in a parser fails it. The tokenizer detector's need a large driver."""
    raw = copy_raw(SAMPLE, tmp_path / "raw")
    key = tmp_path / "pseudonym.key"
    key.write_text("5" * 64)
    env = spark_env(raw, tmp_path / "warehouse", key)
    env["AI_FINOPS_SPARK_DRIVER_MEMORY"] = "8g"
    with SparkProcess(env, tmp_path / "spark.log") as spark:
        spark.build(*NO_TESTS, *spark_targets(tmp_path))
        output = spark.dbt("test", "--select", "test_type:unit", *spark_targets(tmp_path))
    units = unit_test_count()
    assert units >= 37
    # the on-run-start hook is the one more PASS
    assert f"PASS={units + 1} WARN=0 ERROR=0" in output


def freshness(raw: Path, work: Path, env: dict[str, str]) -> dict[str, str]:
    """`dbt source freshness` over `raw`: each source's status (pass, warn, error, or runtime
    error when its folder is absent on Spark)."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "source", "freshness",
         "--project-dir", str(ROOT), "--target-path", str(work / "target"),
         "--log-path", str(work / "logs"), "--output", str(work / "sources.json")],
        env=env, capture_output=True, text=True, check=False)
    assert (work / "sources.json").exists(), (result.stdout + result.stderr)[-6000:]
    results = json.loads((work / "sources.json").read_text())["results"]
    statuses = {r["unique_id"].removeprefix("source.ai_finops."): r["status"] for r in results}
    # a source whose query failed is only in the output (sources.json leaves it out)
    for failed in re.findall(r"\d+ of \d+ ERROR freshness of (\S+) ", result.stdout):
        statuses.setdefault(failed, "runtime error")
    return statuses


@spark_tests_only
def test_source_freshness_reads_the_raw_files_on_both_engines(tmp_path: Path) -> None:
    """Freshness is the newest raw file's modification time, on both engines: files delivered
    now pass, two days ago warn (36 hours), four days ago fail (72 hours)."""
    raw = copy_raw(SAMPLE, tmp_path / "raw")
    now = time.time()
    for path in raw.rglob("*"):
        os.utime(path, (now, now))
    for folder, days in (("openai/costs", 2), ("anthropic/cost_report", 4)):
        for path in (raw / folder).iterdir():
            os.utime(path, (now - days * DAY, now - days * DAY))
    key = tmp_path / "pseudonym.key"
    key.write_text("5" * 64)
    duck_env = dict(os.environ, AI_FINOPS_RAW_PATH=str(raw), DBT_PROFILES_DIR=str(ROOT),
                    AI_FINOPS_DB_PATH=str(tmp_path / "duckdb" / "ai_finops.duckdb"))
    (tmp_path / "duckdb").mkdir()
    on_duckdb = freshness(raw, tmp_path / "duckdb", duck_env)
    on_spark = freshness(raw, tmp_path / "spark",
                         spark_env(raw, tmp_path / "spark" / "warehouse", key))

    present = {name for name in on_duckdb if (raw / FOLDERS[name]).is_dir()}
    assert len(on_duckdb) == len(FOLDERS) == 17
    assert {name: on_spark[name] for name in present} == {
        name: on_duckdb[name] for name in present}
    assert on_spark["openai.costs"] == "warn"
    assert on_spark["anthropic.cost_report"] == "error"
    assert on_spark["openai.usage_completions"] == "pass"
    # a source whose folder the sample lacks fails on both: no file is no freshness
    absent = set(FOLDERS) - present
    assert absent and all(on_duckdb[name] == "error" for name in absent)
    assert all(on_spark[name] in ("error", "runtime error") for name in absent)


# each source's raw folder (the argument of its loaded_at_query)
FOLDERS = {
    "activity.chatgpt_users": "activity", "anthropic.cost_report": "anthropic/cost_report",
    "anthropic.usage_messages": "anthropic/usage_messages", "aws.cur": "aws_cur",
    "azure.cost_details": "azure_cost", "cursor.usage_events": "cursor/usage_events",
    "gateway.requests": "gateway", "gcp.billing_export": "gcp_billing",
    "github_copilot.usage": "github_copilot", "langfuse.observations": "langfuse/observations",
    "langfuse.traces": "langfuse/traces", "litellm.daily_spend": "litellm/daily_spend",
    "litellm.spend_logs": "litellm/spend_logs", "openai.costs": "openai/costs",
    "openai.usage_completions": "openai/usage_completions", "otel.genai_spans": "otel/genai_spans",
    "seats.assignments": "seats",
}
