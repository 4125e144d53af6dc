"""The floor: one hand-written DuckDB query over the raw files (daily vendor-reported cost per
provider and vendor model), timed in its own process and compared with fct_ai_costs."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path
from typing import Any

from warehouse_bench.processes import measure, warm_page_cache
from warehouse_bench.results import Measure
from warehouse_bench.settings import DUCKDB_THREADS

# Daily vendor-reported cost per provider and vendor model, straight from the raw files.
FLOOR_SQL = """
with
openai as (
    select
        cast(to_timestamp(bucket.start_time) at time zone 'UTC' as date) as day,
        'openai' as provider,
        regexp_extract(result.line_item, '^(?:batch \\| )?([^,]+)', 1) as model,
        result.amount.value as cost
    from (
        select unnest(data) as bucket
        from read_json('{raw}/openai/costs/*.json', maximum_object_size = 67108864,
            columns = {{data: 'STRUCT(start_time BIGINT, results STRUCT(
                amount STRUCT(value DECIMAL(38, 10)), line_item VARCHAR)[])[]'}})
    ), unnest(bucket.results) as r(result)
),
anthropic as (
    select
        cast(bucket.starting_at as date) as day,
        'anthropic' as provider,
        result.model,
        cast(result.amount as decimal(38, 10)) * 0.01 as cost
    from (
        select unnest(data) as bucket
        from read_json('{raw}/anthropic/cost_report/*.json', maximum_object_size = 67108864,
            columns = {{data: 'STRUCT(starting_at TIMESTAMP,
                results STRUCT(amount VARCHAR, model VARCHAR)[])[]'}})
    ), unnest(bucket.results) as r(result)
),
aws as (
    select
        cast(line_item_usage_start_date as date) as day,
        'aws_bedrock' as provider,
        line_item_usage_type as model,
        line_item_unblended_cost as cost
    from read_csv('{raw}/aws_cur/*.csv', header = true, union_by_name = true,
        types = {{'line_item_unblended_cost': 'DECIMAL(38, 10)',
                  'line_item_usage_start_date': 'TIMESTAMP'}})
    where line_item_product_code = 'AmazonBedrock'
        or product_product_name like '%(Amazon Bedrock Edition)'
),
azure as (
    select
        cast(strptime("Date", '%m/%d/%Y') as date) as day,
        'azure_openai' as provider,
        "MeterName" as model,
        "CostInBillingCurrency" as cost
    from read_csv('{raw}/azure_cost/*.csv', header = true, union_by_name = true,
        types = {{'CostInBillingCurrency': 'DECIMAL(38, 10)', 'Date': 'VARCHAR'}})
    where "MeterSubCategory" = 'Azure OpenAI'
),
gcp as (
    select
        cast(usage_start_time as date) as day,
        'gcp_vertex' as provider,
        sku.description as model,
        cost + coalesce(list_sum(list_transform(credits, lambda c: c.amount)), 0) as cost
    from read_json('{raw}/gcp_billing/*.jsonl', format = 'newline_delimited',
        columns = {{usage_start_time: 'TIMESTAMP', service: 'STRUCT(description VARCHAR)',
                    sku: 'STRUCT(description VARCHAR)', cost: 'DECIMAL(38, 10)',
                    credits: 'STRUCT(amount DECIMAL(38, 10))[]'}})
    where service.description in
        ('Vertex AI', 'Vertex AI API', 'Gemini API', 'Generative Language API')
),
copilot as (
    select
        cast("date" as date) as day,
        'github_copilot' as provider,
        coalesce(nullif(model, ''), sku) as model,
        net_amount as cost
    from read_csv('{raw}/github_copilot/*.csv', header = true, union_by_name = true,
        types = {{'net_amount': 'DECIMAL(38, 10)', 'model': 'VARCHAR'}})
),
cursor as (
    select
        cast(epoch_ms(cast(event.timestamp as bigint)) as date) as day,
        'cursor' as provider,
        event.model,
        case when event.kind like 'Included%' then 0
            else coalesce(event.tokenUsage.totalCents, 0) * 0.01 end as cost
    from (
        select unnest(usageEvents) as event
        from read_json('{raw}/cursor/usage_events/*.json', maximum_object_size = 67108864,
            columns = {{usageEvents: 'STRUCT("timestamp" VARCHAR, model VARCHAR, kind VARCHAR,
                tokenUsage STRUCT(totalCents DECIMAL(38, 10)))[]'}})
    )
),
unioned as (
    select * from openai union all select * from anthropic union all select * from aws
    union all select * from azure union all select * from gcp union all select * from copilot
    union all select * from cursor
)
select day, provider, model, sum(cost) as cost
from unioned
group by all
"""

FLOOR_RUNNER = textwrap.dedent(
    """
    import sys, duckdb
    sql, out, threads, memory = sys.argv[1:5]
    con = duckdb.connect(config={"threads": int(threads), "memory_limit": memory})
    con.execute("set enable_progress_bar = false")
    con.execute(f"copy ({sql}) to '{out}' (format parquet)")
    """
)

WAREHOUSE_DAILY_SQL = """
    select charge_on as day, provider, sum(billed_cost) as cost
    from fct_ai_costs
    where cost_source = 'vendor_reported' and staging_model != 'stg_seats__assignments'
    group by all
"""


def run_floor(raw: Path, work: Path, memory_limit: str) -> tuple[Measure, Path]:
    """The floor query in its own process (same DuckDB threads and memory limit as dbt)."""
    out = work / "floor.parquet"
    sql = FLOOR_SQL.format(raw=str(raw))
    cmd = [sys.executable, "-c", FLOOR_RUNNER, sql, str(out), DUCKDB_THREADS, memory_limit]
    warm_page_cache(raw)
    return measure(cmd, dict(os.environ), work / "floor.log"), out


def compare_floor(floor: Path, db: Path) -> dict[str, Any]:
    """Daily cost per provider: floor vs fct_ai_costs (vendor-reported rows)."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            f"""
            with floor as (
                select day, provider, sum(cost) as cost from read_parquet('{floor}') group by all
            ),
            warehouse as ({WAREHOUSE_DAILY_SQL})
            select
                count(*) as groups,
                count(*) filter (where coalesce(floor.cost, 0) != coalesce(warehouse.cost, 0))
                    as mismatched_groups,
                cast(max(abs(coalesce(floor.cost, 0) - coalesce(warehouse.cost, 0))) as double)
                    as max_abs_difference,
                cast(sum(floor.cost) as double) as floor_total,
                cast(sum(warehouse.cost) as double) as warehouse_total,
                (select count(*) from read_parquet('{floor}')) as floor_rows
            from floor
            full outer join warehouse using (day, provider)
            """
        ).fetchone()
    keys = ["day_provider_groups", "mismatched_groups", "max_abs_difference", "floor_total",
            "warehouse_total", "floor_rows_day_provider_model"]
    return dict(zip(keys, row))
