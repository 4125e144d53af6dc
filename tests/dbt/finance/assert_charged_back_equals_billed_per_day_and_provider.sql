-- Allocated + unallocated = billed, per day and provider, to the cent: the
-- rows of int_ai_costs_charged_back (every team, 'unallocated' included)
-- add up to fct_ai_costs' billed cost for each day and provider.
with

lines as (
    select * from {{ ref('int_ai_costs_charged_back') }}
),

costs as (
    select * from {{ ref('fct_ai_costs') }}
),

allocated as (
    select
        charge_on,
        provider,
        billing_currency,
        coalesce(sum(billed_cost), 0) as billed_cost
    from lines
    group by 1, 2, 3
),

billed as (
    select
        charge_on,
        provider,
        billing_currency,
        coalesce(sum(billed_cost), 0) as billed_cost
    from costs
    group by 1, 2, 3
),

final as (
    select
        coalesce(allocated.charge_on, billed.charge_on) as charge_on,
        coalesce(allocated.provider, billed.provider) as provider,
        allocated.billed_cost as allocated_billed_cost,
        billed.billed_cost as fct_billed_cost
    from allocated
    full outer join billed
        on
            allocated.charge_on = billed.charge_on
            and allocated.provider = billed.provider
            and allocated.billing_currency = billed.billing_currency
    where
        abs(
            coalesce(allocated.billed_cost, 0) - coalesce(billed.billed_cost, 0)
        ) >= 0.005
)

select * from final
