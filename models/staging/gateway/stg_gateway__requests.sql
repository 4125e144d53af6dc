{{ config(meta={'raw_export': 'gateway'}) }}

{#-
    The gateway log is the project's own format (documented in
    _gateway__sources.yml): one JSON object per line and request.
    Counts: (column, JSON field, required). input_tokens includes
    cached_input_tokens.
-#}
{%- set count_fields = [
    ('input_tokens', 'input_tokens', true),
    ('cached_input_tokens', 'cached_input_tokens', false),
    ('output_tokens', 'output_tokens', true),
    ('prompt_chars', 'prompt_chars', false),
    ('completion_chars', 'completion_chars', false),
] -%}
{%- set text_fields = [
    'request_id', 'api_key_id', 'provider', 'model', 'agent', 'team',
    'workload', 'status', 'timestamp',
] -%}
{%- set providers = [
    'openai', 'anthropic', 'aws_bedrock', 'azure_openai', 'gcp_vertex',
    'github_copilot', 'cursor',
] -%}
{%- set provider_list = "'" ~ providers | join("', '") ~ "'" -%}

with

records as (
    select * from {{ landed_records('gateway', 'requests') }}
),

renamed as (
    select
        source_file,
        source_row,
        raw_record,
        file_modified_at,
        file_md5,
        landing_key,
        coalesce({{ json_is_valid('raw_record') }}, false) as is_valid_json,
        -- only a valid line is read as JSON (json_extract fails on others)
        case
            when coalesce({{ json_is_valid('raw_record') }}, false)
                then {{ json_from_text('raw_record') }}
        end as request
    from records
    where file_problem is null
),

extracted as (
    select
        *,
        {%- for column in text_fields %}
            {{ json_text('request', '$.' ~ column) }} as {{ column }}_text,
        {%- endfor %}
        {%- for column, field, required in count_fields %}
            {{ json_text('request', '$.' ~ field) }} as {{ column }}_text,
        {%- endfor %}
        {{ json_kind('request') }} as record_json_type
    from renamed
),

cast_values as (
    select
        *,
        {%- for column, field, required in count_fields %}
            try_cast({{ column }}_text as decimal(38, 10))
                as {{ column }}_number,
        {%- endfor %}
        lower(provider_text) as provider,  -- noqa: RF04
        try_cast(timestamp_text as {{ timestamp_type() }}) as requested_at
    from extracted
),

validated as (
    select
        *,
        case
            when not is_valid_json then 'line is not valid JSON'
            when record_json_type != 'OBJECT'
                then 'line is not a JSON object'
            when timestamp_text is null then 'timestamp is missing'
            when requested_at is null
                then
                    'timestamp is not an RFC 3339 timestamp: '
                    || '''' || timestamp_text || ''''
            when provider is null then 'provider is missing'
            when provider not in ({{ provider_list }})
                then
                    'unrecognised provider: '
                    || '''' || provider_text || ''''
            {%- for column, field, required in count_fields %}
                {%- if required %}
                    when {{ column }}_text is null then '{{ field }} is missing'
                {%- endif %}
                when
                    {{ column }}_text is not null
                    and {{ column }}_number is null
                    then
                        '{{ field }} is not a number: '
                        || '''' || {{ column }}_text || ''''
                when
                    {{ column }}_number < 0
                    or {{ column }}_number != floor({{ column }}_number)
                    then
                        '{{ field }} is not a whole non-negative number: '
                        || '''' || {{ column }}_text || ''''
            {%- endfor %}
            when cached_input_tokens_number > input_tokens_number
                then 'cached_input_tokens exceed input_tokens'
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
        {{ format_date(utc_date('requested_at'), '%Y-%m-%d') }}
            as export_period_key,
        request_id_text as request_id,
        api_key_id_text as api_key_id,
        provider,
        model_text as vendor_model_id,
        agent_text as agent,
        team_text as team,
        workload_text as workload,
        status_text as status,
        {%- for column, field, required in count_fields %}
            {{ whole_number(column ~ '_number') }} as {{ column }},
        {%- endfor %}
        {{ whole_number(
            'input_tokens_number - coalesce(cached_input_tokens_number, 0)'
        ) }} as uncached_input_tokens,
        {{ utc_date('requested_at') }} as requested_on,
        requested_at
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
