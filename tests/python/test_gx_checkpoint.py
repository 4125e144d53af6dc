"""The Great Expectations checkpoint (scripts/run_gx_checkpoint.py, suites in gx/) and the dbt
tests that guard the public tables, on the same corrupted copy of the warehouse.

The checkpoint passes on the shipped sample; on a copy of that warehouse corrupted on purpose it
fails exactly the expectations that guard what was broken (the raw landing against the
warehouse), and names the rows and files; a missing public table fails it too. The dbt tests on
the public tables fail exactly for the corruptions of the tables themselves (a duplicated
charge, a negative cost, a null team, an unknown incident type): each concern is checked by one
system (docs/architecture.md). The checkpoint's independent record counter is checked against
counts worked out by hand from the fixture files and against the generator's manifest.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import FIXTURES, ROOT, DbtResult, run_dbt

sys.path.insert(0, str(ROOT / "gx"))
import finops_datasets  # noqa: E402

CHECKPOINT = ROOT / "scripts" / "run_gx_checkpoint.py"
SUITES = ["public_tables", "raw_landing_rows", "raw_landing_money"]
COST_EXPORTS = (
    "openai/costs",
    "anthropic/cost_report",
    "aws_cur",
    "azure_cost",
    "gcp_billing",
    "github_copilot",
    "cursor/usage_events",
)

# (fixture folder, export, file) -> records, worked out by hand from the fixture files: a file
# that cannot be read at all (truncated, empty, not UTF-8, a bucket whose results is not an
# array) is one record, a header-only CSV none.
FIXTURE_RECORDS = {
    ("openai_api_exports", "openai/costs", "20260503T060000Z_costs.json"): 9,
    ("openai_api_exports", "openai/costs", "20260503T070000Z_costs_truncated.json"): 1,
    ("openai_api_exports", "openai/costs", "20260503T080000Z_costs_empty.json"): 1,
    ("openai_api_exports", "openai/usage_completions",
     "20260503T060000Z_usage_completions.json"): 5,
    ("openai_api_exports", "openai/usage_completions",
     "20260503T090000Z_usage_completions_crlf.json"): 1,
    ("anthropic_api_exports", "anthropic/usage_messages",
     "20260503T060000Z_usage_messages.json"): 4,
    ("anthropic_api_exports", "anthropic/usage_messages",
     "20260503T100000Z_usage_messages_results_object.json"): 1,
    ("anthropic_api_exports", "anthropic/cost_report", "20260503T060000Z_cost_report.json"): 7,
    ("anthropic_api_exports", "anthropic/cost_report", "20260503T090000Z_cost_report_bom.json"): 1,
    ("cursor_api_exports", "cursor/usage_events", "20260503T060000Z_usage_events.json"): 4,
    ("cursor_api_exports", "cursor/usage_events", "20260503T090000Z_usage_events_latin1.json"): 1,
    ("gateway_logs", "gateway", "20260503T060000Z_gateway.jsonl"): 5,
    ("gateway_logs", "gateway", "20260503T090000Z_gateway_crlf.jsonl"): 2,
    ("copilot_seats_activity", "github_copilot", "2026-05-15_usage_report.csv"): 4,
    ("copilot_seats_activity", "github_copilot", "2026-05-20_usage_report.csv"): 1,
    ("copilot_seats_activity", "github_copilot", "2026-05-21_usage_report.csv"): 0,
    ("copilot_seats_activity", "github_copilot", "2026-05-22_usage_report.csv"): 1,
    ("copilot_seats_activity", "github_copilot", "2026-06-03_usage_report.csv"): 12,
    ("copilot_seats_activity", "seats", "2026-05-01_seats.csv"): 2,
    ("copilot_seats_activity", "seats", "2026-06-01_seats.csv"): 14,
    ("copilot_seats_activity", "activity", "2026-06-02_chatgpt_users_monthly.csv"): 8,
    ("copilot_seats_activity", "activity", "2026-06-02_chatgpt_users_weekly.csv"): 2,
    ("aws_azure_gcp_bills", "aws_cur", "20260601T000000Z-cur-2026-05-00001.csv"): 15,
    ("aws_azure_gcp_bills", "azure_cost", "20260601T000000Z-azure-ea-2026-05.csv"): 13,
    ("aws_azure_gcp_bills", "gcp_billing", "20260601T000000Z-gcp-202605.jsonl"): 10,
    # tests/fixtures/real/gateways/PROVENANCE.md: requests, rollup rows, generations, traces,
    # and the spans of three OTLP export requests (5 + 4 + 3)
    ("real/gateways", "litellm/spend_logs", "2026-05-03_spend_logs.csv"): 6,
    ("real/gateways", "litellm/spend_logs", "2026-05-03_spend_logs.jsonl"): 3,
    ("real/gateways", "litellm/daily_spend", "2026-05-03_daily_team_spend.csv"): 4,
    ("real/gateways", "litellm/daily_spend", "2026-05-03_daily_user_spend.csv"): 3,
    ("real/gateways", "litellm/daily_spend", "2026-05-03_daily_tag_spend.csv"): 3,
    ("real/gateways", "langfuse/observations", "2026-05-03T060000Z_observations.json"): 5,
    ("real/gateways", "langfuse/traces", "2026-05-03T060000Z_traces.json"): 4,
    ("real/gateways", "otel/genai_spans", "2026-05-03T060000Z_spans.jsonl"): 12,
}


@dataclass
class CheckpointRun:
    """Exit code, printed lines and results.json of one checkpoint run."""

    returncode: int
    stdout: str
    results: dict
    docs: Path

    def failing(self) -> set[tuple[str, str]]:
        return {
            (suite, check)
            for suite, outcome in self.results["suites"].items()
            for check, result in outcome["checks"].items()
            if not result["success"]
        }

    def check(self, suite: str, name: str) -> dict:
        return self.results["suites"][suite]["checks"][name]

    def suite_line(self, suite: str) -> str:
        return next(line for line in self.stdout.splitlines() if f"suite={suite} " in line)


def run_checkpoint(db: Path, docs: Path) -> CheckpointRun:
    proc = subprocess.run(
        [sys.executable, str(CHECKPOINT), "--db", str(db), "--docs-dir", str(docs)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    results_path = docs / "results.json"
    assert results_path.exists(), proc.stdout + proc.stderr
    return CheckpointRun(proc.returncode, proc.stdout, json.loads(results_path.read_text()), docs)


def last_two(path: str) -> str:
    """`folder/file` of a path."""
    return "/".join(path.split("/")[-2:])


def copy_warehouse(sample: DbtResult, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    copy = dest / "ai_finops.duckdb"
    shutil.copyfile(sample.db_path, copy)
    return copy


def test_record_counter_matches_the_fixture_files_worked_out_by_hand() -> None:
    counted: dict[tuple[str, str, str], int] = {}
    for folder in sorted({key[0] for key in FIXTURE_RECORDS}):
        frame = finops_datasets.raw_file_counts(duckdb.connect(), FIXTURES / folder)
        for row in frame.itertuples():
            counted[(folder, row.export_name, row.file_name)] = row.rows_read
    assert {key: counted.get(key) for key in FIXTURE_RECORDS} == FIXTURE_RECORDS


def test_record_counter_matches_the_generator_manifest() -> None:
    sample = ROOT / "data" / "sample"
    manifest = json.loads((sample / "manifest.json").read_text())
    frame = finops_datasets.raw_file_counts(duckdb.connect(), sample)
    counted = {f"{row.export_name}/{row.file_name}": row.rows_read for row in frame.itertuples()}
    assert counted == {entry["path"]: entry["rows"] for entry in manifest["files"]}


@pytest.fixture(scope="module")
def passing(sample_warehouse: DbtResult, tmp_path_factory: pytest.TempPathFactory) -> CheckpointRun:
    return run_checkpoint(sample_warehouse.db_path, tmp_path_factory.mktemp("gx_pass") / "docs")


def test_checkpoint_passes_on_the_sample(
    passing: CheckpointRun, sample_warehouse: DbtResult
) -> None:
    assert passing.returncode == 0, passing.stdout
    assert passing.failing() == set()
    assert list(passing.results["suites"]) == SUITES
    for suite in SUITES:
        assert f"suite={suite} status=passed" in passing.suite_line(suite)
    last_line = passing.stdout.strip().splitlines()[-1]
    assert last_line.startswith("[gx] checkpoint=ai_finops status=passed suites=3 failed=0")
    manifest = json.loads((sample_warehouse.raw_dir / "manifest.json").read_text())
    files = [entry["path"] for entry in manifest["files"]]
    suites = passing.results["suites"]
    assert suites["public_tables"]["rows"] == 4
    assert suites["raw_landing_rows"]["rows"] == len(files)
    # every cost file, less the duplicate export whose every record is superseded by its twin
    duplicates = [
        incident["details"]["original"]
        for incident in manifest["incidents"]
        if incident["type"] == "duplicate_export"
    ]
    cost_files = [path for path in files if path.rsplit("/", 1)[0] in COST_EXPORTS]
    assert suites["raw_landing_money"]["rows"] == len(cost_files) - len(duplicates)


def test_checkpoint_writes_data_docs(passing: CheckpointRun) -> None:
    index = (passing.docs / "index.html").read_text()
    for suite in SUITES:
        assert suite in index
    pages = list((passing.docs / "validations").rglob("*.html"))
    validated = {page.relative_to(passing.docs / "validations").parts[0] for page in pages}
    assert sorted(validated) == sorted(SUITES)


@dataclass
class Corruption:
    """What the test broke in its copy of the warehouse."""

    duplicated_charge_id: str
    negated_cost: Decimal
    negated_cost_file: str
    dropped_record_file: str


def corrupt(db: Path) -> Corruption:
    """Duplicates a charge_id, negates a usage cost, nulls a FOCUS team, adds an unknown
    incident type and loses one used raw record."""
    with duckdb.connect(str(db)) as con:
        first, second = [r[0] for r in con.execute(
            "select charge_id from fct_ai_costs order by charge_id limit 2").fetchall()]
        con.execute("update fct_ai_costs set charge_id = ? where charge_id = ?", [first, second])
        charge_id, cost, source_file = con.execute(
            """
            select charge_id, billed_cost, billed_source_file from fct_ai_costs
            where charge_category = 'Usage' and cost_source = 'vendor_reported'
                and staging_model = 'stg_aws__cur' and billed_cost > 0 and charge_id != ?
            order by charge_id limit 1
            """,
            [first],
        ).fetchone()
        con.execute(
            "update fct_ai_costs set billed_cost = -billed_cost where charge_id = ?", [charge_id]
        )
        # focus_ai_costs is a view of fct_ai_costs: a team nulled there shows in both
        con.execute(
            "update fct_ai_costs set team = null where rowid = (select min(rowid)"
            " from fct_ai_costs where billed_cost > 0 and charge_id not in (?, ?))",
            [first, charge_id],
        )
        con.execute(
            "insert into mart_pricing_incidents select * replace ('price_drift' as incident_type)"
            " from mart_pricing_incidents limit 1"
        )
        # int_raw_records_classified is a view of the staging tables: a record lost in
        # staging is lost there
        rowid, dropped_file = con.execute(
            "select rowid, source_file from stg_gateway__requests"
            " where rejected_reason is null order by rowid limit 1"
        ).fetchone()
        con.execute("delete from stg_gateway__requests where rowid = ?", [rowid])
    return Corruption(first, cost, source_file, dropped_file)


@pytest.fixture(scope="module")
def corrupted(
    sample_warehouse: DbtResult, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Corruption]:
    """A copy of the sample warehouse with the corruptions of `corrupt`."""
    db = copy_warehouse(sample_warehouse, tmp_path_factory.mktemp("corrupted"))
    return db, corrupt(db)


def test_corrupted_copy_fails_exactly_the_guarding_expectations(
    corrupted: tuple[Path, Corruption], tmp_path: Path
) -> None:
    db, broken = corrupted
    run = run_checkpoint(db, tmp_path / "docs")
    assert run.returncode == 1
    # the corruptions of the tables themselves are the dbt tests' (below)
    assert run.failing() == {
        ("raw_landing_rows", "rows_conserved"),
        ("raw_landing_money", "money_conserved"),
    }
    assert "failing=rows_conserved" in run.suite_line("raw_landing_rows")
    # the file that lost a record: read one more than the warehouse accounts for
    [lost] = run.check("raw_landing_rows", "rows_conserved")["unexpected_index_list"]
    assert f"{lost['export_name']}/{lost['file_name']}" == last_two(broken.dropped_record_file)
    assert int(lost["rows_read"]) == int(lost["rows_accounted"]) + 1
    # the AWS file whose charge went negative: fct bills 2x that cost less than AWS did
    [gap] = run.check("raw_landing_money", "money_conserved")["unexpected_index_list"]
    assert gap["file_name"] == last_two(broken.negated_cost_file)
    expected_gap = -2 * broken.negated_cost
    assert Decimal(gap["billed_gap"]) == pytest.approx(expected_gap, abs=Decimal("1e-9"))


def test_corrupted_copy_fails_exactly_the_guarding_dbt_tests(
    sample_warehouse: DbtResult, corrupted: tuple[Path, Corruption], tmp_path: Path
) -> None:
    db, broken = corrupted
    # only the tests of the public tables (cautious: every parent of the test is selected),
    # so that tests comparing a mart built before the corruption with fct stay out
    result = run_dbt(
        ["test", "--select", "fct_ai_costs focus_ai_costs mart_pricing_incidents"
         " mart_rejected_rows", "--indirect-selection", "cautious",
         "--exclude-resource-type", "unit_test"],
        sample_warehouse.raw_dir, db, tmp_path,
    )
    assert result.returncode == 1, result.output[-3000:]
    run = json.loads((tmp_path / "target" / "run_results.json").read_text())
    failing = {r["unique_id"].split(".")[2] for r in run["results"] if r["status"] == "fail"}
    sign_rule = next(name for name in failing if name.startswith(
        "expression_is_true_fct_ai_costs_charge_category_in_Credit_Adjustment"))
    assert failing == {
        "unique_fct_ai_costs_charge_id",
        "unique_focus_ai_costs__x_ChargeId_",
        "not_null_fct_ai_costs_team",
        # the unknown incident is a copy of a real one, with its id
        "unique_mart_pricing_incidents_incident_id",
        sign_rule,
        next(name for name in failing if name.startswith(
            "accepted_values_mart_pricing_incidents_incident_type")),
    }
    # the failures name what was broken: two rows share the duplicated id, one cost < 0
    failures = {r["unique_id"].split(".")[2]: r["failures"] for r in run["results"]}
    assert failures["unique_fct_ai_costs_charge_id"] == 1
    assert failures[sign_rule] == 1
    assert broken.negated_cost > 0


def test_missing_public_table_fails_the_checkpoint(
    sample_warehouse: DbtResult, tmp_path: Path
) -> None:
    db = copy_warehouse(sample_warehouse, tmp_path / "no_incidents")
    with duckdb.connect(str(db)) as con:
        con.execute("drop table mart_pricing_incidents")
    run = run_checkpoint(db, tmp_path / "docs")
    assert run.returncode == 1
    assert run.failing() == {("public_tables", "public_table_present")}
    [missing] = run.check("public_tables", "public_table_present")["unexpected_index_list"]
    assert missing["table_name"] == "mart_pricing_incidents"
