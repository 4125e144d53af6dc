{{ config(**refresh_chain_config(partitioned=true)) }}

{%- set window_start = refresh_window_start() %}

-- Vendor-reported cost is the billed truth; usage exports only enrich it.
-- OpenAI costs and Anthropic cost_report rows are coarser than the usage
-- exports (no user or key), so each cost row is split over the usage rows
-- with the same day, project/workspace, model, token class, service tier and
-- context tier, by token share (floored to 1e-10, the residue on the largest
-- share so that the split adds up exactly). Cost rows that no usage
-- row matches stay whole; usage rows that no cost row covers (Anthropic
-- priority tier, a provider whose cost export is not landed) are estimated
-- from the price book and labelled so; unpriced ones keep a null cost.
-- The model is built a partition of charge days at a time (a cost row is
-- split over usage rows of its own day; chain_partition_count(), var
-- chain_rows_per_partition), so that its joins and windows over millions of
-- charge keys stay in memory.
{%- set charges = chain_input(
    'int_ai_charges_priced', window_start, partitioned=true) %}
{%- set split_keys = [
    'charge_key', 'provider', 'charge_on', 'sub_account_id', 'model',
    'vendor_model_id', 'token_class', 'service_tier', 'context_tier',
] %}

with

cost_rows as (
    select
        {%- for key in split_keys %}
            {{ key }},
        {%- endfor %}
        reported_cost,
        source_file,
        source_row
    from {{ charges }} as charges
    where cost_grain = 'cost_export'
),

usage_rows as (
    select
        {%- for key in split_keys %}
            {{ key }},
        {%- endfor %}
        consumed_quantity
    from {{ charges }} as charges
    where cost_grain = 'usage'
),

matches as (
    select
        cost_rows.charge_key as cost_charge_key,
        usage_rows.charge_key as usage_charge_key,
        cost_rows.reported_cost,
        cost_rows.source_file as cost_source_file,
        cost_rows.source_row as cost_source_row,
        usage_rows.consumed_quantity as usage_quantity,
        sum(usage_rows.consumed_quantity) over (
            partition by cost_rows.charge_key
        ) as matched_quantity,
        row_number() over (
            partition by cost_rows.charge_key
            order by
                usage_rows.consumed_quantity desc, usage_rows.charge_key asc
        ) as share_rank
    from cost_rows
    inner join usage_rows
        on
            cost_rows.provider = usage_rows.provider
            and cost_rows.charge_on = usage_rows.charge_on
            and cost_rows.sub_account_id
            is not distinct from usage_rows.sub_account_id
            and coalesce(cost_rows.model, cost_rows.vendor_model_id)
            = coalesce(usage_rows.model, usage_rows.vendor_model_id)
            and cost_rows.token_class = usage_rows.token_class
            and cost_rows.service_tier = usage_rows.service_tier
            and cost_rows.context_tier = usage_rows.context_tier
),

-- exact integer arithmetic in units of 1e-10 (no floating point): floor of
-- cost × quantity / matched quantity
shares as (
    select
        *,
        cast(
            cast(reported_cost * 10000000000 as hugeint)
            * cast(usage_quantity as hugeint)
            // cast(matched_quantity as hugeint) as decimal(38, 0)
        ) * 0.0000000001 as rounded_share
    from matches
),

allocated as (
    select
        cost_charge_key,
        usage_charge_key,
        cost_source_file,
        cost_source_row,
        rounded_share
        + case
            when share_rank = 1
                then
                    reported_cost
                    - sum(rounded_share) over (partition by cost_charge_key)
            else 0
        end as allocated_cost
    from shares
),

allocated_charges as (
    select
        usage_charges.* replace (
            usage_charges.charge_key || '|' || allocated.cost_charge_key
                as charge_key
        ),
        'vendor_reported' as cost_source,
        allocated.allocated_cost as billed_cost,
        allocated.cost_source_file as billed_source_file,
        allocated.cost_source_row as billed_source_row
    from allocated
    inner join {{ charges }} as usage_charges
        on allocated.usage_charge_key = usage_charges.charge_key
    where usage_charges.cost_grain = 'usage'
),

unmatched_costs as (
    select
        cost_charges.*,
        'vendor_reported' as cost_source,
        cost_charges.reported_cost as billed_cost,
        cost_charges.source_file as billed_source_file,
        cost_charges.source_row as billed_source_row
    from {{ charges }} as cost_charges
    where
        cost_charges.cost_grain = 'cost_export'
        and not exists (
            select 1 from matches
            where matches.cost_charge_key = cost_charges.charge_key
        )
),

estimated_usage as (
    select
        usage_charges.*,
        'estimated_from_price_book' as cost_source,
        usage_charges.estimated_cost as billed_cost,
        cast(null as varchar) as billed_source_file,
        cast(null as bigint) as billed_source_row
    from {{ charges }} as usage_charges
    where
        usage_charges.cost_grain = 'usage'
        and not exists (
            select 1 from matches
            where matches.usage_charge_key = usage_charges.charge_key
        )
),

billed_charges as (
    select
        charges.*,
        'vendor_reported' as cost_source,
        charges.reported_cost as billed_cost,
        charges.source_file as billed_source_file,
        charges.source_row as billed_source_row
    from {{ charges }} as charges
    where charges.cost_grain in ('bill', 'seat')
),

final as (
    select * from allocated_charges
    union all
    select * from unmatched_costs
    union all
    select * from estimated_usage
    union all
    select * from billed_charges
)

select * from final
