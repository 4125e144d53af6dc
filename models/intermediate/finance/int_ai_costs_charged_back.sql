{{ config(materialized='table') }}

-- Every charge's cost assigned to the teams that pay for it. A charge that a
-- rule of the seed shared_cost_rules selects (all filters match, '*' = any;
-- the lowest priority, then rule_id, wins) is split over (team, cost centre)
-- by the rule's method, for the charge's month:
--   usage_share    the teams' list cost of the same provider's Usage
--                  charges (gross, before discounts; billed cost where no
--                  list cost exists); the shared charges count as usage of
--                  the team they are attributed to
--   headcount      people holding a seat of the product (basis
--                  seats:<product>, or seats:* for any AI seat) per team,
--                  from seats/
--   fixed_percent  the rule's percentage table (one seed row per team)
-- Only named teams receive shares; a shared charge with no basis in its
-- month goes whole to team and cost centre 'unallocated'. Every other charge
-- stays with its attributed team (which may be 'unallocated').
-- Exact integer arithmetic in units of 1e-10: each share is
-- floor(cost x weight / total weight); the residue (under n x 1e-10) goes to
-- the team with the largest weight (ties: team, then cost centre), so the
-- shares of a charge add up to its cost exactly.
{%- set amounts = [
    'billed_cost', 'effective_cost',
    'billed_cost_reporting', 'effective_cost_reporting',
] %}

with

charges as (
    select * from {{ ref('int_ai_costs_converted') }}
),

rules as (
    select * from {{ ref('shared_cost_rules') }}
),

seat_months as (
    select * from {{ ref('int_seat_months') }}
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
        charges.charge_key,
        rule_filters.rule_id,
        rule_filters.method,
        rule_filters.basis,
        row_number() over (
            partition by charges.charge_key
            order by rule_filters.priority, rule_filters.rule_id
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

shared_charges as (
    select
        charges.*,
        rule_matches.rule_id as allocation_rule_id,
        rule_matches.method as allocation_method,
        rule_matches.basis as allocation_basis,
        -- the charges of one share group split over the same weights
        case rule_matches.method
            when 'usage_share'
                then
                    'usage_share|' || rule_matches.basis || '|'
                    || charges.provider || '|'
                    || charges.billing_period_start_on
            when 'headcount'
                then
                    'headcount|' || rule_matches.basis || '|'
                    || charges.billing_period_start_on
            when 'fixed_percent' then 'fixed_percent|' || rule_matches.rule_id
        end as share_group
    from charges
    inner join rule_matches
        on charges.charge_key = rule_matches.charge_key
    where rule_matches.match_rank = 1
),

usage_basis as (
    select
        provider,
        billing_period_start_on,
        team,
        cost_center,
        sum(coalesce(list_cost, billed_cost, 0)) as basis_quantity
    from charges
    where charge_category = 'Usage' and team != 'unallocated'
    group by 1, 2, 3, 4
),

seat_holders as (
    select distinct
        product,
        seat_month_on,
        team,
        coalesce(cost_center, 'unallocated') as cost_center,
        lower(user_email) as user_email
    from seat_months
    where user_email is not null and team is not null
),

headcount_basis as (
    select
        'seats:' || product as basis,
        seat_month_on as billing_period_start_on,
        team,
        cost_center,
        count(distinct user_email) as basis_quantity
    from seat_holders
    group by 1, 2, 3, 4
    union all
    select
        'seats:*' as basis,
        seat_month_on as billing_period_start_on,
        team,
        cost_center,
        count(distinct user_email) as basis_quantity
    from seat_holders
    group by 1, 2, 3, 4
),

fixed_basis as (
    select
        rule_id,
        target_team as team,
        coalesce(target_cost_center, 'unallocated') as cost_center,
        percent as basis_quantity
    from rules
    where method = 'fixed_percent'
),

-- the weights of each share group (not of each charge: every charge of a
-- group splits over the same teams)
weights as (
    select
        'usage_share|provider_list_cost|' || provider || '|'
        || billing_period_start_on as share_group,
        team,
        cost_center,
        cast(basis_quantity as decimal(38, 10)) as basis_quantity
    from usage_basis
    union all
    select
        'headcount|' || basis || '|' || billing_period_start_on
            as share_group,
        team,
        cost_center,
        cast(basis_quantity as decimal(38, 10)) as basis_quantity
    from headcount_basis
    union all
    select
        'fixed_percent|' || rule_id as share_group,
        team,
        cost_center,
        cast(basis_quantity as decimal(38, 10)) as basis_quantity
    from fixed_basis
),

shares as (
    select
        share_group,
        team,
        cost_center,
        basis_quantity,
        cast(basis_quantity * 10000000000 as hugeint) as weight_units,
        sum(basis_quantity) over (partition by share_group) as basis_total,
        sum(cast(basis_quantity * 10000000000 as hugeint)) over (
            partition by share_group
        ) as total_weight_units,
        row_number() over (
            partition by share_group
            order by basis_quantity desc, team asc, cost_center asc
        ) as share_rank
    from weights
    where basis_quantity > 0
),

-- only the keys and amounts go through the per-charge residue sums
floored as (
    select
        shared_charges.charge_key,
        shares.team as receiving_team,
        shares.cost_center as receiving_cost_center,
        shares.basis_quantity,
        shares.basis_total,
        {% for amount in amounts -%}
            shared_charges.{{ amount }},
            cast(
                cast(shared_charges.{{ amount }} * 10000000000 as hugeint)
                * shares.weight_units
                // shares.total_weight_units as decimal(38, 0)
            ) * 0.0000000001 as {{ amount }}_floor,
        {% endfor -%}
        shares.share_rank
    from shared_charges
    inner join shares
        on shared_charges.share_group = shares.share_group
),

-- what the floored shares of each charge leave over
residues as (
    select
        charge_key,
        {% for amount in amounts -%}
            any_value({{ amount }}) - sum({{ amount }}_floor)
                as {{ amount }}_residue,
        {% endfor -%}
        count(*) as share_count
    from floored
    group by 1
),

split as (
    select
        {% for amount in amounts -%}
            cast(
                floored.{{ amount }}_floor
                + case
                    when floored.share_rank = 1
                        then residues.{{ amount }}_residue
                    else 0
                end as decimal(38, 10)
            ) as {{ amount }}_share,
        {% endfor -%}
        floored.charge_key,
        floored.receiving_team,
        floored.receiving_cost_center,
        floored.basis_quantity,
        floored.basis_total
    from floored
    inner join residues
        on floored.charge_key = residues.charge_key
),

allocated as (
    select
        shared_charges.charge_id,
        shared_charges.charge_key,
        shared_charges.allocation_rule_id,
        shared_charges.allocation_method,
        shared_charges.provider,
        shared_charges.charge_category,
        shared_charges.charge_frequency,
        shared_charges.cost_grain,
        shared_charges.token_class,
        shared_charges.agent,
        shared_charges.team as attributed_team,
        shared_charges.cost_center as attributed_cost_center,
        split.receiving_team as team,
        split.receiving_cost_center as cost_center,
        shared_charges.billing_currency,
        shared_charges.reporting_currency,
        split.basis_quantity,
        split.basis_total,
        {% for amount in amounts -%}
            split.{{ amount }}_share as {{ amount }},
        {% endfor -%}
        shared_charges.charge_on,
        shared_charges.billing_period_start_on
    from split
    inner join shared_charges
        on split.charge_key = shared_charges.charge_key
),

no_basis as (
    select
        charge_id,
        charge_key,
        allocation_rule_id,
        'unallocated_no_basis' as allocation_method,
        provider,
        charge_category,
        charge_frequency,
        cost_grain,
        token_class,
        agent,
        team as attributed_team,
        cost_center as attributed_cost_center,
        'unallocated' as team,
        'unallocated' as cost_center,
        billing_currency,
        reporting_currency,
        cast(null as decimal(38, 10)) as basis_quantity,
        cast(null as decimal(38, 10)) as basis_total,
        {% for amount in amounts -%}
            {{ amount }},
        {% endfor -%}
        charge_on,
        billing_period_start_on
    from shared_charges
    where not exists (
        select 1 from shares
        where shares.share_group = shared_charges.share_group
    )
),

direct as (
    select
        charges.charge_id,
        charges.charge_key,
        cast(null as varchar) as allocation_rule_id,
        'direct' as allocation_method,
        charges.provider,
        charges.charge_category,
        charges.charge_frequency,
        charges.cost_grain,
        charges.token_class,
        charges.agent,
        charges.team as attributed_team,
        charges.cost_center as attributed_cost_center,
        charges.team,
        charges.cost_center,
        charges.billing_currency,
        charges.reporting_currency,
        cast(null as decimal(38, 10)) as basis_quantity,
        cast(null as decimal(38, 10)) as basis_total,
        {% for amount in amounts -%}
            charges.{{ amount }},
        {% endfor -%}
        charges.charge_on,
        charges.billing_period_start_on
    from charges
    where not exists (
        select 1 from shared_charges
        where shared_charges.charge_key = charges.charge_key
    )
),

final as (
    select * from allocated
    union all
    select * from no_basis
    union all
    select * from direct
)

select * from final
