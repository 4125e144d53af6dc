{{ config(meta={'raw_export': 'openai/costs'}) }}

{#-
    line_item is free text (costs endpoint, grouped by line_item):
    "[<tier> | ]<model>[ <modality>], <piece>[, long context]", for example
    "gpt-4o-mini-2024-07-18, cached input",
    "priority | gpt-5.6-sol, output, long context",
    "gpt-audio-mini-2025-12-15 audio, input"; plus a few tool and storage
    items without a model ("web search tool calls", "Vector storage").
    Real responses also carry items without a model ("Text tokens",
    "input_tokens", "Image models") and null when the request was not
    grouped by line_item. A cost row is money: every shape is kept, with the
    model and token class it names (none when it names none), and
    fct_ai_costs matches it to usage at the finest grain it supports
    (int_cost_export_allocations).
-#}
{%- set token_line_item_pattern = (
    '(?i)^(?:(priority|batch|flex) \\| )?([^,|]+?)'
    ~ '(?: (text|audio|image))?'
    ~ ', (input|cached input|cache writes?|output)'
    ~ '(?:, (long context))?$'
) -%}

with

records as (
    select * from {{ landed_records('openai', 'costs') }}
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
        {{ json_text('result', '$.api_key_id') }} as api_key_id,
        {{ json_text('result', '$.line_item') }} as line_item,
        upper({{ json_text('result', '$.amount.currency') }})
            as billing_currency,
        {{ json_text('result', '$.quantity_unit') }} as quantity_unit,
        {{ json_text('result', '$.amount.value') }} as amount_text,
        {{ json_text('result', '$.quantity') }} as quantity_text,
        {{ json_text('bucket', '$.start_time') }} as start_time_text,
        {{ json_text('bucket', '$.end_time') }} as end_time_text
    from results
),

cast_values as (
    select
        *,
        -- amount.value is in dollars (costs endpoint reference)
        try_cast(amount_text as decimal(38, 10)) as billed_cost,
        try_cast(quantity_text as decimal(38, 10)) as quantity,
        {{ epoch_seconds_to_timestamp(
            'try_cast(start_time_text as bigint)'
        ) }} as charge_period_start_at,
        {{ epoch_seconds_to_timestamp(
            'try_cast(end_time_text as bigint)'
        ) }} as charge_period_end_at,
        {{ regex_extract(
            'line_item', token_line_item_pattern, 1
        ) }} as line_item_tier,
        {{ regex_extract(
            'line_item', token_line_item_pattern, 2
        ) }} as line_item_model,
        {{ regex_extract(
            'line_item', token_line_item_pattern, 3
        ) }} as line_item_modality,
        {{ regex_extract(
            'line_item', token_line_item_pattern, 4
        ) }} as line_item_piece,
        {{ regex_extract(
            'line_item', token_line_item_pattern, 5
        ) }} as line_item_context,
        case
            when {{ regex_contains(
                'line_item', '(?i)^web search( tool calls?)?$'
            ) }} then 'web_search'
            when {{ regex_contains(
                'line_item', '(?i)^vector stor(age|es)$'
            ) }} then 'storage'
            when {{ regex_contains(
                'line_item', '(?i)^code interpreter( sessions?)?$'
            ) }} then 'code_execution'
            when {{ regex_contains(
                'line_item', '(?i)^file search( tool calls?)?$'
            ) }} then 'other'
            -- a token piece without a model ("input_tokens")
            when {{ regex_contains('line_item', '(?i)^input[ _]tokens$') }}
                then 'input'
            when {{ regex_contains(
                'line_item', '(?i)^(input[ _])?cached[ _](input[ _])?tokens$'
            ) }} then 'cached_input'
            when {{ regex_contains('line_item', '(?i)^output[ _]tokens$') }}
                then 'output'
        end as non_token_class
    from renamed
),

parsed as (
    select
        *,
        coalesce(line_item_model != '', false) as is_token_line_item,
        case lower(line_item_piece)
            when 'input' then 'input'
            when 'cached input' then 'cached_input'
            when 'cache write' then 'cache_write'
            when 'cache writes' then 'cache_write'
            when 'output' then 'output'
        end as token_piece_class
    from cast_values
),

validated as (
    select
        *,
        case
            when charge_period_start_at is null
                then
                    'bucket start_time is missing or not a number: '
                    || coalesce('''' || start_time_text || '''', 'null')
            when amount_text is null then 'amount.value is missing'
            when billed_cost is null
                then
                    'amount.value is not a number: '
                    || '''' || amount_text || ''''
            when billing_currency is null then 'amount.currency is missing'
            -- a quantity that is not a number leaves tokens null; the
            -- amount is still money
        end as rejected_reason
    from parsed
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
        api_key_id,
        line_item,
        case
            when is_token_line_item then line_item_model
        end as vendor_model_id,
        -- audio and image tokens are classes of their own, as in the usage
        -- export; their cached input is cached input
        case
            when
                is_token_line_item
                and lower(line_item_modality) in ('audio', 'image')
                and token_piece_class in ('input', 'output')
                then lower(line_item_modality) || '_' || token_piece_class
            when is_token_line_item then token_piece_class
            else non_token_class
        end as token_class,
        case
            when is_token_line_item
                then lower(nullif(line_item_modality, ''))
        end as token_modality,
        case
            when is_token_line_item
                then lower(nullif(line_item_tier, ''))
        end as service_tier,
        case
            when is_token_line_item and line_item_context != '' then 'long'
            when is_token_line_item then 'standard'
        end as context_tier,
        billing_currency,
        quantity_unit,
        billed_cost,
        quantity,
        -- quantity_unit 1000_tokens counts blocks of 1,000 tokens
        case quantity_unit
            when 'tokens' then cast(quantity as bigint)
            when '1000_tokens' then cast(quantity * 1000 as bigint)
        end as tokens,
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
