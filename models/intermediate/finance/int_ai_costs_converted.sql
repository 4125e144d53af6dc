{{ config(**refresh_chain_config()) }}

{%- set window_start = refresh_window_start() %}

-- The attributed charges in the reporting currency (the billing-to-reporting
-- rate of the charge's day, 1 when the currencies are equal), with the user's
-- pseudonym (user_key) and the derived FOCUS fields. fct_ai_costs and the
-- finance marts both read this one conversion.
with

charges as (
    select * from {{ ref('int_ai_costs_attributed') }}
    where {{ in_refresh_window(window_start) }}
),

fx_rates as (
    select * from {{ ref('fx_rates') }}
),

converted as (
    select
        charges.*,
        case
            when charges.billing_currency = '{{ reporting_currency() }}'
                then cast(1 as decimal(38, 10))
            else fx_rates.rate
        end as fx_rate_to_reporting,
        cast(
            coalesce(charges.reported_list_cost, charges.estimated_cost)
            as decimal(38, 10)
        ) as list_cost
    from charges
    left join fx_rates
        on
            charges.charge_on = fx_rates.rate_on
            and charges.billing_currency = fx_rates.from_currency
            and fx_rates.to_currency = '{{ reporting_currency() }}'
),

final as (
    select
        converted.* replace (
            coalesce(converted.service_tier, 'standard') as service_tier,
            coalesce(converted.context_tier, 'standard') as context_tier
        ),
        md5(converted.charge_key) as charge_id,
        case
            when converted.charge_category = 'Purchase' then 'Recurring'
            else 'Usage-Based'
        end as charge_frequency,
        {{ pseudonymise('converted.user_name') }} as user_key,
        '{{ reporting_currency() }}' as reporting_currency,
        cast(converted.billed_cost as decimal(38, 10)) as effective_cost,
        cast(
            converted.list_cost * converted.fx_rate_to_reporting
            as decimal(38, 10)
        ) as list_cost_reporting,
        cast(
            converted.billed_cost * converted.fx_rate_to_reporting
            as decimal(38, 10)
        ) as billed_cost_reporting,
        cast(
            converted.billed_cost * converted.fx_rate_to_reporting
            as decimal(38, 10)
        ) as effective_cost_reporting,
        cast(date_trunc('month', converted.charge_on) as date)
            as billing_period_start_on
    from converted
)

select * from final
