{{ config(meta={'raw_export': 'litellm/spend_logs'}) }}

{#-
    LiteLLM proxy's LiteLLM_SpendLogs table, one row per request, exported
    as CSV (COPY ... CSV HEADER: columns bound by header name, their order
    differs between proxy versions) or as JSON lines (the /spend/logs API).
    Both forms are read through one field expression. Counts: prompt_tokens
    includes cached and cache-write tokens (OpenAI's prompt_tokens; for
    Anthropic LiteLLM adds both to input_tokens); the cache counts live only
    in metadata.usage_object. spend is USD, what LiteLLM priced the request
    at: a third estimate, never a cost (int_gateway_requests).
-#}
{%- set text_fields = [
    'request_id', 'call_type', 'api_key', 'spend', 'prompt_tokens',
    'completion_tokens', 'startTime', 'model', 'model_group',
    'custom_llm_provider', 'metadata', 'cache_hit', 'request_tags',
    'team_id', 'status', 'session_id', 'agent_id',
] -%}
{%- set count_fields = [
    ('input_tokens', 'prompt_tokens_text', 'prompt_tokens'),
    ('output_tokens', 'completion_tokens_text', 'completion_tokens'),
    ('cache_read_tokens', 'cache_read_text',
        'metadata.usage_object.cache_read_input_tokens'),
    ('cached_detail_tokens', 'cached_detail_text',
        'metadata.usage_object.prompt_tokens_details.cached_tokens'),
    ('cache_write_tokens', 'cache_write_text',
        'metadata.usage_object.cache_creation_input_tokens'),
] -%}

with

records as (
    select * from {{ landed_records('litellm', 'spend_logs') }}
),

renamed as (
    select
        source_file,
        source_row,
        raw_record,
        file_modified_at,
        file_md5,
        landing_key,
        header,
        fields,
        {{ list_length('header') }} as header_field_count,
        {{ list_length('fields') }} as field_count,
        header is null
        and not coalesce({{ json_is_valid('raw_record') }}, false)
            as is_invalid_json_line,
        -- a JSON line is read as JSON only when valid (json_extract fails
        -- on others)
        case
            when
                header is null
                and coalesce({{ json_is_valid('raw_record') }}, false)
                then {{ json_from_text('raw_record') }}
        end as spend_log
    from records
    where file_problem is null
),

extracted as (
    select
        *,
        {%- for name in text_fields %}
            {{ record_field(name, 'spend_log') }} as {{ name | lower }}_text,
        {%- endfor %}
        header is null and {{ json_kind('spend_log') }} != 'OBJECT'
            as is_not_an_object
    from renamed
),

usage_read as (
    select
        *,
        case
            when coalesce({{ json_is_valid('metadata_text') }}, false)
                then {{ json_from_text('metadata_text') }}
        end as metadata_json,
        case
            when coalesce({{ json_is_valid('request_tags_text') }}, false)
                then {{ json_from_text('request_tags_text') }}
        end as request_tags_json
    from extracted
),

usage_extracted as (
    select
        *,
        {{ json_text(
            'metadata_json', '$.usage_object.cache_read_input_tokens'
        ) }} as cache_read_text,
        {{ json_text(
            'metadata_json',
            '$.usage_object.prompt_tokens_details.cached_tokens'
        ) }} as cached_detail_text,
        {{ json_text(
            'metadata_json', '$.usage_object.cache_creation_input_tokens'
        ) }} as cache_write_text,
        {{ json_text('metadata_json', '$.user_api_key_alias') }}
            as key_alias,
        {{ json_text('metadata_json', '$.user_api_key_team_alias') }}
            as team_alias
    from usage_read
),

cast_values as (
    select
        *,
        {%- for column, text_column, field in count_fields %}
            try_cast({{ text_column }} as decimal(38, 10))
                as {{ column }}_number,
        {%- endfor %}
        try_cast(spend_text as decimal(38, 10)) as spend_number,
        -- CSV: timestamp(3) without zone holding UTC; JSON: ISO 8601 with Z
        case
            when {{ regex_contains(
                'starttime_text', '(Z|[+-]\d\d(:?\d\d)?)$'
            ) }} then try_cast(starttime_text as {{ timestamp_type() }})
            else {{ utc_timestamp('try_cast(starttime_text as timestamp)') }}
        end as requested_at
    from usage_extracted
),

validated as (
    select
        *,
        case
            when
                header is not null and field_count != header_field_count
                then
                    'row has ' || field_count || ' fields, header has '
                    || header_field_count
            when is_invalid_json_line then 'line is not valid JSON'
            when is_not_an_object then 'line is not a JSON object'
            when request_id_text is null then 'request_id is missing'
            when starttime_text is null then 'startTime is missing'
            when requested_at is null
                then
                    'startTime is not a timestamp: '''
                    || starttime_text || ''''
            when spend_text is not null and spend_number is null
                then 'spend is not a number: ''' || spend_text || ''''
            when spend_number < 0
                then 'spend is negative: ''' || spend_text || ''''
            when metadata_text is not null and metadata_json is null
                then 'metadata is not valid JSON'
            {%- for column, text_column, field in count_fields %}
                when
                    {{ text_column }} is not null
                    and (
                        {{ column }}_number is null
                        or {{ column }}_number < 0
                        or {{ column }}_number != floor({{ column }}_number)
                    )
                    then
                        '{{ field }} is not a whole non-negative number: '''
                        || {{ text_column }} || ''''
            {%- endfor %}
            when
                coalesce(
                    cache_read_tokens_number, cached_detail_tokens_number, 0
                )
                + coalesce(cache_write_tokens_number, 0)
                > coalesce(input_tokens_number, 0)
                then 'cache tokens exceed prompt_tokens'
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
        -- each export file is its own export: a request exported twice is
        -- counted once, by request_id, in int_gateway_requests
        source_file as export_period_key,
        'litellm' as request_source,
        request_id_text as request_id,
        session_id_text as trace_id,
        cast(null as string) as span_id,
        cast(null as string) as parent_span_id,
        call_type_text as span_name,
        call_type_text as operation_name,
        cast(null as string) as service_name,
        custom_llm_provider_text as provider_name,
        -- `openai/gpt-4o-mini`: the deployment name carries its provider
        -- (the prefix is compared as text: LIKE would read the _ of azure_ai
        -- as a wildcard)
        case
            when
                substr(model_text, 1, length(custom_llm_provider_text) + 1)
                = custom_llm_provider_text || '/'
                then
                    substr(model_text, length(custom_llm_provider_text) + 2)
            else model_text
        end as vendor_model_id,
        model_group_text as model_group,
        agent_id_text as agent,
        api_key_text as gateway_key_id,
        key_alias,
        team_alias,
        team_id_text as gateway_team_id,
        cast(null as string) as team,
        call_type_text as workload,
        -- the list of the array's strings (empty when it is not an array)
        {{ json_array_strings('request_tags_json') }} as tags,
        -- a fraction is no count (its row is rejected): null
        {{ whole_number('input_tokens_number') }} as input_tokens,
        {{ whole_number(
            'coalesce(cache_read_tokens_number, cached_detail_tokens_number, 0)'
        ) }} as cached_input_tokens,
        {{ whole_number('coalesce(cache_write_tokens_number, 0)') }}
            as cache_write_tokens,
        {{ whole_number('output_tokens_number') }} as output_tokens,
        {{ whole_number(
            'input_tokens_number'
            ~ ' - coalesce(cache_read_tokens_number, cached_detail_tokens_number, 0)'
            ~ ' - coalesce(cache_write_tokens_number, 0)'
        ) }} as uncached_input_tokens,
        cast(null as bigint) as prompt_chars,
        cast(null as bigint) as completion_chars,
        case
            when lower(status_text) = 'failure' then 'error' else 'success'
        end as status,
        -- a hit of LiteLLM's own response cache reached no vendor
        lower(coalesce(cache_hit_text, '')) != 'true' as is_model_call,
        spend_number as reported_cost,
        case when spend_number is not null then 'USD' end
            as reported_cost_currency,
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
