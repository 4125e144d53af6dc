{{ config(
    materialized='incremental',
    incremental_strategy=refresh_strategy(),
    partition_by=refresh_partitioning(),
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
    select refresh_partition from partitions
    where refresh_partition in (
        {{ stale_partitions(ref('int_forecast_partitions')) }}
    )
),

-- the days of the stale months and the 89 days before the first of them
-- (no stale month: a null bound, which no day passes)
daily as (
    select * from {{ ref('int_scope_spend_daily') }}
    where spend_on >= (
        select
            min(
                {{ parse_timestamp('stale_months.refresh_partition', '%Y-%m') }}
            ) - interval 89 day
        from stale_months
    )
),

-- the observed days of each group whose statistics the run-rates at the
-- end of an observed day (as of) need, as lists taken by window frames over
-- the gap-free calendar: the weekdays and the weekend days among its trailing
-- 28 days, and each of its three trailing 30-day blocks. Every step below is
-- a projection of these rows (one row per scope and day, no regrouping), so
-- the lists stream through and are never held all at once. The days are
-- chosen by a case inside the list aggregate, which leaves nulls out (Spark
-- has no filter clause on a window aggregate); usage_cost is never null
-- (int_scope_spend_daily zero-fills it), so the lists hold the same days.
-- A frame without such a day gives a null list on DuckDB and an empty one on
-- Spark: both have no median, no mean and length 0 or null (coalesced below).
history_lists as (
    select
        {{ list_agg(
            'case when is_observed and not is_weekend then usage_cost end'
        ) }} over recent_days as weekday_costs,
        {{ list_agg(
            'case when is_observed and is_weekend then usage_cost end'
        ) }} over recent_days as weekend_costs,
        {%- for block in ['block_0', 'block_1', 'block_2'] %}
            {{ list_agg(
                'case when is_observed then usage_cost end'
            ) }} over {{ block }} as {{ block }}_costs,
        {%- endfor %}
        *
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

{%- set stat_groups = ['weekday', 'weekend', 'block_0', 'block_1', 'block_2'] %}

-- per group: its median, then its burst threshold (median + 3 x 1.4826 x
-- the median absolute deviation), then its days at or under the threshold
-- (medians of decimals as DuckDB's median takes them: list_median)
medians as (
    select
        {%- for group in stat_groups %}
            {{ list_median(group ~ '_costs', 'decimal(38, 10)') }}
                as {{ group }}_median,
        {%- endfor %}
        *
    from history_lists
),

thresholds as (
    select
        {%- for group in stat_groups %}
            {{ group }}_median + 4.4478 * {{ list_median(
                list_map(
                    group ~ '_costs',
                    'cost',
                    'abs(cost - ' ~ group ~ '_median)'
                ),
                'decimal(38, 10)'
            ) }} as {{ group }}_threshold,
        {%- endfor %}
        *
    from medians
),

burst_free as (
    select
        {%- for group in stat_groups %}
            {{ list_where(
                group ~ '_costs',
                'cost',
                'cost <= ' ~ group ~ '_threshold'
            ) }} as {{ group }}_burst_free_costs,
        {%- endfor %}
        *
    from thresholds
),

-- exact means (sums in 1e-10 units divided by day counts) of each group and
-- of its burst-free days; a group without an observed day has no mean
group_means as (
    select
        {%- for group in stat_groups %}
            {%- for days in [group, group ~ '_burst_free'] %}
                case
                    when {{ list_length(days ~ '_costs') }} > 0
                        then cast(
                            {{ integer_divide(
                                'cast('
                                ~ list_total(days ~ '_costs', 'decimal(38, 10)')
                                ~ ' * 10000000000 as ' ~ int128_type() ~ ')',
                                list_length(days ~ '_costs')
                            ) }} as decimal(38, 0)
                        ) * 0.0000000001
                end as {{ days }}_mean,
            {%- endfor %}
        {%- endfor %}
        *
    from burst_free
),

-- on an observed day: the burst-free means of its weekdays and weekend days,
-- and the median burst excess of the blocks with at least 7 observed days
rates as (
    select
        *,
        case when is_observed then weekday_burst_free_mean end
            as weekday_baseline_rate,
        case when is_observed then weekend_burst_free_mean end
            as weekend_baseline_rate,
        case
            when is_observed
                then coalesce(
                    {{ list_median(
                        list_of([
                            'case when ' ~ list_length('block_0_costs')
                            ~ ' >= 7 then block_0_mean'
                            ~ ' - block_0_burst_free_mean end',
                            'case when ' ~ list_length('block_1_costs')
                            ~ ' >= 7 then block_1_mean'
                            ~ ' - block_1_burst_free_mean end',
                            'case when ' ~ list_length('block_2_costs')
                            ~ ' >= 7 then block_2_mean'
                            ~ ' - block_2_burst_free_mean end',
                        ]),
                        'decimal(38, 10)'
                    ) }},
                    0
                )
        end as burst_allowance,
        case
            when is_observed
                then
                    {{ list_length('weekday_costs') }}
                    - {{ list_length('weekday_burst_free_costs') }}
                    + {{ list_length('weekend_costs') }}
                    - {{ list_length('weekend_burst_free_costs') }}
            else 0
        end as recent_burst_days
    from group_means
),

final as (
    select
        rates.scope_type,
        rates.scope_value,
        rates.usage_cost,
        rates.recurring_cost,
        cast(rates.usage_cost + rates.recurring_cost as decimal(38, 10))
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
        rates.is_weekend,
        rates.is_observed,
        rates.spend_on,
        partitions.refresh_partition,
        partitions.partition_digest
    from rates
    inner join partitions
        on
            {{ format_date('rates.spend_on', '%Y-%m') }}
            = partitions.refresh_partition
    where
        partitions.refresh_partition in (
            select stale_months.refresh_partition from stale_months
        )
)

select * from final
