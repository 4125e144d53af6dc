-- Every row of int_ai_costs_charged_back (a view, read once here) is well
-- formed: one row per (charge, pool, team, cost centre); a known allocation
-- method; a direct row is one charge with no pool, a pooled row has a pool and
-- no charge; team, cost centre and charge count are never null.
with

lines as (
    select * from {{ ref('int_ai_costs_charged_back') }}
),

checked as (
    select
        charge_id,
        allocation_pool_key,
        team,
        cost_center,
        count(*) as line_count,
        bool_and(
            allocation_method in (
                'direct', 'usage_share', 'headcount', 'fixed_percent',
                'unallocated_no_basis'
            )
            and (allocation_method = 'direct') = (
                charge_id is not null
                and allocation_pool_key is null
                and charge_count = 1
            )
            and team is not null
            and cost_center is not null
            and charge_count is not null
        ) as is_well_formed
    from lines
    group by 1, 2, 3, 4
),

final as (
    select *
    from checked
    where line_count > 1 or not is_well_formed
)

select * from final
