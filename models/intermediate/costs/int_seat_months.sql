-- Seat licences are billed per seat-month: an assignment is charged one full
-- seat-month for every calendar month it overlaps (a seat added on the 20th is
-- billed for that month, as the seat products in seats/ invoice it).
with

assignments as (
    {{ current_rows('stg_seats__assignments') }}
),

months as (
    select
        assignments.*,
        unnest(
            generate_series(
                date_trunc('month', assignments.start_on),
                date_trunc(
                    'month',
                    coalesce(
                        assignments.end_on - interval 1 day,
                        current_date
                    )
                ),
                interval 1 month
            )
        ) as seat_month_start
    from assignments
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
