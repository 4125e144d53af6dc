-- The rows of one shared_cost_rules rule (a fixed_percent rule has one per
-- receiving team) repeat the same filters, method and basis, and only
-- fixed_percent rules carry receiving teams.
{%- set rule_variant = list_of([
    'cast(priority as string)', 'provider', 'cost_grain', 'token_class',
    'charge_category', 'agent', 'attributed_team', 'method',
    "coalesce(basis, '')",
]) %}

with

rules as (
    select * from {{ ref('shared_cost_rules') }}
),

final as (
    select
        rule_id,
        count(distinct {{ rule_variant }}) as rule_variants,
        count(*) filter (
            where method != 'fixed_percent' and target_team is not null
        ) as stray_targets
    from rules
    group by 1
    having
        count(distinct {{ rule_variant }}) > 1
        or count(*) filter (
            where method != 'fixed_percent' and target_team is not null
        ) > 0
)

select * from final
