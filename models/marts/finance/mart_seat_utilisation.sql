-- Paid seats against the people who used them, per seat product and month.
-- Seats and holders come from seats/ (int_seat_months_utilised); seat cost
-- is what fct_ai_costs bills for the product's seats (the seat-months of
-- seats/, or the vendor's own seat lines such as Copilot's prorated
-- copilot_for_business rows); usage cost is the product's own metered usage
-- (Cursor usage-based events, Copilot premium requests / AI credits).
-- fct_ai_costs is read where it is needed, not through one
-- import CTE: DuckDB materializes a CTE that several parts read, with
-- every column of every row.
with

seat_months as (
    select * from {{ ref('int_seat_months_utilised') }}
),

seats_by_month as (
    select
        provider,
        product,
        seat_month_on,
        seat_id,
        any_value(activity_source) as activity_source,
        bool_and(is_activity_known) as is_activity_known,
        bool_or(is_active) as is_active,
        sum(unit_price) as contract_cost,
        any_value(billing_currency) as billing_currency
    from seat_months
    group by 1, 2, 3, 4
),

holders as (
    select
        product,
        seat_month_on,
        count(distinct lower(user_email)) as seat_holders,
        count(distinct lower(user_email)) filter (
            where is_active
        ) as active_holders
    from seat_months
    group by 1, 2
),

seat_products as (
    select
        provider,
        product,
        seat_month_on,
        any_value(activity_source) as activity_source,
        any_value(billing_currency) as billing_currency,
        bool_and(is_activity_known) as is_activity_known,
        count(*) as paid_seats,
        count(*) filter (where is_active) as active_seats,
        count(*) filter (where not is_active) as idle_seats,
        sum(contract_cost) filter (where not is_active) as idle_seat_cost
    from seats_by_month
    group by 1, 2, 3
),

seat_costs as (
    select
        case
            when cost_grain = 'seat' then sub_account_id
            when lower(vendor_sku) like '%enterprise%' then 'copilot_enterprise'
            else 'copilot_business'
        end as product,
        billing_period_start_on as seat_month_on,
        sum(billed_cost) as seat_cost,
        sum(billed_cost_reporting) as seat_cost_reporting
    from {{ ref('fct_ai_costs') }}
    where
        cost_grain = 'seat'
        or (provider = 'github_copilot' and token_class = 'seat')
    group by 1, 2
),

usage_costs as (
    select
        provider,
        billing_period_start_on as seat_month_on,
        sum(billed_cost) as usage_cost,
        sum(billed_cost_reporting) as usage_cost_reporting
    from {{ ref('fct_ai_costs') }}
    where
        provider in ('cursor', 'github_copilot')
        and charge_category = 'Usage'
    group by 1, 2
),

joined as (
    select
        seat_products.*,
        holders.seat_holders,
        holders.active_holders,
        '{{ reporting_currency() }}' as reporting_currency,
        cast(coalesce(seat_costs.seat_cost, 0) as decimal(38, 10))
            as seat_cost,
        cast(coalesce(usage_costs.usage_cost, 0) as decimal(38, 10))
            as usage_cost,
        cast(coalesce(seat_costs.seat_cost_reporting, 0) as decimal(38, 10))
            as seat_cost_reporting,
        cast(coalesce(usage_costs.usage_cost_reporting, 0) as decimal(38, 10))
            as usage_cost_reporting
    from seat_products
    inner join holders
        on
            seat_products.product = holders.product
            and seat_products.seat_month_on = holders.seat_month_on
    left join seat_costs
        on
            seat_products.product = seat_costs.product
            and seat_products.seat_month_on = seat_costs.seat_month_on
    left join usage_costs
        on
            seat_products.provider = usage_costs.provider
            and seat_products.seat_month_on = usage_costs.seat_month_on
),

final as (
    select
        provider,
        product,
        activity_source,
        billing_currency,
        reporting_currency,
        case
            when activity_source = 'none'
                then
                    'no activity export for this product: active users '
                    || 'unknown'
            when not is_activity_known
                then 'no activity rows landed for this month: active unknown'
            else 'active = ' || case activity_source
                when 'chatgpt_user_analytics'
                    then 'is_active in the ChatGPT user analytics export'
                when 'cursor_usage_events'
                    then 'at least one Cursor usage event'
                else 'at least one Copilot premium-request or AI-credit row'
            end
        end as activity_note,
        paid_seats,
        seat_holders,
        case when is_activity_known then active_holders end as active_users,
        case when is_activity_known then idle_seats end as idle_seats,
        case
            when is_activity_known
                then cast(active_seats / paid_seats as decimal(18, 4))
        end as utilisation_rate,
        seat_cost,
        usage_cost,
        cast(seat_cost + usage_cost as decimal(38, 10)) as total_cost,
        cast(
            case when is_activity_known then coalesce(idle_seat_cost, 0) end
            as decimal(38, 10)
        ) as idle_seat_cost,
        cast(
            case
                when is_activity_known and active_holders > 0
                    then
                        cast(
                            {{ integer_divide(
                                'cast((seat_cost + usage_cost) * 10000000000'
                                ~ ' as ' ~ int128_type() ~ ')',
                                'active_holders'
                            ) }} as decimal(38, 0)
                        ) * 0.0000000001
            end as decimal(38, 10)
        ) as cost_per_active_user,
        seat_cost_reporting,
        usage_cost_reporting,
        is_activity_known,
        seat_month_on
    from joined
)

select * from final
