"""Staging of the CSV exports: GitHub Copilot usage report, seat licences and
ChatGPT Enterprise user analytics.

Builds the three staging models once over the hand-written raw folder
tests/fixtures/copilot_seats_activity (github_copilot/, seats/, activity/),
once over tests/fixtures/copilot_seats_activity_missing_columns (every file set
has a file whose header lacks a required column: the build must fail and name
the file and the column), once over an empty raw folder (absent vendors give
zero rows), and runs `dbt source freshness` once. Every figure below was worked
out by hand from the fixture files; the per-file record counts and the Copilot
net total are also recomputed here in Python, independently of dbt.

Bad inputs in the fixtures (each asserted with its reason):
- github_copilot: a UTF-8 byte-order mark with CRLF line ends and an unknown
  extra column (`notes`), quoted fields with a comma, a non-numeric amount
  (`abc`, `n/a`), a row with too few fields, an empty SKU, an impossible date,
  an empty file, a header-only file, a Latin-1 file, gross - discount != net;
- seats: an unknown provider, end_date on or before start_date, an unparseable
  date and price, too few fields, a weekly billing period, a BOM + CRLF file;
- activity: non-integer counts (`many`, `4.5`), a non-boolean is_active, too
  few fields, an impossible period_start, a BOM + CRLF file.
The fixture folders carry `.gitattributes` (`* -text`) so that git keeps the
CRLF, BOM and Latin-1 bytes exactly.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import time
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, ROOT, DbtResult, build_warehouse, run_dbt

FIXTURE = FIXTURES / "copilot_seats_activity"
MISSING_FIXTURE = FIXTURES / "copilot_seats_activity_missing_columns"
SELECT = "stg_raw__files staging.github_copilot staging.seats staging.activity"

# model -> (export folder, source name, source table)
MODELS = {
    "stg_github_copilot__usage": ("github_copilot", "github_copilot", "usage"),
    "stg_seats__assignments": ("seats", "seats", "assignments"),
    "stg_activity__chatgpt_users": ("activity", "activity", "chatgpt_users"),
}

CONTRACT_COLUMNS = [
    ("source_file", "VARCHAR"),
    ("source_row", "BIGINT"),
    ("raw_record", "VARCHAR"),
    ("rejected_reason", "VARCHAR"),
    ("file_modified_at", "TIMESTAMP WITH TIME ZONE"),
]

COPILOT = "stg_github_copilot__usage"
SEATS = "stg_seats__assignments"
ACTIVITY = "stg_activity__chatgpt_users"

# (model, file name) -> (rows read, usable, rejected), worked out by hand.
# A file that cannot be read at all is one rejected row (source_row 0); a
# header-only file has no record at all.
EXPECTED_FILE_COUNTS = {
    (COPILOT, "2026-05-15_usage_report.csv"): (4, 3, 1),
    (COPILOT, "2026-05-20_usage_report.csv"): (1, 0, 1),
    (COPILOT, "2026-05-21_usage_report.csv"): (0, 0, 0),
    (COPILOT, "2026-05-22_usage_report.csv"): (1, 0, 1),
    (COPILOT, "2026-06-03_usage_report.csv"): (12, 8, 4),
    (SEATS, "2026-05-01_seats.csv"): (2, 2, 0),
    (SEATS, "2026-06-01_seats.csv"): (14, 6, 8),
    (ACTIVITY, "2026-06-02_chatgpt_users_monthly.csv"): (8, 3, 5),
    (ACTIVITY, "2026-06-02_chatgpt_users_weekly.csv"): (2, 2, 0),
}

# (model, file name, source_row) -> rejected_reason. In
# 2026-06-03_usage_report.csv line 7 is blank, so data rows after it are
# numbered by line (source_row 7 is the 2026-06-02 premium-request row).
EXPECTED_REJECTIONS = {
    (COPILOT, "2026-05-15_usage_report.csv", 4):
        "gross_amount is not a number: 'abc'",
    (COPILOT, "2026-05-20_usage_report.csv", 0): "empty file",
    (COPILOT, "2026-05-22_usage_report.csv", 0): "file is not UTF-8 text",
    (COPILOT, "2026-06-03_usage_report.csv", 10):
        "net_amount is not a number: 'n/a'",
    (COPILOT, "2026-06-03_usage_report.csv", 11):
        "row has 6 fields, header has 17",
    (COPILOT, "2026-06-03_usage_report.csv", 12): "sku is empty",
    (COPILOT, "2026-06-03_usage_report.csv", 13):
        "date is not a date: '2026-06-31'",
    (SEATS, "2026-06-01_seats.csv", 7): "unknown provider: 'chatgpt'",
    (SEATS, "2026-06-01_seats.csv", 8):
        "end_date '2026-05-01' is not after start_date '2026-05-01'",
    (SEATS, "2026-06-01_seats.csv", 9):
        "end_date '2026-04-01' is not after start_date '2026-05-01'",
    (SEATS, "2026-06-01_seats.csv", 10):
        "start_date is not a date: '01/05/2026'",
    (SEATS, "2026-06-01_seats.csv", 11):
        "unit_price is not a number: '19,00'",
    (SEATS, "2026-06-01_seats.csv", 12): "row has 6 fields, header has 12",
    (SEATS, "2026-06-01_seats.csv", 13):
        "billing_period is not monthly or annual: 'weekly'",
    (SEATS, "2026-06-01_seats.csv", 14):
        "end_date is not a date: '2026-13-01'",
    (ACTIVITY, "2026-06-02_chatgpt_users_monthly.csv", 4):
        "messages is not a whole number: 'many'",
    (ACTIVITY, "2026-06-02_chatgpt_users_monthly.csv", 5):
        "is_active is not a boolean: 'perhaps'",
    (ACTIVITY, "2026-06-02_chatgpt_users_monthly.csv", 6):
        "row has 14 fields, header has 27",
    (ACTIVITY, "2026-06-02_chatgpt_users_monthly.csv", 7):
        "messages is not a whole number: '4.5'",
    (ACTIVITY, "2026-06-02_chatgpt_users_monthly.csv", 8):
        "period_start is not a date: '2026-13-01'",
}


# --------------------------------------------------------------------------
# Independent reading of the fixture files (Python's csv module, not dbt)
# --------------------------------------------------------------------------


def read_csv_export(path: Path) -> tuple[str | None, list[tuple[int, dict]]]:
    """(whole-file problem or None, [(source_row, record by header)]).

    source_row is the line number minus the header line; blank lines are
    skipped but keep their number, as the staging contract says.
    """
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "file is not UTF-8 text", []
    if text.strip() == "":
        return "empty file", []
    lines = text.replace("\r\n", "\n").split("\n")
    header = next(csv.reader([lines[0]]))
    records = []
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() == "":
            continue
        fields = next(csv.reader(io.StringIO(line)))
        records.append((number, dict(zip(header, fields))
                        if len(fields) == len(header) else {}))
    return None, records


def rows_read(path: Path) -> int:
    problem, records = read_csv_export(path)
    return 1 if problem else len(records)


def usable_records(model: str, folder: str) -> list[tuple[str, int, dict]]:
    """Records of the fixture not listed in EXPECTED_REJECTIONS."""
    out = []
    for path in sorted((FIXTURE / folder).glob("*.csv")):
        problem, records = read_csv_export(path)
        if problem:
            continue
        for number, record in records:
            if (model, path.name, number) not in EXPECTED_REJECTIONS:
                out.append((path.name, number, record))
    return out


# --------------------------------------------------------------------------
# Builds
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    base = tmp_path_factory.mktemp("csv_exports")
    raw = base / "raw"
    shutil.copytree(FIXTURE, raw)
    result = build_warehouse(raw, base / "work", select=SELECT)
    assert result.returncode == 0, result.output[-5000:]
    return result


@pytest.fixture(scope="module")
def missing_columns_build(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    base = tmp_path_factory.mktemp("csv_missing_columns")
    raw = base / "raw"
    shutil.copytree(MISSING_FIXTURE, raw)
    # One dbt thread: check_required_columns() creates main.raw_schema_drift_log
    # on first use, and two models creating it at the same instant make DuckDB
    # fail one of them with a catalog write-write conflict instead of the
    # schema_drift message (see the macro; an on-run-start hook would fix it).
    return build_warehouse(raw, base / "work", select=SELECT,
                           extra_env={"AI_FINOPS_THREADS": "1"})


def file_name(source_file: str) -> str:
    return source_file.rsplit("/", 1)[-1]


def staged(result: DbtResult, model: str, columns: str,
           where: str = "true") -> list[tuple]:
    return result.query(
        f"select regexp_extract(source_file, '[^/]+$'), {columns} "
        f"from {model} where {where} order by 1, source_row"
    )


# --------------------------------------------------------------------------
# Fixture integrity: git must keep the exact bytes
# --------------------------------------------------------------------------


def test_fixture_bytes_are_intact() -> None:
    bom_crlf = FIXTURE / "github_copilot" / "2026-05-15_usage_report.csv"
    data = bom_crlf.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    latin1 = FIXTURE / "github_copilot" / "2026-05-22_usage_report.csv"
    with pytest.raises(UnicodeDecodeError):
        latin1.read_bytes().decode("utf-8")
    assert (FIXTURE / "github_copilot" / "2026-05-20_usage_report.csv"
            ).stat().st_size == 0
    for name in ("seats/2026-05-01_seats.csv",
                 "activity/2026-06-02_chatgpt_users_weekly.csv"):
        data = (FIXTURE / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data


def test_required_columns_match_the_source_yaml() -> None:
    """The list passed to check_required_columns() is the yml's meta.required."""
    for model, (folder, source_name, table_name) in MODELS.items():
        model_dir = ROOT / "models" / "staging" / folder
        sources = yaml.safe_load(
            (model_dir / f"_{folder}__sources.yml").read_text())
        (source,) = [s for s in sources["sources"] if s["name"] == source_name]
        (table,) = [t for t in source["tables"] if t["name"] == table_name]
        required = {c["name"] for c in table["columns"]
                    if (c.get("meta") or {}).get("required")}
        sql = (model_dir / f"{model}.sql").read_text()
        match = re.search(
            r"check_required_columns\('%s', '%s', \[(.*?)\]\)"
            % (source_name, table_name), sql, re.S)
        assert match, model
        checked = set(re.findall(r"'([a-z_]+)'", match.group(1)))
        assert checked == required, model


# --------------------------------------------------------------------------
# Nothing lost: rows read = usable + rejected, per file
# --------------------------------------------------------------------------


def test_contract_columns_come_first(built: DbtResult) -> None:
    for model in MODELS:
        columns = built.query(
            "select column_name, data_type from information_schema.columns "
            "where table_name = ? order by ordinal_position", [model])
        assert columns[:5] == CONTRACT_COLUMNS, model
        assert ("export_period_key", "VARCHAR") in columns, model


def test_rows_read_equal_usable_plus_rejected_per_file(built: DbtResult) -> None:
    for model, (folder, _, _) in MODELS.items():
        counts = {
            file_name(f): (n, used, rejected)
            for f, n, used, rejected in built.query(
                "select source_file, count(*),"
                " count(*) filter (where rejected_reason is null),"
                " count(*) filter (where rejected_reason is not null)"
                f" from {model} group by 1"
            )
        }
        for path in sorted((FIXTURE / folder).glob("*.csv")):
            expected = EXPECTED_FILE_COUNTS[(model, path.name)]
            got = counts.get(path.name, (0, 0, 0))
            assert got == expected, (model, path.name)
            # independent count of records with Python's own reader
            assert got[0] == rows_read(path), (model, path.name)
            assert got[0] == got[1] + got[2]
        assert set(counts) <= {p.name for p in (FIXTURE / folder).glob("*")}


def test_rejection_reasons_name_field_and_value(built: DbtResult) -> None:
    got = {}
    for model in MODELS:
        for name, row, reason in staged(
            built, model, "source_row, rejected_reason",
            "rejected_reason is not null",
        ):
            got[(model, name, row)] = reason
    assert got == EXPECTED_REJECTIONS


def test_whole_file_rows_have_no_record(built: DbtResult) -> None:
    rows = built.query(
        f"select raw_record, export_period_key from {COPILOT} "
        "where source_row = 0"
    )
    assert rows == [(None, None), (None, None)]


# --------------------------------------------------------------------------
# GitHub Copilot usage report
# --------------------------------------------------------------------------


def test_copilot_net_total_matches_the_files_to_the_cent(
    built: DbtResult,
) -> None:
    records = usable_records(COPILOT, "github_copilot")
    python_total = sum(Decimal(r["net_amount"]) for _, _, r in records)
    # by hand: 0.00 + 3.20 + 390.00 (May 15 file) + 0.48 + 6.00 + 0.25
    # + 0.00 + 20.00 + 1.20 + 475.00 + 0.00 (June 3 file)
    assert python_total == Decimal("896.13")
    staged_total = built.scalar(
        f"select sum(net_amount) from {COPILOT} where rejected_reason is null")
    assert staged_total == python_total
    assert built.scalar(
        f"select count(*) from {COPILOT} where rejected_reason is null"
    ) == len(records) == 11
    assert built.query(
        f"select distinct billing_currency from {COPILOT} "
        "where rejected_reason is null") == [("USD",)]


def test_copilot_premium_requests_and_ai_credits_split_at_june_2026(
    built: DbtResult,
) -> None:
    by_class = {
        row[0]: row[1:]
        for row in built.query(
            "select token_class, count(*), sum(net_amount), sum(quantity),"
            " sum(aic_quantity), sum(aic_gross_amount),"
            " min(usage_on), max(usage_on)"
            f" from {COPILOT} where rejected_reason is null group by 1"
        )
    }
    premium = by_class["premium_request"]
    assert premium[:3] == (5, Decimal("9.93"), Decimal("579.5"))
    assert str(premium[6]) == "2026-05-31"  # none from 2026-06-01 on
    credit = by_class["ai_credit"]
    assert credit[:5] == (
        3, Decimal("21.20"), Decimal("3580.5"), Decimal("3550.5"),
        Decimal("35.505"),
    )
    assert str(credit[5]) == "2026-06-01"
    assert by_class["seat"][:2] == (2, Decimal("865.00"))
    assert by_class["other"][:2] == (1, Decimal("0.00"))
    # independently: every premium-request-like SKU is split by its date
    for name, row, record in usable_records(COPILOT, "github_copilot"):
        if "premium" in record["sku"].lower():
            expected = ("premium_request" if record["date"] < "2026-06-01"
                        else "ai_credit")
            got = built.scalar(
                f"select token_class from {COPILOT} "
                "where source_file like ? and source_row = ?",
                [f"%/{name}", row])
            assert got == expected, (name, row)
    assert built.query(
        f"select count(*) filter (where is_ai_credit_era),"
        f" count(*) filter (where not is_ai_credit_era)"
        f" from {COPILOT} where rejected_reason is null") == [(5, 6)]


def test_copilot_amount_inconsistency_is_flagged_not_rejected(
    built: DbtResult,
) -> None:
    python_flagged = {
        (name, row)
        for name, row, r in usable_records(COPILOT, "github_copilot")
        if Decimal(r["gross_amount"]) - Decimal(r["discount_amount"])
        != Decimal(r["net_amount"])
    }
    assert python_flagged == {("2026-06-03_usage_report.csv", 3)}
    assert {
        (name, row) for name, row in staged(
            built, COPILOT, "source_row", "is_amount_inconsistent")
    } == python_flagged


def test_copilot_bom_crlf_quoting_and_extra_column(built: DbtResult) -> None:
    rows = staged(
        built, COPILOT,
        "source_row, usage_on, cost_center_name, sku, net_amount, raw_record",
        "source_file like '%2026-05-15_usage_report.csv'",
    )
    first, second, third = rows[:3]
    assert str(first[2]) == "2026-05-14"  # first column read despite the BOM
    assert not first[6].startswith("\ufeff") and "\r" not in first[6]
    assert second[3] == "Platform, Core"
    assert second[5] == Decimal("3.20")
    assert third[4] == "copilot_enterprise"
    columns = [c for (c,) in built.query(
        "select column_name from information_schema.columns "
        "where table_name = ?", [COPILOT])]
    assert "notes" not in columns


def test_copilot_optional_columns(built: DbtResult) -> None:
    rows = dict(
        (row[1], row[2:]) for row in staged(
            built, COPILOT, "source_row, vendor_model, aic_quantity,"
            " export_period_key, is_ai_spend",
            "source_file like '%2026-06-03_usage_report.csv'"
            " and rejected_reason is null",
        )
    )
    assert rows[1] == ("claude-sonnet-4.5", None, "acme|2026-05-30", True)
    assert rows[5] == ("gpt-5", Decimal("2300.5"), "acme|2026-06-01", True)
    assert rows[9] == (None, None, "acme|2026-06-01", False)  # actions_linux
    # the May 15 report has neither `model` nor `aic_*` columns
    assert built.query(
        f"select count(vendor_model), count(aic_quantity) from {COPILOT} "
        "where source_file like '%2026-05-15_usage_report.csv'") == [(0, 0)]


# --------------------------------------------------------------------------
# Seat licences
# --------------------------------------------------------------------------


def test_seats_usable_rows(built: DbtResult) -> None:
    records = usable_records(SEATS, "seats")
    assert len(records) == 8
    by_currency = dict(built.query(
        f"select billing_currency, sum(unit_price) from {SEATS} "
        "where rejected_reason is null group by 1"))
    python_by_currency: dict[str, Decimal] = {}
    for _, _, r in records:
        python_by_currency[r["currency"]] = (
            python_by_currency.get(r["currency"], Decimal(0))
            + Decimal(r["unit_price"]))
    # by hand: USD 60 + 19 (May 1) + 60 + 60 + 60 + 19 + 40 (June 1); EUR 150
    assert by_currency == python_by_currency == {
        "USD": Decimal("318"), "EUR": Decimal("150")}
    rows = {
        row[1]: row[2:] for row in staged(
            built, SEATS,
            "source_row, seat_id, provider, user_email, team, unit_price,"
            " billing_period, start_on, end_on, is_still_assigned,"
            " export_period_key",
            "source_file like '%2026-06-01_seats.csv'"
            " and rejected_reason is null",
        )
    }
    ana = rows[1]
    # pseudonymised, of the lowercased address (docs/privacy.md)
    assert ana[:3] == ("cgpt-0001", "openai", built.pseudonym("ana@acme.org"))
    assert (ana[5], str(ana[6]), ana[7], ana[8]) == (
        "annual", "2026-01-01", None, True)
    ben = rows[2]
    assert (str(ben[7]), ben[8]) == ("2026-04-01", False)  # exclusive end
    assert rows[3][3] == "Platform, Core"
    assert rows[5][1:3] == ("anthropic", None)  # a seat assigned to nobody
    assert rows[5][4] == Decimal("150")
    assert built.query(
        f"select distinct export_period_key from {SEATS}") == [("snapshot",)]


# --------------------------------------------------------------------------
# ChatGPT Enterprise user analytics
# --------------------------------------------------------------------------


def test_activity_usable_rows(built: DbtResult) -> None:
    rows = {
        (name, row[0]): tuple(row[1:]) for name, *row in staged(
            built, ACTIVITY,
            "source_row, export_period_key, user_name, user_email,"
            " department, is_active, messages, tool_messages,"
            " json_extract(model_to_messages, '$.o3')::int",
            "rejected_reason is null",
        )
    }
    monthly = "2026-06-02_chatgpt_users_monthly.csv"
    weekly = "2026-06-02_chatgpt_users_weekly.csv"
    # names and addresses arrive pseudonymised (docs/privacy.md)
    p = built.pseudonym
    assert rows[(monthly, 1)] == (
        "monthly|2026-05-01", p("Ana Ruiz"), p("ana@acme.org"), "Finance", True,
        412, 12, None)
    assert rows[(monthly, 2)] == (
        "monthly|2026-05-01", p("Ruiz, Ben"), p("ben@acme.org"), "Engineering",
        False, 0, 0, None)
    assert rows[(monthly, 3)] == (
        "monthly|2026-05-01", p("Cara Diaz"), p("cara@acme.org"), "Platform", True,
        95, 5, 15)
    assert rows[(weekly, 1)][:6] == (
        "weekly|2026-05-25", p("Ana Ruiz"), p("ana@acme.org"), "Finance", True, 101)
    assert rows[(weekly, 2)][3:6] == (None, False, 0)
    python_messages = sum(
        int(r["messages"]) for _, _, r in usable_records(ACTIVITY, "activity"))
    assert python_messages == 412 + 0 + 95 + 101 + 0
    assert built.scalar(
        f"select sum(messages) from {ACTIVITY} where rejected_reason is null"
    ) == python_messages
    types = dict(built.query(
        "select column_name, data_type from information_schema.columns "
        "where table_name = ?", [ACTIVITY]))
    assert types["messages"] == "BIGINT"
    assert types["projects_created"] == "BIGINT"
    assert types["is_active"] == "BOOLEAN"
    assert types["period_start_on"] == "DATE"
    assert types["department"] == "VARCHAR"


# --------------------------------------------------------------------------
# dbt unit tests ran; missing required columns; absent folders; freshness
# --------------------------------------------------------------------------


def test_unit_tests_ran(built: DbtResult) -> None:
    for name in ("test_stg_github_copilot__usage_sku_era_mapping",
                 "test_stg_seats__assignments_validation",
                 "test_stg_activity__chatgpt_users_parsing"):
        assert re.search(rf"PASS \S+::{name}", built.output), name
    assert re.search(r"PASS=\d+ WARN=0 ERROR=0", built.output)


def test_missing_required_column_fails_the_build_naming_file_and_column(
    missing_columns_build: DbtResult,
) -> None:
    result = missing_columns_build
    assert result.returncode != 0
    raw = result.raw_dir
    for path, column in [
        (raw / "github_copilot" / "2026-06-02_usage_report.csv", "net_amount"),
        (raw / "seats" / "2026-06-01_seats.csv", "unit_price"),
        (raw / "seats" / "2026-06-01_seats.csv", "billing_period"),
        (raw / "activity" / "2026-06-02_chatgpt_users_monthly.csv", "email"),
    ]:
        assert f"{path} is missing required column '{column}'" in result.output
    # the complete Copilot file is not blamed
    assert "2026-06-01_usage_report.csv is missing" not in result.output
    assert sorted(result.query(
        "select table_name, missing_column from main.raw_schema_drift_log"
    )) == [
        ("assignments", "billing_period"), ("assignments", "unit_price"),
        ("chatgpt_users", "email"), ("usage", "net_amount"),
    ]


def test_absent_folders_give_zero_rows(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    result = build_warehouse(raw, tmp_path / "work", select=SELECT)
    assert result.returncode == 0, result.output[-5000:]
    for model in MODELS:
        assert result.scalar(f"select count(*) from {model}") == 0


def test_source_freshness_reads_file_modification_times(
    tmp_path: Path,
) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(FIXTURE, raw)
    (tmp_path / "work").mkdir()
    now = time.time()
    for path in raw.rglob("*.csv"):
        os.utime(path, (now, now))
    result = run_dbt(
        ["source", "freshness", "--select",
         "source:github_copilot source:seats source:activity"],
        raw, tmp_path / "work" / "ai_finops.duckdb", tmp_path / "work",
    )
    assert result.returncode == 0, result.output[-5000:]
    for source in ("github_copilot.usage", "seats.assignments",
                   "activity.chatgpt_users"):
        assert re.search(rf"PASS freshness of {re.escape(source)}",
                         result.output), source
