{{ config(meta={'raw_export': 'langfuse/observations'}) }}

{#-
    Langfuse observations (documented in _langfuse__sources.yml): the
    elements of `GET /api/public/observations` (v1) or
    `/api/public/v2/observations` (v2) pages, or JSON lines of the same
    objects. One row per observation, in the request shape the other request
    sources also produce; only GENERATION and EMBEDDING observations are
    model calls.
    usageDetails: {usage type: count}. Its `input` EXCLUDES cached tokens:
    they are separate keys whose names depend on the integration
    (input_cached_tokens, input_cache_read, cache_read_input_tokens,
    input_cache_creation, input_cache_creation_5m, ...). A key's class is
    read from its name, lower-cased and without underscores: containing
    `input` it is input; with `cacheread` or `cached` also a cache read,
    with `cachecreation` or `cachewrite` a cache write; else containing
    `output` it is output. Langfuse's own promptTokens / completionTokens
    (v1) are the sums of the keys STARTING with `input` / `output`; they
    must agree with usageDetails.
    costDetails: {usage type: USD}; `{}` means not priced (v1 then says
    calculatedTotalCost 0, which is not a price).
-#}
{%- set model_call_types = ['GENERATION', 'EMBEDDING'] -%}
{%- set text_fields = [
    ('id', 'id'),
    ('trace_id', 'traceId'),
    ('parent_observation_id', 'parentObservationId'),
    ('name', 'name'),
    ('type', 'type'),
    ('level', 'level'),
    ('environment', 'environment'),
    ('start_time', 'startTime'),
    ('model', 'model'),
    ('provided_model_name', 'providedModelName'),
] -%}
{#- (column, JSON field): Langfuse's own sums of usageDetails (v1 only) -#}
{%- set token_sum_fields = [
    ('prompt_tokens', 'promptTokens', 'input'),
    ('completion_tokens', 'completionTokens', 'output'),
] -%}
{#- (column, JSON field): the observation's total cost (v1, v2) -#}
{%- set total_cost_fields = [
    ('calculated_total_cost', 'calculatedTotalCost'),
    ('total_cost', 'totalCost'),
] -%}
{#- metadata keys that state the provider (LangChain, OTel GenAI) -#}
{%- set provider_keys = [
    'ls_provider', 'provider', 'gen_ai.provider.name', 'gen_ai.system',
] -%}
{#- an entry of json_object_entries(): its number, and its key's class -#}
{%- set entry_number -%}
    try_cast({{ json_entry_text("entry['value']") }} as decimal(38, 10))
{%- endset -%}
{%- set entry_class -%}
    replace(lower(entry['key']), '_', '')
{%- endset -%}

with

records as (
    select * from {{ landed_records('langfuse', 'observations') }}
),

renamed as (
    select
        source_file,
        cast(source_row as bigint) as source_row,
        raw_record,
        file_modified_at,
        file_md5,
        landing_key,
        coalesce({{ json_is_valid('raw_record') }}, false) as is_valid_json,
        -- only a valid record is read as JSON (json_extract fails on
        -- others); JSON text, read with the json_* macros
        case
            when coalesce({{ json_is_valid('raw_record') }}, false)
                then raw_record
        end as observation
    from records
    where file_problem is null
),

extracted as (
    select
        *,
        {%- for column, field in text_fields %}
            nullif({{ json_text('observation', '$.' ~ field) }}, '')
                as {{ column }}_text,
        {%- endfor %}
        {%- for column, field, prefix in token_sum_fields %}
            {{ json_text('observation', '$.' ~ field) }}
                as {{ column }}_text,
        {%- endfor %}
        {%- for column, field in total_cost_fields %}
            {{ json_text('observation', '$.' ~ field) }}
                as {{ column }}_text,
        {%- endfor %}
        coalesce(
            {%- for key in provider_keys %}
                {{ json_text('observation', '$.metadata."' ~ key ~ '"') }}
                {{- "," if not loop.last }}
            {%- endfor %}
        ) as provider_text,
        {{ json_value('observation', '$.usageDetails') }} as usage_details,
        {{ json_value('observation', '$.costDetails') }} as cost_details,
        {{ json_kind('observation') }} as record_json_type
    from renamed
),

detail_entries as (
    select
        *,
        {{ json_kind('usage_details') }} as usage_details_type,
        {{ json_kind('cost_details') }} as cost_details_type,
        -- the entries with a value (a JSON null counts as absent); null
        -- when the details are not an object or repeat a key
        {{ list_where(
            json_object_entries('usage_details'),
            'entry', "entry['value'] is not null"
        ) }} as usage_entries,
        {{ list_where(
            json_object_entries('cost_details'),
            'entry', "entry['value'] is not null"
        ) }} as cost_entries
    from extracted
),

cast_values as (
    select
        *,
        try_cast(start_time_text as {{ timestamp_type() }}) as requested_at,
        {%- for column, field, prefix in token_sum_fields %}
            try_cast({{ column }}_text as decimal(38, 10))
                as {{ column }}_number,
        {%- endfor %}
        {%- for column, field in total_cost_fields %}
            try_cast({{ column }}_text as decimal(38, 10))
                as {{ column }}_number,
        {%- endfor %}
        -- the first entry that is not a number, and the first count that
        -- is not a whole non-negative number (floor(), as trunc(), equals a
        -- number exactly when it is whole; Spark's trunc() is for dates)
        {{ list_at(
            list_where('usage_entries', 'entry', entry_number ~ ' is null'), 1
        ) }} as usage_not_number,
        {{ list_at(
            list_where(
                'usage_entries', 'entry',
                entry_number ~ ' < 0 or ' ~ entry_number
                ~ ' != floor(' ~ entry_number ~ ')'
            ),
            1
        ) }} as usage_not_count,
        {{ list_at(
            list_where('cost_entries', 'entry', entry_number ~ ' is null'), 1
        ) }} as cost_not_number,
        -- sums by usage type (0 when no key of the type)
        {%- set condition -%}
            contains({{ entry_class }}, 'input')
        {%- endset %}
        coalesce(
            {{ list_total(
                list_map(
                    list_where('usage_entries', 'entry', condition),
                    'entry', entry_number
                ),
                'decimal(38, 10)'
            ) }},
            0
        ) as input_tokens_number,
        {%- set condition -%}
            contains({{ entry_class }}, 'input')
            and (
                contains({{ entry_class }}, 'cacheread')
                or contains({{ entry_class }}, 'cached')
            )
        {%- endset %}
        coalesce(
            {{ list_total(
                list_map(
                    list_where('usage_entries', 'entry', condition),
                    'entry', entry_number
                ),
                'decimal(38, 10)'
            ) }},
            0
        ) as cached_input_tokens_number,
        {%- set condition -%}
            contains({{ entry_class }}, 'input')
            and (
                contains({{ entry_class }}, 'cachecreation')
                or contains({{ entry_class }}, 'cachewrite')
            )
        {%- endset %}
        coalesce(
            {{ list_total(
                list_map(
                    list_where('usage_entries', 'entry', condition),
                    'entry', entry_number
                ),
                'decimal(38, 10)'
            ) }},
            0
        ) as cache_write_tokens_number,
        {%- set condition -%}
            contains({{ entry_class }}, 'output')
            and not contains({{ entry_class }}, 'input')
        {%- endset %}
        coalesce(
            {{ list_total(
                list_map(
                    list_where('usage_entries', 'entry', condition),
                    'entry', entry_number
                ),
                'decimal(38, 10)'
            ) }},
            0
        ) as output_tokens_number,
        -- Langfuse's rule for promptTokens / completionTokens
        {%- for column, field, prefix in token_sum_fields %}
            coalesce(
                {{ list_total(
                    list_map(
                        list_where(
                            'usage_entries', 'entry',
                            "entry['key'] like '" ~ prefix ~ "%'"
                        ),
                        'entry', entry_number
                    ),
                    'decimal(38, 10)'
                ) }},
                0
            ) as langfuse_{{ prefix }}_number,
        {%- endfor %}
        {{ list_at(
            list_where('cost_entries', 'entry', "entry['key'] = 'total'"), 1
        ) }} as cost_total_entry,
        coalesce(upper(type_text) in (
            {%- for type in model_call_types %}
                '{{ type }}'{{ "," if not loop.last }}
            {%- endfor %}
        ), false) as is_model_call
    from detail_entries
),

validated as (
    select
        *,
        case
            when not is_valid_json then 'record is not valid JSON'
            when record_json_type != 'OBJECT'
                then 'observation is not a JSON object'
            when id_text is null then 'id is missing'
            when start_time_text is null then 'startTime is missing'
            when requested_at is null
                then
                    'startTime is not an ISO 8601 timestamp: '
                    || '''' || start_time_text || ''''
            when usage_details_type not in ('OBJECT', 'NULL')
                then 'usageDetails is not a JSON object'
            when usage_details_type = 'OBJECT' and usage_entries is null
                then 'usageDetails repeats a key'
            when usage_not_number is not null
                then
                    'usageDetails.' || usage_not_number['key']
                    || ' is not a number: '
                    || ''''
                    || {{ json_entry_text("usage_not_number['value']") }}
                    || ''''
            when usage_not_count is not null
                then
                    'usageDetails.' || usage_not_count['key']
                    || ' is not a whole non-negative number: '
                    || ''''
                    || {{ json_entry_text("usage_not_count['value']") }}
                    || ''''
            {%- for column, field, prefix in token_sum_fields %}
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
            when cost_details_type not in ('OBJECT', 'NULL')
                then 'costDetails is not a JSON object'
            when cost_details_type = 'OBJECT' and cost_entries is null
                then 'costDetails repeats a key'
            when cost_not_number is not null
                then
                    'costDetails.' || cost_not_number['key']
                    || ' is not a number: '
                    || ''''
                    || {{ json_entry_text("cost_not_number['value']") }}
                    || ''''
            {%- for column, field in total_cost_fields %}
                when
                    {{ column }}_text is not null
                    and {{ column }}_number is null
                    then
                        '{{ field }} is not a number: '
                        || '''' || {{ column }}_text || ''''
            {%- endfor %}
            {%- for column, field, prefix in token_sum_fields %}
                when
                    usage_details_type = 'OBJECT'
                    and {{ column }}_number != langfuse_{{ prefix }}_number
                    then
                        '{{ field }} ' || {{ column }}_text
                        || ' is not the sum of the usageDetails keys'
                        || ' starting with {{ prefix }} ('
                        || cast(
                            cast(langfuse_{{ prefix }}_number as bigint)
                            as string
                        )
                        || ')'
            {%- endfor %}
        end as rejected_reason,
        -- costDetails {} (or none) is not priced: null, never 0
        case
            when {{ list_length('cost_entries') }} > 0
                then coalesce(
                    try_cast(
                        {{ json_entry_text("cost_total_entry['value']") }}
                        as decimal(38, 10)
                    ),
                    calculated_total_cost_number,
                    total_cost_number
                )
        end as reported_cost_number
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
        -- each export file is its own export (API pages of one day never
        -- supersede each other); an observation delivered twice is
        -- de-duplicated later, by request_id
        source_file as export_period_key,
        'langfuse' as request_source,
        id_text as request_id,
        trace_id_text as trace_id,
        id_text as span_id,
        parent_observation_id_text as parent_span_id,
        name_text as span_name,
        lower(type_text) as operation_name,
        cast(null as string) as service_name,
        name_text as workload,
        -- only what the observation's metadata states; the provider of the
        -- model is resolved later
        lower(trim(provider_text)) as provider_name,
        coalesce(model_text, provided_model_name_text) as vendor_model_id,
        -- the agent (the trace name) and tags come from the trace
        cast(null as string) as agent,
        cast(null as string) as gateway_key_id,
        cast(null as string) as key_alias,
        cast(null as string) as team_alias,
        cast(null as string) as team,
        cast(null as {{ string_list_type() }}) as tags,
        environment_text as environment,
        -- from usageDetails when present (cached and cache-write tokens
        -- included), else Langfuse's promptTokens / completionTokens (their
        -- cache split unknown)
        cast(
            case
                when usage_details_type = 'OBJECT' then input_tokens_number
                else prompt_tokens_number
            end as bigint
        ) as input_tokens,
        cast(
            case
                when usage_details_type = 'OBJECT'
                    then cached_input_tokens_number
            end as bigint
        ) as cached_input_tokens,
        cast(
            case
                when usage_details_type = 'OBJECT'
                    then cache_write_tokens_number
            end as bigint
        ) as cache_write_tokens,
        cast(
            case
                when usage_details_type = 'OBJECT' then output_tokens_number
                else completion_tokens_number
            end as bigint
        ) as output_tokens,
        cast(
            case
                when usage_details_type = 'OBJECT'
                    then
                        input_tokens_number
                        - cached_input_tokens_number
                        - cache_write_tokens_number
            end as bigint
        ) as uncached_input_tokens,
        cast(null as bigint) as prompt_chars,
        cast(null as bigint) as completion_chars,
        case
            when upper(level_text) = 'ERROR' then 'error' else 'success'
        end as status,
        is_model_call,
        cast(reported_cost_number as decimal(38, 10)) as reported_cost,
        case when reported_cost_number is not null then 'USD' end
            as reported_cost_currency,
        requested_at,
        {{ utc_date('requested_at') }} as requested_on
    from validated
),

-- the files that cannot be read, in the same columns (null but the file's)
rejected_file_rows as (
    {{ file_rejection_rows(
        'rejected_files', 'parsed_rows',
        {'export_period_key': 'rejected.source_file'}
    ) }}
),

final as (
    select * from parsed_rows
    union all
    select * from rejected_file_rows
)

select * from final
