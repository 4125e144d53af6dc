{{ config(materialized='table') }}

-- The charges that a rule of the seed shared_cost_rules shares between teams
-- (all of the rule's filters match, '*' = any; the lowest priority, then
-- rule_id, wins), each with its share group (the charges split over the same
-- weights: a provider's usage in a month, a product's seat holders in a
-- month, a fixed table) and its allocation pool: the shared charges of one
-- rule and day with the same provider, category, frequency, grain, token
-- class, agent and currencies, split as one amount by
-- int_ai_costs_charged_back. Unpriced charges (null billed cost) form pools
-- of their own, so a missing price stays null after sharing.
with

charges as (
    select * from {{ ref('fct_ai_costs') }}
),

rules as (
    select * from {{ ref('shared_cost_rules') }}
),

rule_filters as (
    select distinct
        rule_id,
        priority,
        provider,
        cost_grain,
        token_class,
        charge_category,
        agent,
        attributed_team,
        method,
        basis
    from rules
),

rule_matches as (
    select
        charges.charge_id,
        charges.provider,
        charges.charge_category,
        charges.charge_frequency,
        charges.cost_grain,
        charges.token_class,
        charges.agent,
        charges.billing_currency,
        charges.reporting_currency,
        charges.billed_cost is null as is_unpriced,
        charges.billed_cost_reporting is null as is_unconverted,
        charges.charge_on,
        charges.billing_period_start_on,
        rule_filters.rule_id as allocation_rule_id,
        rule_filters.method as allocation_method,
        rule_filters.basis as allocation_basis,
        -- a rule without a priority ranks last (DuckDB's order; Spark sorts
        -- nulls first)
        row_number() over (
            partition by charges.charge_id
            order by rule_filters.priority nulls last, rule_filters.rule_id
        ) as match_rank
    from charges
    inner join rule_filters
        on
            rule_filters.provider in ('*', charges.provider)
            and rule_filters.cost_grain in ('*', charges.cost_grain)
            and rule_filters.token_class in ('*', charges.token_class)
            and rule_filters.charge_category in ('*', charges.charge_category)
            and rule_filters.agent in ('*', charges.agent)
            and rule_filters.attributed_team in ('*', charges.team)
),

grouped as (
    select
        *,
        case allocation_method
            when 'usage_share'
                then
                    'usage_share|' || allocation_basis || '|'
                    || provider || '|' || billing_period_start_on
            when 'headcount'
                then
                    'headcount|' || allocation_basis || '|'
                    || billing_period_start_on
            when 'fixed_percent' then 'fixed_percent|' || allocation_rule_id
        end as share_group
    from rule_matches
    where match_rank = 1
),

final as (
    select
        charge_id,
        allocation_rule_id,
        allocation_method,
        allocation_basis,
        share_group,
        md5(concat_ws(
            '|',
            allocation_rule_id,
            share_group,
            charge_on,
            provider,
            charge_category,
            charge_frequency,
            cost_grain,
            coalesce(token_class, '~'),
            coalesce(agent, '~'),
            billing_currency,
            reporting_currency,
            is_unpriced,
            is_unconverted
        )) as allocation_pool_key,
        charge_on,
        billing_period_start_on
    from grouped
)

select * from final
