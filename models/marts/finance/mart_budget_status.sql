-- Budgets (seed budgets) against chargeback actuals and a forecast to month
-- end: month-to-date actual + the remaining weekdays and weekend days x the
-- robust run-rates known at the data's last day (int_scope_spend_forecasted)
-- + for a month not started yet, the latest month's recurring charges.
-- Status: over (actual >= 100 %), forecast_over (forecast >= 100 %),
-- warning (forecast >= 80 %), ok; no_fx_rate when the budget currency cannot
-- be converted.
{#-
    The days of the month after as_of_on; none once the month is over
    (tested here: Spark's sequence() fails, rather than returning nothing,
    when the first day is after the last).
-#}
{%- set remaining_day_list -%}
    case
        when periods.as_of_on < periods.month_end_on
            then {{ day_list('periods.as_of_on + 1', 'periods.month_end_on') }}
    end
{%- endset %}
with

budgets as (
    select * from {{ ref('budgets') }}
),

spend as (
    select * from {{ ref('int_scope_spend_forecasted') }}
),

fx_rates as (
    select * from {{ ref('fx_rates') }}
),

daily as (
    select * from {{ ref('int_scope_spend_daily') }}
),

data_end as (
    select max(data_as_of_on) as data_as_of_on
    from daily
),

budget_months as (
    select
        budgets.scope_type,
        budgets.scope_value,
        budgets.currency as budget_currency,
        '{{ reporting_currency() }}' as reporting_currency,
        budgets.amount as budget_amount,
        budgets.budget_month as budget_month_on,
        cast(
            {{ dbt.dateadd('month', 1, 'budgets.budget_month') }} as date
        ) - 1 as month_end_on,
        data_end.data_as_of_on
    from budgets
    cross join data_end
),

periods as (
    select
        *,
        case
            when data_as_of_on >= month_end_on then month_end_on
            when data_as_of_on >= budget_month_on then data_as_of_on
            else budget_month_on - 1
        end as as_of_on,
        cast(
            {{ dbt.datediff('budget_month_on', 'month_end_on', 'day') }}
            + 1 as bigint
        ) as days_in_month
    from budget_months
),

actuals as (
    select
        periods.scope_type,
        periods.scope_value,
        periods.budget_month_on,
        sum(spend.total_cost) as actual_cost,
        sum(spend.usage_cost) as actual_usage_cost,
        sum(spend.recurring_cost) as actual_recurring_cost
    from periods
    inner join spend
        on
            periods.scope_type = spend.scope_type
            and periods.scope_value = spend.scope_value
            and spend.spend_on between periods.budget_month_on
            and periods.as_of_on
    group by 1, 2, 3
),

latest_rates as (
    select
        spend.scope_type,
        spend.scope_value,
        spend.weekday_run_rate,
        spend.weekend_run_rate
    from spend
    inner join data_end
        on spend.spend_on = data_end.data_as_of_on
),

latest_recurring as (
    select
        spend.scope_type,
        spend.scope_value,
        sum(spend.recurring_cost) as recurring_cost
    from spend
    inner join data_end
        on
            {{ month_start('spend.spend_on') }}
            = {{ month_start('data_end.data_as_of_on') }}
    group by 1, 2
),

remaining_days as (
    select
        periods.scope_type,
        periods.scope_value,
        periods.budget_month_on,
        count(*) filter (
            where {{ day_of_week('remaining.day_on') }} not in (0, 6)
        ) as remaining_weekdays,
        count(*) filter (
            where {{ day_of_week('remaining.day_on') }} in (0, 6)
        ) as remaining_weekend_days
    from periods
    {{ cross_join_unnest(remaining_day_list, 'remaining', 'day_on') }}
    group by 1, 2, 3
),

fx as (
    select
        periods.scope_type,
        periods.scope_value,
        periods.budget_month_on,
        case
            when periods.budget_currency = periods.reporting_currency
                then cast(1 as decimal(38, 10))
            else fx_rates.rate
        end as rate_to_budget_currency
    from periods
    left join fx_rates
        on
            periods.budget_month_on = fx_rates.rate_on
            and periods.reporting_currency = fx_rates.from_currency
            and periods.budget_currency = fx_rates.to_currency
),

projected as (
    select
        periods.*,
        fx.rate_to_budget_currency,
        coalesce(remaining_days.remaining_weekdays, 0) as remaining_weekdays,
        coalesce(remaining_days.remaining_weekend_days, 0)
            as remaining_weekend_days,
        cast(
            {{ dbt.datediff(
                'periods.budget_month_on', 'periods.as_of_on', 'day'
            ) }}
            + 1 as bigint
        ) as days_elapsed,
        periods.month_end_on <= periods.data_as_of_on as is_month_closed,
        cast(coalesce(actuals.actual_cost, 0) as decimal(38, 10))
            as actual_cost,
        cast(coalesce(actuals.actual_usage_cost, 0) as decimal(38, 10))
            as actual_usage_cost,
        cast(coalesce(actuals.actual_recurring_cost, 0) as decimal(38, 10))
            as actual_recurring_cost,
        cast(coalesce(latest_rates.weekday_run_rate, 0) as decimal(38, 10))
            as weekday_run_rate,
        cast(coalesce(latest_rates.weekend_run_rate, 0) as decimal(38, 10))
            as weekend_run_rate,
        cast(
            case
                when periods.budget_month_on > periods.data_as_of_on
                    then coalesce(latest_recurring.recurring_cost, 0)
                else 0
            end as decimal(38, 10)
        ) as expected_recurring_cost
    from periods
    left join actuals
        on
            periods.scope_type = actuals.scope_type
            and periods.scope_value = actuals.scope_value
            and periods.budget_month_on = actuals.budget_month_on
    left join latest_rates
        on
            periods.scope_type = latest_rates.scope_type
            and periods.scope_value = latest_rates.scope_value
    left join latest_recurring
        on
            periods.scope_type = latest_recurring.scope_type
            and periods.scope_value = latest_recurring.scope_value
    left join remaining_days
        on
            periods.scope_type = remaining_days.scope_type
            and periods.scope_value = remaining_days.scope_value
            and periods.budget_month_on = remaining_days.budget_month_on
    left join fx
        on
            periods.scope_type = fx.scope_type
            and periods.scope_value = fx.scope_value
            and periods.budget_month_on = fx.budget_month_on
),

forecast as (
    select
        *,
        cast(
            remaining_weekdays * weekday_run_rate
            + remaining_weekend_days * weekend_run_rate
            + expected_recurring_cost as decimal(38, 10)
        ) as forecast_remaining_cost
    from projected
),

converted as (
    select
        *,
        cast(actual_cost * rate_to_budget_currency as decimal(38, 10))
            as actual_to_date,
        cast(
            (actual_cost + forecast_remaining_cost) * rate_to_budget_currency
            as decimal(38, 10)
        ) as forecast_month_end,
        cast(
            case
                when days_elapsed > 0
                    then
                        cast(
                            {{ integer_divide(
                                'cast(actual_cost * rate_to_budget_currency'
                                ~ ' * 10000000000 as ' ~ int128_type() ~ ')',
                                'days_elapsed'
                            ) }} as decimal(38, 0)
                        ) * 0.0000000001
            end as decimal(38, 10)
        ) as daily_burn_rate
    from forecast
),

final as (
    select
        scope_type || ':' || scope_value || ':'
        || {{ format_date('budget_month_on', '%Y-%m') }} as budget_id,
        scope_type,
        scope_value,
        budget_currency,
        reporting_currency,
        case
            when actual_to_date is null then 'no_fx_rate'
            when actual_to_date >= budget_amount then 'over'
            when forecast_month_end >= budget_amount then 'forecast_over'
            when forecast_month_end >= 0.8 * budget_amount then 'warning'
            else 'ok'
        end as budget_status,
        budget_amount,
        actual_to_date,
        forecast_month_end,
        cast(forecast_month_end - actual_to_date as decimal(38, 10))
            as forecast_remaining,
        cast(budget_amount - forecast_month_end as decimal(38, 10))
            as forecast_headroom,
        actual_cost as actual_to_date_reporting,
        actual_usage_cost as actual_usage_to_date_reporting,
        actual_recurring_cost as actual_recurring_to_date_reporting,
        daily_burn_rate,
        weekday_run_rate,
        weekend_run_rate,
        rate_to_budget_currency,
        -- decimal / decimal is a double on DuckDB (a decimal on Spark):
        -- rounded from the double on both
        cast(cast(actual_to_date / budget_amount as double) as decimal(18, 4))
            as pct_of_budget_to_date,
        cast(
            cast(forecast_month_end / budget_amount as double) as decimal(18, 4)
        ) as pct_of_budget_forecast,
        days_in_month,
        days_elapsed,
        remaining_weekdays,
        remaining_weekend_days,
        is_month_closed,
        budget_month_on,
        month_end_on,
        as_of_on,
        data_as_of_on
    from converted
)

select * from final
