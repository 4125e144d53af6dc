"""Nothing lost, nothing counted twice, vendor cost is billed truth: checked on the sample.

Every figure is recomputed from the raw files with Python's json/csv readers
(tests/python/rawcount.py) and compared with the warehouse.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from conftest import DbtResult
from rawcount import export_files, is_ai_row, records, vendor_cost

CENT = Decimal("0.01")


def test_rows_read_equal_used_plus_rejected_per_file(sample_warehouse: DbtResult) -> None:
    expected = {
        str(path): len(records(export, path))
        for export, path in export_files(sample_warehouse.raw_dir)
    }
    rows = sample_warehouse.query(
        """
        select source_file, record_status, count(*)
        from int_raw_records_classified where source_row > 0 group by 1, 2
        """
    )
    counted: dict[str, Counter[str]] = defaultdict(Counter)
    for source_file, status, n in rows:
        counted[source_file][status] += n
    assert set(counted) == set(expected)
    for source_file, n_read in expected.items():
        by_status = counted[source_file]
        assert sum(by_status.values()) == n_read, source_file
        assert set(by_status) <= {"used", "rejected", "superseded"}
    # the shipped sample has no malformed record: everything is used or superseded
    assert sum(c["rejected"] for c in counted.values()) == 0


@pytest.mark.parametrize(
    "export",
    [
        "openai/costs",
        "anthropic/cost_report",
        "aws_cur",
        "azure_cost",
        "gcp_billing",
        "github_copilot",
        "cursor/usage_events",
    ],
)
def test_vendor_total_per_file_equals_fct_billed(
    sample_warehouse: DbtResult, export: str
) -> None:
    used = {
        (f, r)
        for f, r in sample_warehouse.query(
            "select source_file, source_row from int_raw_records_classified"
            " where export_name = ? and record_status = 'used'",
            [export],
        )
    }
    vendor: dict[str, Decimal] = defaultdict(Decimal)
    for _, path in (item for item in export_files(sample_warehouse.raw_dir) if item[0] == export):
        for number, row in enumerate(records(export, path), start=1):
            if (str(path), number) in used and is_ai_row(export, row):
                vendor[str(path)] += vendor_cost(export, row) or Decimal(0)
    billed = dict(
        sample_warehouse.query(
            "select billed_source_file, sum(billed_cost) from fct_ai_costs"
            " where billed_source_file like ? group by 1",
            [f"%/{export}/%"],
        )
    )
    assert vendor, f"no {export} rows in the sample"
    for source_file, total in vendor.items():
        assert abs(billed.get(source_file, Decimal(0)) - total) < CENT, source_file
    assert abs(sum(billed.values()) - sum(vendor.values())) < CENT


def test_superseded_export_is_not_counted(sample_warehouse: DbtResult) -> None:
    """A restated export replaces its period: its rows are in mart_rejected_rows, not fct."""
    superseded = sample_warehouse.query(
        "select distinct source_file from mart_rejected_rows where record_status = 'superseded'"
    )
    assert superseded, "the sample ships one duplicated export"
    for (source_file,) in superseded:
        n = sample_warehouse.scalar(
            "select count(*) from fct_ai_costs where billed_source_file = ? or source_file = ?",
            [source_file, source_file],
        )
        assert n == 0, source_file


def test_every_charge_has_a_cost_or_is_an_estimate(sample_warehouse: DbtResult) -> None:
    rows = sample_warehouse.query(
        "select cost_source, count(*), count(billed_cost) from fct_ai_costs group by 1"
    )
    for cost_source, n, priced in rows:
        if cost_source == "vendor_reported":
            assert priced == n
        else:
            assert cost_source == "estimated_from_price_book"
