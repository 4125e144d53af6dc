"""A raw folder holding only one vendor builds, for each vendor, and yields only that vendor.

Each folder gets the first export file(s) of one vendor from the shipped sample; the builds
run two at a time (dbt's unit tests, which do not read the raw folder, are skipped here).
The project's own formats (seats, activity, gateway) are built alone in the staging tests.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import ROOT, DbtResult, build_warehouse
from rawcount import records

SAMPLE = ROOT / "data" / "sample"

# vendor folder(s) → the provider expected in fct_ai_costs
VENDORS: dict[str, tuple[tuple[str, ...], set[str]]] = {
    "openai": (("openai/usage_completions", "openai/costs"), {"openai"}),
    "anthropic": (("anthropic/usage_messages", "anthropic/cost_report"), {"anthropic"}),
    "aws_cur": (("aws_cur",), {"aws_bedrock"}),
    "azure_cost": (("azure_cost",), {"azure_openai"}),
    "gcp_billing": (("gcp_billing",), {"gcp_vertex"}),
    "github_copilot": (("github_copilot",), {"github_copilot"}),
    "cursor": (("cursor/usage_events",), {"cursor"}),
}


def one_vendor_folder(vendor: str, dest: Path) -> dict[str, int]:
    """Copies the first file of each of the vendor's exports; returns records per file."""
    counts: dict[str, int] = {}
    for export in VENDORS[vendor][0]:
        source = sorted(p for p in (SAMPLE / export).iterdir() if p.is_file())[0]
        target = dest / export / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
        counts[str(target)] = len(records(export, target))
    return counts


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[DbtResult, dict[str, int]]]:
    base = tmp_path_factory.mktemp("single_vendor")

    def run(vendor: str) -> tuple[str, tuple[DbtResult, dict[str, int]]]:
        raw = base / vendor / "raw"
        counts = one_vendor_folder(vendor, raw)
        result = build_warehouse(raw, base / vendor / "work", unit_tests=False)
        return vendor, (result, counts)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, VENDORS))


@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_one_vendor_builds(builds, vendor: str) -> None:
    result, counts = builds[vendor]
    assert result.returncode == 0, result.output[-3000:]
    providers = {p for (p,) in result.query("select distinct provider from fct_ai_costs")}
    assert providers == VENDORS[vendor][1]
    used = dict(result.query(
        "select source_file, count(*) from int_raw_records_classified"
        " where record_status = 'used' group by 1"))
    assert used == counts
    # every other export is an empty, typed relation
    assert result.scalar("select count(*) from mart_rejected_rows") == 0
