{{ config(
    materialized='incremental',
    incremental_strategy=refresh_strategy(),
    partition_by=refresh_partitioning(),
    on_schema_change='fail',
    pre_hook="{{ delete_stale_partitions(ref('int_charge_partitions')) }}",
) }}

-- How each cost-export row (OpenAI costs, Anthropic cost_report) is split
-- over the usage rows it covers: one row per (cost row, usage row) link with
-- the usage row's share of the cost. A cost export is the vendor's bill, so
-- on every day and project it covers, its sum is what fct_ai_costs bills,
-- exactly (tests/dbt/costs/assert_billed_equals_cost_export.sql).
--
-- Each usage row joins the cost rows of its provider, day and project (any
-- project when the cost row names none) at the finest grain where any
-- match:
--   model_class_tiers  same model, token class, service and context tier
--   model_class        same model and token class (batch usage billed
--                      under the plain "<model>, input" line item)
--   model              same model
--   token_class        cost rows that name no model, same token class
--                      ("input_tokens")
--   day                cost rows that name no model ("Text tokens", null)
-- so a cost row that names a model is never spread over other models'
-- usage, a row that names none only takes usage no model's row took, and
-- covered usage is never estimated on top of the bill. Usage the vendor
-- documents as absent from its cost export (seed cost_export_exclusions) is
-- never matched: it is estimated from the price book. A cost row that
-- matches nothing stays whole in fct_ai_costs; usage of a covered day that
-- matches nothing is billed 0 there (the vendor's bill has nothing for it).
-- A usage row that joins several cost rows carries its quantity on one link
-- only (usage_link_rank 1, its largest share), so nothing is counted twice.
--
-- Each cost row is split by token share (floored to 1e-10, the residue on
-- the largest share, so that the shares add up to the cost exactly; equal
-- shares when the usage has no quantity). Incremental by refresh partition
-- like int_ai_charges_priced (macros/incremental/stale_partitions.sql).
{%- set charges -%}
    (
        select * from {{ ref('int_ai_charges_priced') }}
        where refresh_partition in (
            {{ stale_partitions(ref('int_charge_partitions')) }}
        )
    )
{%- endset %}

with

exclusions as (
    select * from {{ ref('cost_export_exclusions') }}
),

cost_exports as (
    select
        charge_key,
        provider,
        charge_on,
        refresh_partition,
        sub_account_id,
        coalesce(model, vendor_model_id) as match_model,
        token_class,
        coalesce(service_tier, 'standard') as service_tier,
        coalesce(context_tier, 'standard') as context_tier,
        reported_cost,
        source_file,
        source_row
    from {{ charges }} as charges
    where cost_grain = 'cost_export'
),

usage_rows as (
    select
        charge_key,
        provider,
        charge_on,
        coalesce(sub_account_id, '') as match_project,
        coalesce(model, vendor_model_id) as match_model,
        token_class,
        coalesce(service_tier, 'standard') as service_tier,
        coalesce(context_tier, 'standard') as context_tier,
        consumed_quantity
    from {{ charges }} as charges
    where
        cost_grain = 'usage'
        and not exists (
            select 1
            from exclusions
            where
                exclusions.provider = charges.provider
                and exclusions.service_tier
                = coalesce(charges.service_tier, 'standard')
        )
),

usage_projects as (
    select distinct
        provider,
        charge_on,
        match_project
    from usage_rows
),

-- a cost row that names no project covers every project of its day: one
-- copy per project (its links are still decided per cost row, below)
cost_rows as (
    select
        *,
        sub_account_id as match_project
    from cost_exports
    where sub_account_id is not null
    union all
    select
        cost_exports.*,
        usage_projects.match_project
    from cost_exports
    inner join usage_projects
        on
            cost_exports.provider = usage_projects.provider
            and cost_exports.charge_on = usage_projects.charge_on
    where cost_exports.sub_account_id is null
),

-- every cost row of a usage row's provider, day and project that names its
-- model or none, graded by the finest grain at which it matches it
graded as (
    select
        cost_rows.charge_key as cost_charge_key,
        usage_rows.charge_key as usage_charge_key,
        case
            when
                cost_rows.match_model = usage_rows.match_model
                and cost_rows.token_class = usage_rows.token_class
                and cost_rows.service_tier = usage_rows.service_tier
                and cost_rows.context_tier = usage_rows.context_tier
                then 1
            when
                cost_rows.match_model = usage_rows.match_model
                and cost_rows.token_class = usage_rows.token_class
                then 2
            when cost_rows.match_model = usage_rows.match_model then 3
            when
                cost_rows.match_model is null
                and cost_rows.token_class = usage_rows.token_class
                then 4
            when cost_rows.match_model is null then 5
        end as grain
    from cost_rows
    inner join usage_rows
        on
            cost_rows.provider = usage_rows.provider
            and cost_rows.charge_on = usage_rows.charge_on
            and cost_rows.match_project = usage_rows.match_project
            and (
                cost_rows.match_model = usage_rows.match_model
                or cost_rows.match_model is null
            )
),

finest as (
    select
        *,
        min(grain) over (partition by usage_charge_key) as finest_grain
    from graded
),

-- each usage row keeps the cost rows of its finest grain only; cost rows
-- that name no model (grains 4 and 5) only take usage that no model's cost
-- row took
links as (
    select
        cost_charge_key,
        usage_charge_key,
        case grain
            when 1 then 'model_class_tiers'
            when 2 then 'model_class'
            when 3 then 'model'
            when 4 then 'token_class'
            when 5 then 'day'
        end as cost_allocation
    from finest
    where grain = finest_grain
),

weighted as (
    select
        links.cost_charge_key,
        links.usage_charge_key,
        links.cost_allocation,
        cost_rows.reported_cost,
        cost_rows.source_file as cost_source_file,
        cost_rows.source_row as cost_source_row,
        cost_rows.refresh_partition,
        cast(
            greatest(coalesce(usage_rows.consumed_quantity, 0), 0)
            as {{ int128_type() }}
        ) as weight
    from links
    inner join cost_exports as cost_rows
        on links.cost_charge_key = cost_rows.charge_key
    inner join usage_rows on links.usage_charge_key = usage_rows.charge_key
),

shares as (
    select
        *,
        sum(weight) over (partition by cost_charge_key) as total_weight,
        count(*) over (partition by cost_charge_key) as link_count,
        row_number() over (
            partition by cost_charge_key
            order by weight desc, usage_charge_key asc
        ) as share_rank
    from weighted
),

-- exact integer arithmetic in units of 1e-10 (no floating point): floor of
-- cost × weight / total weight (the integer quotient, truncated toward zero)
{%- set cost_units =
    'cast(reported_cost * 10000000000 as ' ~ int128_type() ~ ')' %}
rounded as (
    select
        *,
        cast(
            case
                when total_weight > 0
                    then
                        {{ integer_divide(
                            cost_units ~ ' * weight', 'total_weight'
                        ) }}
                else
                    {{ integer_divide(cost_units, 'link_count') }}
            end as decimal(38, 0)
        ) * 0.0000000001 as rounded_share
    from shares
),

partitions as (
    select * from {{ ref('int_charge_partitions') }}
),

allocated as (
    select
        rounded.cost_charge_key,
        rounded.usage_charge_key,
        rounded.cost_allocation,
        cast(
            rounded.rounded_share
            + case
                when rounded.share_rank = 1
                    then
                        rounded.reported_cost
                        - sum(rounded.rounded_share) over (
                            partition by rounded.cost_charge_key
                        )
                else 0
            end as decimal(38, 10)
        ) as allocated_cost,
        rounded.cost_source_file,
        rounded.cost_source_row,
        rounded.refresh_partition
    from rounded
),

final as (
    select
        allocated.cost_charge_key,
        allocated.usage_charge_key,
        allocated.cost_allocation,
        allocated.allocated_cost,
        row_number() over (
            partition by allocated.usage_charge_key
            order by
                abs(allocated.allocated_cost) desc,
                allocated.cost_charge_key asc
        ) as usage_link_rank,
        allocated.cost_source_file,
        allocated.cost_source_row,
        allocated.refresh_partition,
        partitions.partition_digest
    from allocated
    inner join partitions
        on allocated.refresh_partition = partitions.refresh_partition
)

select * from final
