-- MetricFlow's time spine: one row per calendar day, 2020-01-01 to
-- 2039-12-31, a fixed range wider than any charge, budget or seat month the
-- warehouse holds (a fixed range keeps it independent of the data and
-- cheap: about 7,300 rows). dbt's cross-database date_spine macro keeps it
-- engine-neutral (duckdb and spark targets).
with

days as (
    {{ dbt.date_spine(
        datepart="day",
        start_date="cast('2020-01-01' as date)",
        end_date="cast('2040-01-01' as date)"
    ) }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
