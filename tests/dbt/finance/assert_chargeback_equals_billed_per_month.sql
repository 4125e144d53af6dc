-- Chargeback moves cost between teams, never creates or loses any: per
-- month and billing currency, mart_chargeback_monthly adds up to
-- fct_ai_costs' billed cost (and its reporting-currency total) to the cent.
with

chargeback as (
    select * from {{ ref('mart_chargeback_monthly') }}
),

costs as (
    select * from {{ ref('fct_ai_costs') }}
),

charged as (
    select
        billing_period_start_on,
        billing_currency,
        sum(billed_cost) as billed_cost,
        sum(billed_cost_reporting) as billed_cost_reporting
    from chargeback
    group by 1, 2
),

billed as (
    select
        billing_period_start_on,
        billing_currency,
        coalesce(sum(billed_cost), 0) as billed_cost,
        coalesce(sum(billed_cost_reporting), 0) as billed_cost_reporting
    from costs
    group by 1, 2
),

final as (
    select
        coalesce(
            charged.billing_period_start_on, billed.billing_period_start_on
        ) as billing_period_start_on,
        coalesce(charged.billing_currency, billed.billing_currency)
            as billing_currency,
        charged.billed_cost as chargeback_billed_cost,
        billed.billed_cost as fct_billed_cost,
        charged.billed_cost_reporting as chargeback_billed_cost_reporting,
        billed.billed_cost_reporting as fct_billed_cost_reporting
    from charged
    full outer join billed
        on
            charged.billing_period_start_on = billed.billing_period_start_on
            and charged.billing_currency = billed.billing_currency
    where
        abs(coalesce(charged.billed_cost, 0) - coalesce(billed.billed_cost, 0))
        >= 0.005
        or abs(
            coalesce(charged.billed_cost_reporting, 0)
            - coalesce(billed.billed_cost_reporting, 0)
        ) >= 0.005
)

select * from final
