"""Runs the AI FinOps Great Expectations checkpoint on a DuckDB warehouse file.

    python scripts/run_gx_checkpoint.py --db warehouse/ai_finops.duckdb [--raw DIR]
        [--docs-dir build/gx_docs] [--results-json PATH]

The suites (gx/finops_suites.py) check what dbt's tests cannot: that the public tables exist
in the file and that per-file aggregates of the raw landing (gx/finops_datasets.py) agree with
the warehouse, each read from DuckDB (opened read-only) into a pandas DataFrame. Great Expectations runs in an ephemeral context (nothing is written under gx/);
Data Docs HTML goes to --docs-dir (default $AI_FINOPS_GX_DOCS_DIR or build/gx_docs), and a
machine-readable summary to results.json in it.

Prints one line per suite, for example
    [gx] suite=raw_landing_rows status=passed checks=2 failed=0 rows=101
    [gx] suite=raw_landing_rows status=failed checks=2 failed=1 rows=101 failing=rows_conserved
and a final `[gx] checkpoint=ai_finops status=...` line.

Exit codes: 0 every expectation passed; 1 an expectation failed, or a suite could not run
(its table is absent: status=skipped; its query failed: status=error); 2 the checkpoint could
not run at all (no warehouse file, bad arguments).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "gx"))
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

import duckdb  # noqa: E402
import great_expectations as gx  # noqa: E402
from great_expectations.data_context.types.base import (  # noqa: E402
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)

import finops_datasets  # noqa: E402
import finops_suites  # noqa: E402

CHECKPOINT = "ai_finops"
DOCS_SITE = "ai_finops_docs"
EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2
MAX_LISTED = 20  # unexpected values / rows kept per check in results.json


@dataclass
class SuiteOutcome:
    """What one suite found: its status, row count and per-check results."""

    suite: str
    status: str  # passed | failed | skipped | error
    rows: int = 0
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)
    reason: str = ""

    @property
    def failing(self) -> list[str]:
        return [name for name, check in self.checks.items() if not check["success"]]

    def line(self) -> str:
        """The one-line summary printed for the suite."""
        if self.status in ("skipped", "error"):
            return f"[gx] suite={self.suite} status={self.status} reason={self.reason!r}"
        text = (
            f"[gx] suite={self.suite} status={self.status} checks={len(self.checks)}"
            f" failed={len(self.failing)} rows={self.rows}"
        )
        return text + (f" failing={','.join(self.failing)}" if self.failing else "")


def resolve(path: str) -> Path:
    """A path from the command line or the environment (relative = from the repo root)."""
    candidate = Path(path)
    return candidate if candidate.is_absolute() else ROOT / candidate


def make_context(docs_dir: Path) -> Any:
    """An ephemeral GX context whose only Data Docs site is `docs_dir`."""
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites={
            DOCS_SITE: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def clear_docs(docs_dir: Path) -> None:
    """Removes the previous run's pages so the site shows this run only."""
    for name in ("validations", "expectations"):
        shutil.rmtree(docs_dir / name, ignore_errors=True)
    for name in ("index.html", "results.json"):
        (docs_dir / name).unlink(missing_ok=True)


def as_text(row: Any) -> Any:
    """An unexpected row (dict of column -> value) with its values as text, for JSON."""
    return {key: str(value) for key, value in row.items()} if isinstance(row, dict) else str(row)


def check_results(validation: Any) -> dict[str, dict[str, Any]]:
    """Per-check outcome of one suite's validation result."""
    results: dict[str, dict[str, Any]] = {}
    for result in validation.results:
        config = result.expectation_config
        name = (config.meta or {}).get("check", config.type)
        detail = result.result or {}
        results[name] = {
            "success": bool(result.success),
            "expectation": config.type,
            "unexpected_count": detail.get("unexpected_count"),
            "observed_value": detail.get("observed_value"),
            "partial_unexpected_list": [
                str(value) for value in (detail.get("partial_unexpected_list") or [])
            ][:MAX_LISTED],
            "unexpected_index_list": [
                as_text(row) for row in (detail.get("unexpected_index_list") or [])
            ][:MAX_LISTED],
            "exception": (result.exception_info or {}).get("exception_message"),
        }
    return results


def run_suite(context: Any, suite: finops_suites.Suite, frame: Any) -> SuiteOutcome:
    """Registers the suite, its DataFrame asset and checkpoint, and runs it."""
    source = context.data_sources.get("warehouse")
    asset = source.add_dataframe_asset(name=suite.dataset)
    batch = asset.add_batch_definition_whole_dataframe(name="whole")
    expectation_suite = context.suites.add(gx.ExpectationSuite(name=suite.name))
    for _, expectation in suite.checks:
        expectation_suite.add_expectation(expectation)
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=suite.name, data=batch, suite=expectation_suite)
    )
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name=f"{CHECKPOINT}__{suite.name}",
            validation_definitions=[definition],
            result_format=finops_suites.result_format(suite),
        )
    )
    result = checkpoint.run(batch_parameters={"dataframe": frame})
    validation = next(iter(result.run_results.values()))
    checks = check_results(validation)
    passed = result.success and all(check["success"] for check in checks.values())
    status = "passed" if passed else "failed"
    return SuiteOutcome(suite.name, status, len(frame), checks)


def validate(
    context: Any, con: duckdb.DuckDBPyConnection, suite: finops_suites.Suite, raw_root: Path | None
) -> SuiteOutcome:
    """Loads the suite's dataset and validates it; an absent table skips it, an error fails it."""
    try:
        frame = finops_datasets.DATASETS[suite.dataset](con, raw_root)
        if frame is None:
            reason = f"{suite.dataset}: table or raw folder absent"
            return SuiteOutcome(suite.name, "skipped", reason=reason)
        return run_suite(context, suite, frame)
    except Exception as error:  # noqa: BLE001 - a suite that cannot run fails the checkpoint
        return SuiteOutcome(suite.name, "error", reason=f"{type(error).__name__}: {error}"[:500])


def run_checkpoint(db_path: Path, raw_root: Path | None, docs_dir: Path) -> list[SuiteOutcome]:
    """Loads every dataset from the warehouse and validates it; builds Data Docs."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    clear_docs(docs_dir)
    context = make_context(docs_dir)
    context.data_sources.add_pandas("warehouse")
    outcomes: list[SuiteOutcome] = []
    with duckdb.connect(str(db_path), read_only=True) as con:
        raw_root = (
            raw_root
            or finops_datasets.warehouse_raw_root(con)
            or resolve(os.environ.get("AI_FINOPS_RAW_PATH", "data/sample"))
        )
        for suite in finops_suites.suites():
            outcome = validate(context, con, suite, raw_root)
            print(outcome.line(), flush=True)
            outcomes.append(outcome)
    context.build_data_docs(site_names=[DOCS_SITE])
    return outcomes


def write_results(
    path: Path, db_path: Path, outcomes: list[SuiteOutcome], seconds: float
) -> None:
    """The machine-readable summary: per suite, status, rows and per-check results."""
    payload = {
        "checkpoint": CHECKPOINT,
        "warehouse": str(db_path),
        "success": all(o.status == "passed" for o in outcomes),
        "seconds": round(seconds, 2),
        "suites": {
            o.suite: {"status": o.status, "rows": o.rows, "reason": o.reason, "checks": o.checks}
            for o in outcomes
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db", default=os.environ.get("AI_FINOPS_DB_PATH", "warehouse/ai_finops.duckdb"),
        help="DuckDB warehouse file (default $AI_FINOPS_DB_PATH or warehouse/ai_finops.duckdb)",
    )
    parser.add_argument(
        "--raw", default=None,
        help="raw export folder (default: the folder the warehouse was built from, else"
        " $AI_FINOPS_RAW_PATH or data/sample)",
    )
    parser.add_argument(
        "--docs-dir", default=os.environ.get("AI_FINOPS_GX_DOCS_DIR", "build/gx_docs"),
        help="Data Docs output folder (default $AI_FINOPS_GX_DOCS_DIR or build/gx_docs)",
    )
    parser.add_argument(
        "--results-json", default=None, help="summary JSON (default DOCS_DIR/results.json)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    db_path, docs_dir = resolve(args.db), resolve(args.docs_dir)
    if not db_path.is_file():
        print(f"[gx] checkpoint={CHECKPOINT} status=error reason='no warehouse file {db_path}'")
        return EXIT_ERROR
    started = time.monotonic()
    outcomes = run_checkpoint(db_path, resolve(args.raw) if args.raw else None, docs_dir)
    seconds = time.monotonic() - started
    results_json = resolve(args.results_json) if args.results_json else docs_dir / "results.json"
    write_results(results_json, db_path, outcomes, seconds)
    bad = [o for o in outcomes if o.status != "passed"]
    status = "failed" if bad else "passed"
    print(
        f"[gx] checkpoint={CHECKPOINT} status={status} suites={len(outcomes)} failed={len(bad)}"
        f" seconds={seconds:.1f} docs={docs_dir / 'index.html'}"
    )
    return EXIT_FAILED if bad else EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
