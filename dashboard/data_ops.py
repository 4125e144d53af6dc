"""SQL for the operational pages: pricing incidents, data health, the AI system inventory.

Same rules as `dashboard.data` (read-only, cached per file version), whose `query` runs them.
"""

from __future__ import annotations

import pandas as pd

from dashboard.data import PROVIDER, Filters, _any, query

# -- pricing incidents --------------------------------------------------------------------


def incidents(f: Filters) -> pd.DataFrame:
    """Incidents that started in the range (filtered providers), newest first."""
    return query(
        f"""
        select started_on, incident_type, severity, provider, model, sku, magnitude,
               evidence, detected_by, window_start_on, window_end_on, incident_id
        from mart_pricing_incidents
        where started_on >= $start and started_on < $end + interval 1 month and {PROVIDER}
        order by started_on desc, incident_type
        """,
        **f.params(),
    )


# -- data health --------------------------------------------------------------------------

# The raw exports whose files feed the filtered providers' charges (an export's files may be
# superseded or rejected entirely, so the mapping is per export folder, not per file).
_EXPORTS = f"""
    exports as (
        select distinct f.export_name
        from stg_raw__files f
        where len($providers::varchar[]) = 0 or f.export_name in (
            select r.export_name
            from stg_raw__files r
            join (select source_file, provider from fct_ai_costs
                  union select billed_source_file, provider from fct_ai_costs) c
              on c.source_file = r.source_file
            where {_any("c.provider", "providers")}
        )
    )"""


def source_health(f: Filters) -> pd.DataFrame:
    """Per raw export: files, records used / rejected / superseded, newest file, latest charge day."""
    return query(
        f"""
        with {_EXPORTS},
        files as (
            select export_name, count(*) as files, sum(record_count) as records,
                   max(file_modified_at) as newest_file_at,
                   count(*) filter (where file_problem is not null) as unreadable_files
            from stg_raw__files where export_name in (select export_name from exports)
            group by all
        ),
        unused as (
            select export_name, count(*) filter (where record_status = 'rejected') as rejected,
                   count(*) filter (where record_status = 'superseded') as superseded
            from mart_rejected_rows group by all
        ),
        charged as (
            select r.export_name, max(c.charge_on) as latest_charge_on,
                   string_agg(distinct c.provider, ', ' order by c.provider) as providers
            from stg_raw__files r
            join (select source_file, provider, charge_on from fct_ai_costs
                  union all select billed_source_file, provider, charge_on from fct_ai_costs) c
              on c.source_file = r.source_file
            group by all
        )
        select files.export_name, charged.providers, files.files, files.records,
               files.records - coalesce(unused.rejected, 0) - coalesce(unused.superseded, 0)
                   as used,
               coalesce(unused.rejected, 0) as rejected,
               coalesce(unused.superseded, 0) as superseded, files.unreadable_files,
               files.newest_file_at, charged.latest_charge_on
        from files
        left join unused using (export_name)
        left join charged using (export_name)
        order by files.export_name
        """,
        **f.params(),
    )


def unused_rows_by_reason(f: Filters) -> pd.DataFrame:
    """Rows not used by reason (the period of a superseded export left out), filtered exports."""
    return query(
        f"""
        with {_EXPORTS}
        select record_status, export_name,
               regexp_replace(reason, ' for period .*$', '') as reason, count(*) as rows
        from mart_rejected_rows
        where export_name in (select export_name from exports)
        group by all order by rows desc, reason
        """,
        **f.params(),
    )


# -- AI system inventory ------------------------------------------------------------------


_INVENTORY_WHERE = """
    where first_seen_on < $end + interval 1 month and last_seen_on >= $start
      and (len($teams::varchar[]) = 0
           or list_has_any(string_split(teams, ', '), $teams::varchar[]))
      and (len($providers::varchar[]) = 0
           or list_has_any(string_split(providers, ', '), $providers::varchar[]))
"""


def inventory(f: Filters) -> pd.DataFrame:
    """The register: systems seen in the range, used by the filtered teams and providers."""
    return query(
        f"""
        select ai_system_name, ai_system_type, providers, models, model_developers, teams,
               cost_centers, environments, user_count, api_key_count, charge_count,
               first_seen_on, last_seen_on, reporting_currency as currency,
               spend_to_date_reporting::double as spend_to_date,
               spend_last_30_days_reporting::double as spend_last_30_days
        from mart_ai_system_inventory
        {_INVENTORY_WHERE}
        order by spend_to_date desc nulls last, ai_system_name
        """,
        **f.params(),
    )


def inventory_headline(f: Filters) -> pd.DataFrame:
    """Systems, distinct models, spend to date and in the last 30 days of data, per currency."""
    return query(
        f"""
        with systems as (select * from mart_ai_system_inventory {_INVENTORY_WHERE})
        select reporting_currency as currency, count(*) as systems,
               (select count(distinct m)
                from systems, unnest(string_split(systems.models, ', ')) as t(m)) as models,
               round(sum(spend_to_date_reporting), 2) as spend_to_date,
               round(sum(spend_last_30_days_reporting), 2) as spend_last_30_days
        from systems
        group by all
        """,
        **f.params(),
    )
