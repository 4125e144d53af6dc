-- Seat licences are billed per seat-month: an assignment is charged one full
-- seat-month for every calendar month it overlaps (a seat added on the 20th is
-- billed for that month, as the seat products in seats/ invoice it).
with

assignments as (
    {{ current_rows('stg_seats__assignments') }}
),

-- one row per month from the assignment's first month to the month of its
-- last day (today for an open assignment); none when it ends before it
-- starts (Spark's sequence() rejects reversed bounds)
months as (
    select
        *,
        {{ unnest_list(
            'case when first_month <= last_month then '
            ~ month_list('first_month', 'last_month') ~ ' end'
        ) }} as seat_month_start
    from (
        select
            assignments.*,
            {{ month_start('assignments.start_on') }} as first_month,
            {{ month_start('coalesce(assignments.end_on - 1, current_date)') }}
                as last_month
        from assignments
    ) as bounded
),

final as (
    select
        seat_id,
        provider,
        product,
        plan_name,
        user_email,
        user_email_aliases,
        team,
        cost_center,
        billing_period,
        billing_currency,
        unit_price,
        cast(seat_month_start as date) as seat_month_on,
        start_on,
        end_on,
        source_file,
        source_row,
        landing_key
    from months
)

select * from final
