-- Three estimates of the same spend side by side, per provider, model and
-- UTC day: what the warehouse bills (fct_ai_costs: the vendor's cost export
-- or bill, else the price book), and what each gateway or tracing tool says
-- the requests it saw cost (LiteLLM's spend, Langfuse's costDetails; LiteLLM's
-- daily team rollup on days its request log is not exported). Only the
-- providers and days a tool reported on are listed. A tool sees only the
-- traffic routed or traced through it, and prices at its own list: a gap is
-- coverage or pricing to look into, never a correction of the bill. Tools
-- report USD; the warehouse side counts USD charges only.
with

costs as (
    select * from {{ ref('fct_ai_costs') }}
),

requests as (
    select * from {{ ref('int_gateway_requests') }}
),

daily_spend as (
    {{ current_rows('stg_litellm__daily_spend') }}
),

provider_names as (
    select * from {{ ref('gateway_provider_names') }}
),

vendor_models as (
    select * from {{ ref('int_vendor_models') }}
),

tool_requests as (
    select
        requests.request_source,
        requests.provider,
        coalesce(vendor_models.model, requests.vendor_model_id)
            as model,  -- noqa: RF04
        requests.requested_on as cost_on,
        requests.reported_cost
    from requests
    left join vendor_models
        on
            requests.provider = vendor_models.provider
            and requests.vendor_model_id = vendor_models.vendor_model_id
    where
        requests.provider is not null
        and requests.reported_cost_currency = 'USD'
),

-- LiteLLM's team rollup counts every request once; used for the days its
-- request log does not cover
litellm_rollup as (
    select
        'litellm' as request_source,
        provider_names.provider,
        coalesce(vendor_models.model, daily_spend.vendor_model_id)
            as model,  -- noqa: RF04
        daily_spend.spend_on as cost_on,
        daily_spend.reported_cost
    from daily_spend
    inner join provider_names
        on lower(daily_spend.provider_name) = provider_names.provider_name
    left join vendor_models
        on
            provider_names.provider = vendor_models.provider
            and daily_spend.vendor_model_id = vendor_models.vendor_model_id
    where
        daily_spend.rollup_kind = 'team'
        and not exists (
            select 1
            from tool_requests
            where
                tool_requests.request_source = 'litellm'
                and tool_requests.provider = provider_names.provider
                and tool_requests.cost_on = daily_spend.spend_on
        )
),

tool_costs as (
    select
        provider,
        model,
        cost_on,
        sum(reported_cost) filter (where request_source = 'litellm')
            as litellm_reported_cost,
        sum(reported_cost) filter (where request_source = 'langfuse')
            as langfuse_reported_cost
    from (
        select * from tool_requests
        union all
        select * from litellm_rollup
    ) as reported
    group by 1, 2, 3
),

tool_days as (
    select distinct
        provider,
        cost_on
    from tool_costs
),

warehouse_costs as (
    select
        costs.provider,
        costs.model,
        costs.charge_on as cost_on,
        sum(costs.billed_cost)
        filter (where costs.cost_source = 'vendor_reported')
            as vendor_reported_cost,
        sum(costs.billed_cost)
        filter (where costs.cost_source = 'estimated_from_price_book')
            as price_book_cost,
        sum(costs.billed_cost) as billed_cost
    from costs
    inner join tool_days
        on
            costs.provider = tool_days.provider
            and costs.charge_on = tool_days.cost_on
    where
        costs.billing_currency = 'USD'
        and costs.charge_category = 'Usage'
    group by 1, 2, 3
),

final as (
    select
        coalesce(warehouse_costs.provider, tool_costs.provider) as provider,
        coalesce(warehouse_costs.model, tool_costs.model)
            as model,  -- noqa: RF04
        coalesce(warehouse_costs.cost_on, tool_costs.cost_on) as cost_on,
        'USD' as currency,
        warehouse_costs.billed_cost,
        warehouse_costs.vendor_reported_cost,
        warehouse_costs.price_book_cost,
        tool_costs.litellm_reported_cost,
        tool_costs.langfuse_reported_cost,
        tool_costs.litellm_reported_cost
        - coalesce(warehouse_costs.billed_cost, 0) as litellm_gap,
        tool_costs.langfuse_reported_cost
        - coalesce(warehouse_costs.billed_cost, 0) as langfuse_gap
    from warehouse_costs
    full outer join tool_costs
        on
            warehouse_costs.provider = tool_costs.provider
            and warehouse_costs.model is not distinct from tool_costs.model
            and warehouse_costs.cost_on = tool_costs.cost_on
)

select * from final
