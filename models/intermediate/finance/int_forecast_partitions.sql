{{ config(materialized='table') }}

-- The refresh partitions of int_scope_spend_forecasted (the month of the
-- forecast day) and the digest of what each is built from: the run-rates of
-- a day read the daily spend of the 89 days before it, so a month's digest
-- covers every scope's daily row from 89 days before the month's first day to
-- its last day (an order-free sum of 64-bit row hashes, and the row count).
-- See macros/incremental/stale_partitions.sql.
with

daily as (
    select * from {{ ref('int_scope_spend_daily') }}
),

day_digests as (
    select
        spend_on,
        sum(cast({{ row_hash(
            'scope_type, scope_value, usage_cost, recurring_cost, is_weekend,
            is_observed, spend_on, data_as_of_on'
        ) }} as {{ int128_type() }})) as row_hash_sum,
        count(*) as row_count
    from daily
    group by 1
),

months as (
    select distinct {{ month_start('spend_on') }} as month_on
    from daily
),

final as (
    select
        {{ format_date('months.month_on', '%Y-%m') }} as refresh_partition,
        md5(
            cast(sum(day_digests.row_hash_sum) as string) || ':'
            || cast(sum(day_digests.row_count) as string)
        ) as partition_digest
    from months
    inner join day_digests
        on
            day_digests.spend_on >= months.month_on - interval 89 day
            and day_digests.spend_on < months.month_on + interval 1 month
    group by 1
)

select * from final
