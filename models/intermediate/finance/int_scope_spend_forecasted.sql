{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_stale_partitions(ref('int_forecast_partitions')) }}",
) }}

-- Daily chargeback spend (direct plus allocated shared costs, reporting
-- currency) of every team and every cost centre, on a gap-free calendar
-- (int_scope_spend_daily), with the robust daily run-rates known at the end
-- of each day. They are what
-- mart_budget_status projects onto the rest of a month:
--   baseline   per kind of day (weekday, weekend): the mean of that kind's
--              days among the trailing 28, after dropping bursts - a day is
--              a burst when it lies more than 3 x 1.4826 x MAD above the
--              median of those days
--   allowance  the burst spend to expect per day: for each of the three
--              trailing 30-day blocks (days 1-30, 31-60 and 61-90 back), the
--              block's mean minus its burst-free mean (same MAD rule); the
--              median of the blocks with at least 7 observed days, so a
--              one-off spike (one block) does not move it and bursts that
--              recur (most blocks) do
--   run-rate   baseline + allowance, never below 0
-- Recurring charges (seat licences and other purchases, booked on the 1st)
-- are kept apart: they are known when the month starts, never extrapolated.
-- Days before the first usage-based charge are not observed and never count
-- as zero-spend days. Means are exact decimals (sums in 1e-10 units divided
-- by day counts). Incremental by refresh partition (the month of the day;
-- int_forecast_partitions): a build computes the months whose 90 days of
-- history changed, reading the 89 days before the first of them.
with

partitions as (
    select * from {{ ref('int_forecast_partitions') }}
),

stale_months as (
    {{ stale_partitions(ref('int_forecast_partitions')) }}
),

-- the days of the stale months and the 89 days before the first of them
daily as (
    select * from {{ ref('int_scope_spend_daily') }}
    where spend_on >= (
        select
            coalesce(
                min(strptime(stale_months.refresh_partition, '%Y-%m')),
                timestamp 'infinity'
            ) - interval 89 day
        from stale_months
    )
),

-- the observed days of each group whose statistics the run-rates at the
-- end of an observed day (as of) need, as lists taken by window frames over
-- the gap-free calendar: the weekdays and the weekend days among its trailing
-- 28 days, and each of its three trailing 30-day blocks
history_lists as (
    select
        scope_type,
        scope_value,
        spend_on as as_of_on,
        list(usage_cost) filter (
            where is_observed and not is_weekend
        ) over recent_days as weekday_costs,
        list(usage_cost) filter (
            where is_observed and is_weekend
        ) over recent_days as weekend_costs,
        {%- for block in ['block_0', 'block_1', 'block_2'] %}
            list(usage_cost) filter (
                where is_observed
            ) over {{ block }} as {{ block }}_costs,
        {%- endfor %}
        is_observed
    from daily
    window
        recent_days as (
            partition by scope_type, scope_value
            order by spend_on
            rows between 27 preceding and current row
        ),
        block_0 as (
            partition by scope_type, scope_value
            order by spend_on
            rows between 29 preceding and current row
        ),
        block_1 as (
            partition by scope_type, scope_value
            order by spend_on
            rows between 59 preceding and 30 preceding
        ),
        block_2 as (
            partition by scope_type, scope_value
            order by spend_on
            rows between 89 preceding and 60 preceding
        )
),

memberships as (
    select
        scope_type,
        scope_value,
        as_of_on,
        'weekday' as stat_group,
        weekday_costs as group_costs
    from history_lists
    where is_observed and len(weekday_costs) > 0
    union all
    select
        scope_type,
        scope_value,
        as_of_on,
        'weekend' as stat_group,
        weekend_costs as group_costs
    from history_lists
    where is_observed and len(weekend_costs) > 0
    union all
    select
        scope_type,
        scope_value,
        as_of_on,
        'block_0' as stat_group,
        block_0_costs as group_costs
    from history_lists
    where is_observed and len(block_0_costs) > 0
    union all
    select
        scope_type,
        scope_value,
        as_of_on,
        'block_1' as stat_group,
        block_1_costs as group_costs
    from history_lists
    where is_observed and len(block_1_costs) > 0
    union all
    select
        scope_type,
        scope_value,
        as_of_on,
        'block_2' as stat_group,
        block_2_costs as group_costs
    from history_lists
    where is_observed and len(block_2_costs) > 0
),

medians as (
    select
        *,
        list_aggregate(group_costs, 'median') as median_cost
    from memberships
),

thresholds as (
    select
        *,
        median_cost + 4.4478 * list_aggregate(
            list_transform(group_costs, lambda cost: abs(cost - median_cost)),
            'median'
        ) as burst_threshold
    from medians
),

burst_free as (
    select
        *,
        list_filter(group_costs, lambda cost: cost <= burst_threshold)
            as burst_free_costs
    from thresholds
),

group_means as (
    select
        scope_type,
        scope_value,
        as_of_on,
        stat_group,
        len(group_costs) as observed_days,
        len(group_costs) - len(burst_free_costs) as burst_days,
        cast(
            cast(list_sum(group_costs) * 10000000000 as hugeint)
            // len(group_costs) as decimal(38, 0)
        ) * 0.0000000001 as mean_cost,
        cast(
            cast(list_sum(burst_free_costs) * 10000000000 as hugeint)
            // len(burst_free_costs) as decimal(38, 0)
        ) * 0.0000000001 as burst_free_mean_cost
    from burst_free
),

rates as (
    select
        scope_type,
        scope_value,
        as_of_on,
        any_value(burst_free_mean_cost) filter (
            where stat_group = 'weekday'
        ) as weekday_baseline_rate,
        any_value(burst_free_mean_cost) filter (
            where stat_group = 'weekend'
        ) as weekend_baseline_rate,
        coalesce(
            median(mean_cost - burst_free_mean_cost) filter (
                where stat_group like 'block_%' and observed_days >= 7
            ),
            0
        ) as burst_allowance,
        coalesce(sum(burst_days) filter (
            where stat_group in ('weekday', 'weekend')
        ), 0) as recent_burst_days
    from group_means
    group by 1, 2, 3
),

final as (
    select
        daily.scope_type,
        daily.scope_value,
        daily.usage_cost,
        daily.recurring_cost,
        cast(daily.usage_cost + daily.recurring_cost as decimal(38, 10))
            as total_cost,
        cast(rates.weekday_baseline_rate as decimal(38, 10))
            as weekday_baseline_rate,
        cast(rates.weekend_baseline_rate as decimal(38, 10))
            as weekend_baseline_rate,
        cast(rates.burst_allowance as decimal(38, 10)) as burst_allowance,
        cast(
            greatest(
                coalesce(rates.weekday_baseline_rate, 0)
                + coalesce(rates.burst_allowance, 0),
                0
            ) as decimal(38, 10)
        ) as weekday_run_rate,
        cast(
            greatest(
                coalesce(rates.weekend_baseline_rate, 0)
                + coalesce(rates.burst_allowance, 0),
                0
            ) as decimal(38, 10)
        ) as weekend_run_rate,
        coalesce(rates.recent_burst_days, 0) as recent_burst_days,
        daily.is_weekend,
        daily.is_observed,
        daily.spend_on,
        partitions.refresh_partition,
        partitions.partition_digest
    from daily
    inner join partitions
        on strftime(daily.spend_on, '%Y-%m') = partitions.refresh_partition
    left join rates
        on
            daily.scope_type = rates.scope_type
            and daily.scope_value = rates.scope_value
            and daily.spend_on = rates.as_of_on
    where
        partitions.refresh_partition in (
            select stale_months.refresh_partition from stale_months
        )
)

select * from final
