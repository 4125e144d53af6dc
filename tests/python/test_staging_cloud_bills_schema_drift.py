"""Staging of the cloud bills: a required column missing from an export stops
the build (stg_aws__cur, stg_azure__cost_details, stg_gcp__billing_export).

One dbt invocation: a build of the three models over
tests/fixtures/azure_missing_required_column (an Azure cost-details CSV
without CostInBillingCurrency) plus a generated .csv.gz lacking the required
CUR column line_item_unblended_cost. The build must fail, name each file and
its missing column, and log both in raw_schema_drift_log; the folder without
GCP exports still builds its (empty) model. The staging of well-formed and
malformed rows is checked in test_staging_cloud_bills.py.
"""

from __future__ import annotations

import gzip
import shutil

import pytest

from cloud_bills_cases import CUR_GZ_HEADER, MISSING_FIXTURE, SELECT
from conftest import DbtResult, build_warehouse


@pytest.fixture(scope="module")
def missing_column_build(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    base = tmp_path_factory.mktemp("cloud_bills_missing")
    raw = base / "raw"
    shutil.copytree(MISSING_FIXTURE, raw)
    (raw / "aws_cur").mkdir()
    header = CUR_GZ_HEADER.replace(",line_item_unblended_cost", "")
    (raw / "aws_cur" / "20260601T000000Z-cur-2026-05.csv.gz").write_bytes(
        gzip.compress((header + "\n").encode("utf-8"))
    )
    # only the three models: their unit and data tests run in the
    # `cloud_bills` build of test_staging_cloud_bills.py
    return build_warehouse(
        raw, base / "work", select=SELECT,
        extra_env={"DBT_INDIRECT_SELECTION": "empty"},
    )


def test_missing_required_column_stops_the_build(
    missing_column_build: DbtResult,
) -> None:
    result = missing_column_build
    assert result.returncode != 0
    raw = result.raw_dir
    azure_file = raw / "azure_cost" / "20260601T000000Z-azure-ea-2026-05.csv"
    gz_file = raw / "aws_cur" / "20260601T000000Z-cur-2026-05.csv.gz"
    assert (
        f"schema_drift in azure.cost_details: {azure_file} is missing"
        " required column 'CostInBillingCurrency'"
    ) in result.output
    assert (
        f"schema_drift in aws.cur: {gz_file} is missing required column"
        " 'line_item_unblended_cost'"
    ) in result.output
    logged = result.query(
        "select table_name, regexp_extract(source_file, '[^/]+$'),"
        " missing_column from main.raw_schema_drift_log order by 1"
    )
    assert logged == [
        ("cost_details", azure_file.name, "CostInBillingCurrency"),
        ("cur", gz_file.name, "line_item_unblended_cost"),
    ]
    # the folder without GCP exports still builds its (empty) model
    assert "OK created sql incremental model main.stg_gcp__billing_export" in (
        result.output
    )
