-- The register of AI systems in use, derived from the spend: every charge
-- belongs to one AI system, named by the first of
--   product         the attributed product or application, when set
--   agent           the attributed agent, when set
--   seat_product    a seat-priced product (ChatGPT Enterprise, Claude Team,
--                   Cursor, Copilot) or a developer tool billed per use
--   team_api_usage  otherwise: the team's direct use of the provider's API
-- with its providers, models, teams, users and spend to date.
-- fct_ai_costs is read where it is needed, not through one
-- import CTE: DuckDB materializes a CTE that several parts read, with
-- every column of every row.
with

data_end as (
    select max(charge_on) as data_as_of_on
    from {{ ref('fct_ai_costs') }}
    where charge_frequency = 'Usage-Based'
),

classified as (
    select
        *,
        case
            when product != 'unallocated' then 'product'
            when agent != 'unallocated' then 'agent'
            when
                cost_grain = 'seat'
                or provider in ('github_copilot', 'cursor')
                then 'seat_product'
            else 'team_api_usage'
        end as ai_system_type
    from {{ ref('fct_ai_costs') }}
),

named as (
    select
        classified.*,
        case classified.ai_system_type
            when 'product' then classified.product
            when 'agent' then classified.agent
            when 'seat_product'
                then
                    case
                        when classified.provider in ('github_copilot', 'cursor')
                            then classified.provider
                        else classified.sub_account_id
                    end
            else classified.team || ' @ ' || classified.provider
        end as ai_system_name,
        classified.charge_on > data_end.data_as_of_on - 30 as is_last_30_days
    from classified
    cross join data_end
),

final as (
    select
        md5(ai_system_type || ':' || ai_system_name) as ai_system_id,
        ai_system_name,
        ai_system_type,
        {{ dbt.listagg('distinct provider', "', '", 'order by provider') }}
            as providers,
        {{ dbt.listagg('distinct model', "', '", 'order by model') }}
            as models,
        {{ dbt.listagg(
            'distinct model_developer', "', '", 'order by model_developer'
        ) }} as model_developers,
        {{ dbt.listagg('distinct team', "', '", 'order by team') }} as teams,
        {{ dbt.listagg(
            'distinct cost_center', "', '", 'order by cost_center'
        ) }} as cost_centers,
        {{ dbt.listagg(
            'distinct environment', "', '", 'order by environment'
        ) }} as environments,
        any_value(reporting_currency) as reporting_currency,
        count(distinct user_name) as user_count,
        count(distinct api_key_id) as api_key_count,
        count(*) as charge_count,
        cast(coalesce(sum(billed_cost_reporting), 0) as decimal(38, 10))
            as spend_to_date_reporting,
        cast(
            coalesce(
                sum(billed_cost_reporting) filter (where is_last_30_days), 0
            ) as decimal(38, 10)
        ) as spend_last_30_days_reporting,
        min(charge_on) as first_seen_on,
        max(charge_on) as last_seen_on
    from named
    group by 2, 3
)

select * from final
