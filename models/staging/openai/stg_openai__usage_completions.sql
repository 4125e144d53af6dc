{{ config(meta={'raw_export': 'openai/usage_completions'}) }}

{#-
    Token counts of a usage result: (column, JSON field, required).
    input_tokens INCLUDES cached and cache-write tokens (usage/completions
    reference); older payloads have no input_uncached_tokens and no
    input_cache_write_tokens. Audio and image tokens: the reference of the
    payloads with those two fields says input_tokens (and the cached count)
    span text, audio and image, so input_audio_tokens and input_image_tokens
    are parts of it, and output_audio_tokens a part of output_tokens; the
    older reference counts text only in input_tokens and output_tokens and
    audio beside them. Text tokens are what is left of each.
-#}
{%- set count_fields = [
    ('input_tokens', 'input_tokens', true),
    ('input_cached_tokens', 'input_cached_tokens', false),
    ('input_cache_write_tokens', 'input_cache_write_tokens', false),
    ('reported_uncached_tokens', 'input_uncached_tokens', false),
    ('output_tokens', 'output_tokens', true),
    ('input_audio_tokens', 'input_audio_tokens', false),
    ('output_audio_tokens', 'output_audio_tokens', false),
    ('input_image_tokens', 'input_image_tokens', false),
    ('request_count', 'num_model_requests', true),
] -%}

with

records as (
    select * from {{ landed_records('openai', 'usage_completions') }}
),

results as (
    select
        *,
        raw_record as result
    from records
    where file_problem is null
),

renamed as (
    select
        source_file,
        source_row,
        raw_record,
        file_modified_at,
        file_md5,
        landing_key,
        {{ json_text('result', '$.project_id') }} as project_id,
        {{ json_text('result', '$.user_id') }} as user_id,
        {{ json_text('result', '$.api_key_id') }} as api_key_id,
        {{ json_text('result', '$.model') }} as vendor_model_id,
        {{ json_text('result', '$.service_tier') }} as service_tier_text,
        {{ json_text('result', '$.api_source') }} as api_source,
        {{ json_text('result', '$.batch') }} as batch_text,
        {{ json_kind(json_value('result', '$.batch')) }} as batch_json_type,
        {%- for column, field, required in count_fields %}
            {{ json_text('result', '$.' ~ field) }} as {{ column }}_text,
        {%- endfor %}
        {{ json_text('bucket', '$.start_time') }} as start_time_text,
        {{ json_text('bucket', '$.end_time') }} as end_time_text
    from results
),

cast_values as (
    select
        *,
        {%- for column, field, required in count_fields %}
            try_cast({{ column }}_text as decimal(38, 10))
                as {{ column }}_number,
        {%- endfor %}
        case
            when batch_json_type = 'BOOLEAN' then cast(batch_text as boolean)
        end as is_batch,
        -- a payload with the newer fields counts audio and image tokens
        -- inside input_tokens and output_tokens
        (
            reported_uncached_tokens_text is not null
            or input_cache_write_tokens_text is not null
        ) as counts_include_modalities,
        -- the API's "default" tier is the standard price
        case lower(service_tier_text)
            when 'default' then 'standard'
            when 'standard' then 'standard'
            when 'batch' then 'batch'
            when 'priority' then 'priority'
            when 'flex' then 'flex'
        end as service_tier_mapped,
        {{ epoch_seconds_to_timestamp(
            'try_cast(start_time_text as bigint)'
        ) }} as charge_period_start_at,
        {{ epoch_seconds_to_timestamp(
            'try_cast(end_time_text as bigint)'
        ) }} as charge_period_end_at
    from renamed
),

validated as (
    select
        *,
        case
            when charge_period_start_at is null
                then
                    'bucket start_time is missing or not a number: '
                    || coalesce('''' || start_time_text || '''', 'null')
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
            when batch_text is not null and batch_json_type != 'BOOLEAN'
                then 'batch is not a boolean: ''' || batch_text || ''''
            when service_tier_text is not null and service_tier_mapped is null
                then
                    'unrecognised service_tier: '
                    || '''' || service_tier_text || ''''
            when
                reported_uncached_tokens_number is null
                and input_cached_tokens_number
                + coalesce(input_cache_write_tokens_number, 0)
                > input_tokens_number
                then
                    'input_cached_tokens + input_cache_write_tokens exceed '
                    || 'input_tokens'
            when
                counts_include_modalities
                and coalesce(input_audio_tokens_number, 0)
                + coalesce(input_image_tokens_number, 0)
                > coalesce(
                    reported_uncached_tokens_number,
                    input_tokens_number
                    - input_cached_tokens_number
                    - coalesce(input_cache_write_tokens_number, 0)
                )
                then
                    'input_audio_tokens + input_image_tokens exceed the '
                    || 'uncached input tokens'
            when
                counts_include_modalities
                and coalesce(output_audio_tokens_number, 0)
                > output_tokens_number
                then 'output_audio_tokens exceed output_tokens'
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
        {{ format_date(utc_date('charge_period_start_at'), '%Y-%m-%d') }}
            as export_period_key,
        project_id,
        user_id,
        api_key_id,
        vendor_model_id,
        case
            when is_batch then 'batch'
            else service_tier_mapped
        end as service_tier,
        api_source,
        {{ whole_number('input_tokens_number') }} as input_tokens,
        {{ whole_number('input_cached_tokens_number') }} as input_cached_tokens,
        {{ whole_number('input_cache_write_tokens_number') }}
            as input_cache_write_tokens,
        -- input_tokens includes cached and cache-write tokens: uncached is
        -- reported by newer payloads, derived for older ones; the text part
        -- is what audio and image tokens leave of it where they are counted
        -- inside (cached tokens of every modality are priced as cached text)
        cast(
            coalesce(
                reported_uncached_tokens_number,
                input_tokens_number
                - input_cached_tokens_number
                - coalesce(input_cache_write_tokens_number, 0)
            )
            - case
                when counts_include_modalities
                    then
                        coalesce(input_audio_tokens_number, 0)
                        + coalesce(input_image_tokens_number, 0)
                else 0
            end as bigint
        ) as input_uncached_tokens,
        {{ whole_number('output_tokens_number') }} as output_tokens,
        cast(
            output_tokens_number
            - case
                when counts_include_modalities
                    then coalesce(output_audio_tokens_number, 0)
                else 0
            end as bigint
        ) as output_text_tokens,
        {{ whole_number('coalesce(input_audio_tokens_number, 0)') }}
            as input_audio_tokens,
        {{ whole_number('coalesce(output_audio_tokens_number, 0)') }}
            as output_audio_tokens,
        {{ whole_number('coalesce(input_image_tokens_number, 0)') }}
            as input_image_tokens,
        counts_include_modalities,
        cast(request_count_number as bigint) as request_count,
        is_batch,
        {{ utc_date('charge_period_start_at') }} as usage_on,
        charge_period_start_at,
        charge_period_end_at
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
