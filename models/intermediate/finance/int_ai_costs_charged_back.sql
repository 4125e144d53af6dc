-- Who pays for every charge. A charge that no rule of the seed
-- shared_cost_rules selects is one row with its attributed team (direct).
-- The charges a rule shares (int_ai_costs_shared) are summed per allocation
-- pool (one rule, day, provider, category, frequency, grain, token class,
-- agent and currency) and each pool is split over (team, cost centre) by the
-- rule's method, for the pool's month:
--   usage_share    the teams' list cost of the same provider's Usage
--                  charges (gross, before discounts; billed cost where no
--                  list cost exists); the shared charges count as usage of
--                  the team they are attributed to
--   headcount      people holding a seat of the product (basis
--                  seats:<product>, or seats:* for any AI seat) per team,
--                  from seats/
--   fixed_percent  the rule's percentage table (one seed row per team)
-- Only named teams receive shares; a pool with no basis in its month goes
-- whole to team and cost centre 'unallocated'. Splitting pools rather than
-- single charges keeps the table at (pools x teams) rows: splitting each of
-- a month's seat fees over every team would grow with seats x teams.
-- Exact integer arithmetic in units of 1e-10: each share is
-- floor(cost x weight / total weight); the residue (under n x 1e-10) goes to
-- the team with the largest weight (ties: team, then cost centre), so the
-- shares of a pool add up to its cost exactly.
-- A view: its readers (mart_chargeback_monthly, int_scope_spend_daily) sum
-- it, so the direct rows, one per charge, are never written. The charges
-- (fct_ai_costs) are read where they are needed, not through one import CTE:
-- DuckDB materializes a CTE that several parts read, with every column of
-- every row.
{%- set charges = ref('fct_ai_costs') %}
{%- set amounts = [
    'billed_cost', 'effective_cost',
    'billed_cost_reporting', 'effective_cost_reporting',
] %}

with

shared as (
    select * from {{ ref('int_ai_costs_shared') }}
),

rules as (
    select * from {{ ref('shared_cost_rules') }}
),

seat_months as (
    select * from {{ ref('int_seat_months') }}
),

pools as (
    select
        shared.allocation_pool_key,
        any_value(shared.allocation_rule_id) as allocation_rule_id,
        any_value(shared.allocation_method) as allocation_method,
        any_value(shared.share_group) as share_group,
        any_value(charges.provider) as provider,
        any_value(charges.charge_category) as charge_category,
        any_value(charges.charge_frequency) as charge_frequency,
        any_value(charges.cost_grain) as cost_grain,
        any_value(charges.token_class) as token_class,
        any_value(charges.agent) as agent,
        any_value(charges.billing_currency) as billing_currency,
        any_value(charges.reporting_currency) as reporting_currency,
        count(*) as charge_count,
        {% for amount in amounts -%}
            cast(sum(charges.{{ amount }}) as decimal(38, 10))
                as {{ amount }},
        {% endfor -%}
        any_value(charges.charge_on) as charge_on,
        any_value(charges.billing_period_start_on) as billing_period_start_on
    from shared
    inner join {{ charges }} as charges
        on shared.charge_id = charges.charge_id
    group by 1
),

usage_basis as (
    select
        charges.provider,
        charges.billing_period_start_on,
        charges.team,
        charges.cost_center,
        sum(coalesce(charges.list_cost, charges.billed_cost, 0))
            as basis_quantity
    from {{ charges }} as charges
    where charges.charge_category = 'Usage' and charges.team != 'unallocated'
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

-- the weights of each share group (every pool of a group splits over the
-- same teams)
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
        cast(basis_quantity * 10000000000 as {{ int128_type() }})
            as weight_units,
        sum(basis_quantity) over (partition by share_group) as basis_total,
        sum(cast(basis_quantity * 10000000000 as {{ int128_type() }})) over (
            partition by share_group
        ) as total_weight_units,
        -- nulls last as on DuckDB (Spark sorts them first)
        row_number() over (
            partition by share_group
            order by
                basis_quantity desc nulls last,
                team asc nulls last,
                cost_center asc nulls last
        ) as share_rank
    from weights
    where basis_quantity > 0
),

floored as (
    select
        pools.allocation_pool_key,
        shares.team,
        shares.cost_center,
        shares.basis_quantity,
        shares.basis_total,
        {% for amount in amounts -%}
            cast(
                {{ integer_divide(
                    'cast(pools.' ~ amount ~ ' * 10000000000 as '
                    ~ int128_type() ~ ') * shares.weight_units',
                    'shares.total_weight_units'
                ) }} as decimal(38, 0)
            ) * 0.0000000001 as {{ amount }}_floor,
        {% endfor -%}
        shares.share_rank
    from pools
    inner join shares
        on pools.share_group = shares.share_group
),

-- what the floored shares of each pool leave over
residues as (
    select
        floored.allocation_pool_key,
        {% for amount in amounts -%}
            any_value(pools.{{ amount }}) - sum(floored.{{ amount }}_floor)
                as {{ amount }}_residue,
        {% endfor -%}
        count(*) as share_count
    from floored
    inner join pools
        on floored.allocation_pool_key = pools.allocation_pool_key
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
            ) as {{ amount }},
        {% endfor -%}
        floored.allocation_pool_key,
        floored.team,
        floored.cost_center,
        floored.basis_quantity,
        floored.basis_total
    from floored
    inner join residues
        on floored.allocation_pool_key = residues.allocation_pool_key
),

allocated as (
    select
        cast(null as string) as charge_id,
        pools.allocation_pool_key,
        pools.charge_count,
        pools.allocation_rule_id,
        pools.allocation_method,
        pools.provider,
        pools.charge_category,
        pools.charge_frequency,
        pools.cost_grain,
        pools.token_class,
        pools.agent,
        cast(null as string) as attributed_team,
        cast(null as string) as attributed_cost_center,
        split.team,
        split.cost_center,
        pools.billing_currency,
        pools.reporting_currency,
        split.basis_quantity,
        split.basis_total,
        {% for amount in amounts -%}
            split.{{ amount }},
        {% endfor -%}
        pools.charge_on,
        pools.billing_period_start_on
    from split
    inner join pools
        on split.allocation_pool_key = pools.allocation_pool_key
),

no_basis as (
    select
        cast(null as string) as charge_id,
        allocation_pool_key,
        charge_count,
        allocation_rule_id,
        'unallocated_no_basis' as allocation_method,
        provider,
        charge_category,
        charge_frequency,
        cost_grain,
        token_class,
        agent,
        cast(null as string) as attributed_team,
        cast(null as string) as attributed_cost_center,
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
    from pools
    where not exists (
        select 1 from shares
        where shares.share_group = pools.share_group
    )
),

direct as (
    select
        charges.charge_id,
        cast(null as string) as allocation_pool_key,
        cast(1 as bigint) as charge_count,
        cast(null as string) as allocation_rule_id,
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
    from {{ charges }} as charges
    where not exists (
        select 1 from shared
        where shared.charge_id = charges.charge_id
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
