{{ config(meta={'raw_export': 'azure_cost'}) }}

{#-
    Cost Management writes cost details in several documented schemas
    (schema_variant below, from the header): EA and MCA files with
    CostInBillingCurrency, EA and pay-as-you-go files with Cost, and the
    pay-as-you-go and EA files of 2019 with PreTaxCost. Names are compared
    case-insensitively (MCA files are camelCase); 'A|B' accepts either
    name, so the build stops only when no schema's column is there. EA
    2019-10-01 files have no currency column: PreTaxCost stands in for it
    here, and their rows are rejected (no currency is ever guessed).
    https://learn.microsoft.com/azure/cost-management-billing/dataset-schema/schema-index
-#}
{{ check_required_columns('azure', 'cost_details', [
    'Date|UsageDateTime', 'SubscriptionId|SubscriptionGuid',
    'MeterCategory', 'MeterSubCategory', 'MeterName',
    'Quantity|UsageQuantity', 'UnitOfMeasure',
    'CostInBillingCurrency|Cost|PreTaxCost',
    'BillingCurrency|BillingCurrencyCode|Currency|PreTaxCost',
], ignore_case=true) }}

{#-
    Decimal fields: staged name, whether empty rejects the row. Each is read
    under the name its schema gives it (split below): Quantity or
    UsageQuantity, EffectivePrice or ResourceRate, PayGPrice or MarketPrice,
    CostInBillingCurrency, Cost or PreTaxCost.
-#}
{%- set decimal_fields = [
    ('quantity', true),
    ('effective_price', false),
    ('unit_price', false),
    ('payg_price', false),
    ('cost_in_billing_currency', true),
    ('cost_in_usd', false),
    ('payg_cost_in_usd', false),
] -%}

{#- Meter-name words (lower case, split on spaces, '-' and '_'). -#}
{%- set input_words = text_list(['inp', 'inpt', 'input']) -%}
{%- set output_words = text_list(['outp', 'outpt', 'output', 'out']) -%}
{%- set cache_words = text_list(['cached', 'cchd', 'cache', 'cch']) -%}
{%- set marker_words = text_list([
    'inp', 'inpt', 'input', 'outp', 'outpt', 'output', 'out',
    'cached', 'cchd', 'cache', 'cch', 'write', 'batch', 'priority', 'flex',
    'glbl', 'global', 'regnl', 'regional', 'rgnl', 'dzone', 'datazone',
    'data', 'dz', 'tokens', 'token', 'tkns', '1k', '1m', 'provisioned'
]) -%}
{%- set token_classes = "('input', 'cached_input', 'cache_write', 'output')" -%}

with

records as (
    select * from {{ landed_records('azure', 'cost_details') }}
),

-- header names folded to lower case: csv_field() below uses lower-case names
folded as (
    select
        source_file,
        source_row,
        raw_record,
        fields,
        file_modified_at,
        file_md5,
        landing_key,
        {{ list_map('header', 'column_name', 'lower(trim(column_name))') }}
            as header,  -- noqa: RF04
        -- as written, to name a field in a rejection reason
        {{ list_map('header', 'column_name', 'trim(column_name)') }}
            as file_header
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
        header,
        {{ list_length('header') }} as header_field_count,
        {{ list_length('fields') }} as field_count,
        -- which documented schema the file is, from its header: MCA files
        -- (and the partner's MPA and CSP files) have a pricing currency
        -- (pricingCurrency, PricingCurrencyCode) or invoiceId beside
        -- costInBillingCurrency, EA files neither
        case
            when
                {{ list_has('header', "'costinbillingcurrency'") }}
                and {{ list_has_any('header', text_list([
                    'pricingcurrency', 'pricingcurrencycode', 'invoiceid',
                    'costinpricingcurrency', 'exchangeratepricingtobilling'
                ])) }}
                then 'mca'
            when {{ list_has('header', "'costinbillingcurrency'") }} then 'ea'
            when {{ list_has('header', "'cost'") }} then 'ea_payg_legacy'
            when
                {{ list_has('header', "'pretaxcost'") }}
                and {{ list_has('header', "'departmentname'") }}
                then 'ea_2019_10'
            when {{ list_has('header', "'pretaxcost'") }} then 'payg_2019_11'
        end as schema_variant,
        {{ list_has_any('header', text_list([
            'billingcurrency', 'billingcurrencycode', 'currency'
        ])) }} as has_currency_column,
        -- each field under every name a schema gives it: the 2019 files
        -- have UsageDateTime, SubscriptionGuid, InstanceId, UsageQuantity,
        -- ResourceRate, PreTaxCost and Currency; MCA files resourceGroupName
        -- and (2019) InstanceName, BillingCurrencyCode and MarketPrice; EA
        -- and pay-as-you-go files with the older names Cost and Currency
        -- (learn.microsoft.com .../automate/understand-usage-details-fields)
        coalesce(
            {{ csv_field('date') }},
            {{ csv_field('usagedatetime') }}
        ) as date_text,
        coalesce(
            {{ csv_field('subscriptionid') }},
            {{ csv_field('subscriptionguid') }}
        ) as subscription_id,
        {{ csv_field('subscriptionname') }} as subscription_name,
        coalesce(
            {{ csv_field('resourcegroup') }},
            {{ csv_field('resourcegroupname') }}
        ) as resource_group,
        coalesce(
            {{ csv_field('resourceid') }},
            {{ csv_field('instancename') }},
            {{ csv_field('instanceid') }}
        ) as resource_id,
        {{ csv_field('meterid') }} as meter_id,
        -- older files have ReservationId and no BenefitId
        coalesce(
            {{ csv_field('benefitid') }},
            {{ csv_field('reservationid') }}
        ) as benefit_id,
        {{ csv_field('metercategory') }} as meter_category,
        {{ csv_field('metersubcategory') }} as meter_sub_category,
        {{ csv_field('metername') }} as meter_name,
        {{ csv_field('meterregion') }} as meter_region,
        {{ csv_field('unitofmeasure') }} as unit_of_measure,
        {{ csv_field('chargetype') }} as charge_type,
        {{ csv_field('pricingmodel') }} as pricing_model,
        coalesce(
            {{ csv_field('billingcurrency') }},
            {{ csv_field('billingcurrencycode') }},
            {{ csv_field('currency') }}
        ) as billing_currency_text,
        {{ csv_field('tags') }} as tags_text,
        coalesce(
            {{ csv_field('quantity') }},
            {{ csv_field('usagequantity') }}
        ) as quantity_text,
        coalesce(
            {{ csv_field('effectiveprice') }},
            {{ csv_field('resourcerate') }}
        ) as effective_price_text,
        {{ csv_field('unitprice') }} as unit_price_text,
        coalesce(
            {{ csv_field('paygprice') }},
            {{ csv_field('marketprice') }}
        ) as payg_price_text,
        coalesce(
            {{ csv_field('costinbillingcurrency') }},
            {{ csv_field('cost') }},
            {{ csv_field('pretaxcost') }}
        ) as cost_in_billing_currency_text,
        {{ csv_field('costinusd') }} as cost_in_usd_text,
        {{ csv_field('paygcostinusd') }} as payg_cost_in_usd_text,
        -- the name the file gives a field (its rejection reasons name it)
        coalesce(
            {{ list_at('file_header', list_index('header', "'date'")) }},
            {{ list_at(
                'file_header', list_index('header', "'usagedatetime'")
            ) }},
            'Date'
        ) as date_column,
        coalesce(
            {{ list_at(
                'file_header', list_index('header', "'subscriptionid'")
            ) }},
            {{ list_at(
                'file_header', list_index('header', "'subscriptionguid'")
            ) }},
            'SubscriptionId'
        ) as subscription_column,
        coalesce(
            {{ list_at('file_header', list_index('header', "'quantity'")) }},
            {{ list_at(
                'file_header', list_index('header', "'usagequantity'")
            ) }},
            'Quantity'
        ) as quantity_column,
        coalesce(
            {{ list_at(
                'file_header', list_index('header', "'effectiveprice'")
            ) }},
            {{ list_at(
                'file_header', list_index('header', "'resourcerate'")
            ) }},
            'EffectivePrice'
        ) as effective_price_column,
        coalesce(
            {{ list_at('file_header', list_index('header', "'unitprice'")) }},
            'UnitPrice'
        ) as unit_price_column,
        coalesce(
            {{ list_at('file_header', list_index('header', "'paygprice'")) }},
            {{ list_at('file_header', list_index('header', "'marketprice'")) }},
            'PayGPrice'
        ) as payg_price_column,
        coalesce(
            {{ list_at(
                'file_header', list_index('header', "'costinbillingcurrency'")
            ) }},
            {{ list_at('file_header', list_index('header', "'cost'")) }},
            {{ list_at('file_header', list_index('header', "'pretaxcost'")) }},
            'CostInBillingCurrency'
        ) as cost_in_billing_currency_column,
        coalesce(
            {{ list_at('file_header', list_index('header', "'costinusd'")) }},
            'CostInUsd'
        ) as cost_in_usd_column,
        coalesce(
            {{ list_at(
                'file_header', list_index('header', "'paygcostinusd'")
            ) }},
            'PaygCostInUsd'
        ) as payg_cost_in_usd_column
    from folded
),

cast_values as (
    select
        *,
        -- EA exports write MM/DD/YYYY, newer exports ISO yyyy-mm-dd, the
        -- 2019 schemas' UsageDateTime may carry a time (2019-07-29 00:00:00)
        coalesce(
            cast({{ parse_timestamp('date_text', '%m/%d/%Y') }} as date),
            try_cast(date_text as date)
        ) as usage_on,
        upper(billing_currency_text) as billing_currency,
        -- PricingModel is OnDemand or `On Demand`, Reservation,
        -- SavingsPlan, Spot; ChargeType Usage, Purchase, Refund,
        -- UnusedReservation, UnusedSavingsPlan, RoundingAdjustment
        lower(replace(pricing_model, ' ', '')) as pricing_model_key,
        lower(charge_type) as charge_type_key,
        -- Tags: EA CSVs drop the outer braces ("k": "v","k2": "v2"), newer
        -- exports write a JSON object; both become the same JSON text
        -- (https://github.com/kubecost/kubecost/issues/414)
        case
            when tags_text is null then '{}'
            when substr(tags_text, 1, 1) = '{' then tags_text
            else '{' || tags_text || '}'
        end as tags_object_text,
        {{ split_text(
            'trim(' ~ regex_replace_all('lower(meter_name)', '[^a-z0-9.]+', ' ')
            ~ ')',
            ' '
        ) }} as meter_words,
        -- block size of one UoM: 1K -> 1000, 1M -> 1000000, 10K -> 10000,
        -- '1 Hour', '1/Hour', '1/Month' -> 1 (FinOps toolkit
        -- Get-FinOpsPricingUnit); null when the UoM has no leading number
        {%- for column, group in [
            ('unit_amount_text', 1), ('unit_multiplier', 2)
        ] %}
            {{ regex_extract(
                "replace(unit_of_measure, ',', '')",
                '^\s*([0-9]+(?:\.[0-9]+)?)\s*([KkMm]?)(?:$|[\s/])',
                group
            ) }} as {{ column }},
        {%- endfor %}
    {%- for name, is_required in decimal_fields %}
        try_cast({{ name }}_text as decimal(38, 10)) as {{ name }}
        {{- "," if not loop.last }}
    {%- endfor %}
    from split
),

meter_parts as (
    select
        *,
        case
            when
                coalesce({{ json_is_valid('tags_object_text') }}, false)
                and {{ json_kind('tags_object_text') }} = 'OBJECT'
                then {{ json_compact('tags_object_text') }}
        end as tags,
        cast(
            try_cast(unit_amount_text as decimal(38, 10))
            * case lower(unit_multiplier)
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
            {{ list_index(
                list_map(
                    'meter_words', 'word', list_has(marker_words, 'word')
                ),
                'true'
            ) }},
            {{ list_length('meter_words') }} + 1
        ) as first_marker_position,
        {{ list_has_any('meter_words', input_words) }} as has_input_word,
        {{ list_has_any('meter_words', output_words) }} as has_output_word,
        {{ list_has_any('meter_words', cache_words) }} as has_cache_word,
        {{ list_has('meter_words', "'write'") }} as has_write_word,
        {{ list_has('meter_words', "'provisioned'") }} as has_provisioned_word,
        {{ list_has_any(
            'meter_words', text_list(['tokens', 'token', 'tkns'])
        ) }} as has_token_word,
        {{ regex_contains(
            list_join('meter_words', "' '"),
            '^(gpt|o[1-9]|dall|whisper|davinci|babbage|ada|tts|sora|codex'
            ~ '|chatgpt|text embedding|embedding|computer use)'
        ) }} as is_openai_model_meter
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
        ) as is_ai_meter,
        nullif(
            {{ list_join(
                list_slice('meter_words', 1, 'first_marker_position - 1'),
                "'-'"
            ) }},
            ''
        ) as meter_model_token
    from meter_parts
),

ptu_flagged as (
    -- provisioned throughput units: Provisioned Managed Global Unit (1 Hour)
    select
        *,
        is_ai_meter and has_provisioned_word as is_ptu
    from classified
),

parsed as (
    select
        *,
        case
            when not is_ai_meter then null
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
            when not is_ai_meter then null
            when
                {{ list_has_any('meter_words', text_list(['glbl', 'global'])) }}
                then 'global'
            when
                {{ list_has_any(
                    'meter_words', text_list(['dzone', 'datazone', 'dz'])
                ) }}
                or (
                    {{ list_has('meter_words', "'data'") }}
                    and {{ list_has('meter_words', "'zone'") }}
                )
                then 'data_zone'
            when
                {{ list_has_any(
                    'meter_words', text_list(['regnl', 'regional', 'rgnl'])
                ) }}
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
            when {{ list_has('meter_words', "'batch'") }} then 'batch'
            when {{ list_has('meter_words', "'priority'") }} then 'priority'
            when {{ list_has('meter_words', "'flex'") }} then 'flex'
            else 'standard'
        end as service_tier,
        case
            when is_ai_meter and not is_ptu then meter_model_token
        end as azure_model_token
    from parsed
),

commitments as (
    -- reservations and savings plans, as the FinOps toolkit tells them
    -- apart: PricingModel, an Unused* charge, or a benefit or reservation id
    -- (MCA 2019-10-01 files have ReservationId and no PricingModel)
    select
        *,
        coalesce(
            pricing_model_key in ('reservation', 'savingsplan')
            or charge_type_key in ('unusedreservation', 'unusedsavingsplan')
            or benefit_id is not null,
            false
        ) as is_commitment_row
    from tiered
),

amortization as (
    -- An amortized export spreads each reservation or savings plan over
    -- the usage it covers (that usage has a cost) and adds Unused* rows; in
    -- an actual export that usage costs 0 and the purchase is a row of its
    -- own. Actual and amortized exports share one header, so the file's
    -- rows tell them apart (one file only: no row of another file is read).
    -- learn.microsoft.com/azure/cost-management-billing/reservations/
    -- understand-reserved-instance-usage-ea
    select
        *,
        coalesce(
            charge_type_key in ('purchase', 'refund') and is_commitment_row,
            false
        ) as is_commitment_purchase,
        case
            when
                bool_or(
                    charge_type_key in (
                        'unusedreservation', 'unusedsavingsplan'
                    )
                    or (
                        charge_type_key = 'usage'
                        and is_commitment_row
                        and cost_in_billing_currency != 0
                    )
                ) over (partition by source_file)
                then 'amortized'
            else 'actual'
        end as cost_basis
    from commitments
),

validated as (
    select
        *,
        -- in an amortized export a reservation or savings-plan purchase (or
        -- refund) is already in the usage rows' cost: never counted again
        -- (the FinOps toolkit's EffectiveCost rule, github.com/microsoft/
        -- finops-toolkit docs-mslearn/focus/convert.md)
        is_ai_meter
        and not (cost_basis = 'amortized' and is_commitment_purchase)
            as is_ai_spend,
        case
            when field_count != header_field_count
                then
                    'row has ' || field_count || ' fields, header has '
                    || header_field_count
            when date_text is null then date_column || ' is missing'
            when usage_on is null
                then
                    date_column || ' is not a date: ''' || date_text || ''''
            when subscription_id is null
                then subscription_column || ' is missing'
            {%- for name, is_required in decimal_fields %}
                {%- if is_required %}
                    when {{ name }}_text is null
                        then {{ name }}_column || ' is missing'
                {%- endif %}
                when {{ name }}_text is not null and {{ name }} is null
                    then
                        {{ name }}_column || ' is not a number: '''
                        || {{ name }}_text || ''''
            {%- endfor %}
            when billing_currency is null and not has_currency_column
                then
                    'no currency column: the header has no BillingCurrency, '
                    || 'BillingCurrencyCode or Currency'
            when billing_currency is null then 'BillingCurrency is missing'
            when tags is null
                then 'Tags is not a JSON object: ''' || tags_text || ''''
        end as rejected_reason
    from amortization
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
        -- a restated export replaces the month of its subscription
        subscription_id || '|' || {{ format_date('usage_on', '%Y-%m') }}
            as export_period_key,
        subscription_id,
        meter_id,
        benefit_id,
        resource_id,
        schema_variant,
        cost_basis,
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
        is_commitment_purchase,
        coalesce(
            token_class in {{ token_classes }} and block_size is null, false
        ) as is_unknown_unit,
        usage_on
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
