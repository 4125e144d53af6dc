-- What the LLM gateway log knows about each vendor API key: the agent and
-- team that last used it. Used as a lower-priority attribution source for
-- the vendors' usage rows, which carry only the key id. Only the project's
-- own gateway log names vendor keys (LiteLLM's keys are its own virtual
-- keys; tracing tools log none).
with

requests as (
    select * from {{ ref('int_gateway_requests') }}
),

final as (
    select
        provider,
        api_key_id,
        -- the newest non-null value (DuckDB's max_by skips null values,
        -- Spark's does not: the filter makes both skip them)
        max_by(agent, requested_at) filter (where agent is not null) as agent,
        max_by(team, requested_at) filter (where team is not null) as team,
        count(*) as request_count,
        min(requested_at) as first_seen_at,
        max(requested_at) as last_seen_at
    from requests
    where api_key_id is not null
    group by 1, 2
)

select * from final
