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
{%- set family_words = "[
    'gemini', 'gemma', 'claude', 'llama', 'mistral', 'codestral', 'imagen',
    'veo', 'jamba', 'deepseek', 'qwen', 'lyria', 'chirp'
]" -%}
{%- set marker_words = "[
    'thinking', 'text', 'input', 'output', 'cached', 'cache', 'caching',
    'audio',
    'image', 'images', 'video', 'predictions', 'prediction', 'batch', 'long',
    'short', 'token', 'tokens', 'count', 'context', 'character',
    'characters', 'storage', 'online', 'grounding', 'priority', 'flex',
    'tuning', 'tuned', 'for', 'with', 'and'
]" -%}
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
        coalesce(json_valid(raw_record), false) as is_valid_json,
        case
            when coalesce(json_valid(raw_record), false)
                then cast(raw_record as json)
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
        coalesce(json_type(record) = 'OBJECT', false) as is_object,
        json_extract_string(record, '$.billing_account_id')
            as billing_account_id,
        json_extract_string(record, '$.invoice.month') as invoice_month,
        json_extract_string(record, '$.cost_type') as cost_type,
        json_extract_string(record, '$.service.id') as service_id,
        json_extract_string(record, '$.service.description')
            as service_description,
        json_extract_string(record, '$.sku.id') as sku_id,
        json_extract_string(record, '$.sku.description') as sku_description,
        json_extract_string(record, '$.project.id') as project_id,
        json_extract_string(record, '$.project.name') as project_name,
        json_extract_string(record, '$.usage.unit') as usage_unit,
        json_extract_string(record, '$.usage.pricing_unit')
            as usage_pricing_unit,
        upper(json_extract_string(record, '$.currency')) as billing_currency,
        json_extract_string(record, '$.usage_start_time')
            as usage_start_text,
        json_extract_string(record, '$.usage_end_time') as usage_end_text,
        -- an absent or null array is an empty one
        case
            when json_type(record) != 'OBJECT' then null
            when
                coalesce(json_type(json_extract(record, '$.credits')), 'NULL')
                = 'NULL'
                then cast('[]' as json)
            else json_extract(record, '$.credits')
        end as credits_json,
        {%- for path, name in label_fields %}
            case
                when json_type(record) != 'OBJECT' then null
                when
                    coalesce(
                        json_type(json_extract(record, '$.{{ path }}')), 'NULL'
                    ) = 'NULL'
                    then cast('[]' as json)
                else json_extract(record, '$.{{ path }}')
            end as {{ name }}_json,
        {%- endfor %}
    {%- for path, name, is_required in decimal_fields %}
        json_extract_string(record, '$.{{ path }}') as {{ name }}_text
        {{- "," if not loop.last }}
    {%- endfor %}
    from objects
),

cast_values as (
    select
        *,
        -- the BigQuery JSON export writes '2026-05-01 00:00:00 UTC', the
        -- API and docs ISO 8601; both parse
        try_cast(usage_start_text as timestamptz) as usage_start_at,
        try_cast(usage_end_text as timestamptz) as usage_end_at,
        {%- for path, name in label_fields %}
        -- [{"key": k, "value": v}, ...] -> {"k": "v", ...}
            case
                when json_type({{ name }}_json) = 'ARRAY'
                    then cast(json(
                        '{'
                        || array_to_string(
                            list_transform(
                                list_filter(
                                    cast({{ name }}_json as json[]),
                                    lambda label: json_extract_string(
                                        label, '$.key'
                                    ) is not null
                                ),
                                lambda label: to_json(
                                    json_extract_string(label, '$.key')
                                )
                                || ':'
                                || coalesce(
                                    to_json(
                                        json_extract_string(label, '$.value')
                                    ),
                                    'null'
                                )
                            ),
                            ','
                        )
                        || '}'
                    ) as varchar)
            end as {{ name }},
        {%- endfor %}
        case
            when json_type(credits_json) = 'ARRAY'
                then list_transform(
                    cast(credits_json as json[]),
                    lambda credit: json_extract_string(credit, '$.amount')
                )
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
        list_filter(
            credit_amount_texts,
            lambda amount_text: amount_text is null
            or try_cast(amount_text as decimal(38, 10)) is null
        ) as bad_credit_amounts,
        -- credits are negative amounts: net cost = cost + sum(credits)
        -- (https://docs.cloud.google.com/billing/docs/how-to/
        -- export-data-bigquery-tables)
        cast(
            coalesce(
                list_sum(
                    list_transform(
                        credit_amount_texts,
                        lambda amount_text: try_cast(
                            amount_text as decimal(38, 10)
                        )
                    )
                ),
                0
            ) as decimal(38, 10)
        ) as credits_amount,
        string_split(
            trim(regexp_replace(
                regexp_replace(lower(sku_description), '[^a-z0-9.]+', ' ', 'g'),
                '\.( |$)', ' ', 'g'
            )),
            ' '
        ) as sku_words,
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
        list_position(
            list_transform(
                sku_words, lambda word: list_contains({{ family_words }}, word)
            ),
            true
        ) as family_position
    from credits_summed
),

sku_phrases as (
    select
        *,
        sku_words[family_position:] as model_words
    from sku_parts
),

classified as (
    select
        *,
        case
            when is_ai_spend and family_position is not null
                then array_to_string(
                    model_words[
                        1:coalesce(
                            list_position(
                                list_transform(
                                    model_words,
                                    lambda word: list_contains(
                                        {{ marker_words }}, word
                                    )
                                ),
                                true
                            ),
                            len(model_words) + 1
                        ) - 1
                    ],
                    ' '
                )
        end as gcp_model_phrase,
        case
            when not is_ai_spend then null
            when list_contains(sku_words, 'storage') then 'storage'
            when
                list_has_any(sku_words, ['cached', 'cache', 'caching'])
                and list_contains(sku_words, 'write')
                then 'cache_write'
            -- 'Cached Text Input', and Vertex's 'Input Text Caching'
            when list_has_any(sku_words, ['cached', 'cache', 'caching'])
                then 'cached_input'
            when list_contains(sku_words, 'output') then 'output'
            when list_contains(sku_words, 'input') then 'input'
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
            when list_contains(sku_words, 'batch') then 'batch'
            when list_contains(sku_words, 'flex') then 'flex'
            when list_contains(sku_words, 'priority') then 'priority'
            else 'standard'
        end as service_tier,
        -- prompts above 200K tokens bill through separate SKUs, named 'long'
        -- or marked '> 200K' (the words drop the sign: read the description)
        case
            when coalesce(token_class, 'other') not in {{ token_classes }}
                then null
            when list_contains(sku_words, 'long') then 'long'
            when regexp_matches(sku_description, '>\s*200\s*[kK]') then 'long'
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
            when len(bad_credit_amounts) > 0
                then
                    'credits amount is not a number: '
                    || coalesce('''' || bad_credit_amounts[1] || '''', 'null')
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

final as (
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
        cast(credits_json as varchar) as credits,
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
    union all by name
    select * from rejected_files
)

select * from final
