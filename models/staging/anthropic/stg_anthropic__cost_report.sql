{{ config(meta={'raw_export': 'anthropic/cost_report'}) }}

-- A cost row is money: a token_type, cost_type, service tier or context
-- window this project does not know yet keeps the row (token class null,
-- tier as the vendor writes it); fct_ai_costs keeps its amount whole or
-- matches it to usage at the finest grain it supports
-- (int_cost_export_allocations). Only a row without a usable amount, day or
-- currency is rejected.
with

records as (
    select * from {{ landed_records('anthropic', 'cost_report') }}
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
        {{ json_text('result', '$.workspace_id') }} as workspace_id,
        {{ json_text('result', '$.model') }} as vendor_model_id,
        {{ json_text('result', '$.description') }} as description,
        {{ json_text('result', '$.cost_type') }} as cost_type,
        {{ json_text('result', '$.token_type') }} as token_type,
        {{ json_text('result', '$.service_tier') }} as service_tier_text,
        {{ json_text('result', '$.context_window') }} as context_window,
        {{ json_text('result', '$.inference_geo') }} as inference_geo,
        upper({{ json_text('result', '$.currency') }}) as billing_currency,
        {{ json_text('result', '$.amount') }} as amount_in_cents_text,
        {{ json_text('bucket', '$.starting_at') }} as starting_at_text,
        {{ json_text('bucket', '$.ending_at') }} as ending_at_text
    from results
),

cast_values as (
    select
        *,
        -- amount is a decimal STRING in cents (cost_report reference,
        -- https://platform.claude.com/docs/en/api/admin/cost_report):
        -- "2873.5" is $28.735; converted once, here, without rounding
        cast(
            try_cast(amount_in_cents_text as decimal(38, 12)) * 0.01
            as decimal(38, 10)
        ) as billed_cost,
        case token_type
            when 'uncached_input_tokens' then 'input'
            when 'cache_read_input_tokens' then 'cached_input'
            when 'cache_creation.ephemeral_5m_input_tokens'
                then 'cache_write_5m'
            when 'ephemeral_5m_input_tokens' then 'cache_write_5m'
            when 'cache_creation.ephemeral_1h_input_tokens'
                then 'cache_write_1h'
            when 'ephemeral_1h_input_tokens' then 'cache_write_1h'
            when 'cache_creation_input_tokens' then 'cache_write'
            when 'output_tokens' then 'output'
        end as token_type_class,
        -- cost types other than tokens carry no token_type
        case cost_type
            when 'web_search' then 'web_search'
            when 'code_execution' then 'code_execution'
            when 'session_usage' then 'other'
        end as cost_type_class,
        case lower(service_tier_text)
            when 'standard' then 'standard'
            when 'batch' then 'batch'
            when 'priority' then 'priority'
            when 'priority_on_demand' then 'priority'
            when 'flex' then 'flex'
            when 'flex_discount' then 'flex'
            -- a tier this project does not know yet keeps its own name
            else lower(service_tier_text)
        end as service_tier,
        case lower(context_window)
            when '0-200k' then 'standard'
            when '200k-1m' then 'long'
            else lower(context_window)
        end as context_tier,
        try_cast(starting_at_text as {{ timestamp_type() }})
            as charge_period_start_at,
        try_cast(ending_at_text as {{ timestamp_type() }})
            as charge_period_end_at
    from renamed
),

validated as (
    select
        *,
        case
            when charge_period_start_at is null
                then
                    'bucket starting_at is missing or not a timestamp: '
                    || coalesce('''' || starting_at_text || '''', 'null')
            when amount_in_cents_text is null then 'amount is missing'
            when billed_cost is null
                then
                    'amount is not a number: '
                    || '''' || amount_in_cents_text || ''''
            when billing_currency is null then 'currency is missing'
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
        {{ format_date(utc_date('charge_period_start_at'), '%Y-%m-%d') }}
            as export_period_key,
        workspace_id,
        vendor_model_id,
        description,
        cost_type,
        token_type,
        coalesce(token_type_class, cost_type_class) as token_class,
        service_tier,
        context_window,
        context_tier,
        inference_geo,
        billing_currency,
        billed_cost,
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
