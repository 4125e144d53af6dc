-- The percentage table of each fixed_percent rule of shared_cost_rules adds
-- up to exactly 100.
with

rules as (
    select * from {{ ref('shared_cost_rules') }}
),

final as (
    select
        rule_id,
        sum(percent) as total_percent
    from rules
    where method = 'fixed_percent'
    group by 1
    having sum(percent) != 100
)

select * from final
