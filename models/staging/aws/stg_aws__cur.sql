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

{#-
    The Bedrock usage-type table. A usage type is matched against the forms
    below in order, case-insensitively; the first whose pattern matches the
    whole usage type wins. A form's pattern is its shape's prefix, its words,
    then its shape's qualifiers; the three capture groups are the region or
    geography prefix, the model (empty when the product name names it) and
    the qualifiers (suffixes such as -batch, -cross-region-global,
    _Global_Batch) that the markers further down read. What a form yields:
    - token_class, and for token forms the service and context tier before
      the markers apply (none for other charges);
    - unit: token_blocks (tokens = usage amount x the block of pricing_unit:
      1K tokens, 1M tokens, tokens), token_blocks_or_1m_units (the same, and
      a marketplace `Units` is 1M tokens: AWS does not state it, the
      Price List quotes these dimensions per 1M tokens), model_unit_hours
      (provisioned model-unit hours), none;
    - model_from: usage_type (the model group) or product_name (the
      product name without " (Amazon Bedrock Edition)").
    A usage type no form matches keeps its cost with token class 'other'
    and is_unmatched_usage_type (a warn test lists them). Changing this
    table changes how staged rows are parsed: rebuild stg_aws__cur with
    --full-refresh (staging is incremental by raw file).
-#}
{%- set shapes = {
    'first_party': ['^([A-Z]+[0-9]*)-(.+?)-', '((?:-[A-Z0-9]+)*)$'],
    'mantle': ['^([A-Z]+[0-9]*)-(.+?)-mantle-', '((?:-[A-Z0-9]+)*)$'],
    'marketplace': [
        '^([A-Z]+[0-9]*)-MP:[A-Z0-9]+_()', '((?:_[A-Z0-9]+)*)-Units$'
    ],
} -%}
{%- set cur_guide = 'https://docs.aws.amazon.com/bedrock/latest/userguide/'
    ~ 'cost-mgmt-understanding-cur-data.html' -%}
{%- set fm_price_list = 'https://pricing.us-east-1.amazonaws.com/offers/'
    ~ 'v1.0/aws/AmazonBedrockFoundationModels/current/index.json' -%}
{%- set bedrock_price_list = 'https://pricing.us-east-1.amazonaws.com/'
    ~ 'offers/v1.0/aws/AmazonBedrock/current/index.json' -%}
{%- set pricing_page = 'https://aws.amazon.com/bedrock/pricing/' -%}
{%- set usage_type_forms = [
    {'form': 'marketplace_cache_read', 'shape': 'marketplace',
     'words': '(?:CacheReadInputTokenCount|cache_read_(?:input_)?tokens'
        ~ '|cached_input_tokens)',
     'token_class': 'cached_input', 'tiers': true,
     'unit': 'token_blocks_or_1m_units', 'model_from': 'product_name',
     'description': 'Marketplace cache read, e.g. '
        ~ 'USE1-MP:USE1_CacheReadInputTokenCount_Global-Units',
     'source': fm_price_list},
    {'form': 'marketplace_cache_write_1h', 'shape': 'marketplace',
     'words': '(?:CacheWrite1hInputTokenCount|cache_writes?_tokens_1h)',
     'token_class': 'cache_write_1h', 'tiers': true,
     'unit': 'token_blocks_or_1m_units', 'model_from': 'product_name',
     'description': 'Marketplace 1-hour cache write, e.g. '
        ~ 'USE1-MP:USE1_cache_write_tokens_1h_global_standard-Units',
     'source': fm_price_list},
    {'form': 'marketplace_cache_write', 'shape': 'marketplace',
     'words': '(?:CacheWriteInputTokenCount|cache_writes?_(?:input_)?tokens)',
     'token_class': 'cache_write', 'tiers': true,
     'unit': 'token_blocks_or_1m_units', 'model_from': 'product_name',
     'description': 'Marketplace cache write (TTL not stated), e.g. '
        ~ 'USE1-MP:USE1_cache_write_tokens_global_standard-Units',
     'source': fm_price_list},
    {'form': 'marketplace_batch_input', 'shape': 'marketplace',
     'words': 'MillionBatchInputTokens',
     'token_class': 'input', 'tiers': true, 'service_tier': 'batch',
     'unit': 'token_blocks_or_1m_units', 'model_from': 'product_name',
     'description': 'Marketplace batch input, '
        ~ 'USE1-MP:USE1_MillionBatchInputTokens-Units',
     'source': fm_price_list},
    {'form': 'marketplace_batch_output', 'shape': 'marketplace',
     'words': 'MillionBatchOutputTokens',
     'token_class': 'output', 'tiers': true, 'service_tier': 'batch',
     'unit': 'token_blocks_or_1m_units', 'model_from': 'product_name',
     'description': 'Marketplace batch output, '
        ~ 'USE1-MP:USE1_MillionBatchOutputTokens-Units',
     'source': fm_price_list},
    {'form': 'marketplace_input', 'shape': 'marketplace',
     'words': '(?:InputTokenCount|input_tokens)',
     'token_class': 'input', 'tiers': true,
     'unit': 'token_blocks_or_1m_units', 'model_from': 'product_name',
     'description': 'Marketplace input, e.g. USW2-MP:USW2_InputTokenCount-'
        ~ 'Units (Claude 3 Haiku (Amazon Bedrock Edition))',
     'source': 'https://github.com/awssteph/reinvent25-cop401/blob/main/'
        ~ 'BedrockCostAllocation.sql'},
    {'form': 'marketplace_output', 'shape': 'marketplace',
     'words': '(?:OutputTokenCount|output_tokens)',
     'token_class': 'output', 'tiers': true,
     'unit': 'token_blocks_or_1m_units', 'model_from': 'product_name',
     'description': 'Marketplace output, e.g. '
        ~ 'USE1-MP:USE1_OutputTokenCount_LCtx_Global-Units',
     'source': fm_price_list},
    {'form': 'marketplace_provisioned_throughput', 'shape': 'marketplace',
     'words': 'ProvisionedThroughput',
     'token_class': 'ptu_hour', 'tiers': false,
     'unit': 'model_unit_hours', 'model_from': 'product_name',
     'description': 'Marketplace provisioned throughput, e.g. '
        ~ 'USE1-MP:USE1_ProvisionedThroughput_NoCommit_ModelUnits_Usage-Units',
     'source': fm_price_list},
    {'form': 'marketplace_reserved_tpm', 'shape': 'marketplace',
     'words': 'Reserved',
     'token_class': 'other', 'tiers': false,
     'unit': 'none', 'model_from': 'product_name',
     'description': 'Reserved tier, tokens-per-minute by the month, e.g. '
        ~ 'USE1-MP:USE1_Reserved_3Month_OutputTPM_Global-Units',
     'source': pricing_page},
    {'form': 'mantle_cache_read', 'shape': 'mantle',
     'words': 'cache-read-(?:input-)?tokens',
     'token_class': 'cached_input', 'tiers': true,
     'unit': 'token_blocks', 'model_from': 'usage_type',
     'description': 'bedrock-mantle cache read, e.g. USW2-anthropic.claude-'
        ~ 'opus-4-8-mantle-cache-read-tokens-global-standard',
     'source': bedrock_price_list},
    {'form': 'mantle_cache_write_1h', 'shape': 'mantle',
     'words': 'cache-write-(?:1h-tokens|tokens-1h)',
     'token_class': 'cache_write_1h', 'tiers': true,
     'unit': 'token_blocks', 'model_from': 'usage_type',
     'description': 'bedrock-mantle 1-hour cache write',
     'source': bedrock_price_list},
    {'form': 'mantle_cache_write', 'shape': 'mantle',
     'words': 'cache-write-tokens',
     'token_class': 'cache_write', 'tiers': true,
     'unit': 'token_blocks', 'model_from': 'usage_type',
     'description': 'bedrock-mantle cache write, e.g. USW2-anthropic.claude-'
        ~ 'opus-4-8-mantle-cache-write-tokens-global-standard',
     'source': bedrock_price_list},
    {'form': 'mantle_input', 'shape': 'mantle',
     'words': 'input-tokens',
     'token_class': 'input', 'tiers': true,
     'unit': 'token_blocks', 'model_from': 'usage_type',
     'description': 'bedrock-mantle input, *-mantle-input-tokens-*, e.g. '
        ~ 'USE1-openai.gpt-oss-120b-mantle-input-tokens-standard',
     'source': cur_guide},
    {'form': 'mantle_output', 'shape': 'mantle',
     'words': 'output-tokens',
     'token_class': 'output', 'tiers': true,
     'unit': 'token_blocks', 'model_from': 'usage_type',
     'description': 'bedrock-mantle output, *-mantle-output-tokens-*',
     'source': cur_guide},
    {'form': 'cache_read', 'shape': 'first_party',
     'words': 'cache-read-input-token-count',
     'token_class': 'cached_input', 'tiers': true,
     'unit': 'token_blocks', 'model_from': 'usage_type',
     'description': 'Cache read, *-cache-read-input-token-count, e.g. '
        ~ 'USE1-Claude4.6Sonnet-cache-read-input-token-count',
     'source': cur_guide},
    {'form': 'cache_write_1h', 'shape': 'first_party',
     'words': 'cache-write-(?:1h-input-token-count|input-token-count-1h)',
     'token_class': 'cache_write_1h', 'tiers': true,
     'unit': 'token_blocks', 'model_from': 'usage_type',
     'description': 'Cache write with the 1-hour TTL',
     'source': 'https://docs.aws.amazon.com/bedrock/latest/userguide/'
        ~ 'prompt-caching.html'},
    {'form': 'cache_write', 'shape': 'first_party',
     'words': 'cache-write-input-token-count',
     'token_class': 'cache_write', 'tiers': true,
     'unit': 'token_blocks', 'model_from': 'usage_type',
     'description': 'Cache write, *-cache-write-input-token-count',
     'source': cur_guide},
    {'form': 'input', 'shape': 'first_party',
     'words': '(?:text-)?input-tokens',
     'token_class': 'input', 'tiers': true,
     'unit': 'token_blocks', 'model_from': 'usage_type',
     'description': 'Input, *-input-tokens[-tier][-cross-region-global], '
        ~ 'e.g. USE1-Nova2.0Lite-input-tokens-flex',
     'source': cur_guide},
    {'form': 'output', 'shape': 'first_party',
     'words': '(?:text-)?output-tokens',
     'token_class': 'output', 'tiers': true,
     'unit': 'token_blocks', 'model_from': 'usage_type',
     'description': 'Output, e.g. USE1-gpt-oss-120b-output-tokens-priority',
     'source': cur_guide},
    {'form': 'provisioned_throughput', 'shape': 'first_party',
     'words': 'ProvisionedThroughput',
     'token_class': 'ptu_hour', 'tiers': false,
     'unit': 'model_unit_hours', 'model_from': 'usage_type',
     'description': 'Provisioned throughput, model-unit hours, e.g. '
        ~ 'USE1-Nova2.0Lite-ProvisionedThroughput-NoCommit-ModelUnits',
     'source': 'https://docs.aws.amazon.com/bedrock/latest/userguide/'
        ~ 'prov-throughput.html'},
    {'form': 'customization_storage', 'shape': 'first_party',
     'words': 'Customization-Storage',
     'token_class': 'storage', 'tiers': false,
     'unit': 'none', 'model_from': 'usage_type',
     'description': 'Custom model storage, e.g. '
        ~ 'USE1-NovaPro-Customization-Storage',
     'source': pricing_page},
    {'form': 'customization_training', 'shape': 'first_party',
     'words': 'Customization-Training',
     'token_class': 'other', 'tiers': false,
     'unit': 'none', 'model_from': 'usage_type',
     'description': 'Model customization (fine-tuning) training, e.g. '
        ~ 'USE1-NovaPro-Customization-Training',
     'source': pricing_page},
] -%}

{#-
    Markers read from a matched form's qualifiers (or from the region
    prefix): the first marker of an attribute that matches sets it; a token
    form without one keeps its own tier (standard), other forms have none.
    Cross-region is read for every AI row.
-#}
{%- set usage_type_markers = [
    {'attribute': 'service_tier', 'value': 'batch', 'part': 'qualifiers',
     'pattern': '(^|[-_])batch([-_]|$)',
     'description': '-batch, _Batch: batch inference',
     'source': cur_guide},
    {'attribute': 'service_tier', 'value': 'flex', 'part': 'qualifiers',
     'pattern': '(^|[-_])flex([-_]|$)',
     'description': '-flex: the Flex service tier',
     'source': cur_guide},
    {'attribute': 'service_tier', 'value': 'priority', 'part': 'qualifiers',
     'pattern': '(^|[-_])priority([-_]|$)',
     'description': '-priority: the Priority service tier',
     'source': cur_guide},
    {'attribute': 'context_tier', 'value': 'long', 'part': 'qualifiers',
     'pattern': '(^|[-_])(lctx|long[-_]ctx|long[-_]context)([-_]|$)',
     'description': '_LCtx, _long_ctx: the long-context price',
     'source': fm_price_list},
    {'attribute': 'is_cross_region', 'value': 'true', 'part': 'qualifiers',
     'pattern': '(^|[-_])(cross-region|global|geo)([-_]|$)',
     'description': '-cross-region-global, -global-standard, _Global, _Geo',
     'source': cur_guide},
    {'attribute': 'is_cross_region', 'value': 'true', 'part': 'usage_region',
     'pattern': '^[A-Z]+$',
     'description': 'a geography prefix without a region number (US-, EU-)',
     'source': 'https://github.com/DigitalPebble/spruce/issues/178'},
] -%}

{#- SQL of each form (when, then) and the markers of each attribute. -#}
{%- set form_cases = [] -%}
{%- for form in usage_type_forms -%}
    {%- set pattern = "'" ~ shapes[form.shape][0] ~ form.words
        ~ shapes[form.shape][1] ~ "'" -%}
    {%- set no_tier = 'cast(null as varchar)' -%}
    {%- do form_cases.append({
        'when': 'regexp_full_match(usage_type, ' ~ pattern ~ ", 'i')",
        'then': "{'form': '" ~ form.form
            ~ "', 'token_class': '" ~ form.token_class
            ~ "', 'service_tier': " ~ (("'" ~ form.get('service_tier',
                'standard') ~ "'") if form.tiers else no_tier)
            ~ ", 'context_tier': " ~ ("'standard'" if form.tiers else no_tier)
            ~ ", 'unit': '" ~ form.unit
            ~ "', 'model_from': '" ~ form.model_from
            ~ "', 'parts': regexp_extract(usage_type, " ~ pattern
            ~ ", ['region', 'model', 'qualifiers'], 'i')}",
    }) -%}
{%- endfor -%}
{%- set marker_cases = {} -%}
{%- for attribute in ['service_tier', 'context_tier', 'is_cross_region'] -%}
    {%- do marker_cases.update({attribute: []}) -%}
    {%- for marker in usage_type_markers
        if marker.attribute == attribute -%}
        {%- do marker_cases[attribute].append({
            'when': 'regexp_matches(' ~ marker.part ~ ", '" ~ marker.pattern
                ~ "', 'i')",
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

flagged as (
    select
        *,
        -- Bedrock bills first-party models under AmazonBedrock and
        -- third-party models under AmazonBedrockService or as marketplace
        -- products named "<model> (Amazon Bedrock Edition)"
        -- (https://github.com/awssteph/reinvent25-cop401)
        coalesce(
            product_code in ('AmazonBedrock', 'AmazonBedrockService')
            or ends_with(product_name, '(Amazon Bedrock Edition)'),
            false
        ) as is_ai_spend,
        coalesce(
            contains(usage_type, '-MP:')
            or ends_with(product_name, '(Amazon Bedrock Edition)'),
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
            {%- for form_case in form_cases %}
                when {{ form_case.when }} then {{ form_case.then }}
            {%- endfor %}
        end as usage_type_match
    from flagged
),

parsed as (
    select
        * exclude (usage_type_match),
        struct_extract(usage_type_match, 'form') as usage_type_form,
        struct_extract(usage_type_match, 'token_class') as form_token_class,
        struct_extract(usage_type_match, 'service_tier') as form_service_tier,
        struct_extract(usage_type_match, 'context_tier') as form_context_tier,
        struct_extract(usage_type_match, 'unit') as form_unit,
        struct_extract(usage_type_match, 'model_from') as form_model_from,
        nullif(usage_type_match['parts']['region'], '') as form_region,
        nullif(usage_type_match['parts']['model'], '') as form_model,
        coalesce(usage_type_match['parts']['qualifiers'], '') as qualifiers
    from matched
),

classified as (
    select
        *,
        case
            when not is_ai_spend then null
            when form_region is not null then form_region
            else
                nullif(
                    regexp_extract(usage_type, '^([A-Za-z]+[0-9]*)-', 1), ''
                )
        end as usage_region,
        case
            when not is_ai_spend then null
            when form_model_from = 'usage_type' then form_model
            -- marketplace rows name the model only in the product name
            when form_model_from = 'product_name' or is_marketplace
                then
                    nullif(trim(regexp_replace(
                        product_name, '\s*\(Amazon Bedrock Edition\)$', ''
                    )), '')
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
            when regexp_full_match(lower(pricing_unit), '1k tokens?') then 1000
            when regexp_full_match(lower(pricing_unit), '1m tokens?')
                then 1000000
            when regexp_full_match(lower(pricing_unit), 'tokens?') then 1
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
    union all by name
    select * from rejected_files
)

select * from final
