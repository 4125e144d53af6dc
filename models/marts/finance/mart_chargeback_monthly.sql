-- What each team and cost centre is charged for a month: its directly
-- attributed charges plus its shares of the shared costs
-- (int_ai_costs_charged_back). Every charge lands somewhere, 'unallocated'
-- included, so the month's total equals fct_ai_costs' billed cost to the
-- cent (tests/dbt/finance).
with

lines as (
    select * from {{ ref('int_ai_costs_charged_back') }}
),

final as (
    select
        team,
        cost_center,
        billing_currency,
        reporting_currency,
        cast(
            coalesce(sum(billed_cost) filter (
                where allocation_method = 'direct'
            ), 0) as decimal(38, 10)
        ) as direct_billed_cost,
        cast(
            coalesce(sum(billed_cost) filter (
                where allocation_method != 'direct'
            ), 0) as decimal(38, 10)
        ) as shared_billed_cost,
        cast(coalesce(sum(billed_cost), 0) as decimal(38, 10))
            as billed_cost,
        cast(coalesce(sum(effective_cost), 0) as decimal(38, 10))
            as effective_cost,
        cast(
            coalesce(sum(billed_cost_reporting) filter (
                where allocation_method = 'direct'
            ), 0) as decimal(38, 10)
        ) as direct_billed_cost_reporting,
        cast(
            coalesce(sum(billed_cost_reporting) filter (
                where allocation_method != 'direct'
            ), 0) as decimal(38, 10)
        ) as shared_billed_cost_reporting,
        cast(coalesce(sum(billed_cost_reporting), 0) as decimal(38, 10))
            as billed_cost_reporting,
        cast(coalesce(sum(effective_cost_reporting), 0) as decimal(38, 10))
            as effective_cost_reporting,
        -- a pool reaches a (team, cost centre) once, so its charges count
        -- once per receiver: these are counts of distinct charges
        cast(coalesce(sum(charge_count) filter (
            where allocation_method = 'direct'
        ), 0) as bigint) as direct_charge_count,
        cast(coalesce(sum(charge_count) filter (
            where allocation_method != 'direct'
        ), 0) as bigint) as shared_charge_count,
        billing_period_start_on
    from lines
    group by
        team,
        cost_center,
        billing_currency,
        reporting_currency,
        billing_period_start_on
)

select * from final
