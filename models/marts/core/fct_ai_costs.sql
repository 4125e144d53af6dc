{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_stale_partitions(ref('int_cost_partitions')) }}",
) }}

-- THE fact: one row per charge as billed, attributed and converted; every
-- mart, FOCUS and the detectors of allocated cost read it.
-- Vendor-reported cost is the billed truth; usage exports only enrich it.
-- OpenAI costs and Anthropic cost_report rows are coarser than the usage
-- exports (no user or key), so each cost row is split over the usage rows
-- with the same day, project/workspace, model, token class, service tier and
-- context tier, by token share (floored to 1e-10, the residue on the largest
-- share so that the split adds up exactly). Cost rows that no usage
-- row matches stay whole; usage rows that no cost row covers (Anthropic
-- priority tier, a provider whose cost export is not landed) are estimated
-- from the price book and labelled so; unpriced ones keep a null cost.
-- Each charge then takes its attribution (int_charge_key_attribution, by its
-- keys) and is converted to the reporting currency (the billing-to-reporting
-- rate of the charge's day, 1 when the currencies are equal). People's
-- identifiers were pseudonymised when their files were landed.
-- Incremental by refresh partition (charge month, or 'seats'): a build
-- rebuilds the partitions whose inputs changed (int_cost_partitions,
-- macros/incremental/stale_partitions.sql). The priced charges are read
-- where each part needs them (`charges`), not through one import CTE:
-- DuckDB materializes a CTE that several parts read, with every column of
-- every row.
{%- set charges -%}
    (
        select * from {{ ref('int_ai_charges_priced') }}
        where refresh_partition in (
            {{ stale_partitions(ref('int_cost_partitions')) }}
        )
    )
{%- endset %}
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

allocated_all as (
    select * from allocated_charges
    union all
    select * from unmatched_costs
    union all
    select * from estimated_usage
    union all
    select * from billed_charges
),

partitions as (
    select * from {{ ref('int_cost_partitions') }}
),

attribution as (
    select * from {{ ref('int_charge_key_attribution') }}
),

fx_rates as (
    select * from {{ ref('fx_rates') }}
),

providers as (
    select * from {{ ref('providers') }}
),

converted as (
    select
        allocated_all.* replace (
            coalesce(allocated_all.service_tier, 'standard') as service_tier,
            coalesce(allocated_all.context_tier, 'standard') as context_tier
        ),
        -- every charge's keys are in int_charge_key_attribution; a left join
        -- never drops a charge
        coalesce(attribution.team, 'unallocated') as team,
        coalesce(attribution.cost_center, 'unallocated') as cost_center,
        coalesce(attribution.product, 'unallocated') as product,
        coalesce(attribution.environment, 'unallocated') as environment,
        coalesce(attribution.agent, 'unallocated') as agent,
        attribution.attribution_rule_id,
        case
            when allocated_all.billing_currency = '{{ reporting_currency() }}'
                then cast(1 as decimal(38, 10))
            else fx_rates.rate
        end as fx_rate_to_reporting,
        cast(
            coalesce(
                allocated_all.reported_list_cost, allocated_all.estimated_cost
            ) as decimal(38, 10)
        ) as list_cost,
        providers.provider_name,
        providers.invoice_issuer_name,
        providers.host_provider_name,
        providers.service_name,
        providers.service_category,
        providers.service_subcategory,
        partitions.partition_digest as fact_partition_digest
    from allocated_all
    left join partitions
        on allocated_all.refresh_partition = partitions.refresh_partition
    left join attribution
        on
            allocated_all.refresh_partition = attribution.refresh_partition
            and {{ attribution_key('allocated_all') }}
            = attribution.attribution_key
    left join fx_rates
        on
            allocated_all.charge_on = fx_rates.rate_on
            and allocated_all.billing_currency = fx_rates.from_currency
            and fx_rates.to_currency = '{{ reporting_currency() }}'
    left join providers
        on allocated_all.provider = providers.provider
),

final as (
    select
        md5(charge_key) as charge_id,
        provider,
        provider_name,
        invoice_issuer_name,
        -- seat licences run on no host (FOCUS 1.3 HostProviderName)
        case
            when cost_grain = 'seat' then 'Not Applicable'
            else host_provider_name
        end as host_provider_name,
        case
            when cost_grain = 'seat' then sub_account_id
            else service_name
        end as service_name,
        service_category,
        service_subcategory,
        charge_category,
        case
            when charge_category = 'Purchase' then 'Recurring'
            else 'Usage-Based'
        end as charge_frequency,
        cost_source,
        cost_grain,
        billing_account_id,
        sub_account_id,
        sub_account_name,
        vendor_model_id,
        model,
        model_family,
        model_developer,
        vendor_sku,
        price_model,
        provider
        || ':' || coalesce(price_model, vendor_model_id, vendor_sku, 'unknown')
        || ':' || coalesce(token_class, 'other') as sku_id,
        provider
        || ':' || coalesce(price_model, vendor_model_id, vendor_sku, 'unknown')
        || ':' || coalesce(token_class, 'other')
        || ':' || coalesce(service_tier, 'standard')
        || ':' || coalesce(context_tier, 'standard') as sku_price_id,
        token_class,
        service_tier,
        context_tier,
        region_id,
        consumed_unit,
        -- FOCUS unit of the price; without a price-book row, tokens are still
        -- counted in blocks of 1M and other units as consumed
        coalesce(
            pricing_unit,
            case
                when consumed_unit = 'Tokens' then '1000000 Tokens'
                else consumed_unit
            end
        ) as pricing_unit,
        billing_currency,
        '{{ reporting_currency() }}' as reporting_currency,
        -- people's identifiers arrive pseudonymised (ai_finops/privacy.py)
        user_name,
        api_key_id,
        resource_id,
        iam_principal,
        repository,
        vendor_cost_center,
        tags,
        team,
        cost_center,
        product,
        environment,
        agent,
        attribution_rule_id,
        consumed_quantity,
        coalesce(
            pricing_quantity,
            case
                when consumed_unit = 'Tokens'
                    then consumed_quantity * 0.000001
                else consumed_quantity
            end
        ) as pricing_quantity,
        request_count,
        list_unit_price,
        reported_list_cost,
        list_cost,
        cast(billed_cost as decimal(38, 10)) as billed_cost,
        cast(billed_cost as decimal(38, 10)) as effective_cost,
        estimated_cost,
        fx_rate_to_reporting,
        cast(list_cost * fx_rate_to_reporting as decimal(38, 10))
            as list_cost_reporting,
        cast(billed_cost * fx_rate_to_reporting as decimal(38, 10))
            as billed_cost_reporting,
        cast(billed_cost * fx_rate_to_reporting as decimal(38, 10))
            as effective_cost_reporting,
        coalesce(is_included_in_seat, false) as is_included_in_seat,
        charge_on,
        cast(date_trunc('month', charge_on) as date)
            as billing_period_start_on,
        charge_period_start_at,
        charge_period_end_at,
        price_currency,
        price_source_url,
        staging_model,
        source_file,
        source_row,
        billed_source_file,
        billed_source_row,
        refresh_partition,
        fact_partition_digest as partition_digest
    from converted
)

select * from final
