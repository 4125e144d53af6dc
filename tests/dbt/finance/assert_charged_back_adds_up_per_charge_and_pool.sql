-- Every charge of fct_ai_costs is charged back exactly once: as
-- its own direct row of int_ai_costs_charged_back with the same amounts, or
-- as one charge of one allocation pool (int_ai_costs_shared); and the rows
-- of each pool (one per receiving team, or one 'unallocated') add up exactly
-- to its charges' cost, in the billing and in the reporting currency, with
-- charge_count = its number of charges.
with

charges as (
    select * from {{ ref('fct_ai_costs') }}
),

shared as (
    select * from {{ ref('int_ai_costs_shared') }}
),

lines as (
    select * from {{ ref('int_ai_costs_charged_back') }}
),

direct_lines as (
    select
        charge_id,
        count(*) as line_count,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost,
        sum(billed_cost_reporting) as billed_cost_reporting,
        sum(effective_cost_reporting) as effective_cost_reporting
    from lines
    where allocation_method = 'direct'
    group by 1
),

charge_coverage as (
    select
        charges.charge_id,
        'charge not charged back exactly once' as failure
    from charges
    left join direct_lines
        on charges.charge_id = direct_lines.charge_id
    left join shared
        on charges.charge_id = shared.charge_id
    where
        (direct_lines.charge_id is null) = (shared.charge_id is null)
        or direct_lines.line_count > 1
        or (
            direct_lines.charge_id is not null
            and (
                charges.billed_cost is distinct from direct_lines.billed_cost
                or charges.effective_cost
                is distinct from direct_lines.effective_cost
                or charges.billed_cost_reporting
                is distinct from direct_lines.billed_cost_reporting
                or charges.effective_cost_reporting
                is distinct from direct_lines.effective_cost_reporting
            )
        )
),

pool_charges as (
    select
        shared.allocation_pool_key,
        count(*) as charge_count,
        sum(charges.billed_cost) as billed_cost,
        sum(charges.effective_cost) as effective_cost,
        sum(charges.billed_cost_reporting) as billed_cost_reporting,
        sum(charges.effective_cost_reporting) as effective_cost_reporting
    from shared
    inner join charges
        on shared.charge_id = charges.charge_id
    group by 1
),

pool_lines as (
    select
        allocation_pool_key,
        min(charge_count) as min_charge_count,
        max(charge_count) as max_charge_count,
        sum(billed_cost) as billed_cost,
        sum(effective_cost) as effective_cost,
        sum(billed_cost_reporting) as billed_cost_reporting,
        sum(effective_cost_reporting) as effective_cost_reporting
    from lines
    where allocation_method != 'direct'
    group by 1
),

pool_totals as (
    select
        coalesce(
            pool_charges.allocation_pool_key, pool_lines.allocation_pool_key
        ) as charge_id,
        'pool rows do not add up to its charges' as failure
    from pool_charges
    full outer join pool_lines
        on pool_charges.allocation_pool_key = pool_lines.allocation_pool_key
    where
        pool_charges.allocation_pool_key is null
        or pool_lines.allocation_pool_key is null
        or pool_lines.min_charge_count != pool_charges.charge_count
        or pool_lines.max_charge_count != pool_charges.charge_count
        or pool_charges.billed_cost is distinct from pool_lines.billed_cost
        or pool_charges.effective_cost
        is distinct from pool_lines.effective_cost
        or pool_charges.billed_cost_reporting
        is distinct from pool_lines.billed_cost_reporting
        or pool_charges.effective_cost_reporting
        is distinct from pool_lines.effective_cost_reporting
),

final as (
    select * from charge_coverage
    union all
    select * from pool_totals
)

select * from final
