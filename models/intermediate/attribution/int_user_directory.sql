-- Who works in which team, from the seat assignments (seats/): every person
-- found in any seats snapshot, with the team and cost centre of their latest
-- assignment in the newest snapshot that lists them. A person who leaves
-- disappears from the next snapshot (vendors list current seats) but keeps
-- the team they had, so their past charges stay attributed. Used as the
-- lowest-priority attribution source for charges keyed only by a person
-- (Cursor events, Copilot usernames).
with

seats as (
    select
        *,
        {{ export_id('source_file') }} as seat_export_id
    from {{ ref('stg_seats__assignments') }}
    where rejected_reason is null and user_email is not null
),

newest_snapshot as (
    select max(seat_export_id) as newest_export_id
    from seats
),

ranked as (
    select
        seats.*,
        seats.seat_export_id = newest_snapshot.newest_export_id
            as is_current,
        row_number() over (
            partition by lower(seats.user_email)
            order by
                seats.seat_export_id desc,
                seats.start_on desc nulls last,
                seats.team asc nulls last,
                seats.cost_center asc nulls last
        ) as assignment_rank
    from seats
    cross join newest_snapshot
),

final as (
    select
        lower(user_email) as user_email,
        any_value(team) filter (where assignment_rank = 1) as team,
        any_value(cost_center) filter (where assignment_rank = 1)
            as cost_center,
        count(*) filter (where is_current) as seat_assignments
    from ranked
    group by 1
)

select * from final
