"""What the benchmark measures, how a measurement reads in the log, and the ratios."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from warehouse_bench.spark import SparkResult


@dataclass
class Measure:
    """Wall time and peak RSS of one child process; `error` when it failed.

    `completed` is true when every node ran: a dbt build whose only failures are data tests
    still measures the whole build (its time counts), one that stopped early does not.
    """

    seconds: float
    peak_rss_mb: float
    returncode: int
    error: str | None = None
    completed: bool = True
    # dbt's own execution time per resource type and of the slowest nodes (run_results.json)
    node_seconds: dict[str, float] = field(default_factory=dict)
    slowest_nodes: list[tuple[str, float]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.completed


@dataclass
class SizeResult:
    """Everything measured for one size."""

    target_rows: int
    scale: float
    rows: int = 0
    raw_mb: float = 0.0
    full_build: Measure | None = None
    startup: Measure | None = None
    floor: Measure | None = None
    floor_check: dict[str, Any] = field(default_factory=dict)
    history: dict[str, Measure] = field(default_factory=dict)
    refresh: dict[str, Measure] = field(default_factory=dict)
    # per history: the differences between the refresh and a full build (empty: equal)
    refresh_equals_full: dict[str, list[str]] = field(default_factory=dict)
    ratios: dict[str, float | None] = field(default_factory=dict)
    # --engine spark: the 365-day build and refresh on Spark (warehouse_bench/spark.py)
    spark: SparkResult | None = None


def describe(m: Measure) -> str:
    text = f"{m.seconds:.1f} s, peak {m.peak_rss_mb:,.0f} MB"
    if m.node_seconds:
        text += " (" + ", ".join(f"{k} {v:,.1f} s" for k, v in m.node_seconds.items()) + ")"
    if m.returncode == 0:
        return text
    if m.completed:
        return f"{text} (completed; failing tests: {m.error})"
    return f"FAILED after {text}: {m.error}"


def ratio(numerator: Measure | None, denominator: Measure | None) -> float | None:
    if numerator is None or denominator is None or not numerator.ok or not denominator.ok:
        return None
    return round(numerator.seconds / denominator.seconds, 2)


def net_ratio(build: Measure | None, startup: Measure | None,
              floor: Measure | None) -> float | None:
    """(build - dbt's fixed start-up) / floor: the data-dependent part of the build."""
    if build is None or startup is None or floor is None:
        return None
    if not (build.ok and startup.ok and floor.ok):
        return None
    return round((build.seconds - startup.seconds) / floor.seconds, 2)


def ratios(result: SizeResult) -> dict[str, float | None]:
    spark = result.spark
    return {
        "build_over_floor": ratio(result.full_build, result.floor),
        "build_net_of_startup_over_floor": net_ratio(
            result.full_build, result.startup, result.floor),
        "refresh_365_over_full": ratio(result.refresh.get("365"), result.full_build),
        "growth_90_to_365": ratio(result.refresh.get("365"), result.refresh.get("90")),
        "spark_build_over_duckdb": ratio(spark.full_build if spark else None, result.full_build),
        "spark_refresh_over_duckdb": ratio(spark.refresh if spark else None,
                                           result.refresh.get("365")),
        "spark_refresh_over_spark_build": ratio(spark.refresh if spark else None,
                                                spark.full_build if spark else None),
    }
