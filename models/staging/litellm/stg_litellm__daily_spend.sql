{{ config(meta={'raw_export': 'litellm/daily_spend'}) }}

{#-
    LiteLLM proxy's daily spend rollups, one row per day, rollup key, virtual
    key and model: LiteLLM_DailyTeamSpend (team_id), LiteLLM_DailyUserSpend
    (user_id) and LiteLLM_DailyTagSpend (tag), exported as CSV (columns
    bound by header name) or JSON lines. The rollup a file holds is told by
    its key column. A tag rollup repeats a request's spend under each of its
    tags: it is never summed over tags. spend is LiteLLM's estimate in USD.
-#}
{%- set text_fields = [
    'team_id', 'user_id', 'tag', 'date', 'api_key', 'model', 'model_group',
    'custom_llm_provider', 'spend', 'updated_at',
] -%}
{%- set count_fields = [
    'prompt_tokens', 'completion_tokens', 'cache_read_input_tokens',
    'cache_creation_input_tokens', 'api_requests', 'successful_requests',
    'failed_requests',
] -%}

with

records as (
    select * from {{ landed_records('litellm', 'daily_spend') }}
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
        case
            when
                header is null
                and coalesce({{ json_is_valid('raw_record') }}, false)
                then {{ json_from_text('raw_record') }}
        end as rollup_row
    from records
    where file_problem is null
),

extracted as (
    select
        *,
        {%- for name in text_fields + count_fields %}
            {{ record_field(name, 'rollup_row') }} as {{ name }}_text,
        {%- endfor %}
        case
            when header is not null and {{ list_has('header', "'team_id'") }}
                then 'team'
            when header is not null and {{ list_has('header', "'user_id'") }}
                then 'user'
            when header is not null and {{ list_has('header', "'tag'") }}
                then 'tag'
            when {{ json_has('rollup_row', '$.team_id') }} then 'team'
            when {{ json_has('rollup_row', '$.user_id') }} then 'user'
            when {{ json_has('rollup_row', '$.tag') }} then 'tag'
        end as rollup_kind
    from renamed
),

cast_values as (
    select
        *,
        {%- for name in count_fields %}
            try_cast({{ name }}_text as decimal(38, 10)) as {{ name }}_number,
        {%- endfor %}
        try_cast(spend_text as decimal(38, 10)) as spend_number,
        try_cast(date_text as date) as spend_on
    from extracted
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
            when rollup_kind is null
                then 'no team_id, user_id or tag column: not a daily rollup'
            when date_text is null then 'date is missing'
            when spend_on is null
                then 'date is not a date: ''' || date_text || ''''
            when spend_text is null then 'spend is missing'
            when spend_number is null
                then 'spend is not a number: ''' || spend_text || ''''
            {%- for name in count_fields %}
                when
                    {{ name }}_text is not null
                    and (
                        {{ name }}_number is null
                        or {{ name }}_number < 0
                        or {{ name }}_number != floor({{ name }}_number)
                    )
                    then
                        '{{ name }} is not a whole non-negative number: '''
                        || {{ name }}_text || ''''
            {%- endfor %}
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
        -- the tables are upserted per day: the newest export of a rollup
        -- and day restates it
        rollup_kind || '/' || date_text as export_period_key,
        rollup_kind,
        case rollup_kind
            when 'team' then team_id_text
            when 'user' then user_id_text
            when 'tag' then tag_text
        end as rollup_key,
        spend_on,
        api_key_text as gateway_key_id,
        custom_llm_provider_text as provider_name,
        -- the provider prefix is compared as text (LIKE would read the _ of
        -- azure_ai as a wildcard)
        case
            when
                substr(model_text, 1, length(custom_llm_provider_text) + 1)
                = custom_llm_provider_text || '/'
                then
                    substr(model_text, length(custom_llm_provider_text) + 2)
            else model_text
        end as vendor_model_id,
        model_group_text as model_group,
        {%- for name in count_fields %}
            {{ whole_number(name ~ '_number') }} as {{ name }},
        {%- endfor %}
        spend_number as reported_cost,
        'USD' as reported_cost_currency
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
