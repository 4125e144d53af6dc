{{ config(meta={'raw_export': 'otel/genai_spans'}) }}

{#-
    OpenTelemetry trace exports in OTLP/JSON (format documented in
    _otel__sources.yml), landed one record per span: raw_record is the
    span, bucket its context {"line", "resource", "scope"}. A line that is
    not a trace export is one record without a bucket (rejected here).
    GenAI semantic conventions: gen_ai.usage.input_tokens INCLUDES the
    cache read and cache creation tokens; older instrumentations write
    gen_ai.usage.prompt_tokens / completion_tokens and gen_ai.system.
    Token attributes: (column prefix, attribute).
-#}
{%- set token_attributes = [
    ('input_tokens', 'gen_ai.usage.input_tokens'),
    ('prompt_tokens', 'gen_ai.usage.prompt_tokens'),
    ('output_tokens', 'gen_ai.usage.output_tokens'),
    ('completion_tokens', 'gen_ai.usage.completion_tokens'),
    ('cache_read_tokens', 'gen_ai.usage.cache_read.input_tokens'),
    ('cache_creation_tokens', 'gen_ai.usage.cache_creation.input_tokens'),
] -%}
{%- set text_attributes = [
    ('operation_name', 'gen_ai.operation.name'),
    ('provider_attribute', 'gen_ai.provider.name'),
    ('system_attribute', 'gen_ai.system'),
    ('response_model', 'gen_ai.response.model'),
    ('request_model', 'gen_ai.request.model'),
    ('agent_name', 'gen_ai.agent.name'),
] -%}

with

records as (
    select * from {{ landed_records('otel', 'genai_spans') }}
),

renamed as (
    select
        source_file,
        source_row,
        raw_record,
        file_modified_at,
        file_md5,
        landing_key,
        bucket is not null as has_context,
        coalesce({{ json_is_valid('raw_record') }}, false) as is_valid_json,
        -- only a span of a trace export is read as JSON (JSON text, read
        -- with the json_* macros)
        case
            when
                bucket is not null
                and coalesce({{ json_is_valid('raw_record') }}, false)
                then raw_record
        end as span,
        case
            when coalesce({{ json_is_valid('bucket') }}, false) then bucket
        end as span_context
    from records
    where file_problem is null
),

extracted as (
    select
        *,
        {{ json_kind('span') }} as span_json_type,
        nullif({{ json_text('span', '$.traceId') }}, '') as trace_id,
        nullif({{ json_text('span', '$.spanId') }}, '') as span_id,
        nullif({{ json_text('span', '$.parentSpanId') }}, '')
            as parent_span_id,
        {{ json_text('span', '$.name') }} as span_name,
        {{ json_text('span', '$.startTimeUnixNano') }} as start_time_text,
        {{ json_text('span', '$.status.code') }} as status_code_text,
        {{ json_value('span', '$.attributes') }} as span_attributes,
        {{ json_value('span_context', '$.resource.attributes') }}
            as resource_attributes
    from renamed
),

attributes_read as (
    select
        *,
        {%- for column, attribute in text_attributes %}
            {{ otel_attribute('span_attributes', attribute) }} as {{ column }},
        {%- endfor %}
        {%- for column, attribute in token_attributes %}
            {{ otel_attribute('span_attributes', attribute) }}
                as {{ column }}_text,
        {%- endfor %}
        {{ otel_attribute('resource_attributes', 'service.name') }}
            as service_name
    from extracted
),

numbers as (
    select
        *,
        {%- for column, attribute in token_attributes %}
            try_cast({{ column }}_text as decimal(38, 10))
                as {{ column }}_number,
        {%- endfor %}
        case
            when {{ regex_full_match('start_time_text', '[0-9]+') }}
                then try_cast(start_time_text as bigint)
        end as start_time_nanos
    from attributes_read
),

cast_values as (
    select
        *,
        -- a count: a whole non-negative number that fits a bigint (floor():
        -- Spark's trunc() truncates dates only)
        {%- for column, attribute in token_attributes %}
            case
                when
                    {{ column }}_number >= 0
                    and {{ column }}_number = floor({{ column }}_number)
                    then try_cast({{ column }}_number as bigint)
            end as {{ column }}_count,
        {%- endfor %}
        -- a model call: a model operation, or usage on a span of no other
        -- GenAI operation (an agent span may carry the summed usage of its
        -- calls: never counted twice)
        coalesce(
            operation_name in (
                'chat', 'text_completion', 'generate_content', 'embeddings'
            )
            or (
                coalesce(
                    operation_name not in (
                        'invoke_agent', 'create_agent', 'execute_tool'
                    ),
                    true
                )
                and (
                    {%- for column, attribute in token_attributes %}
                        {{ column }}_text is not null
                        {{- " or" if not loop.last }}
                    {%- endfor %}
                )
            ),
            false
        ) as is_model_call
    from numbers
),

validated as (
    select
        *,
        coalesce(input_tokens_count, prompt_tokens_count) as input_count,
        coalesce(output_tokens_count, completion_tokens_count)
            as output_count,
        coalesce(response_model, request_model) as model_id,
        -- nanoseconds to microseconds in integers: no float rounding
        {{ epoch_micros_to_timestamp(
            integer_divide('start_time_nanos', '1000')
        ) }} as requested_at,
        case
            when not has_context and not is_valid_json
                then 'line is not valid JSON'
            when not has_context
                then
                    'line is not an OTLP trace export (no resourceSpans '
                    || 'array)'
            when span is null then 'span is not valid JSON'
            when span_json_type != 'OBJECT' then 'span is not a JSON object'
            when trace_id is null then 'span has no traceId'
            when span_id is null then 'span has no spanId'
            when start_time_text is null then 'startTimeUnixNano is missing'
            when start_time_nanos is null
                then
                    'startTimeUnixNano is not a whole number of nanoseconds: '
                    || '''' || start_time_text || ''''
            {%- for column, attribute in token_attributes %}
                when
                    is_model_call
                    and {{ column }}_text is not null
                    and {{ column }}_count is null
                    then
                        '{{ attribute }} is not a whole non-negative number: '
                        || '''' || {{ column }}_text || ''''
            {%- endfor %}
            when
                is_model_call
                and coalesce(cache_read_tokens_count, 0)
                + coalesce(cache_creation_tokens_count, 0)
                > coalesce(input_tokens_count, prompt_tokens_count, 0)
                then
                    'cache read + cache creation tokens ('
                    || (
                        coalesce(cache_read_tokens_count, 0)
                        + coalesce(cache_creation_tokens_count, 0)
                    )
                    || ') exceed input tokens ('
                    || coalesce(input_tokens_count, prompt_tokens_count, 0)
                    || ')'
            when
                is_model_call
                and response_model is null
                and request_model is null
                then
                    'model call has no model (gen_ai.response.model or '
                    || 'gen_ai.request.model)'
        end as rejected_reason
    from cast_values
),

rejected_files as (
    {{ file_rejections('records') }}
),

parsed_rows as (
    select
        source_file,
        source_row,
        raw_record,
        rejected_reason,
        file_modified_at,
        file_md5,
        landing_key,
        -- each trace file is its own export: rotated files never supersede
        -- each other; a span delivered twice is counted once, by request_id
        source_file as export_period_key,
        'otel' as request_source,
        trace_id || '/' || span_id as request_id,
        trace_id,
        span_id,
        parent_span_id,
        span_name,
        operation_name,
        service_name,
        coalesce(provider_attribute, system_attribute) as provider_name,
        model_id as vendor_model_id,
        -- the span's own agent; inherited from a parent span later
        agent_name as agent,
        cast(null as string) as gateway_key_id,
        cast(null as string) as key_alias,
        cast(null as string) as team_alias,
        cast(null as string) as team,
        operation_name as workload,
        cast(null as {{ string_list_type() }}) as tags,
        -- counts of model calls only: an agent span's summed usage would
        -- count its calls twice
        case when is_model_call then input_count end as input_tokens,
        case
            when is_model_call then coalesce(cache_read_tokens_count, 0)
        end as cached_input_tokens,
        case
            when is_model_call then coalesce(cache_creation_tokens_count, 0)
        end as cache_write_tokens,
        case when is_model_call then output_count end as output_tokens,
        case
            when is_model_call
                then
                    input_count
                    - coalesce(cache_read_tokens_count, 0)
                    - coalesce(cache_creation_tokens_count, 0)
        end as uncached_input_tokens,
        cast(null as bigint) as prompt_chars,
        cast(null as bigint) as completion_chars,
        -- STATUS_CODE_ERROR: 2, or its enum name
        case
            when status_code_text in ('2', 'STATUS_CODE_ERROR') then 'error'
            else 'success'
        end as status,
        is_model_call,
        cast(null as decimal(38, 10)) as reported_cost,
        cast(null as string) as reported_cost_currency,
        requested_at,
        {{ utc_date('requested_at') }} as requested_on
    from validated
),

-- the files that cannot be read, in the same columns (null but the file's)
rejected_file_rows as (
    {{ file_rejection_rows('rejected_files', 'parsed_rows') }}
),

final as (
    select * from parsed_rows
    union all
    select * from rejected_file_rows
)

select * from final
