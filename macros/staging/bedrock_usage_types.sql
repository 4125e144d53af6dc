{% macro bedrock_usage_type_table() %}
    {#- The Bedrock usage-type table of stg_aws__cur: {'forms': [...], 'markers': [...]}. -#}
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
    {#- each form's full pattern: its shape's prefix, its words, its shape's qualifiers -#}
    {%- for form in usage_type_forms -%}
        {%- do form.update({'pattern': '(?i)' ~ shapes[form.shape][0]
            ~ form.words ~ shapes[form.shape][1]}) -%}
    {%- endfor -%}

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
    {{ return({'forms': usage_type_forms, 'markers': usage_type_markers}) }}
{% endmacro %}
