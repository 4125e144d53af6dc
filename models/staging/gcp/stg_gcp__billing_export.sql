{{ config(meta={'raw_export': 'gcp_billing'}) }}

{#- Decimal fields: JSON path, staged name, whether absent rejects the row. -#}
{%- set decimal_fields = [
    ('cost', 'cost', true),
    ('cost_at_list', 'cost_at_list', false),
    ('usage.amount', 'usage_amount', false),
    ('usage.amount_in_pricing_units', 'usage_amount_in_pricing_units', false),
] -%}

{#- [{key, value}] label arrays flattened to one JSON object each. -#}
{%- set label_fields = [
    ('labels', 'labels'),
    ('system_labels', 'system_labels'),
    ('project.labels', 'project_labels'),
] -%}

{#- SKU words: model families start the model phrase, markers end it. -#}
{%- set family_words = text_list([
    'gemini', 'gemma', 'claude', 'llama', 'mistral', 'codestral', 'imagen',
    'veo', 'jamba', 'deepseek', 'qwen', 'lyria', 'chirp'
]) -%}
{%- set marker_words = text_list([
    'thinking', 'text', 'input', 'output', 'cached', 'cache', 'caching',
    'audio',
    'image', 'images', 'video', 'predictions', 'prediction', 'batch', 'long',
    'short', 'token', 'tokens', 'count', 'context', 'character',
    'characters', 'storage', 'online', 'grounding', 'priority', 'flex',
    'tuning', 'tuned', 'for', 'with', 'and'
]) -%}
{%- set token_classes = "('input', 'cached_input', 'cache_write', 'output')" -%}

with

records as (
    select * from {{ landed_records('gcp', 'billing_export') }}
),

objects as (
    select
        source_file,
        source_row,
        raw_record,
        file_modified_at,
        file_md5,
        landing_key,
        coalesce({{ json_is_valid('raw_record') }}, false) as is_valid_json,
        -- JSON text: read with the json_* macros
        case
            when coalesce({{ json_is_valid('raw_record') }}, false)
                then raw_record
        end as record
    from records
    where file_problem is null
),

extracted as (
    select
        source_file,
        source_row,
        raw_record,
        file_modified_at,
        file_md5,
        landing_key,
        is_valid_json,
        coalesce({{ json_kind('record') }} = 'OBJECT', false) as is_object,
        {{ json_text('record', '$.billing_account_id') }}
            as billing_account_id,
        {{ json_text('record', '$.invoice.month') }} as invoice_month,
        {{ json_text('record', '$.cost_type') }} as cost_type,
        {{ json_text('record', '$.service.id') }} as service_id,
        {{ json_text('record', '$.service.description') }}
            as service_description,
        {{ json_text('record', '$.sku.id') }} as sku_id,
        {{ json_text('record', '$.sku.description') }} as sku_description,
        {{ json_text('record', '$.project.id') }} as project_id,
        {{ json_text('record', '$.project.name') }} as project_name,
        {{ json_text('record', '$.usage.unit') }} as usage_unit,
        {{ json_text('record', '$.usage.pricing_unit') }}
            as usage_pricing_unit,
        upper({{ json_text('record', '$.currency') }}) as billing_currency,
        {{ json_text('record', '$.usage_start_time') }}
            as usage_start_text,
        {{ json_text('record', '$.usage_end_time') }} as usage_end_text,
        -- an absent or null array is an empty one
        case
            when {{ json_kind('record') }} != 'OBJECT' then null
            when
                coalesce(
                    {{ json_kind(json_value('record', '$.credits')) }}, 'NULL'
                )
                = 'NULL'
                then '[]'
            else {{ json_value('record', '$.credits') }}
        end as credits_json,
        {%- for path, name in label_fields %}
            case
                when {{ json_kind('record') }} != 'OBJECT' then null
                when
                    coalesce(
                        {{ json_kind(json_value('record', '$.' ~ path)) }},
                        'NULL'
                    ) = 'NULL'
                    then '[]'
                else {{ json_value('record', '$.' ~ path) }}
            end as {{ name }}_json,
        {%- endfor %}
    {%- for path, name, is_required in decimal_fields %}
        {{ json_text('record', '$.' ~ path) }} as {{ name }}_text
        {{- "," if not loop.last }}
    {%- endfor %}
    from objects
),

cast_values as (
    select
        *,
        -- the BigQuery JSON export writes '2026-05-01 00:00:00 UTC', the
        -- API and docs ISO 8601; both parse
        try_cast(usage_start_text as {{ timestamp_type() }}) as usage_start_at,
        try_cast(usage_end_text as {{ timestamp_type() }}) as usage_end_at,
        {%- for path, name in label_fields %}
        -- [{"key": k, "value": v}, ...] -> {"k": "v", ...}
            {%- set keyed_labels = list_where(
                json_array_texts(name ~ '_json'),
                'label', json_text('label', '$.key') ~ ' is not null'
            ) %}
            {%- set label_member -%}
                {{ json_quote(json_text('label', '$.key')) }}
                || ':'
                || coalesce(
                    {{ json_quote(json_text('label', '$.value')) }}, 'null'
                )
            {%- endset %}
            case
                when {{ json_kind(name ~ '_json') }} = 'ARRAY'
                    then {{ json_compact(
                        "'{' || "
                        ~ list_join(
                            list_map(keyed_labels, 'label', label_member), "','"
                        )
                        ~ " || '}'"
                    ) }}
            end as {{ name }},
        {%- endfor %}
        case
            when {{ json_kind('credits_json') }} = 'ARRAY'
                then {{ list_map(
                    json_array_texts('credits_json'),
                    'credit', json_text('credit', '$.amount')
                ) }}
        end as credit_amount_texts,
    {%- for path, name, is_required in decimal_fields %}
        try_cast({{ name }}_text as decimal(38, 10)) as {{ name }}
        {{- "," if not loop.last }}
    {%- endfor %}
    from extracted
),

credits_summed as (
    select
        *,
        {{ list_where(
            'credit_amount_texts', 'amount_text',
            'amount_text is null'
            ~ ' or try_cast(amount_text as decimal(38, 10)) is null'
        ) }} as bad_credit_amounts,
        -- credits are negative amounts: net cost = cost + sum(credits)
        -- (https://docs.cloud.google.com/billing/docs/how-to/
        -- export-data-bigquery-tables)
        cast(
            coalesce(
                {{ list_total(
                    list_map(
                        'credit_amount_texts', 'amount_text',
                        'try_cast(amount_text as decimal(38, 10))'
                    ),
                    'decimal(38, 10)'
                ) }},
                0
            ) as decimal(38, 10)
        ) as credits_amount,
        {{ split_text(
            'trim(' ~ regex_replace_all(
                regex_replace_all(
                    'lower(sku_description)', '[^a-z0-9.]+', ' '
                ),
                '\.( |$)', ' '
            ) ~ ')',
            ' '
        ) }} as sku_words,
        coalesce(
            service_description in (
                'Vertex AI', 'Vertex AI API', 'Gemini API',
                'Generative Language API'
            ),
            false
        ) as is_ai_spend
    from cast_values
),

sku_parts as (
    select
        *,
        -- the model phrase runs from the model family word to the first
        -- marker word: 'Gemini 2.5 Pro Thinking Text Output - Predictions'
        -- -> gemini 2.5 pro; 'Generate content input token count gemini 2.5
        -- flash short input text' -> gemini 2.5 flash
        {{ list_index(
            list_map('sku_words', 'word', list_has(family_words, 'word')),
            'true'
        ) }} as family_position
    from credits_summed
),

sku_phrases as (
    select
        *,
        {{ list_slice('sku_words', 'family_position') }} as model_words
    from sku_parts
),

classified as (
    select
        *,
        case
            when is_ai_spend and family_position is not null
                then {{ list_join(
                    list_slice(
                        'model_words', 1,
                        'coalesce('
                        ~ list_index(
                            list_map(
                                'model_words', 'word',
                                list_has(marker_words, 'word')
                            ),
                            'true'
                        )
                        ~ ', ' ~ list_length('model_words') ~ ' + 1) - 1'
                    ),
                    "' '"
                ) }}
        end as gcp_model_phrase,
        case
            when not is_ai_spend then null
            when {{ list_has('sku_words', "'storage'") }} then 'storage'
            when
                {{ list_has_any(
                    'sku_words', text_list(['cached', 'cache', 'caching'])
                ) }}
                and {{ list_has('sku_words', "'write'") }}
                then 'cache_write'
            -- 'Cached Text Input', and Vertex's 'Input Text Caching'
            when
                {{ list_has_any(
                    'sku_words', text_list(['cached', 'cache', 'caching'])
                ) }}
                then 'cached_input'
            when {{ list_has('sku_words', "'output'") }} then 'output'
            when {{ list_has('sku_words', "'input'") }} then 'input'
            else 'other'
        end as token_class
    from sku_phrases
),

tiered as (
    select
        *,
        case
            when coalesce(token_class, 'other') not in {{ token_classes }}
                then null
            when {{ list_has('sku_words', "'batch'") }} then 'batch'
            when {{ list_has('sku_words', "'flex'") }} then 'flex'
            when {{ list_has('sku_words', "'priority'") }} then 'priority'
            else 'standard'
        end as service_tier,
        -- prompts above 200K tokens bill through separate SKUs, named 'long'
        -- or marked '> 200K' (the words drop the sign: read the description)
        case
            when coalesce(token_class, 'other') not in {{ token_classes }}
                then null
            when {{ list_has('sku_words', "'long'") }} then 'long'
            when {{ regex_contains('sku_description', '>\s*200\s*[kK]') }}
                then 'long'
            else 'standard'
        end as context_tier
    from classified
),

validated as (
    select
        *,
        case
            when not is_valid_json
                then 'line is not valid JSON (truncated or malformed)'
            when not is_object then 'line is not a JSON object'
            when billing_account_id is null then 'billing_account_id is missing'
            when invoice_month is null then 'invoice.month is missing'
            when usage_start_text is null then 'usage_start_time is missing'
            when usage_start_at is null
                then
                    'usage_start_time is not a timestamp: '''
                    || usage_start_text || ''''
            when usage_end_text is not null and usage_end_at is null
                then
                    'usage_end_time is not a timestamp: '''
                    || usage_end_text || ''''
            {%- for path, name, is_required in decimal_fields %}
                {%- if is_required %}
                    when {{ name }}_text is null then '{{ path }} is missing'
                {%- endif %}
                when {{ name }}_text is not null and {{ name }} is null
                    then
                        '{{ path }} is not a number: '''
                        || {{ name }}_text || ''''
            {%- endfor %}
            when credit_amount_texts is null then 'credits is not an array'
            when {{ list_length('bad_credit_amounts') }} > 0
                then
                    'credits amount is not a number: '
                    || coalesce(
                        '''' || {{ list_at('bad_credit_amounts', 1) }} || '''',
                        'null'
                    )
            {%- for path, name in label_fields %}
                when {{ name }} is null then '{{ path }} is not an array'
            {%- endfor %}
            when billing_currency is null then 'currency is missing'
        end as rejected_reason
    from tiered
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
        -- a restated export replaces the invoice month of its account
        billing_account_id || '|' || invoice_month as export_period_key,
        billing_account_id,
        service_id,
        sku_id,
        project_id,
        invoice_month,
        cost_type,
        service_description,
        sku_description,
        project_name,
        labels,
        system_labels,
        project_labels,
        usage_unit,
        usage_pricing_unit,
        billing_currency,
        cast(credits_json as string) as credits,
        gcp_model_phrase,
        token_class,
        service_tier,
        context_tier,
        usage_amount,
        usage_amount_in_pricing_units,
        -- token SKUs count tokens with usage.unit = 'count'
        case
            when
                token_class in {{ token_classes }}
                and lower(usage_unit) in ('count', 'token', 'tokens')
                then cast(round(usage_amount) as bigint)
        end as tokens,
        cost,
        cost_at_list,
        credits_amount,
        cast(cost + credits_amount as decimal(38, 10)) as net_cost,
        is_ai_spend,
        cast(usage_start_at as date) as usage_on,
        usage_start_at,
        usage_end_at
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
