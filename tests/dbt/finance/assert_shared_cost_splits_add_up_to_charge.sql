-- Every charge's rows in int_ai_costs_charged_back (one for a direct charge,
-- one per receiving team for a shared one) add up exactly to the charge's
-- cost, in the billing and in the reporting currency.
with

charges as (
    select * from {{ ref('int_ai_costs_converted') }}
),

lines as (
    select * from {{ ref('int_ai_costs_charged_back') }}
),

split_totals as (
    select
        charge_key,
        count(*) as split_rows,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost,
        sum(billed_cost_reporting) as billed_cost_reporting,
        sum(effective_cost_reporting) as effective_cost_reporting
    from lines
    group by 1
),

final as (
    select
        charges.charge_key,
        charges.billed_cost,
        split_totals.billed_cost as split_billed_cost,
        charges.billed_cost_reporting,
        split_totals.billed_cost_reporting as split_billed_cost_reporting,
        split_totals.split_rows
    from charges
    left join split_totals
        on charges.charge_key = split_totals.charge_key
    where
        split_totals.charge_key is null
        or charges.billed_cost is distinct from split_totals.billed_cost
        or charges.effective_cost is distinct from split_totals.effective_cost
        or charges.billed_cost_reporting
        is distinct from split_totals.billed_cost_reporting
        or charges.effective_cost_reporting
        is distinct from split_totals.effective_cost_reporting
)

select * from final
