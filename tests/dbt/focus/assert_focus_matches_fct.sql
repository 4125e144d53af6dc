-- focus_ai_costs is fct_ai_costs in FOCUS form: per provider and billing
-- currency, one FOCUS row per priced charge (billed_cost not null) and the
-- same billed, effective and list cost, exactly (decimals, no tolerance).
-- FOCUS requires a ListCost: a charge without a list cost (a cost-export row
-- the price book cannot list) shows its billed cost there.
with

focus as (
    select * from {{ ref('focus_ai_costs') }}
),

costs as (
    select * from {{ ref('fct_ai_costs') }}
),

focus_totals as (
    select
        x_provider as provider,
        billingcurrency as billing_currency,
        count(*) as row_count,
        sum(billedcost) as billed_cost,
        sum(effectivecost) as effective_cost,
        sum(listcost) as list_cost
    from focus
    group by 1, 2
),

fct_totals as (
    select
        provider,
        billing_currency,
        count(*) as row_count,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost,
        sum(coalesce(list_cost, billed_cost)) as list_cost
    from costs
    where billed_cost is not null
    group by 1, 2
),

final as (
    select
        coalesce(focus_totals.provider, fct_totals.provider) as provider,
        coalesce(focus_totals.billing_currency, fct_totals.billing_currency)
            as billing_currency,
        focus_totals.row_count as focus_rows,
        fct_totals.row_count as fct_rows,
        focus_totals.billed_cost as focus_billed_cost,
        fct_totals.billed_cost as fct_billed_cost,
        focus_totals.effective_cost as focus_effective_cost,
        fct_totals.effective_cost as fct_effective_cost,
        focus_totals.list_cost as focus_list_cost,
        fct_totals.list_cost as fct_list_cost
    from focus_totals
    full outer join fct_totals
        on
            focus_totals.provider = fct_totals.provider
            and focus_totals.billing_currency = fct_totals.billing_currency
)

select * from final
where
    focus_rows is distinct from fct_rows
    or focus_billed_cost is distinct from fct_billed_cost
    or focus_effective_cost is distinct from fct_effective_cost
    or focus_list_cost is distinct from fct_list_cost
