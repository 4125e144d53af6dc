-- Showback: what each team and cost centre spent per month and provider, as
-- attributed (no shared-cost reallocation; see mart_chargeback_monthly for
-- that), with list, billed and effective cost side by side.
with

charges as (
    select * from {{ ref('fct_ai_costs') }}
),

final as (
    select
        team,
        cost_center,
        provider,
        billing_currency,
        reporting_currency,
        cast(coalesce(sum(list_cost), 0) as decimal(38, 10)) as list_cost,
        cast(coalesce(sum(billed_cost), 0) as decimal(38, 10)) as billed_cost,
        cast(coalesce(sum(effective_cost), 0) as decimal(38, 10))
            as effective_cost,
        cast(coalesce(sum(list_cost_reporting), 0) as decimal(38, 10))
            as list_cost_reporting,
        cast(coalesce(sum(billed_cost_reporting), 0) as decimal(38, 10))
            as billed_cost_reporting,
        cast(coalesce(sum(effective_cost_reporting), 0) as decimal(38, 10))
            as effective_cost_reporting,
        count(*) as charge_count,
        count(*) filter (where billed_cost is null) as unpriced_charge_count,
        billing_period_start_on
    from charges
    group by
        team,
        cost_center,
        provider,
        billing_currency,
        reporting_currency,
        billing_period_start_on
)

select * from final
