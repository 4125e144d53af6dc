{{ config(meta={'raw_export': 'github_copilot'}) }}

{{ check_required_columns('github_copilot', 'usage', [
    'date', 'product', 'sku', 'quantity',
    'gross_amount', 'discount_amount', 'net_amount',
]) }}

with

records as (
    select * from {{ landed_records('github_copilot', 'usage') }}
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
        {{ csv_field('product') }} as product,
        {{ csv_field('sku') }} as sku,
        {{ csv_field('unit_type') }} as unit_type,
        {{ csv_field('username') }} as username,
        {{ csv_field('organization') }} as organization,
        {{ csv_field('repository') }} as repository,
        {{ csv_field('workflow_path') }} as workflow_path,
        {{ csv_field('cost_center_name') }} as cost_center_name,
        -- `model` appears only in newer premium-request reports
        {{ csv_field('model') }} as vendor_model,
        {{ csv_field('quantity') }} as quantity_text,
        {{ csv_field('gross_amount') }} as gross_amount_text,
        {{ csv_field('discount_amount') }} as discount_amount_text,
        {{ csv_field('net_amount') }} as net_amount_text,
        {{ csv_field('applied_cost_per_quantity') }} as applied_cost_text,
        {{ csv_field('aic_quantity') }} as aic_quantity_text,
        {{ csv_field('aic_gross_amount') }} as aic_gross_amount_text
    from records
    where file_problem is null
),

renamed as (
    select
        *,
        try_cast(date_text as date) as usage_on,
        -- SKU strings are unconfirmed: compare a key with case and
        -- punctuation folded ('Copilot Premium Request' and
        -- 'copilot_premium_request' both give copilot_premium_request)
        trim(regexp_replace(lower(sku), '[^a-z0-9]+', '_', 'g'), '_')
            as sku_key,
        try_cast(quantity_text as decimal(38, 10)) as quantity,
        try_cast(gross_amount_text as decimal(38, 10)) as gross_amount,
        try_cast(discount_amount_text as decimal(38, 10)) as discount_amount,
        try_cast(net_amount_text as decimal(38, 10)) as net_amount,
        try_cast(applied_cost_text as decimal(38, 10))
            as applied_cost_per_quantity,
        try_cast(aic_quantity_text as decimal(38, 10)) as aic_quantity,
        try_cast(aic_gross_amount_text as decimal(38, 10)) as aic_gross_amount
    from split
),

classified as (
    select
        *,
        -- https://docs.github.com/en/billing/reference/billing-reports:
        -- premium requests ($0.04 each) are billed up to 2026-05-31, AI
        -- credits ($0.01 each) from 2026-06-01; seats are per user-month.
        case
            when sku_key is null then null
            when
                regexp_matches(
                    sku_key, '(^|_)(seats?|licen[cs]es?|user_months?)(_|$)'
                )
                or regexp_full_match(
                    sku_key,
                    'copilot_(for_)?(business|enterprise|pro|pro_plus)'
                    || '(_plan)?'
                )
                then 'seat'
            when
                regexp_matches(sku_key, '(^|_)(ai_credits?|aic)(_|$)')
                or coalesce(aic_quantity, 0) != 0
                then 'ai_credit'
            when regexp_matches(sku_key, '(^|_)premium_requests?(_|$)')
                then
                    case
                        when usage_on >= date '2026-06-01' then 'ai_credit'
                        else 'premium_request'
                    end
            else 'other'
        end as token_class
    from renamed
),

validated as (
    select
        *,
        case
            when field_count != header_field_count
                then
                    'row has ' || field_count || ' fields, header has '
                    || header_field_count
            when sku is null then 'sku is empty'
            when date_text is null then 'date is missing'
            when usage_on is null
                then 'date is not a date: ''' || date_text || ''''
            when quantity_text is null then 'quantity is missing'
            when quantity is null
                then 'quantity is not a number: ''' || quantity_text || ''''
            when gross_amount_text is null then 'gross_amount is missing'
            when gross_amount is null
                then
                    'gross_amount is not a number: '''
                    || gross_amount_text || ''''
            when discount_amount_text is null
                then 'discount_amount is missing'
            when discount_amount is null
                then
                    'discount_amount is not a number: '''
                    || discount_amount_text || ''''
            when net_amount_text is null then 'net_amount is missing'
            when net_amount is null
                then
                    'net_amount is not a number: '''
                    || net_amount_text || ''''
            -- optional columns: blank is null, a value must parse
            when
                applied_cost_text is not null
                and applied_cost_per_quantity is null
                then
                    'applied_cost_per_quantity is not a number: '''
                    || applied_cost_text || ''''
            when aic_quantity_text is not null and aic_quantity is null
                then
                    'aic_quantity is not a number: '''
                    || aic_quantity_text || ''''
            when aic_gross_amount_text is not null and aic_gross_amount is null
                then
                    'aic_gross_amount is not a number: '''
                    || aic_gross_amount_text || ''''
        end as rejected_reason
    from classified
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
        -- a restated report replaces the days it covers, per organization
        coalesce(organization, '') || '|' || strftime(usage_on, '%Y-%m-%d')
            as export_period_key,
        organization,
        repository,
        cost_center_name,
        username,
        workflow_path,
        product,
        sku,
        unit_type,
        vendor_model,
        token_class,
        'USD' as billing_currency,
        quantity,
        applied_cost_per_quantity,
        gross_amount,
        discount_amount,
        net_amount,
        aic_quantity,
        aic_gross_amount,
        -- gross − discount = net; a difference above half a cent is flagged
        abs(gross_amount - discount_amount - net_amount) > 0.005
            as is_amount_inconsistent,
        usage_on >= date '2026-06-01' as is_ai_credit_era,
        coalesce(
            token_class in ('premium_request', 'ai_credit')
            or contains(lower(product), 'copilot')
            or contains(sku_key, 'copilot'),
            false
        ) as is_ai_spend,
        usage_on
    from validated
    union all by name
    select * from rejected_files
)

select * from final
