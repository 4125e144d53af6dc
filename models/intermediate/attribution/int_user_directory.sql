-- Who works in which team, from the seat assignments (seats/): the latest
-- assignment of each user. Used as the lowest-priority attribution source for
-- charges keyed only by a person (Cursor events, Copilot usernames).
with

seats as (
    {{ current_rows('stg_seats__assignments') }}
),

final as (
    select
        lower(user_email) as user_email,
        arg_max(team, start_on) as team,
        arg_max(cost_center, start_on) as cost_center,
        count(*) as seat_assignments
    from seats
    where user_email is not null
    group by 1
)

select * from final
