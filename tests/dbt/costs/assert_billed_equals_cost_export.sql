-- Where a vendor cost export (OpenAI costs, Anthropic cost_report) covers a
-- day and project, the vendor-reported cost in fct_ai_costs equals the
-- export's sum exactly, and nothing there is estimated on top of it, except
-- usage the vendor documents as absent from its cost export (seed
-- cost_export_exclusions); unpriced usage there keeps a null cost. Compared
-- per provider, day and project (per provider and day on a day with a cost
-- row that names no project). Returns one row per difference.
with

cost_rows as (
    select
        provider,
        charge_on,
        sub_account_id,
        reported_cost
    from {{ ref('int_ai_charges_unioned') }}
    where cost_grain = 'cost_export'
),

facts as (
    select * from {{ ref('fct_ai_costs') }}
),

exclusions as (
    select * from {{ ref('cost_export_exclusions') }}
),

days_without_project as (
    select distinct
        provider,
        charge_on
    from cost_rows
    where sub_account_id is null
),

expected as (
    select
        cost_rows.provider,
        cost_rows.charge_on,
        case
            when days_without_project.provider is null
                then cost_rows.sub_account_id
            else '*'
        end as scope,
        sum(cost_rows.reported_cost) as export_cost
    from cost_rows
    left join days_without_project
        on
            cost_rows.provider = days_without_project.provider
            and cost_rows.charge_on = days_without_project.charge_on
    group by 1, 2, 3
),

billed as (
    select
        facts.provider,
        facts.charge_on,
        case
            when days_without_project.provider is null
                then facts.sub_account_id
            else '*'
        end as scope,
        sum(facts.billed_cost) as billed_cost
    from facts
    left join days_without_project
        on
            facts.provider = days_without_project.provider
            and facts.charge_on = days_without_project.charge_on
    where
        facts.cost_source = 'vendor_reported'
        and facts.cost_grain in ('cost_export', 'usage')
    group by 1, 2, 3
),

differences as (
    select
        coalesce(expected.provider, billed.provider) as provider,
        coalesce(expected.charge_on, billed.charge_on) as charge_on,
        coalesce(expected.scope, billed.scope) as scope,
        'billed differs from the cost export: '
        || coalesce(cast(billed.billed_cost as string), 'none')
        || ' billed, '
        || coalesce(cast(expected.export_cost as string), 'none')
        || ' in the export' as problem
    from expected
    full outer join billed
        on
            expected.provider = billed.provider
            and expected.charge_on = billed.charge_on
            and expected.scope is not distinct from billed.scope
    where
        coalesce(expected.export_cost, 0) != coalesce(billed.billed_cost, 0)
),

estimated_on_covered_days as (
    select
        facts.provider,
        facts.charge_on,
        facts.sub_account_id as scope,
        'estimated from the price book although the cost export covers it: '
        || facts.charge_id as problem
    from facts
    where
        facts.cost_source = 'estimated_from_price_book'
        and facts.billed_cost is not null
        and not exists (
            select 1
            from exclusions
            where
                exclusions.provider = facts.provider
                and exclusions.service_tier = facts.service_tier
        )
        and exists (
            select 1
            from cost_rows
            where
                cost_rows.provider = facts.provider
                and cost_rows.charge_on = facts.charge_on
                and (
                    cost_rows.sub_account_id = facts.sub_account_id
                    or cost_rows.sub_account_id is null
                )
        )
),

final as (
    select * from differences
    union all
    select * from estimated_on_covered_days
)

select * from final
