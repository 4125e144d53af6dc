{#-
    unpriced_model: charges the price book cannot price. A charge counts when
    its cost is null (a usage row with no vendor cost and no price: never a
    silent 0), or when it is a usage charge of a vendor model that the
    price book does not know (no canonical model in int_vendor_models, or no
    price-book row for that provider and model or SKU): its list cost and any
    estimate are then impossible even if the vendor billed it. One incident
    per provider × vendor model (the vendor's model id, else its SKU), dated
    by its first charge, with rows, tokens and null-cost rows in evidence.
    Every null cost of fct_ai_costs has such a row (tests/dbt/incidents).
-#}
with

charges as (
    select * from {{ ref('fct_ai_costs') }}
),

price_book as (
    select * from {{ ref('price_book') }}
),

priced_models as (
    select distinct
        provider,
        model
    from price_book
),

unpriced_charges as (
    select
        charges.provider,
        charges.model,
        coalesce(
            charges.vendor_model_id, charges.vendor_sku, charges.token_class
        ) as vendor_model,
        charges.charge_on,
        charges.consumed_unit,
        charges.consumed_quantity,
        charges.billed_cost
    from charges
    left join priced_models
        on
            charges.provider = priced_models.provider
            and charges.price_model = priced_models.model
    where
        charges.billed_cost is null
        or (
            charges.charge_category = 'Usage'
            and charges.vendor_model_id is not null
            and priced_models.model is null
        )
),

grouped as (
    select
        provider,
        model,
        vendor_model,
        min(charge_on) as first_charge_on,
        max(charge_on) as last_charge_on,
        count(*) as row_count,
        count(*) filter (where billed_cost is null) as null_cost_rows,
        sum(consumed_quantity) filter (where consumed_unit = 'Tokens')
            as tokens,
        sum(billed_cost) as known_cost
    from unpriced_charges
    group by 1, 2, 3
),

final as (
    select
        'unpriced_model' as incident_type,
        provider,
        model,
        vendor_model as sku,
        'int_incidents__unpriced_model' as detected_by,
        provider || ':' || vendor_model as incident_key,
        provider || ' model ''' || vendor_model || ''''
        || case
            when model is null
                then ' has no canonical model (seeds models, model_aliases)'
            else ' (' || model || ') has no price-book price'
        end
        || ': ' || row_count || ' row(s) from '
        || {{ format_date('first_charge_on', '%Y-%m-%d') }} || ' to '
        || {{ format_date('last_charge_on', '%Y-%m-%d') }} || ', '
        || coalesce(cast(cast(tokens as bigint) as string), 'no')
        || ' tokens, ' || null_cost_rows || ' row(s) with a null cost, '
        || 'vendor-billed cost '
        || coalesce({{ format_decimal('known_cost', 4) }}, 'none') as evidence,
        cast(null as double) as magnitude,
        first_charge_on as started_on,
        first_charge_on as window_start_on,
        last_charge_on as window_end_on
    from grouped
)

select * from final
