"""SQL on the warehouse file for the dashboard.

Every query opens `AI_FINOPS_DB_PATH` with `read_only=True` (DuckDB allows any number of
read-only readers) and closes it again. Results are cached with the file's version
(modification time, size and inode) in the cache key, so a rebuilt or atomically replaced
warehouse (`make build`, `make refresh`) is re-read on the next page view and no cached
figure outlives the file it came from.

Money is summed and rounded to the cent in SQL; the functions return DataFrames with the
currency beside each amount.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB_PATH = "warehouse/ai_finops.duckdb"

FileVersion = tuple[int, int, int]


class WarehouseMissing(RuntimeError):
    """The warehouse file does not exist (run `make build` first)."""


def db_path() -> Path:
    """The warehouse file: AI_FINOPS_DB_PATH, relative paths from the repository root."""
    path = Path(os.environ.get("AI_FINOPS_DB_PATH") or DEFAULT_DB_PATH)
    return path if path.is_absolute() else ROOT / path


def file_version(path: Path) -> FileVersion:
    """What identifies one state of the file: mtime (ns), size and inode."""
    stat = path.stat()
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


@st.cache_data(max_entries=512, show_spinner=False)
def _run(path: str, version: FileVersion, sql: str, params: tuple[tuple[str, Any], ...]) -> pd.DataFrame:
    """One query on one version of the file (`version` is part of the cache key only)."""
    del version
    args = {name: list(value) if isinstance(value, tuple) else value for name, value in params}
    with duckdb.connect(path, read_only=True) as con:
        return con.execute(sql, args).df()


def query(sql: str, **params: Any) -> pd.DataFrame:
    """Runs `sql` (named parameters `$name`) on the warehouse, read-only, cached per file version."""
    path = db_path()
    if not path.exists():
        raise WarehouseMissing(f"no warehouse at {path}: run `make build` first")
    frozen = tuple(
        sorted(
            (name, tuple(value) if isinstance(value, (list, tuple)) else value)
            for name, value in params.items()
            if f"${name}" in sql
        )
    )
    return _run(str(path), file_version(path), sql, frozen)


@dataclass(frozen=True)
class Filters:
    """The sidebar's filters: months `start`..`end` (first days), teams and providers (empty = all).

    `end` is the month in focus: "this month" on the pages is the last month of the range.
    """

    start: dt.date
    end: dt.date
    teams: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()

    def params(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "teams": self.teams,
            "providers": self.providers,
        }


def _any(column: str, param: str) -> str:
    """SQL: true when the filter `param` is empty or holds `column`."""
    return f"(len(${param}::varchar[]) = 0 or list_contains(${param}::varchar[], {column}))"


TEAM = _any("team", "teams")
PROVIDER = _any("provider", "providers")
IN_RANGE = "billing_period_start_on between $start and $end"


def last_refresh() -> dt.datetime:
    """When the warehouse file was last written (a build or a published refresh), UTC."""
    return dt.datetime.fromtimestamp(db_path().stat().st_mtime, tz=dt.timezone.utc)


# -- dimensions ---------------------------------------------------------------------------


def months() -> list[dt.date]:
    """Months with charges, oldest first."""
    df = query("select distinct billing_period_start_on as m from fct_ai_costs order by 1")
    return [pd.Timestamp(m).date() for m in df["m"]]


def teams() -> list[str]:
    return query("select distinct team from fct_ai_costs order by 1")["team"].tolist()


def providers() -> list[str]:
    return query("select distinct provider from fct_ai_costs order by 1")["provider"].tolist()


def data_as_of(f: Filters | None = None) -> dt.date | None:
    """Last day with a charge (for the filtered providers)."""
    providers_ = f.providers if f else ()
    df = query(f"select max(charge_on) as d from fct_ai_costs where {PROVIDER}", providers=providers_)
    value = df["d"].iloc[0]
    return None if pd.isna(value) else pd.Timestamp(value).date()


# -- overview -----------------------------------------------------------------------------


def spend_by_cost_source(f: Filters) -> pd.DataFrame:
    """The month in focus: billed cost by cost source (vendor_reported / estimated), reporting
    currency; the row whose cost_source is null is the total."""
    return query(
        f"""
        select cost_source, reporting_currency as currency,
               round(sum(billed_cost_reporting), 2) as billed,
               count(*) filter (where billed_cost_reporting is null) as unpriced_charges
        from fct_ai_costs
        where billing_period_start_on = $end and {TEAM} and {PROVIDER}
        group by grouping sets ((cost_source, reporting_currency), (reporting_currency))
        order by cost_source nulls first
        """,
        **f.params(),
    )


def team_budgets(f: Filters) -> pd.DataFrame:
    """Budget, chargeback actual to date and forecast per team for the month in focus (the row
    whose team is null is the total per currency)."""
    return query(
        f"""
        select scope_value as team, budget_currency as currency,
               any_value(budget_status) as budget_status,
               round(sum(budget_amount), 2) as budget,
               round(sum(actual_to_date), 2) as actual_to_date,
               round(sum(forecast_month_end), 2) as forecast,
               any_value(pct_of_budget_forecast) as pct_of_budget_forecast,
               max(as_of_on) as as_of_on
        from mart_budget_status
        where scope_type = 'team' and budget_month_on = $end
          and {_any("scope_value", "teams")}
        group by grouping sets ((scope_value, budget_currency), (budget_currency))
        order by team nulls first
        """,
        **f.params(),
    )


def spend_by_month(f: Filters, dimension: str) -> pd.DataFrame:
    """Billed cost per month and `dimension` (provider, model or cost_source) over the range."""
    if dimension not in {"provider", "model", "cost_source", "team"}:
        raise ValueError(dimension)
    label = "coalesce(model, 'no model (seats, fees)')" if dimension == "model" else dimension
    return query(
        f"""
        select strftime(billing_period_start_on, '%Y-%m') as month, {label} as series,
               reporting_currency as currency, sum(billed_cost_reporting)::double as cost
        from fct_ai_costs
        where {IN_RANGE} and {TEAM} and {PROVIDER}
        group by all order by month, series
        """,
        **f.params(),
    )


# -- unit economics -----------------------------------------------------------------------


def unit_economics(f: Filters) -> pd.DataFrame:
    """mart_unit_economics for the month in focus, one row per provider and model."""
    return query(
        f"""
        select provider, model, model_family, cheapest_model, reporting_currency,
               price_currency, total_tokens, input_tokens, cached_input_tokens,
               effective_cost_reporting::double as effective_cost,
               effective_cost_per_1m_tokens::double as cost_per_1m_tokens,
               cache_hit_rate::double as cache_hit_rate,
               cache_savings::double as cache_savings,
               token_list_cost::double as token_list_cost,
               cheapest_model_list_cost::double as cheapest_model_list_cost,
               cheapest_model_savings::double as cheapest_model_savings
        from mart_unit_economics
        where billing_period_start_on = $end and {PROVIDER}
        order by effective_cost desc nulls last
        """,
        **f.params(),
    )


def unit_headline(f: Filters) -> pd.DataFrame:
    """Tokens, cost per 1M tokens and cache hit rate for the month in focus (reporting currency)."""
    return query(
        f"""
        select reporting_currency as currency, sum(total_tokens) as tokens,
               round(sum(effective_cost_per_1m_tokens * total_tokens)
                     / nullif(sum(total_tokens) filter (
                         where effective_cost_per_1m_tokens is not null), 0), 2)
                   as cost_per_1m_tokens,
               round(100.0 * sum(cached_input_tokens) / nullif(sum(input_tokens), 0), 1)
                   as cache_hit_pct
        from mart_unit_economics
        where billing_period_start_on = $end and {PROVIDER}
        group by all
        """,
        **f.params(),
    )


def unit_savings(f: Filters) -> pd.DataFrame:
    """Cache savings and the cheaper-model what-if for the month in focus (price currency)."""
    return query(
        f"""
        select price_currency as currency, round(sum(cache_savings), 2) as cache_savings,
               round(sum(cheapest_model_savings), 2) as cheapest_model_savings
        from mart_unit_economics
        where billing_period_start_on = $end and {PROVIDER} and price_currency is not null
        group by all
        """,
        **f.params(),
    )


def cache_hit_by_month(f: Filters) -> pd.DataFrame:
    """Cache hit rate per month and provider over the range."""
    return query(
        f"""
        select strftime(billing_period_start_on, '%Y-%m') as month, provider as series,
               sum(cached_input_tokens) / sum(input_tokens) as cache_hit_rate
        from mart_unit_economics
        where {IN_RANGE} and {PROVIDER} and input_tokens > 0
        group by all order by month, series
        """,
        **f.params(),
    )


# -- seats --------------------------------------------------------------------------------


def seats(f: Filters) -> pd.DataFrame:
    """mart_seat_utilisation over the range (products of the filtered providers)."""
    return query(
        f"""
        select strftime(seat_month_on, '%Y-%m') as month, seat_month_on, provider, product,
               paid_seats, seat_holders, active_users, idle_seats, utilisation_rate::double
                   as utilisation_rate,
               billing_currency as currency, seat_cost::double as seat_cost,
               usage_cost::double as usage_cost, idle_seat_cost::double as idle_seat_cost,
               cost_per_active_user::double as cost_per_active_user, is_activity_known,
               activity_note
        from mart_seat_utilisation
        where seat_month_on between $start and $end and {PROVIDER}
        order by seat_month_on, product
        """,
        **f.params(),
    )


def seat_headline(f: Filters) -> pd.DataFrame:
    """Paid, active and idle seats and the idle seats' cost in the month in focus, per currency."""
    return query(
        f"""
        select billing_currency as currency, sum(paid_seats) as paid_seats,
               sum(active_users) filter (where is_activity_known) as active_users,
               sum(idle_seats) filter (where is_activity_known) as idle_seats,
               round(sum(idle_seat_cost) filter (where is_activity_known), 2) as idle_seat_cost
        from mart_seat_utilisation
        where seat_month_on = $end and {PROVIDER}
        group by all
        """,
        **f.params(),
    )
