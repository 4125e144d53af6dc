{{ config(meta={'raw_export': 'anthropic/usage_messages'}) }}

{#-
    Token counts of a usage result: (column, JSON path, required).
    Input is ADDITIVE (usage_report/messages reference): uncached + cache
    read + 5m cache write + 1h cache write; never subtract as for OpenAI.
-#}
{%- set count_fields = [
    ('uncached_input_tokens', 'uncached_input_tokens', true),
    ('cache_read_input_tokens', 'cache_read_input_tokens', false),
    ('cache_write_5m_input_tokens',
        'cache_creation.ephemeral_5m_input_tokens', false),
    ('cache_write_1h_input_tokens',
        'cache_creation.ephemeral_1h_input_tokens', false),
    ('output_tokens', 'output_tokens', true),
    ('web_search_requests', 'server_tool_use.web_search_requests', false),
] -%}

with

records as (
    select * from {{ landed_records('anthropic', 'usage_messages') }}
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
        {{ json_text('result', '$.api_key_id') }} as api_key_id,
        {{ json_text('result', '$.workspace_id') }} as workspace_id,
        {{ json_text('result', '$.model') }} as vendor_model_id,
        {{ json_text('result', '$.service_tier') }} as service_tier_text,
        {{ json_text('result', '$.context_window') }} as context_window,
        {{ json_text('result', '$.inference_geo') }} as inference_geo,
        {{ json_text('result', '$.speed') }} as speed,
        {%- for column, path, required in count_fields %}
            {{ json_text('result', '$.' ~ path) }} as {{ column }}_text,
        {%- endfor %}
        {{ json_text('bucket', '$.starting_at') }} as starting_at_text,
        {{ json_text('bucket', '$.ending_at') }} as ending_at_text
    from results
),

cast_values as (
    select
        *,
        {%- for column, path, required in count_fields %}
            try_cast({{ column }}_text as decimal(38, 10))
                as {{ column }}_number,
        {%- endfor %}
        -- priority_on_demand and flex_discount are priced as their tier
        case lower(service_tier_text)
            when 'standard' then 'standard'
            when 'batch' then 'batch'
            when 'priority' then 'priority'
            when 'priority_on_demand' then 'priority'
            when 'flex' then 'flex'
            when 'flex_discount' then 'flex'
        end as service_tier,
        -- context_window 200k-1M has its own (long-context) price
        case lower(context_window)
            when '0-200k' then 'standard'
            when '200k-1m' then 'long'
        end as context_tier,
        try_cast(starting_at_text as {{ timestamp_type() }})
            as charge_period_start_at,
        try_cast(ending_at_text as {{ timestamp_type() }})
            as charge_period_end_at
    from renamed
),

validated as (
    select
        *,
        case
            when charge_period_start_at is null
                then
                    'bucket starting_at is missing or not a timestamp: '
                    || coalesce('''' || starting_at_text || '''', 'null')
            {%- for column, path, required in count_fields %}
                {%- if required %}
                    when {{ column }}_text is null then '{{ path }} is missing'
                {%- endif %}
                when
                    {{ column }}_text is not null
                    and {{ column }}_number is null
                    then
                        '{{ path }} is not a number: '
                        || '''' || {{ column }}_text || ''''
                when
                    {{ column }}_number < 0
                    or {{ column }}_number != floor({{ column }}_number)
                    then
                        '{{ path }} is not a whole non-negative number: '
                        || '''' || {{ column }}_text || ''''
            {%- endfor %}
            when service_tier_text is not null and service_tier is null
                then
                    'unrecognised service_tier: '
                    || '''' || service_tier_text || ''''
            when context_window is not null and context_tier is null
                then
                    'unrecognised context_window: '
                    || '''' || context_window || ''''
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
        api_key_id,
        workspace_id,
        vendor_model_id,
        service_tier,
        context_window,
        context_tier,
        inference_geo,
        speed,
        {%- for column, path, required in count_fields %}
            {{ whole_number(column ~ '_number') }} as {{ column }},
        {%- endfor %}
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
