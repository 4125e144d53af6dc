-- Every request a gateway or tracing tool logged, in one shape: the
-- project's own gateway log, LiteLLM's request log, Langfuse generations
-- and OpenTelemetry GenAI spans (usable rows; newest export of each period).
-- A request delivered in several files is kept once, from the newest file.
-- The provider is the tool's provider name through seed
-- gateway_provider_names; a Langfuse generation names none: its model's
-- developer (seed models) stands in. The agent of a traced call is its
-- own, else its parent's or grandparent's span (an invoke_agent span), else
-- its Langfuse trace's name. These logs never add cost: reported_cost is
-- what the tool says a request cost, a third estimate reconciled with the
-- vendors' bills (mart_cost_reconciliation). Read by attribution
-- (int_api_key_directory), model resolution (int_vendor_models), the
-- tokenizer detector and the reconciliation.
{%- set tool_columns = [
    'request_source', 'request_id', 'trace_id', 'span_id', 'parent_span_id',
    'provider_name', 'vendor_model_id', 'gateway_key_id', 'key_alias',
    'team_alias', 'agent', 'team', 'workload', 'service_name', 'tags',
    'input_tokens', 'cached_input_tokens', 'cache_write_tokens',
    'uncached_input_tokens', 'output_tokens', 'prompt_chars',
    'completion_chars', 'status', 'is_model_call', 'reported_cost',
    'reported_cost_currency', 'requested_at', 'requested_on', 'source_file',
    'source_row', 'file_modified_at',
] %}
{#- the columns of the result, in the order of gateway_requests #}
{%- set request_columns = [
    'request_source', 'request_id', 'trace_id', 'span_id', 'provider_name',
    'provider', 'vendor_model_id', 'api_key_id', 'gateway_key_id',
    'key_alias', 'team_alias', 'agent', 'team', 'workload', 'service_name',
    'tags', 'input_tokens', 'cached_input_tokens', 'cache_write_tokens',
    'uncached_input_tokens', 'output_tokens', 'prompt_chars',
    'completion_chars', 'status', 'is_model_call', 'reported_cost',
    'reported_cost_currency', 'requested_at', 'requested_on', 'source_file',
    'source_row', 'file_modified_at',
] %}

with

gateway_log as (
    {{ current_rows('stg_gateway__requests') }}
),

litellm_spend_logs as (
    {{ current_rows('stg_litellm__spend_logs') }}
),

langfuse_observations as (
    {{ current_rows('stg_langfuse__observations') }}
),

langfuse_traces as (
    {{ current_rows('stg_langfuse__traces') }}
),

otel_spans as (
    {{ current_rows('stg_otel__genai_spans') }}
),

provider_names as (
    select * from {{ ref('gateway_provider_names') }}
),

models as (
    select * from {{ ref('models') }}
),

gateway_requests as (
    select
        'gateway' as request_source,
        request_id,
        cast(null as string) as trace_id,
        cast(null as string) as span_id,
        provider as provider_name,
        provider,
        vendor_model_id,
        api_key_id,
        cast(null as string) as gateway_key_id,
        cast(null as string) as key_alias,
        cast(null as string) as team_alias,
        agent,
        team,
        workload,
        cast(null as string) as service_name,
        cast(null as {{ string_list_type() }}) as tags,
        input_tokens,
        cached_input_tokens,
        cast(0 as bigint) as cache_write_tokens,
        uncached_input_tokens,
        output_tokens,
        prompt_chars,
        completion_chars,
        case when status = 'error' then 'error' else 'success' end as status,
        true as is_model_call,
        cast(null as decimal(38, 10)) as reported_cost,
        cast(null as string) as reported_cost_currency,
        requested_at,
        requested_on,
        source_file,
        source_row,
        file_modified_at
    from gateway_log
),

-- a traced call takes its agent from its own span, its parent's or its
-- grandparent's (agent frameworks name the agent on the invoke_agent span)
otel_with_agent as (
    select
        {%- for column in tool_columns if column != 'agent' %}
            spans.{{ column }},
        {%- endfor %}
        coalesce(spans.agent, parents.agent, grandparents.agent) as agent
    from otel_spans as spans
    left join otel_spans as parents
        on
            spans.trace_id = parents.trace_id
            and spans.parent_span_id = parents.span_id
    left join otel_spans as grandparents
        on
            parents.trace_id = grandparents.trace_id
            and parents.parent_span_id = grandparents.span_id
),

-- a Langfuse generation takes the agent or workflow and the tags of its
-- trace
langfuse_with_trace as (
    select
        {%- for column in tool_columns if column not in ['agent', 'tags'] %}
            observations.{{ column }},
        {%- endfor %}
        coalesce(observations.agent, traces.trace_name) as agent,
        coalesce(observations.tags, traces.tags) as tags
    from langfuse_observations as observations
    left join langfuse_traces as traces
        on observations.trace_id = traces.trace_id
),

tool_requests as (
    select {{ tool_columns | join(', ') }} from litellm_spend_logs
    union all
    select {{ tool_columns | join(', ') }} from langfuse_with_trace
    union all
    select {{ tool_columns | join(', ') }} from otel_with_agent
),

-- a request delivered in several files (overlapping exports, a re-sent
-- trace batch) is kept once: from the newest file
deduplicated as (
    select *
    from tool_requests
    qualify row_number() over (
        partition by request_source, request_id
        order by file_modified_at desc, source_file desc, source_row desc
    ) = 1
),

-- the developer of a model Langfuse names without a provider, by the
-- model-id rule (int_vendor_models reads this model: no cycle through it)
model_developers as (
    select
        {{ vendor_model_key('model') }} as model_key,
        any_value(model_developer) as model_developer
    from models
    group by 1
),

tool_requests_with_provider as (
    select
        {%- for column in tool_columns %}
            deduplicated.{{ column }},
        {%- endfor %}
        cast(null as string) as api_key_id,
        coalesce(
            provider_names.provider,
            developer_providers.provider
        ) as provider
    from deduplicated
    left join provider_names
        on lower(deduplicated.provider_name) = provider_names.provider_name
    left join model_developers
        on
            deduplicated.provider_name is null
            and {{ vendor_model_key('deduplicated.vendor_model_id') }}
            = model_developers.model_key
    left join provider_names as developer_providers
        on model_developers.model_developer = developer_providers.provider_name
),

-- both sides in the columns of gateway_requests (the tool requests'
-- parent_span_id is left out)
final as (
    select {{ request_columns | join(', ') }} from gateway_requests
    union all
    select {{ request_columns | join(', ') }} from tool_requests_with_provider
)

select * from final
