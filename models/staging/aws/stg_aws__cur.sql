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

{#- Token classes of the Bedrock usage-type suffixes. -#}
{%- set token_classes = "('input', 'cached_input', 'cache_write', 'output')" -%}

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
        len(header) as header_field_count,
        len(fields) as field_count,
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
                when coalesce(json_valid(product_map_text), false)
                    then json_extract_string(product_map_text, '$.product_name')
            end
        ) as product_name,
        try_cast(billing_period_start_text as timestamptz)
            as billing_period_start_at,
        try_cast(usage_start_text as timestamptz) as usage_start_at,
        try_cast(usage_end_text as timestamptz) as usage_end_at,
        -- CUR 2.0 CSV writes the resource_tags map as JSON text
        case
            when resource_tags_text is null then '{}'
            when coalesce(json_valid(resource_tags_text), false)
                then cast(json(resource_tags_text) as varchar)
        end as resource_tags,
    {%- for column, name, is_required in decimal_fields %}
        try_cast({{ name }}_text as decimal(38, 10)) as {{ name }}
        {{- "," if not loop.last }}
    {%- endfor %}
    from split
),

usage_type_parts as (
    select
        *,
        coalesce(
            product_code = 'AmazonBedrock'
            or ends_with(product_name, '(Amazon Bedrock Edition)'),
            false
        ) as is_ai_spend,
        coalesce(
            contains(usage_type, '-MP:')
            or ends_with(product_name, '(Amazon Bedrock Edition)'),
            false
        ) as is_marketplace,
        -- first-party Bedrock: <region|geo>-<Model>-<class>[-suffixes], for
        -- example USE1-Claude4.6Sonnet-input-tokens,
        -- EU-Qwen3-32B-input-tokens-batch,
        -- USE1-Claude4Sonnet-input-tokens-cross-region-global
        -- (https://docs.aws.amazon.com/bedrock/latest/userguide/
        -- cost-mgmt-understanding-cur-data.html)
        regexp_extract(
            usage_type,
            '^([A-Za-z]+[0-9]*)-(.+?)-(input-tokens|output-tokens'
            || '|cache-read-input-token-count|cache-write-input-token-count)'
            || '((?:-[A-Za-z0-9]+)*)$',
            ['region', 'model', 'token_suffix', 'tier_suffix']
        ) as first_party,
        -- marketplace: <region>-MP:<region>_<dimension>-Units, for example
        -- USE1-MP:USE1_InputTokenCount-Units,
        -- USE1-MP:USE1_MillionBatchInputTokens-Units
        regexp_extract(
            usage_type,
            '^([A-Za-z]+[0-9]*)-MP:[A-Za-z0-9]+_(.+)-Units$',
            ['region', 'dimension']
        ) as marketplace
    from cast_values
),

parsed as (
    select
        * exclude (first_party, marketplace),
        nullif(struct_extract(first_party, 'region'), '')
            as first_party_region,
        struct_extract(first_party, 'model') as first_party_model,
        struct_extract(first_party, 'token_suffix') as token_suffix,
        lower(struct_extract(first_party, 'tier_suffix')) as tier_suffix,
        nullif(struct_extract(marketplace, 'region'), '')
            as marketplace_region,
        lower(struct_extract(marketplace, 'dimension')) as dimension
    from usage_type_parts
),

classified as (
    select
        *,
        case
            when not is_ai_spend then null
            when first_party_region is not null then first_party_region
            when marketplace_region is not null then marketplace_region
            else
                nullif(
                    regexp_extract(usage_type, '^([A-Za-z]+[0-9]*)-', 1), ''
                )
        end as usage_region,
        case
            when not is_ai_spend then null
            when first_party_region is not null
                then regexp_replace(first_party_model, '-mantle$', '')
            -- marketplace rows name the model only in the product name
            when is_marketplace or marketplace_region is not null
                then
                    nullif(trim(regexp_replace(
                        product_name, '\s*\(Amazon Bedrock Edition\)$', ''
                    )), '')
        end as bedrock_model_token,
        case
            when not is_ai_spend then null
            when first_party_region is not null
                then
                    case token_suffix
                        when 'input-tokens' then 'input'
                        when 'output-tokens' then 'output'
                        when 'cache-read-input-token-count'
                            then 'cached_input'
                        when 'cache-write-input-token-count'
                            then 'cache_write'
                    end
            when
                marketplace_region is not null
                and regexp_matches(dimension, 'cache_?read')
                then 'cached_input'
            when
                marketplace_region is not null
                and regexp_matches(dimension, 'cache_?write')
                then 'cache_write'
            when marketplace_region is not null and contains(dimension, 'input')
                then 'input'
            when
                marketplace_region is not null and contains(dimension, 'output')
                then 'output'
            when contains(lower(usage_type), 'provisionedthroughput')
                then 'ptu_hour'
            when contains(lower(usage_type), 'storage') then 'storage'
            else 'other'
        end as token_class,
        -- tier and context markers: '-batch', '-flex', '-priority',
        -- '-cross-region[-geo]' suffixes (first party), Batch / Global /
        -- LCtx words of the marketplace dimension
        coalesce(tier_suffix, '') || ' ' || coalesce(dimension, '')
            as tier_markers
    from parsed
),

tiered as (
    select
        *,
        case
            when coalesce(token_class, 'other') not in {{ token_classes }}
                then null
            when regexp_matches(tier_markers, 'batch') then 'batch'
            when regexp_matches(tier_markers, 'flex') then 'flex'
            when regexp_matches(tier_markers, 'priority') then 'priority'
            else 'standard'
        end as service_tier,
        case
            when coalesce(token_class, 'other') not in {{ token_classes }}
                then null
            when regexp_matches(tier_markers, 'lctx|long') then 'long'
            else 'standard'
        end as context_tier,
        case
            when not is_ai_spend then false
            -- geo prefixes (US, EU, APAC, GLOBAL...) carry no region number
            when regexp_matches(usage_region, '^[A-Za-z]+$') then true
            else regexp_matches(
                tier_markers, 'cross-region|(^|_)global(_|$)|_geo(_|$)'
            )
        end as is_cross_region,
        -- token block size of one pricing unit: first-party Bedrock prices
        -- per 1K tokens, marketplace "-Units" per 1M (not confirmed by AWS:
        -- an unrecognised unit leaves tokens null and is flagged instead)
        cast(case
            when coalesce(token_class, 'other') not in {{ token_classes }}
                then null
            when regexp_full_match(lower(pricing_unit), '1k tokens?') then 1000
            when regexp_full_match(lower(pricing_unit), '1m tokens?')
                then 1000000
            when regexp_full_match(lower(pricing_unit), 'tokens?') then 1
            when
                marketplace_region is not null and lower(pricing_unit) = 'units'
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

final as (
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
        || '|' || strftime(billing_period_start_at, '%Y-%m-01')
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
        cast(usage_start_at as date) as usage_on,
        billing_period_start_at,
        usage_start_at,
        usage_end_at
    from validated
    union all by name
    select * from rejected_files
)

select * from final
