{{ config(materialized='table') }}

-- Daily chargeback spend (direct plus allocated shared costs, reporting
-- currency) of every team and every cost centre on a gap-free calendar from
-- the first to the last charge day: usage-based and recurring cost apart,
-- whether the day is a weekend day, and whether it is observed (on or after
-- the first usage-based charge). The input of int_scope_spend_forecasted.
-- int_ai_costs_charged_back (a view) is read once, summed per day, team and
-- cost centre; everything else reads those sums.
with

day_lines as (
    select
        charge_on,
        charge_frequency,
        team,
        cost_center,
        sum(billed_cost_reporting) as billed_cost_reporting
    from {{ ref('int_ai_costs_charged_back') }}
    group by 1, 2, 3, 4
),

bounds as (
    select
        min(charge_on) as first_on,
        max(charge_on) as last_on,
        min(charge_on) filter (
            where charge_frequency = 'Usage-Based'
        ) as first_observed_on,
        max(charge_on) filter (
            where charge_frequency = 'Usage-Based'
        ) as data_as_of_on
    from day_lines
),

scoped_lines as (
    select
        'team' as scope_type,
        team as scope_value,
        charge_on,
        charge_frequency,
        billed_cost_reporting
    from day_lines
    union all
    select
        'cost_center' as scope_type,
        cost_center as scope_value,
        charge_on,
        charge_frequency,
        billed_cost_reporting
    from day_lines
),

scopes as (
    select distinct
        scope_type,
        scope_value
    from scoped_lines
),

calendar as (
    select cast(spine.spend_on as date) as spend_on
    from bounds
    {{ cross_join_unnest(
        day_list('bounds.first_on', 'bounds.last_on'), 'spine', 'spend_on'
    ) }}
),

daily_sums as (
    select
        scope_type,
        scope_value,
        charge_on as spend_on,
        sum(billed_cost_reporting) filter (
            where charge_frequency = 'Usage-Based'
        ) as usage_cost,
        sum(billed_cost_reporting) filter (
            where charge_frequency = 'Recurring'
        ) as recurring_cost
    from scoped_lines
    group by 1, 2, 3
),

daily as (
    select
        scopes.scope_type,
        scopes.scope_value,
        cast(coalesce(daily_sums.usage_cost, 0) as decimal(38, 10))
            as usage_cost,
        cast(coalesce(daily_sums.recurring_cost, 0) as decimal(38, 10))
            as recurring_cost,
        {{ day_of_week('calendar.spend_on') }} in (0, 6) as is_weekend,
        calendar.spend_on >= bounds.first_observed_on as is_observed,
        calendar.spend_on,
        bounds.data_as_of_on
    from scopes
    cross join calendar
    cross join bounds
    left join daily_sums
        on
            scopes.scope_type = daily_sums.scope_type
            and scopes.scope_value = daily_sums.scope_value
            and calendar.spend_on = daily_sums.spend_on
)

select * from daily
