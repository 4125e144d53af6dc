{{ config(
    materialized='incremental',
    incremental_strategy=refresh_strategy(),
    partition_by=refresh_partitioning(),
    on_schema_change='fail',
    pre_hook="{{ delete_stale_partitions(ref('int_cost_partitions')) }}",
) }}

-- THE fact: one row per charge as billed, attributed and converted; every
-- mart, FOCUS and the detectors of allocated cost read it.
-- Vendor-reported cost is the billed truth; usage exports only enrich it.
-- OpenAI costs and Anthropic cost_report rows are coarser than the usage
-- exports (no user or key), so each cost row is split over the usage rows
-- it covers (int_cost_export_allocations: at the finest grain the cost row
-- supports, by token share, adding up exactly); a cost row that matches no
-- usage stays whole. Usage that no cost export covers (a day or project
-- without one, Anthropic's priority tier: seed cost_export_exclusions) is
-- estimated from the price book and labelled so; unpriced usage keeps a
-- null cost. Usage on a covered day that no cost row matches is billed 0
-- (the vendor's bill has nothing for it; reconciliation_gap compares its
-- estimate), or null when it has no price. cost_allocation says which of
-- these a row is.
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
-- The columns a cost allocation rewrites (allocated_charges) come last in
-- each part of allocated_all, in this order: the parts are unioned by
-- position.
{%- set link_columns = [
    'charge_key',
    'consumed_quantity',
    'request_count',
    'reported_list_cost',
    'pricing_quantity',
    'estimated_cost',
] -%}
{%- set charges -%}
    (
        select * from {{ ref('int_ai_charges_priced') }}
        where refresh_partition in (
            {{ stale_partitions(ref('int_cost_partitions')) }}
        )
    )
{%- endset %}

with

allocations as (
    select * from {{ ref('int_cost_export_allocations') }}
    where refresh_partition in (
        {{ stale_partitions(ref('int_cost_partitions')) }}
    )
),

exclusions as (
    select * from {{ ref('cost_export_exclusions') }}
),

-- a usage row that joins several cost rows carries its quantities on one
-- link (usage_link_rank 1): nothing is counted twice
allocated_charges as (
    select
        {{ all_columns_except('usage_charges', link_columns) }},
        usage_charges.charge_key || '|' || allocations.cost_charge_key
            as charge_key,
        case
            when allocations.usage_link_rank = 1
                then usage_charges.consumed_quantity
            else usage_charges.consumed_quantity * 0
        end as consumed_quantity,
        case
            when allocations.usage_link_rank = 1
                then usage_charges.request_count
            else usage_charges.request_count * 0
        end as request_count,
        case
            when allocations.usage_link_rank = 1
                then usage_charges.reported_list_cost
            else usage_charges.reported_list_cost * 0
        end as reported_list_cost,
        case
            when allocations.usage_link_rank = 1
                then usage_charges.pricing_quantity
            else usage_charges.pricing_quantity * 0
        end as pricing_quantity,
        case
            when allocations.usage_link_rank = 1
                then usage_charges.estimated_cost
            else usage_charges.estimated_cost * 0
        end as estimated_cost,
        'vendor_reported' as cost_source,
        allocations.cost_allocation,
        allocations.allocated_cost as billed_cost,
        allocations.cost_source_file as billed_source_file,
        allocations.cost_source_row as billed_source_row
    from allocations
    inner join {{ charges }} as usage_charges
        on allocations.usage_charge_key = usage_charges.charge_key
    where usage_charges.cost_grain = 'usage'
),

unmatched_costs as (
    select
        {{ all_columns_except('cost_charges', link_columns) }},
        {%- for column in link_columns %}
            cost_charges.{{ column }},
        {%- endfor %}
        'vendor_reported' as cost_source,
        'unallocated' as cost_allocation,
        cost_charges.reported_cost as billed_cost,
        cost_charges.source_file as billed_source_file,
        cost_charges.source_row as billed_source_row
    from {{ charges }} as cost_charges
    where
        cost_charges.cost_grain = 'cost_export'
        and not exists (
            select 1 from allocations
            where allocations.cost_charge_key = cost_charges.charge_key
        )
),

-- the days and projects a cost export covers (a cost row that names no
-- project covers every project of its day)
covered_projects as (
    select distinct
        cost_charges.provider,
        cost_charges.charge_on,
        cost_charges.sub_account_id
    from {{ charges }} as cost_charges
    where
        cost_charges.cost_grain = 'cost_export'
        and cost_charges.sub_account_id is not null
),

covered_days as (
    select distinct
        cost_charges.provider,
        cost_charges.charge_on
    from {{ charges }} as cost_charges
    where
        cost_charges.cost_grain = 'cost_export'
        and cost_charges.sub_account_id is null
),

-- usage no cost row took: estimated where no cost export covers it (or the
-- vendor leaves it out of the export), billed 0 where one does (the bill has
-- nothing for it; its estimate stays in estimated_cost for reconciliation);
-- usage without a price keeps a null cost either way, never a silent 0
estimated_usage as (
    select
        {{ all_columns_except('usage_charges', link_columns) }},
        {%- for column in link_columns %}
            usage_charges.{{ column }},
        {%- endfor %}
        case
            when
                exclusions.provider is null
                and usage_charges.estimated_cost is not null
                and (
                    covered_projects.provider is not null
                    or covered_days.provider is not null
                )
                then 'vendor_reported'
            else 'estimated_from_price_book'
        end as cost_source,
        case
            when exclusions.provider is not null
                then 'excluded_from_cost_export'
            when
                covered_projects.provider is not null
                or covered_days.provider is not null
                then 'absent_from_cost_export'
            else 'no_cost_export'
        end as cost_allocation,
        case
            when
                exclusions.provider is null
                and usage_charges.estimated_cost is not null
                and (
                    covered_projects.provider is not null
                    or covered_days.provider is not null
                )
                then cast(0 as decimal(38, 10))
            else usage_charges.estimated_cost
        end as billed_cost,
        cast(null as string) as billed_source_file,
        cast(null as bigint) as billed_source_row
    from {{ charges }} as usage_charges
    left join exclusions
        on
            usage_charges.provider = exclusions.provider
            and coalesce(usage_charges.service_tier, 'standard')
            = exclusions.service_tier
    left join covered_projects
        on
            usage_charges.provider = covered_projects.provider
            and usage_charges.charge_on = covered_projects.charge_on
            and usage_charges.sub_account_id = covered_projects.sub_account_id
    left join covered_days
        on
            usage_charges.provider = covered_days.provider
            and usage_charges.charge_on = covered_days.charge_on
    where
        usage_charges.cost_grain = 'usage'
        and not exists (
            select 1 from allocations
            where allocations.usage_charge_key = usage_charges.charge_key
        )
),

billed_charges as (
    select
        {{ all_columns_except('charges', link_columns) }},
        {%- for column in link_columns %}
            charges.{{ column }},
        {%- endfor %}
        'vendor_reported' as cost_source,
        cast(null as string) as cost_allocation,
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
        {{ all_columns_except(
            'allocated_all', ['service_tier', 'context_tier']
        ) }},
        coalesce(allocated_all.service_tier, 'standard') as service_tier,
        coalesce(allocated_all.context_tier, 'standard') as context_tier,
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
        -- list cost is what usage costs at list price: a credit lowers
        -- billed and effective cost, never list cost
        cast(
            case
                when allocated_all.charge_category = 'Credit' then 0
                else
                    coalesce(
                        allocated_all.reported_list_cost,
                        allocated_all.estimated_cost
                    )
            end as decimal(38, 10)
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
        cost_allocation,
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
        {{ month_start('charge_on') }} as billing_period_start_on,
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
