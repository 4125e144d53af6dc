{{ config(meta={'raw_export': 'aws_cur'}) }}

{#- Without these a CUR export cannot be used (the build stops). -#}
{%- set required_columns = [
    'bill_billing_period_start_date', 'line_item_usage_account_id',
    'line_item_usage_start_date', 'line_item_product_code',
    'line_item_usage_type', 'line_item_usage_amount',
    'line_item_unblended_cost', 'line_item_currency_code',
] -%}

{{ check_required_columns('aws', 'cur', required_columns) }}

{#- Decimal fields: CUR column, staged name, whether empty rejects the row. -#}
{%- set decimal_fields = [
    ('line_item_usage_amount', 'usage_amount', false),
    ('line_item_unblended_rate', 'unblended_rate', false),
    ('line_item_unblended_cost', 'unblended_cost', true),
    ('pricing_public_on_demand_cost', 'public_on_demand_cost', false),
] -%}

{#- Token classes: rows whose usage amount is a number of token blocks. -#}
{%- set token_classes =
    "('input', 'cached_input', 'cache_write', 'cache_write_1h', 'output')" -%}

{#- The Bedrock usage types: macros/staging/bedrock_usage_types.sql -#}
{%- set usage_type_table = bedrock_usage_type_table() -%}
{%- set usage_type_forms = usage_type_table.forms -%}
{%- set usage_type_markers = usage_type_table.markers -%}

{#-
    The case-insensitive pattern of each form ((?i): the same in RE2 and
    Java) and the markers of each attribute. A form's values are read back
    by its name; its three groups by regex_extract().
-#}
{%- set form_patterns = {} -%}
{%- for form in usage_type_forms -%}
    {%- do form_patterns.update({form.form: form.pattern}) -%}
{%- endfor -%}
{%- set form_groups = [
    ('region_group', 1), ('model_group', 2), ('qualifiers_group', 3),
] -%}
{%- set marker_cases = {} -%}
{%- for attribute in ['service_tier', 'context_tier', 'is_cross_region'] -%}
    {%- do marker_cases.update({attribute: []}) -%}
    {%- for marker in usage_type_markers
        if marker.attribute == attribute -%}
        {%- do marker_cases[attribute].append({
            'when': regex_contains(marker.part, '(?i)' ~ marker.pattern),
            'then': "'" ~ marker.value ~ "'" if marker.value != 'true'
                else 'true',
        }) -%}
    {%- endfor -%}
{%- endfor -%}

with

-- CSV, gzip-compressed CSV and Parquet files are landed alike: header and
-- fields as text lists (Parquet values as text, the row as JSON text)
records as (
    select * from {{ landed_records('aws', 'cur') }}
),

split as (
    select
        source_file,
        source_row,
        raw_record,
        file_modified_at,
        file_md5,
        landing_key,
        {{ list_length('header') }} as header_field_count,
        {{ list_length('fields') }} as field_count,
        {{ csv_field('bill_billing_period_start_date') }}
            as billing_period_start_text,
        {{ csv_field('line_item_usage_start_date') }} as usage_start_text,
        {{ csv_field('line_item_usage_end_date') }} as usage_end_text,
        {{ csv_field('bill_payer_account_id') }} as payer_account_id,
        {{ csv_field('line_item_usage_account_id') }} as usage_account_id,
        {{ csv_field('line_item_product_code') }} as product_code,
        {{ csv_field('product_product_name') }} as product_product_name,
        {{ csv_field('product_name') }} as product_name_column,
        {{ csv_field('product') }} as product_map_text,
        {{ csv_field('product_region_code') }} as region_code,
        {{ csv_field('line_item_usage_type') }} as usage_type,
        {{ csv_field('line_item_operation') }} as usage_operation,
        {{ csv_field('line_item_line_item_type') }} as line_item_type,
        {{ csv_field('line_item_resource_id') }} as resource_id,
        {{ csv_field('pricing_unit') }} as pricing_unit,
        upper({{ csv_field('line_item_currency_code') }})
            as billing_currency,
        {{ csv_field('resource_tags') }} as resource_tags_text,
        {{ csv_field('line_item_iam_principal') }} as iam_principal,
    {%- for column, name, is_required in decimal_fields %}
        {{ csv_field(column) }} as {{ name }}_text
        {{- "," if not loop.last }}
    {%- endfor %}
    from records
    where file_problem is null
),

cast_values as (
    select
        *,
        -- CUR 2.0 keeps the product name in the `product` map (key
        -- product_name) unless the export flattens it into a column
        coalesce(
            product_product_name,
            product_name_column,
            case
                when coalesce({{ json_is_valid('product_map_text') }}, false)
                    then {{ json_text('product_map_text', '$.product_name') }}
            end
        ) as product_name,
        try_cast(billing_period_start_text as {{ timestamp_type() }})
            as billing_period_start_at,
        try_cast(usage_start_text as {{ timestamp_type() }}) as usage_start_at,
        try_cast(usage_end_text as {{ timestamp_type() }}) as usage_end_at,
        -- CUR 2.0 CSV writes the resource_tags map as JSON text (minified)
        case
            when resource_tags_text is null then '{}'
            when coalesce({{ json_is_valid('resource_tags_text') }}, false)
                then {{ json_compact('resource_tags_text') }}
        end as resource_tags,
    {%- for column, name, is_required in decimal_fields %}
        try_cast({{ name }}_text as decimal(38, 10)) as {{ name }}
        {{- "," if not loop.last }}
    {%- endfor %}
    from split
),

flagged as (
    select
        *,
        -- Bedrock bills first-party models under AmazonBedrock and
        -- third-party models under AmazonBedrockService or as marketplace
        -- products named "<model> (Amazon Bedrock Edition)"
        -- (https://github.com/awssteph/reinvent25-cop401)
        coalesce(
            product_code in ('AmazonBedrock', 'AmazonBedrockService')
            or product_name like '%(Amazon Bedrock Edition)',
            false
        ) as is_ai_spend,
        coalesce(
            contains(usage_type, '-MP:')
            or product_name like '%(Amazon Bedrock Edition)',
            false
        ) as is_marketplace
    from cast_values
),

-- the first form of the usage-type table whose pattern matches
matched as (
    select
        *,
        case
            when not is_ai_spend then null
            {%- for form in usage_type_forms %}
                when {{ regex_full_match(
                    'usage_type', form_patterns[form.form]
                ) }}
                    then '{{ form.form }}'
            {%- endfor %}
        end as usage_type_form
    from flagged
),

-- what the matched form yields, and its pattern's three groups
form_values as (
    select
        *,
        case usage_type_form
            {%- for form in usage_type_forms %}
                when '{{ form.form }}' then '{{ form.token_class }}'
            {%- endfor %}
        end as form_token_class,
        case usage_type_form
            {%- for form in usage_type_forms if form.tiers %}
                when '{{ form.form }}'
                    then '{{ form.get('service_tier', 'standard') }}'
            {%- endfor %}
        end as form_service_tier,
        case usage_type_form
            {%- for form in usage_type_forms if form.tiers %}
                when '{{ form.form }}' then 'standard'
            {%- endfor %}
        end as form_context_tier,
        case usage_type_form
            {%- for form in usage_type_forms %}
                when '{{ form.form }}' then '{{ form.unit }}'
            {%- endfor %}
        end as form_unit,
        case usage_type_form
            {%- for form in usage_type_forms %}
                when '{{ form.form }}' then '{{ form.model_from }}'
            {%- endfor %}
        end as form_model_from,
    {%- for column, group in form_groups %}
        case usage_type_form
            {%- for form in usage_type_forms %}
                when '{{ form.form }}'
                    then {{ regex_extract(
                        'usage_type', form_patterns[form.form], group
                    ) }}
            {%- endfor %}
        end as {{ column }}
        {{- "," if not loop.last }}
    {%- endfor %}
    from matched
),

parsed as (
    select
        *,
        nullif(region_group, '') as form_region,
        nullif(model_group, '') as form_model,
        coalesce(qualifiers_group, '') as qualifiers
    from form_values
),

classified as (
    select
        *,
        case
            when not is_ai_spend then null
            when form_region is not null then form_region
            else
                nullif(
                    {{ regex_extract('usage_type', '^([A-Za-z]+[0-9]*)-', 1) }},
                    ''
                )
        end as usage_region,
        case
            when not is_ai_spend then null
            when form_model_from = 'usage_type' then form_model
            -- marketplace rows name the model only in the product name
            when form_model_from = 'product_name' or is_marketplace
                then
                    nullif(trim({{ regex_replace_first(
                        'product_name', '\s*\(Amazon Bedrock Edition\)$', ''
                    ) }}), '')
        end as bedrock_model_token,
        case
            when not is_ai_spend then null
            else coalesce(form_token_class, 'other')
        end as token_class,
        coalesce(
            is_ai_spend and usage_type is not null and usage_type_form is null,
            false
        ) as is_unmatched_usage_type
    from parsed
),

tiered as (
    select
        *,
        case
            when form_service_tier is null then null
            {%- for marker_case in marker_cases['service_tier'] %}
                when {{ marker_case.when }} then {{ marker_case.then }}
            {%- endfor %}
            else form_service_tier
        end as service_tier,
        case
            when form_context_tier is null then null
            {%- for marker_case in marker_cases['context_tier'] %}
                when {{ marker_case.when }} then {{ marker_case.then }}
            {%- endfor %}
            else form_context_tier
        end as context_tier,
        case
            when not is_ai_spend then false
            {%- for marker_case in marker_cases['is_cross_region'] %}
                when {{ marker_case.when }} then {{ marker_case.then }}
            {%- endfor %}
            else false
        end as is_cross_region,
        -- token block size of one pricing unit (per form: first-party
        -- Bedrock prices per 1K tokens, marketplace "-Units" per 1M, not
        -- confirmed by AWS): an unrecognised unit leaves tokens null and is
        -- flagged instead
        cast(case
            when
                form_unit not in ('token_blocks', 'token_blocks_or_1m_units')
                then null
            when {{ regex_full_match('lower(pricing_unit)', '1k tokens?') }}
                then 1000
            when {{ regex_full_match('lower(pricing_unit)', '1m tokens?') }}
                then 1000000
            when {{ regex_full_match('lower(pricing_unit)', 'tokens?') }}
                then 1
            when
                form_unit = 'token_blocks_or_1m_units'
                and lower(pricing_unit) = 'units'
                then 1000000
        end as bigint) as token_block_size
    from classified
),

validated as (
    select
        *,
        case
            when field_count != header_field_count
                then
                    'row has ' || field_count || ' fields, header has '
                    || header_field_count
            when billing_period_start_text is null
                then 'bill_billing_period_start_date is missing'
            when billing_period_start_at is null
                then
                    'bill_billing_period_start_date is not a timestamp: '''
                    || billing_period_start_text || ''''
            when usage_start_text is null
                then 'line_item_usage_start_date is missing'
            when usage_start_at is null
                then
                    'line_item_usage_start_date is not a timestamp: '''
                    || usage_start_text || ''''
            when usage_end_text is not null and usage_end_at is null
                then
                    'line_item_usage_end_date is not a timestamp: '''
                    || usage_end_text || ''''
            when coalesce(payer_account_id, usage_account_id) is null
                then 'line_item_usage_account_id is missing'
            {%- for column, name, is_required in decimal_fields %}
                {%- if is_required %}
                    when {{ name }}_text is null then '{{ column }} is missing'
                {%- endif %}
                when {{ name }}_text is not null and {{ name }} is null
                    then
                        '{{ column }} is not a number: '''
                        || {{ name }}_text || ''''
            {%- endfor %}
            when billing_currency is null
                then 'line_item_currency_code is missing'
            when resource_tags is null
                then
                    'resource_tags is not a JSON object: '''
                    || resource_tags_text || ''''
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
        -- a restated CUR replaces the whole billing period of its payer
        coalesce(payer_account_id, usage_account_id)
        || '|' || {{ format_date('billing_period_start_at', '%Y-%m-01') }}
            as export_period_key,
        payer_account_id,
        usage_account_id,
        resource_id,
        iam_principal,
        product_code,
        product_name,
        region_code,
        usage_type,
        usage_operation,
        line_item_type,
        pricing_unit,
        billing_currency,
        resource_tags,
        usage_region,
        bedrock_model_token,
        usage_type_form,
        token_class,
        service_tier,
        context_tier,
        usage_amount,
        token_block_size,
        cast(round(usage_amount * token_block_size) as bigint) as tokens,
        unblended_rate,
        unblended_cost,
        public_on_demand_cost,
        is_ai_spend,
        is_marketplace,
        is_cross_region,
        coalesce(
            token_class in {{ token_classes }} and token_block_size is null,
            false
        ) as is_unknown_unit,
        is_unmatched_usage_type,
        cast(usage_start_at as date) as usage_on,
        billing_period_start_at,
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
