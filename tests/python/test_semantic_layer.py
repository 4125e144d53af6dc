"""The dbt semantic layer (models/semantic): MetricFlow validates it; its metrics equal the marts.

`mf` reads `<project dir>/target/semantic_manifest.json` (the path is fixed in
dbt-metricflow) and opens the warehouse read-write. So the module parses the
project once (`dbt parse --target-path` into a shadow project folder holding a
copy of dbt_project.yml), copies the sample warehouse (other workers hold
read-only connections to it), and points `mf` at both with DBT_PROJECT_DIR,
DBT_PROFILES_DIR, DBT_LOG_PATH and AI_FINOPS_DB_PATH. `mf validate-configs`
checks every dimension, entity, measure and metric against the warehouse
(`dbt parse` alone does not notice a dimension on a missing column); each
`mf query --csv --order` is compared with an independent SQL aggregate over
the marts, read directly with duckdb, to the cent.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from conftest import ROOT, DbtResult, run_dbt

MF = str(Path(sys.executable).parent / "mf")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

Row = dict[str, str]


def cents(value: object) -> Decimal | None:
    """A money figure from mf's CSV (a float's text, '' for null) or duckdb, rounded to the cent."""
    if value is None or value == "":
        return None
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def number(value: object) -> Decimal | None:
    """An exact count (tokens, requests, seats, incidents); None for null."""
    if value is None or value == "":
        return None
    return Decimal(str(value))


def day(value: object) -> str:
    """metric_time as yyyy-mm-dd (mf writes a timestamp, duckdb returns a date)."""
    return str(value)[:10]


def dim(value: object) -> str:
    """A dimension value; mf's CSV writes null as ''."""
    return "" if value is None else str(value)


@dataclass
class SemanticLayer:
    """A parsed copy of the project that `mf` runs against, over a copy of the sample warehouse."""

    project_dir: Path
    env: dict[str, str]
    warehouse: DbtResult
    commands: list[str] = field(default_factory=list)

    def mf(self, *args: str, project_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
        env = dict(self.env, DBT_PROJECT_DIR=str(project_dir or self.project_dir))
        self.commands.append("mf " + " ".join(args))
        return subprocess.run(
            [MF, *args],
            cwd=project_dir or self.project_dir,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    def query(self, metrics: list[str], group_by: list[str]) -> list[Row]:
        """`mf query` ordered by its group-bys, as CSV rows; asserts it succeeded."""
        out = self.project_dir / f"query_{len(self.commands)}.csv"
        proc = self.mf(
            "query",
            "--metrics", ",".join(metrics),
            "--group-by", ",".join(group_by),
            "--order", ",".join(group_by),
            "--csv", str(out),
            "--quiet",
        )
        assert proc.returncode == 0 and out.exists(), proc.stdout + proc.stderr
        with out.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert rows, f"{metrics} by {group_by}: no rows"
        return rows


def keyed(rows: list[Row], *columns: str) -> dict[tuple[str, ...], Row]:
    """mf rows by their group-by values (each combination once)."""
    result = {
        tuple(day(row[c]) if c.startswith("metric_time") else row[c] for c in columns): row
        for row in rows
    }
    assert len(result) == len(rows), "duplicate group-by values"
    return result


@pytest.fixture(scope="module")
def semantic_layer(
    sample_warehouse: DbtResult, tmp_path_factory: pytest.TempPathFactory
) -> SemanticLayer:
    work = tmp_path_factory.mktemp("semantic")
    project_dir = work / "project"
    project_dir.mkdir()
    shutil.copy(ROOT / "dbt_project.yml", project_dir / "dbt_project.yml")
    db_copy = work / "ai_finops.duckdb"
    shutil.copy(sample_warehouse.db_path, db_copy)
    # run_dbt writes its artifacts to <work_dir>/target: the shadow project's target.
    # Seeded with the sample build's partial-parse state and run with the same
    # profile (parse never opens the warehouse), dbt re-parses only what changed.
    (project_dir / "target").mkdir()
    state = sample_warehouse.db_path.parent / "target" / "partial_parse.msgpack"
    if state.exists():
        shutil.copy(state, project_dir / "target" / state.name)
    parsed = run_dbt(
        ["parse"], sample_warehouse.raw_dir, sample_warehouse.db_path, project_dir
    )
    assert parsed.returncode == 0, parsed.output[-3000:]
    assert (project_dir / "target" / "semantic_manifest.json").exists()
    env = dict(os.environ)
    env.update(
        {
            "AI_FINOPS_DB_PATH": str(db_copy),
            "AI_FINOPS_RAW_PATH": str(sample_warehouse.raw_dir),
            "DBT_PROFILES_DIR": str(ROOT),
            "DBT_LOG_PATH": str(work / "logs"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
    )
    return SemanticLayer(project_dir, env, sample_warehouse)


def test_mf_validate_configs_passes(semantic_layer: SemanticLayer) -> None:
    proc = semantic_layer.mf("validate-configs")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "Successfully validated dimensions against data warehouse" in output
    assert "Successfully validated metrics against data warehouse" in output


def test_mf_validate_configs_catches_a_dimension_on_a_missing_column(
    semantic_layer: SemanticLayer,
) -> None:
    """What `dbt parse` accepts: a dimension whose column is not in the table."""
    broken = semantic_layer.project_dir.parent / "broken"
    (broken / "target").mkdir(parents=True)
    shutil.copy(semantic_layer.project_dir / "dbt_project.yml", broken / "dbt_project.yml")
    manifest = json.loads(
        (semantic_layer.project_dir / "target" / "semantic_manifest.json").read_text()
    )
    charges = next(m for m in manifest["semantic_models"] if m["name"] == "charges")
    team = next(d for d in charges["dimensions"] if d["name"] == "team")
    team["expr"] = "no_such_column"
    (broken / "target" / "semantic_manifest.json").write_text(json.dumps(manifest))
    proc = semantic_layer.mf("validate-configs", project_dir=broken)
    assert proc.returncode != 0
    assert "no_such_column" in proc.stdout + proc.stderr


def test_costs_by_team_and_month_equal_showback(semantic_layer: SemanticLayer) -> None:
    rows = keyed(
        semantic_layer.query(
            ["billed_cost", "effective_cost", "list_cost"],
            ["metric_time__month", "charge__team"],
        ),
        "metric_time__month",
        "charge__team",
    )
    # mart_showback_monthly counts unpriced charges 0 where the metric's sum is null
    expected = {
        (day(month), team): (billed, effective, listed)
        for month, team, billed, effective, listed in semantic_layer.warehouse.query(
            """
            select billing_period_start_on, team, sum(billed_cost_reporting),
                sum(effective_cost_reporting), sum(list_cost_reporting)
            from mart_showback_monthly group by 1, 2
            """
        )
    }
    assert set(rows) == set(expected)
    for key, (billed, effective, listed) in expected.items():
        row = rows[key]
        assert (cents(row["billed_cost"]) or ZERO) == cents(billed), key
        assert (cents(row["effective_cost"]) or ZERO) == cents(effective), key
        assert (cents(row["list_cost"]) or ZERO) == cents(listed), key
    total = sum((number(r["billed_cost"]) or Decimal(0)) for r in rows.values())
    assert cents(total) == cents(
        semantic_layer.warehouse.scalar("select sum(billed_cost_reporting) from fct_ai_costs")
    )


def test_billed_cost_by_day_and_week(semantic_layer: SemanticLayer) -> None:
    rows = semantic_layer.query(["billed_cost"], ["metric_time__day", "metric_time__week"])
    expected = dict(
        semantic_layer.warehouse.query(
            "select charge_on, sum(billed_cost_reporting) from fct_ai_costs group by 1"
        )
    )
    assert [day(r["metric_time__day"]) for r in rows] == sorted(d.isoformat() for d in expected)
    for row in rows:
        charge_on = date.fromisoformat(day(row["metric_time__day"]))
        # week grain: ISO weeks, starting on Monday
        assert day(row["metric_time__week"]) == (
            charge_on - timedelta(days=charge_on.weekday())
        ).isoformat()
        assert cents(row["billed_cost"]) == cents(expected[charge_on]), charge_on


def test_tokens_and_requests_by_provider_and_token_class(semantic_layer: SemanticLayer) -> None:
    rows = keyed(
        semantic_layer.query(
            ["tokens", "requests"], ["charge__provider", "charge__token_class"]
        ),
        "charge__provider",
        "charge__token_class",
    )
    expected = {
        (provider, dim(token_class)): (tokens, requests)
        for provider, token_class, tokens, requests in semantic_layer.warehouse.query(
            """
            select provider, token_class,
                sum(consumed_quantity) filter (where consumed_unit = 'Tokens'),
                sum(request_count)
            from fct_ai_costs group by 1, 2
            """
        )
    }
    assert set(rows) == set(expected)
    for key, (tokens, requests) in expected.items():
        assert number(rows[key]["tokens"]) == number(tokens), key
        assert number(rows[key]["requests"]) == number(requests), key
    # per provider, the tokens add up to mart_unit_economics' (its own token count)
    by_provider: dict[str, Decimal] = {}
    for (provider, _), row in rows.items():
        by_provider[provider] = by_provider.get(provider, Decimal(0)) + (
            number(row["tokens"]) or Decimal(0)
        )
    for provider, total_tokens in semantic_layer.warehouse.query(
        "select provider, sum(total_tokens) from mart_unit_economics group by 1"
    ):
        assert by_provider.get(provider, Decimal(0)) == total_tokens, provider


def test_cost_per_1m_tokens_by_model_equals_unit_economics(
    semantic_layer: SemanticLayer,
) -> None:
    group_by = ["metric_time__month", "charge__provider", "charge__model"]
    rows = keyed(
        semantic_layer.query(["effective_cost_per_1m_tokens"], group_by), *group_by
    )
    expected = {
        (day(month), provider, model): per_1m
        for month, provider, model, per_1m in semantic_layer.warehouse.query(
            """
            select billing_period_start_on, provider, model,
                effective_cost_per_1m_tokens
            from mart_unit_economics
            """
        )
    }
    # the mart has the canonical models only: charges without one stay out of it
    assert {key for key in rows if key[2]} == set(expected)
    assert any(value is not None for value in expected.values())
    for key, per_1m in expected.items():
        assert cents(rows[key]["effective_cost_per_1m_tokens"]) == cents(per_1m), key


def test_budget_actual_and_forecast_equal_budget_status(semantic_layer: SemanticLayer) -> None:
    group_by = ["metric_time__month", "budget__scope_type", "budget__scope_value"]
    metrics = ["budget", "budget_actual", "budget_forecast", "budget_forecast_headroom"]
    rows = keyed(semantic_layer.query(metrics, group_by), *group_by)
    expected = {
        (day(month), scope_type, scope_value): values
        for month, scope_type, scope_value, *values in semantic_layer.warehouse.query(
            """
            select budget_month_on, scope_type, scope_value, budget_amount,
                actual_to_date, forecast_month_end, forecast_headroom
            from mart_budget_status
            where budget_currency = reporting_currency
            """
        )
    }
    assert set(rows) == set(expected)
    for key, values in expected.items():
        for metric, value in zip(metrics, values):
            assert cents(rows[key][metric]) == cents(value), (key, metric)


def test_idle_seats_and_their_cost_equal_seat_utilisation(semantic_layer: SemanticLayer) -> None:
    group_by = ["metric_time__month", "seat_month__seat_product"]
    rows = keyed(
        semantic_layer.query(["paid_seats", "idle_seats", "idle_seat_cost"], group_by),
        *group_by,
    )
    expected = {
        (day(month), product): (paid, idle, idle_cost)
        for month, product, paid, idle, idle_cost in semantic_layer.warehouse.query(
            """
            select seat_month_on, product, paid_seats, idle_seats,
                case when billing_currency = reporting_currency
                    then idle_seat_cost end
            from mart_seat_utilisation
            """
        )
    }
    assert set(rows) == set(expected)
    for key, (paid, idle, idle_cost) in expected.items():
        assert number(rows[key]["paid_seats"]) == number(paid), key
        # unknown activity (Claude Team) stays null, never 0
        assert number(rows[key]["idle_seats"]) == number(idle), key
        assert cents(rows[key]["idle_seat_cost"]) == cents(idle_cost), key


def test_incidents_by_type(semantic_layer: SemanticLayer) -> None:
    rows = keyed(semantic_layer.query(["incidents"], ["incident__incident_type"]),
                 "incident__incident_type")
    expected = dict(
        semantic_layer.warehouse.query(
            "select incident_type, count(*) from mart_pricing_incidents group by 1"
        )
    )
    assert {key[0]: number(row["incidents"]) for key, row in rows.items()} == {
        incident_type: Decimal(count) for incident_type, count in expected.items()
    }


def test_cache_savings_and_hit_rate_by_provider_and_month(
    semantic_layer: SemanticLayer,
) -> None:
    group_by = ["metric_time__month", "model_month__provider"]
    rows = keyed(
        semantic_layer.query(["cache_savings", "cache_hit_rate"], group_by), *group_by
    )
    expected = {
        (day(month), provider): (savings, cached, inputs)
        for month, provider, savings, cached, inputs in semantic_layer.warehouse.query(
            """
            select billing_period_start_on, provider,
                sum(cache_savings) filter (where price_currency = reporting_currency),
                sum(cached_input_tokens), sum(input_tokens)
            from mart_unit_economics group by 1, 2
            """
        )
    }
    assert set(rows) == set(expected)
    assert sum(cents(s) or Decimal(0) for s, _, _ in expected.values()) > 0
    for key, (savings, cached, inputs) in expected.items():
        assert cents(rows[key]["cache_savings"]) == cents(savings), key
        hit_rate = rows[key]["cache_hit_rate"]
        if inputs:
            assert abs(Decimal(hit_rate) - Decimal(cached) / Decimal(inputs)) < Decimal("1e-9")
        else:
            assert hit_rate == "", key
