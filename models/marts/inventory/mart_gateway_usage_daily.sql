-- What the gateway and tracing tools saw, per UTC day, tool, provider,
-- model, team and agent (int_gateway_requests_attributed): requests that
-- reached a vendor's model, failed ones, tokens by class, and what the tool
-- says they cost (its own estimate, never the bill: mart_cost_reconciliation
-- sets it beside the bill).
with

requests as (
    select * from {{ ref('int_gateway_requests_attributed') }}
),

final as (
    select
        requested_on,
        request_source,
        provider,
        coalesce(model, vendor_model_id) as model,  -- noqa: RF04
        team,
        agent,
        count(*) filter (where is_model_call) as request_count,
        count(*) filter (where is_model_call and status = 'error')
            as failed_request_count,
        coalesce(sum(input_tokens) filter (where is_model_call), 0)
            as input_tokens,
        coalesce(sum(cached_input_tokens) filter (where is_model_call), 0)
            as cached_input_tokens,
        coalesce(sum(cache_write_tokens) filter (where is_model_call), 0)
            as cache_write_tokens,
        coalesce(sum(output_tokens) filter (where is_model_call), 0)
            as output_tokens,
        sum(reported_cost) as reported_cost,
        any_value(reported_cost_currency) as reported_cost_currency
    from requests
    group by 1, 2, 3, 4, 5, 6
)

select * from final
