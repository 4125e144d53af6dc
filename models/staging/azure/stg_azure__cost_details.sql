{{ config(meta={'raw_export': 'azure_cost'}) }}

{#-
    Without these a cost-details export cannot be used (the build stops).
    Names are compared case-insensitively (EA exports use PascalCase, MCA
    exports camelCase); 'A|B' accepts either name.
-#}
{{ check_required_columns('azure', 'cost_details', [
    'Date', 'SubscriptionId|SubscriptionGuid',
    'MeterCategory', 'MeterSubCategory', 'MeterName',
    'Quantity', 'UnitOfMeasure',
    'CostInBillingCurrency', 'BillingCurrency|BillingCurrencyCode',
], ignore_case=true) }}

{#- Decimal fields: CSV column, staged name, whether empty rejects the row. -#}
{%- set decimal_fields = [
    ('Quantity', 'quantity', true),
    ('EffectivePrice', 'effective_price', false),
    ('UnitPrice', 'unit_price', false),
    ('PayGPrice', 'payg_price', false),
    ('CostInBillingCurrency', 'cost_in_billing_currency', true),
    ('CostInUsd', 'cost_in_usd', false),
    ('PaygCostInUsd', 'payg_cost_in_usd', false),
] -%}

{#- Meter-name words (lower case, split on spaces, '-' and '_'). -#}
{%- set input_words = "['inp', 'inpt', 'input']" -%}
{%- set output_words = "['outp', 'outpt', 'output', 'out']" -%}
{%- set cache_words = "['cached', 'cchd', 'cache', 'cch']" -%}
{%- set marker_words = "[
    'inp', 'inpt', 'input', 'outp', 'outpt', 'output', 'out',
    'cached', 'cchd', 'cache', 'cch', 'write', 'batch', 'priority', 'flex',
    'glbl', 'global', 'regnl', 'regional', 'rgnl', 'dzone', 'datazone',
    'data', 'dz', 'tokens', 'token', 'tkns', '1k', '1m', 'provisioned'
]" -%}
{%- set token_classes = "('input', 'cached_input', 'cache_write', 'output')" -%}

with

records as (
    select * from {{ landed_records('azure', 'cost_details') }}
),

-- header names folded to lower case: csv_field() below uses lower-case names
folded as (
    select
        * replace (
            list_transform(
                header,
                lambda column_name: lower(trim(column_name))
            ) as header  -- noqa: RF04
        )
    from records
    where file_problem is null
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
        {{ csv_field('date') }} as date_text,
        coalesce(
            {{ csv_field('subscriptionid') }},
            {{ csv_field('subscriptionguid') }}
        ) as subscription_id,
        {{ csv_field('subscriptionname') }} as subscription_name,
        -- MCA exports name these resourceGroupName and instanceName
        coalesce(
            {{ csv_field('resourcegroup') }},
            {{ csv_field('resourcegroupname') }}
        ) as resource_group,
        coalesce(
            {{ csv_field('resourceid') }},
            {{ csv_field('instancename') }}
        ) as resource_id,
        {{ csv_field('meterid') }} as meter_id,
        {{ csv_field('benefitid') }} as benefit_id,
        {{ csv_field('metercategory') }} as meter_category,
        {{ csv_field('metersubcategory') }} as meter_sub_category,
        {{ csv_field('metername') }} as meter_name,
        {{ csv_field('meterregion') }} as meter_region,
        {{ csv_field('unitofmeasure') }} as unit_of_measure,
        {{ csv_field('chargetype') }} as charge_type,
        {{ csv_field('pricingmodel') }} as pricing_model,
        upper(coalesce(
            {{ csv_field('billingcurrency') }},
            {{ csv_field('billingcurrencycode') }}
        )) as billing_currency,
        {{ csv_field('tags') }} as tags_text,
    {%- for column, name, is_required in decimal_fields %}
        {{ csv_field(column | lower) }} as {{ name }}_text
        {{- "," if not loop.last }}
    {%- endfor %}
    from folded
),

cast_values as (
    select
        *,
        -- EA exports write MM/DD/YYYY, newer exports ISO yyyy-mm-dd
        coalesce(
            cast(try_strptime(date_text, '%m/%d/%Y') as date),
            try_cast(date_text as date)
        ) as usage_on,
        -- Tags: EA CSVs drop the outer braces ("k": "v","k2": "v2"), newer
        -- exports write a JSON object; both become the same JSON text
        -- (https://github.com/kubecost/kubecost/issues/414)
        case
            when tags_text is null then '{}'
            when starts_with(tags_text, '{') then tags_text
            else '{' || tags_text || '}'
        end as tags_object_text,
        string_split(
            trim(regexp_replace(lower(meter_name), '[^a-z0-9.]+', ' ', 'g')),
            ' '
        ) as meter_words,
        -- block size of one UoM: 1K -> 1000, 1M -> 1000000, 10K -> 10000,
        -- '1 Hour', '1/Hour', '1/Month' -> 1 (FinOps toolkit
        -- Get-FinOpsPricingUnit); null when the UoM has no leading number
        regexp_extract(
            replace(unit_of_measure, ',', ''),
            '^\s*([0-9]+(?:\.[0-9]+)?)\s*([KkMm]?)(?:$|[\s/])',
            ['amount', 'multiplier']
        ) as unit_parts,
    {%- for column, name, is_required in decimal_fields %}
        try_cast({{ name }}_text as decimal(38, 10)) as {{ name }}
        {{- "," if not loop.last }}
    {%- endfor %}
    from split
),

meter_parts as (
    select
        * exclude (unit_parts),
        case
            when
                coalesce(json_valid(tags_object_text), false)
                and json_type(tags_object_text) = 'OBJECT'
                then cast(json(tags_object_text) as varchar)
        end as tags,
        cast(
            try_cast(struct_extract(unit_parts, 'amount') as decimal(38, 10))
            * case lower(struct_extract(unit_parts, 'multiplier'))
                when 'k' then 1000
                when 'm' then 1000000
                else 1
            end
            as bigint
        ) as block_size,
        -- the model is the words before the first direction, cache, tier,
        -- scope or unit word: gpt-4o-mini-0718-Outp-regnl Tokens ->
        -- gpt-4o-mini-0718, GPT 5 Mini cchd Inpt Glbl -> gpt-5-mini
        coalesce(
            list_position(
                list_transform(
                    meter_words,
                    lambda word: list_contains({{ marker_words }}, word)
                ),
                true
            ),
            len(meter_words) + 1
        ) as first_marker_position,
        list_has_any(meter_words, {{ input_words }}) as has_input_word,
        list_has_any(meter_words, {{ output_words }}) as has_output_word,
        list_has_any(meter_words, {{ cache_words }}) as has_cache_word,
        list_contains(meter_words, 'write') as has_write_word,
        list_contains(meter_words, 'provisioned') as has_provisioned_word,
        list_has_any(meter_words, ['tokens', 'token', 'tkns'])
            as has_token_word,
        regexp_matches(
            array_to_string(meter_words, ' '),
            '^(gpt|o[1-9]|dall|whisper|davinci|babbage|ada|tts|sora|codex'
            || '|chatgpt|text embedding|embedding|computer use)'
        ) as is_openai_model_meter
    from cast_values
),

classified as (
    select
        *,
        coalesce(
            lower(meter_sub_category) in (
                'azure openai', 'azure openai service'
            )
            or (
                contains(lower(meter_sub_category), 'foundry')
                and contains(lower(meter_sub_category), 'model')
            )
            or (
                contains(lower(meter_category), 'foundry')
                and contains(lower(meter_category), 'model')
            )
            or (
                lower(meter_category) = 'cognitive services'
                and (
                    is_openai_model_meter
                    or has_token_word
                    or has_provisioned_word
                )
            ),
            false
        ) as is_ai_spend,
        nullif(
            array_to_string(meter_words[1:first_marker_position - 1], '-'),
            ''
        ) as meter_model_token
    from meter_parts
),

ptu_flagged as (
    -- provisioned throughput units: Provisioned Managed Global Unit (1 Hour)
    select
        *,
        is_ai_spend and has_provisioned_word as is_ptu
    from classified
),

parsed as (
    select
        *,
        case
            when not is_ai_spend then null
            when is_ptu and contains(lower(unit_of_measure), 'hour')
                then 'ptu_hour'
            when is_ptu then 'other'
            when has_cache_word and has_write_word then 'cache_write'
            when has_cache_word then 'cached_input'
            when has_input_word then 'input'
            when has_output_word then 'output'
            else 'other'
        end as token_class,
        case
            when not is_ai_spend then null
            when list_has_any(meter_words, ['glbl', 'global']) then 'global'
            when
                list_has_any(meter_words, ['dzone', 'datazone', 'dz'])
                or (
                    list_contains(meter_words, 'data')
                    and list_contains(meter_words, 'zone')
                )
                then 'data_zone'
            when list_has_any(meter_words, ['regnl', 'regional', 'rgnl'])
                then 'regional'
        end as deployment_scope
    from ptu_flagged
),

tiered as (
    select
        *,
        case
            when coalesce(token_class, 'other') not in {{ token_classes }}
                then null
            when list_contains(meter_words, 'batch') then 'batch'
            when list_contains(meter_words, 'priority') then 'priority'
            when list_contains(meter_words, 'flex') then 'flex'
            else 'standard'
        end as service_tier,
        case
            when is_ai_spend and not is_ptu then meter_model_token
        end as azure_model_token
    from parsed
),

validated as (
    select
        *,
        case
            when field_count != header_field_count
                then
                    'row has ' || field_count || ' fields, header has '
                    || header_field_count
            when date_text is null then 'Date is missing'
            when usage_on is null
                then 'Date is not a date: ''' || date_text || ''''
            when subscription_id is null then 'SubscriptionId is missing'
            {%- for column, name, is_required in decimal_fields %}
                {%- if is_required %}
                    when {{ name }}_text is null then '{{ column }} is missing'
                {%- endif %}
                when {{ name }}_text is not null and {{ name }} is null
                    then
                        '{{ column }} is not a number: '''
                        || {{ name }}_text || ''''
            {%- endfor %}
            when billing_currency is null then 'BillingCurrency is missing'
            when tags is null
                then 'Tags is not a JSON object: ''' || tags_text || ''''
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
        -- a restated export replaces the month of its subscription
        subscription_id || '|' || strftime(usage_on, '%Y-%m')
            as export_period_key,
        subscription_id,
        meter_id,
        benefit_id,
        resource_id,
        subscription_name,
        resource_group,
        meter_category,
        meter_sub_category,
        meter_name,
        meter_region,
        unit_of_measure,
        charge_type,
        pricing_model,
        billing_currency,
        tags,
        azure_model_token,
        token_class,
        service_tier,
        deployment_scope,
        quantity,
        block_size,
        case
            when token_class in {{ token_classes }}
                then cast(round(quantity * block_size) as bigint)
        end as tokens,
        effective_price,
        unit_price,
        payg_price,
        cost_in_billing_currency,
        cost_in_usd,
        payg_cost_in_usd,
        is_ai_spend,
        is_ptu,
        coalesce(
            token_class in {{ token_classes }} and block_size is null, false
        ) as is_unknown_unit,
        usage_on
    from validated
    union all by name
    select * from rejected_files
)

select * from final
