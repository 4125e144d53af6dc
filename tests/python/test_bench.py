"""The benchmark script's arithmetic and report, on hand-made measurements (no dbt run)."""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import asdict
from pathlib import Path

from conftest import ROOT

spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
assert spec and spec.loader
bench = importlib.util.module_from_spec(spec)
sys.modules["bench"] = bench
spec.loader.exec_module(bench)


def test_node_times_sum_per_resource_type_and_rank_the_slowest(tmp_path: Path) -> None:
    results = tmp_path / "run_results.json"
    results.write_text(json.dumps({"results": [
        {"unique_id": "model.ai_finops.fct_ai_costs", "execution_time": 4.25},
        {"unique_id": "model.ai_finops.stg_aws__cur", "execution_time": 1.5},
        {"unique_id": "test.ai_finops.unique_fct_ai_costs_charge_id.abc", "execution_time": 0.75},
        {"unique_id": "test.ai_finops.not_null_x.def", "execution_time": 0.5},
        {"unique_id": "seed.ai_finops.price_book", "execution_time": 0.125},
    ]}))
    per_type, slowest = bench.node_times(results)
    assert per_type == {"model": 5.75, "test": 1.25, "seed": 0.12}
    assert slowest[:3] == [("fct_ai_costs", 4.25), ("stg_aws__cur", 1.5),
                           ("abc", 0.75)]
    assert len(slowest) == 5


def test_ratios_and_report() -> None:
    full = bench.Measure(200.0, 3000.0, 0, node_seconds={"model": 150.0, "test": 40.0},
                         slowest_nodes=[("int_ai_costs_charged_back", 30.0)])
    floor = bench.Measure(20.0, 400.0, 0)
    startup = bench.Measure(50.0, 600.0, 0)
    refresh_90 = bench.Measure(25.0, 900.0, 0)
    refresh_365 = bench.Measure(30.0, 1000.0, 0)
    result = bench.SizeResult(target_rows=1_000_000, scale=96.42, rows=1_015_968, raw_mb=387.0,
                              full_build=full, startup=startup, floor=floor,
                              refresh={"90": refresh_90, "365": refresh_365})
    assert bench.ratios(result) == {
        "build_over_floor": 10.0,  # 200 / 20
        "build_net_of_startup_over_floor": 7.5,  # (200 - 50) / 20
        "refresh_365_over_full": 0.15,  # 30 / 200
        "growth_90_to_365": 1.2,  # 30 / 25
        "spark_build_over_duckdb": None,  # no Spark run
        "spark_refresh_over_duckdb": None,
        "spark_refresh_over_spark_build": None,
    }
    result.ratios = bench.ratios(result)
    run = {"settings": {"duckdb_threads": 2, "duckdb_memory_limit": "3GB",
                        "date": "2026-11-29T16:00Z", "load_average_at_start": [0.5]},
           **asdict(result)}
    run = json.loads(json.dumps(run))  # as saved in results.json
    info = {"nproc": 2, "cpu": "test cpu", "memory_gib": 23.5, "duckdb": "2.0.1",
            "dbt": "1.11.16", "python": "3.11.7"}
    report = bench.markdown(info, [run])
    assert ("| 1,015,968 | 387 | 2 / 3GB | 200.0 | 3,000.0 | 50.0 | 20.0 | 10.00 | 7.50 | 25.0 "
            "| 30.0 | 0.15 | 1.20 |") in report
    assert ("- 1,015,968 records, full build: model 150.0, test 40.0; slowest: "
            "int_ai_costs_charged_back 30.0") in report


def test_a_failed_build_has_no_ratio() -> None:
    failed = bench.Measure(432.0, 12680.0, 1, error="Out of Memory", completed=False)
    result = bench.SizeResult(target_rows=1_000_000, scale=1.0, full_build=failed,
                              floor=bench.Measure(22.4, 400.0, 0))
    assert bench.ratios(result)["build_over_floor"] is None
    assert bench.ratios(result)["build_net_of_startup_over_floor"] is None


def test_spark_beside_duckdb() -> None:
    duck_full, duck_refresh = bench.Measure(80.0, 2000.0, 0), bench.Measure(32.0, 1500.0, 0)
    spark = bench.SparkResult(full_build=bench.Measure(600.0, 5200.0, 0,
                                                       node_seconds={"model": 400.0}),
                              refresh=bench.Measure(240.0, 5100.0, 0))
    result = bench.SizeResult(target_rows=1_000_000, scale=96.42, rows=1_015_968, raw_mb=387.0,
                              full_build=duck_full, refresh={"365": duck_refresh}, spark=spark)
    ratios = bench.ratios(result)
    assert ratios["spark_build_over_duckdb"] == 7.5  # 600 / 80
    assert ratios["spark_refresh_over_duckdb"] == 7.5  # 240 / 32
    assert ratios["spark_refresh_over_spark_build"] == 0.4  # 240 / 600
    result.ratios = ratios
    run = json.loads(json.dumps({"settings": {"duckdb_threads": 2, "duckdb_memory_limit": "3GB",
                                              "date": "2026-12-03T18:00Z",
                                              "load_average_at_start": [0.5]},
                                 **asdict(result)}))
    info = {"nproc": 2, "cpu": "test cpu", "memory_gib": 23.5, "duckdb": "2.0.1",
            "dbt": "1.11.16", "python": "3.11.7"}
    report = bench.markdown(info, [run])
    assert ("| 1,015,968 | local[2] / " + spark.driver_memory + " | 600.0 | 5,200.0 | 80.0 "
            "| 7.50 | 240.0 | 32.0 | 7.50 | 0.40 | yes |") in report
    assert "- 1,015,968 records, Spark full build: model 400.0; slowest: " in report
    spark.equals_duckdb = ["fct_ai_costs: 3 rows only on DuckDB"]
    run["spark"]["equals_duckdb"] = spark.equals_duckdb
    assert "| 0.40 | NO: 1 |" in bench.markdown(info, [run])
