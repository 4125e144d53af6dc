{#-
    new_billing_unit: a way of being billed that the data has not shown
    before. The unit of billing is (provider, token class or non-token class,
    consumed unit) of the usage charges (int_ai_charges_priced); new models
    bring new SKU and meter names but no new unit, so they do not fire (an
    unknown model is an unpriced_model). Baseline: the first
    `new_unit_baseline_days` (31) days of each provider's data, one full
    billing month, so that every SKU billed monthly or rarely is seen once
    before anything is called new; a unit first seen after it is an incident
    on its first day, whether or not the price book defines it (the evidence
    says which). When the price book dates the unit (effective_from) after
    the provider's last usage day before the unit's first charge, the
    incident starts on that date: the unit took effect then, and was first
    used on the next working day.
-#}
{%- set baseline_days = incident_setting('new_unit_baseline_days') -%}

with

charges as (
    select * from {{ ref('int_ai_charges_priced') }}
),

price_book as (
    select * from {{ ref('price_book') }}
),

usage_rows as (
    select
        provider,
        coalesce(token_class, 'unclassified') as billing_class,
        coalesce(consumed_unit, 'unspecified') as billing_unit,
        vendor_sku,
        price_model,
        charge_on,
        consumed_quantity,
        reported_cost,
        list_unit_price
    from charges
    where charge_category = 'Usage'
),

provider_baselines as (
    select
        provider,
        min(charge_on) as provider_first_on,
        min(charge_on) + {{ baseline_days }} as baseline_end_on
    from usage_rows
    group by 1
),

units as (
    select
        provider,
        billing_class,
        billing_unit,
        min(charge_on) as first_seen_on,
        max(charge_on) as last_seen_on,
        count(*) as row_count
    from usage_rows
    group by 1, 2, 3
),

first_days as (
    select
        units.provider,
        units.billing_class,
        units.billing_unit,
        units.first_seen_on,
        units.last_seen_on,
        units.row_count,
        mode(usage_rows.vendor_sku) as vendor_sku,
        mode(usage_rows.price_model) as price_model,
        count(*) as first_day_rows,
        sum(usage_rows.consumed_quantity) as first_day_quantity,
        sum(usage_rows.reported_cost) as first_day_cost,
        count(usage_rows.list_unit_price) > 0 as has_price
    from units
    inner join usage_rows
        on
            units.provider = usage_rows.provider
            and units.billing_class = usage_rows.billing_class
            and units.billing_unit = usage_rows.billing_unit
            and units.first_seen_on = usage_rows.charge_on
    group by 1, 2, 3, 4, 5, 6
),

previous_usage as (
    -- the provider's last usage day before the unit appeared
    select
        first_days.provider,
        first_days.billing_class,
        first_days.billing_unit,
        max(usage_rows.charge_on) as previous_usage_on
    from first_days
    inner join usage_rows
        on
            first_days.provider = usage_rows.provider
            and first_days.first_seen_on > usage_rows.charge_on
    group by 1, 2, 3
),

effective_dates as (
    -- a unit the price book dates inside the gap before its first charge
    -- took effect that day (Copilot AI credits from 2026-06-01, first used
    -- on the next working day)
    select
        first_days.provider,
        first_days.billing_class,
        first_days.billing_unit,
        min(price_book.effective_from) as effective_from
    from first_days
    inner join previous_usage
        on
            first_days.provider = previous_usage.provider
            and first_days.billing_class = previous_usage.billing_class
            and first_days.billing_unit = previous_usage.billing_unit
    inner join price_book
        on
            first_days.provider = price_book.provider
            and first_days.price_model = price_book.model
            and first_days.billing_class = price_book.token_class
            and previous_usage.previous_usage_on < price_book.effective_from
            and first_days.first_seen_on >= price_book.effective_from
    group by 1, 2, 3
),

final as (
    select
        'new_billing_unit' as incident_type,
        first_days.provider,
        cast(null as string) as model,  -- noqa: RF04
        coalesce(first_days.vendor_sku, first_days.billing_class) as sku,
        'int_incidents__new_billing_unit' as detected_by,
        first_days.provider || ':' || first_days.billing_class || ':'
        || first_days.billing_unit as incident_key,
        'first ' || first_days.provider || ' charge in class '''
        || first_days.billing_class || ''' and unit '''
        || first_days.billing_unit || ''' on '
        || {{ format_date('first_days.first_seen_on', '%Y-%m-%d') }}
        || ' (SKU '''
        || coalesce(first_days.vendor_sku, '?') || ''', '
        || first_days.first_day_rows || ' row(s), quantity '
        || coalesce(
            {{ format_decimal('first_days.first_day_quantity', 4) }}, 'none'
        )
        || ', vendor cost '
        || coalesce(
            {{ format_decimal('first_days.first_day_cost', 4) }}, 'none'
        )
        || '); '
        || case
            when effective_dates.effective_from is not null
                then
                    'the price book prices it from '
                    || {{ format_date(
                        'effective_dates.effective_from', '%Y-%m-%d'
                    ) }}
            when first_days.has_price then 'the price book defines it'
            else 'the price book has no price for it'
        end
        || '; not seen in the provider''s baseline from '
        || {{ format_date(
            'provider_baselines.provider_first_on', '%Y-%m-%d'
        ) }}
        || '; ' || first_days.row_count || ' row(s) until '
        || {{ format_date('first_days.last_seen_on', '%Y-%m-%d') }} as evidence,
        cast(null as double) as magnitude,
        coalesce(effective_dates.effective_from, first_days.first_seen_on)
            as started_on,
        provider_baselines.provider_first_on as window_start_on,
        first_days.first_seen_on as window_end_on
    from first_days
    inner join provider_baselines
        on first_days.provider = provider_baselines.provider
    left join effective_dates
        on
            first_days.provider = effective_dates.provider
            and first_days.billing_class = effective_dates.billing_class
            and first_days.billing_unit = effective_dates.billing_unit
    where first_days.first_seen_on >= provider_baselines.baseline_end_on
)

select * from final
