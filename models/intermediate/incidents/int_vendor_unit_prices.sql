{{ config(materialized=view_materialization()) }}

{%- set at_list -%}
    case
        when
            reported_list_cost is not null
            and billed_cost < reported_list_cost
            then reported_list_cost
        else billed_cost
    end
{%- endset -%}

-- The vendor-billed usage charges whose unit price can be compared with
-- the price book, one row per charge: provider, price_model (priced
-- model or SKU), model, token_class, service_tier, context_tier,
-- charge_on, at_list_cost (what the vendor bills at its list price) and
-- estimated_cost (pricing quantity × list unit price valid that day).
--   - cost-export rows that state their own quantity (OpenAI costs)
--     are taken as they are: their unit price is the vendor's, even
--     when the usage export counts a different quantity;
--   - cost-export rows without a quantity (Anthropic cost_report) are
--     taken as allocated onto the usage rows they cover;
--   - bill rows (cloud bills, Copilot, Cursor) as they are.
-- A discount the row itself states (reported list amount above the
-- billed cost: Copilot included usage, Cursor included events, Azure
-- EffectivePrice below PayGPrice) is the vendor's own: the row counts
-- at its list amount. Credits, taxes, seats and purchases are not
-- usage; rows without a list price have nothing to compare, and neither
-- have rows billed in another currency than the price book's (a EUR bill
-- is not a USD list price converted at any one rate).
-- Read by int_incidents__unit_price_change and
-- int_incidents__reconciliation_gap (a view).

with

priced_charges as (
    select * from {{ ref('int_ai_charges_priced') }}
),

allocated_charges as (
    select * from {{ ref('fct_ai_costs') }}
),

cost_rows_with_quantity as (
    select
        source_file,
        source_row
    from priced_charges
    where cost_grain = 'cost_export' and consumed_quantity > 0
),

own_quantity_rows as (
    select
        provider,
        coalesce(price_model, model) as price_model,
        model,
        token_class,
        service_tier,
        context_tier,
        charge_on,
        reported_cost as at_list_cost,
        estimated_cost
    from priced_charges
    where
        cost_grain = 'cost_export'
        and charge_category = 'Usage'
        and consumed_quantity > 0
        and reported_cost is not null
        and estimated_cost > 0
        and billing_currency = price_currency
),

billed_rows as (
    select
        provider,
        coalesce(price_model, model) as price_model,
        model,
        token_class,
        service_tier,
        context_tier,
        charge_on,
        {{ at_list }} as at_list_cost,
        estimated_cost
    from allocated_charges
    where
        cost_source = 'vendor_reported'
        and charge_category = 'Usage'
        and billed_cost is not null
        and estimated_cost > 0
        and billing_currency = price_currency
        and (
            cost_grain = 'bill'
            or (
                cost_grain = 'usage'
                and not exists (
                    select 1
                    from cost_rows_with_quantity
                    where
                        cost_rows_with_quantity.source_file
                        = allocated_charges.billed_source_file
                        and cost_rows_with_quantity.source_row
                        = allocated_charges.billed_source_row
                )
            )
        )
),

final as (
    select * from own_quantity_rows
    union all
    select * from billed_rows
)

select * from final
