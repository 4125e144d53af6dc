"""Incremental refreshes over days 1..N equal a full build of day N, row for row and to the cent.

The generator writes day k of one 3-day world for each k (--horizon 3; start 2026-05-30, so
the days cross a month end, the Copilot AI-credit switch of 2026-06-01 and month-to-date
exports that a later export restates). Day k's files land in one raw folder the way a vendor
delivers them: new files appear, a file whose content changed is overwritten in place, nothing
is removed; on day 3 GitHub also re-delivers May's usage report under the same name with a
late line. After each landing `dbt run` refreshes one
warehouse incrementally; at the end a second warehouse is built from scratch over the same
folder. Every table of the cost chain and every public mart must be identical.
"""

from __future__ import annotations

import filecmp
import json
import re
import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, DbtResult, run_dbt

START = date(2026, 5, 30)
DAYS = 3
SCALE = "0.3"

COMPARED = [
    "int_raw_records_classified",
    "int_ai_charges_unioned",
    "int_ai_charges_priced",
    "int_ai_costs_allocated",
    "int_ai_costs_attributed",
    "int_ai_costs_converted",
    "fct_ai_costs",
    "focus_ai_costs",
    "int_model_charges_repriced",
    "int_user_directory",
    "int_ai_costs_shared",
    "int_ai_costs_charged_back",
    "mart_rejected_rows",
    "mart_chargeback_monthly",
    "mart_showback_monthly",
    "mart_pricing_incidents",
    "int_scope_spend_forecasted",
]


def generate(out: Path, days: int) -> Path:
    """Day `days` of one world of DAYS days (--horizon): what a vendor has exported by then."""
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_sample_data.py"), "--out", str(out),
         "--start", START.isoformat(), "--days", str(days), "--horizon", str(DAYS),
         "--scale", SCALE, "--no-progress"],
        check=True, capture_output=True,
    )
    (out / "manifest.json").unlink()
    return out


def land(day_folder: Path, raw: Path) -> tuple[int, int]:
    """Copies the day's new and changed files into `raw`; returns (new, overwritten)."""
    new = changed = 0
    for path in sorted(day_folder.rglob("*")):
        if not path.is_file():
            continue
        target = raw / path.relative_to(day_folder)
        if target.exists() and filecmp.cmp(path, target, shallow=False):
            continue
        if target.exists():
            changed += 1
        else:
            new += 1
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(target.name + ".landing")
        shutil.copyfile(path, staged)
        staged.replace(target)
    return new, changed


def restate_in_place(raw: Path) -> Path:
    """GitHub re-delivers May's usage report under the same name with a late line (a copy of
    its last line).

    The other days of the one-world landings only add files; this is the overwrite-in-place
    path (staging forgets and reloads the file; the chain recomputes the restated periods;
    the chargeback recomputes May, whose charges changed).
    """
    path = sorted((raw / "github_copilot").glob("*_usage_report_2026-05.csv"))[-1]  # newest
    lines = path.read_text().splitlines()
    staged = path.with_name(path.name + ".landing")
    staged.write_text("\n".join([*lines, lines[-1]]) + "\n")
    staged.replace(path)
    return path


# The incremental warehouse reads its raw files in tiny batches and builds the partitioned
# models (cost allocation, forecast) in many partitions; the full build uses the defaults (one
# batch, one partition here): the equality below also shows that neither changes a row.
SMALL_BATCHES = (
    "{raw_batch_megabytes: 0.05, chain_rows_per_partition: 500,"
    " forecast_scopes_per_partition: 2}"
)


def dbt_run(raw: Path, work: Path, *extra: str) -> DbtResult:
    result = run_dbt(["run", *extra], raw, work / "ai_finops.duckdb", work)
    assert result.returncode == 0, result.output[-5000:]
    return result


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    base = tmp_path_factory.mktemp("incremental")
    raw = base / "raw"
    raw.mkdir()
    incremental = base / "incremental"
    seeded = run_dbt(["seed"], raw, incremental / "ai_finops.duckdb", incremental)
    assert seeded.returncode == 0, seeded.output[-5000:]
    landed = []
    windows = []
    for day in range(1, DAYS + 1):
        new, changed = land(generate(base / f"day-{day}", day), raw)
        if day == DAYS:
            restate_in_place(raw)
            changed += 1
        landed.append((new, changed))
        result = dbt_run(raw, incremental, "--vars", SMALL_BATCHES)
        windows.append(tuple(
            result.query(
                "select window_start from main.incremental_refresh_log"
                " where model_name = ? order by refreshed_at desc limit 1", [model])[0][0]
            for model in ("int_ai_charges_unioned", "int_ai_costs_attributed",
                          "int_ai_costs_charged_back", "int_scope_spend_forecasted")
        ))
    full = base / "full"
    assert run_dbt(["seed"], raw, full / "ai_finops.duckdb", full).returncode == 0
    full_result = dbt_run(raw, full)
    log = (incremental / "logs" / "dbt.log").read_text()
    return {"incremental": result, "full": full_result, "landed": landed, "windows": windows,
            "log": log}


def test_landings_add_and_restate_files(refreshed: dict[str, object]) -> None:
    """The scenario exercises both paths of the per-file staging: new and overwritten files."""
    landed = refreshed["landed"]
    assert all(new > 0 for new, _ in landed)
    # May's Copilot usage report is restated in place on day 3
    assert landed[2][1] > 0


def test_refreshes_were_incremental(refreshed: dict[str, object]) -> None:
    """Day 1 is a whole-history window; later days recompute from the restated periods on."""
    windows = refreshed["windows"]
    # the chain and the forecast log DuckDB's date '-infinity', the chargeback its first
    # month (seats of 2025)
    assert windows[0] == (date.min, date.min, date(2025, 1, 1), date.min)
    # the chain: lookback_days (3) before the newest day, or the first day of a restated
    # period (the data start on 2026-05-30); the daily seats snapshots (joiners, leavers) do
    # not widen attribution to the whole history. The chargeback: the months whose charges
    # or seat holders changed: May on day 2 (its last day), May again on day 3 (the Copilot
    # report's late line), not the earlier months of the seats. The forecast: the first day
    # whose spend of a team or cost centre changed: May's seat licences, booked on 05-01,
    # on day 2 (the seat holders of May changed); on day 3 the first day of usage, 05-30
    assert windows[1:] == [
        (date(2026, 5, 29), date(2026, 5, 29), date(2026, 5, 1), date(2026, 5, 1)),
        (date(2026, 5, 30), date(2026, 5, 30), date(2026, 5, 1), date(2026, 5, 30)),
    ]


def test_small_batches_and_partitions_were_used(refreshed: dict[str, object]) -> None:
    """The incremental warehouse did load later raw-file batches and model partitions."""
    log: str = refreshed["log"]

    def appended(model: str) -> int:
        return len(re.findall(rf'insert into "[^"]+"\."main"\."{model}" by name', log))

    assert appended("stg_aws__cur") > 0
    assert appended("stg_azure__cost_details") > 0
    assert appended("int_ai_costs_allocated") > 0
    assert appended("int_scope_spend_forecasted") > 0


@pytest.mark.parametrize("table", COMPARED)
def test_incremental_equals_full_build(refreshed: dict[str, object], table: str) -> None:
    incremental: DbtResult = refreshed["incremental"]
    full: DbtResult = refreshed["full"]
    with incremental.connect() as con:
        con.execute(f"attach '{full.db_path}' as full_build (read_only)")
        columns = {row[0] for row in con.execute(
            "select column_name from information_schema.columns"
            " where table_catalog = current_database() and table_name = ?", [table]).fetchall()}
        # when staging loaded a record differs by construction; nothing else may
        rows_of = "* exclude (loaded_at)" if "loaded_at" in columns else "*"
        rows = con.execute(f"select count(*) from main.{table}").fetchall()[0][0]
        full_rows = con.execute(f"select count(*) from full_build.main.{table}").fetchall()[0][0]
        only_incremental = con.execute(
            f"select count(*) from (select {rows_of} from main.{table}"
            f" except all select {rows_of} from full_build.main.{table})").fetchall()[0][0]
        only_full = con.execute(
            f"select count(*) from (select {rows_of} from full_build.main.{table}"
            f" except all select {rows_of} from main.{table})").fetchall()[0][0]
    assert rows > 0
    assert (rows, only_incremental, only_full) == (full_rows, 0, 0)


def test_billed_totals_equal_to_the_cent(refreshed: dict[str, object]) -> None:
    """Per provider and day, the billed cost of both warehouses is the same figure."""
    sql = (
        "select provider, charge_on, sum(billed_cost) from fct_ai_costs"
        " group by all order by all"
    )
    incremental = refreshed["incremental"].query(sql)
    full = refreshed["full"].query(sql)
    assert incremental == full
    assert sum(cost for *_, cost in full if cost is not None) > Decimal("0")


def test_data_tests_read_the_rows_of_the_last_refresh(
    refreshed: dict[str, object], tmp_path: Path
) -> None:
    """A data test of a chain table reads the rows of the table's last refresh window.

    On a copy of the refreshed warehouse, two charges of int_ai_charges_unioned are inserted
    a second time: one of 2026-05-30 and one of 2026-06-01, and the log records a last
    refresh of the table from 2026-06-01. The uniqueness test then finds the one duplicate
    inside that window; with var test_whole_tables it finds both.
    """
    incremental: DbtResult = refreshed["incremental"]
    work = tmp_path / "planted"
    work.mkdir()
    db = work / "ai_finops.duckdb"
    shutil.copyfile(incremental.db_path, db)
    with duckdb.connect(str(db)) as con:
        for day in ("2026-05-30", "2026-06-01"):
            con.execute(
                "insert into int_ai_charges_unioned select * from int_ai_charges_unioned"
                " where charge_key = (select min(charge_key) from int_ai_charges_unioned"
                f" where charge_on = date '{day}' and cost_grain != 'seat')"
            )
        con.execute(
            "insert into incremental_refresh_log values ('int_ai_charges_unioned',"
            " now(), date '2026-06-01', 'planted')"
        )

    def failures(*extra: str) -> int:
        result = run_dbt(["test", "--select", "unique_int_ai_charges_unioned_charge_key",
                          *extra], incremental.raw_dir, db, work)
        assert result.returncode == 1, result.output[-3000:]
        results = json.loads((work / "target" / "run_results.json").read_text())["results"]
        (test,) = [node for node in results if node["unique_id"].startswith("test.")]
        assert test["status"] == "fail", test
        return test["failures"]

    assert failures() == 1
    assert failures("--vars", "{test_whole_tables: true}") == 2
