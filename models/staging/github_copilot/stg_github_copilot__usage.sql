{{ config(meta={'raw_export': 'github_copilot'}) }}

{#-
    GitHub writes four CSV reports into github_copilot/, told apart by their
    header (report_variant below). The money columns are required in every
    report but the premium request analytics report, which has `Requests
    Used` instead; that report needs `Timestamp` and `Model`, the others
    `date` and `product`. The columns each variant adds are checked per row
    (missing_variant_column).
-#}
{%- set unless_analytics_report = '|Requests Used' -%}
{{ check_required_columns('github_copilot', 'usage', [
    'date' ~ unless_analytics_report,
    'product' ~ unless_analytics_report,
    'sku' ~ unless_analytics_report,
    'quantity' ~ unless_analytics_report,
    'gross_amount' ~ unless_analytics_report,
    'discount_amount' ~ unless_analytics_report,
    'net_amount' ~ unless_analytics_report,
    'Timestamp|date',
    'Model|product',
]) }}

{%- set token_columns = [
    'total_input_tokens', 'total_output_tokens',
    'total_cache_creation_tokens', 'total_cache_read_tokens',
] %}

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
        header,
        {{ list_length('header') }} as header_field_count,
        {{ list_length('fields') }} as field_count,
        -- which report the file is (header-based):
        -- https://docs.github.com/en/billing/reference/billing-reports
        case
            when {{ list_has('header', "'Requests Used'") }}
                then 'premium_request_analytics'
            when {{ list_has_any('header', text_list(token_columns)) }}
                then 'token_usage_report'
            when
                {{ list_has_any('header', text_list([
                    'exceeds_quota', 'total_monthly_quota'
                ])) }}
                then 'premium_request_report'
            else 'usage_report'
        end as report_variant,
        {{ csv_field('date') }} as date_text,
        {{ csv_field('Timestamp') }} as timestamp_text,
        {{ csv_field('product') }} as product,
        {{ csv_field('sku') }} as sku,
        {{ csv_field('unit_type') }} as reported_unit_type,
        coalesce({{ csv_field('username') }}, {{ csv_field('User') }})
            as username,
        {{ csv_field('organization') }} as organization,
        {{ csv_field('repository') }} as repository,
        {{ csv_field('workflow_path') }} as workflow_path,
        {{ csv_field('cost_center_name') }} as cost_center_name,
        -- `model` in the premium-request and token reports (and some usage
        -- reports), `Model` in the premium request analytics report
        coalesce({{ csv_field('model') }}, {{ csv_field('Model') }})
            as vendor_model,
        {{ csv_field('quantity') }} as quantity_text,
        {{ csv_field('Requests Used') }} as requests_used_text,
        {{ csv_field('gross_amount') }} as gross_amount_text,
        {{ csv_field('discount_amount') }} as discount_amount_text,
        {{ csv_field('net_amount') }} as net_amount_text,
        {{ csv_field('applied_cost_per_quantity') }} as applied_cost_text,
        {{ csv_field('aic_quantity') }} as aic_quantity_text,
        {{ csv_field('aic_gross_amount') }} as aic_gross_amount_text,
        coalesce(
            {{ csv_field('exceeds_quota') }},
            {{ csv_field('Exceeds Monthly Quota') }}
        ) as exceeds_quota_text,
        coalesce(
            {{ csv_field('total_monthly_quota') }},
            {{ csv_field('Total Monthly Quota') }}
        ) as monthly_quota_text,
        {{ csv_field('total_input_tokens') }} as total_input_tokens_text,
        {{ csv_field('total_output_tokens') }} as total_output_tokens_text,
        {{ csv_field('total_cache_creation_tokens') }}
            as total_cache_creation_tokens_text,
        {{ csv_field('total_cache_read_tokens') }}
            as total_cache_read_tokens_text
    from records
    where file_problem is null
),

renamed as (
    select
        *,
        -- the analytics report has a UTC timestamp per request, the others
        -- a UTC day
        try_cast(timestamp_text as {{ timestamp_type() }}) as usage_at,
        coalesce(
            try_cast(date_text as date),
            {{ utc_date(
                'try_cast(timestamp_text as ' ~ timestamp_type() ~ ')'
            ) }}
        ) as usage_on,
        -- SKU strings are matched with case and punctuation folded
        -- ('Copilot Premium Request' and 'copilot_premium_request' both give
        -- copilot_premium_request)
        trim(
            both '_' from
            {{ regex_replace_all('lower(sku)', '[^a-z0-9]+', '_') }}
        ) as sku_key,
        trim(
            both '_' from
            {{ regex_replace_all('lower(product)', '[^a-z0-9]+', '_') }}
        ) as product_key,
        trim(
            both '_' from
            {{ regex_replace_all(
                'lower(reported_unit_type)', '[^a-z0-9]+', '_'
            ) }}
        ) as unit_key,
        -- amounts and quantities are decimal text, sometimes with float noise
        -- (0.018000000000000002) or an exponent (9.4086E-05): kept to 10
        -- decimal places, never as a float
        try_cast(
            coalesce(quantity_text, requests_used_text) as decimal(38, 10)
        ) as quantity,
        try_cast(gross_amount_text as decimal(38, 10)) as gross_amount,
        try_cast(discount_amount_text as decimal(38, 10)) as discount_amount,
        try_cast(net_amount_text as decimal(38, 10)) as net_amount,
        try_cast(applied_cost_text as decimal(38, 10))
            as applied_cost_per_quantity,
        try_cast(aic_quantity_text as decimal(38, 10)) as aic_quantity,
        try_cast(aic_gross_amount_text as decimal(38, 10)) as aic_gross_amount,
        -- `True`/`False` as written; a quota is a number or `Unlimited`
        try_cast(exceeds_quota_text as boolean) as is_quota_exceeded,
        try_cast(monthly_quota_text as decimal(38, 10)) as total_monthly_quota,
        lower(monthly_quota_text) = 'unlimited' as is_quota_unlimited,
        -- the columns a variant adds, which its header must have
        {%- set variant_columns -%}
            case report_variant
                when 'premium_request_analytics'
                    then {{ text_list([
                        'Timestamp', 'User', 'Model', 'Requests Used'
                    ]) }}
                when 'premium_request_report'
                    then {{ text_list([
                        'username', 'model', 'exceeds_quota',
                        'total_monthly_quota'
                    ]) }}
                when 'token_usage_report'
                    then {{ text_list([
                        'username', 'model', 'exceeds_quota',
                        'total_monthly_quota'
                    ] + token_columns) }}
                else {{ list_of([]) }}
            end
        {%- endset %}
        {{ list_at(
            list_where(
                variant_columns, 'column_name',
                'not ' ~ list_has('header', 'column_name')
            ),
            1
        ) }} as missing_variant_column,
        -- token counts are whole numbers (a cast would round 4.5 to 5)
        case
            when {{ regex_full_match('total_input_tokens_text', '[0-9]+') }}
                then cast(total_input_tokens_text as bigint)
        end as total_input_tokens,
        case
            when {{ regex_full_match('total_output_tokens_text', '[0-9]+') }}
                then cast(total_output_tokens_text as bigint)
        end as total_output_tokens,
        case
            when
                {{ regex_full_match(
                    'total_cache_creation_tokens_text', '[0-9]+'
                ) }}
                then cast(total_cache_creation_tokens_text as bigint)
        end as total_cache_creation_tokens,
        case
            when
                {{ regex_full_match('total_cache_read_tokens_text', '[0-9]+') }}
                then cast(total_cache_read_tokens_text as bigint)
        end as total_cache_read_tokens
    from split
),

classified as (
    select
        *,
        -- https://docs.github.com/en/billing/reference/billing-reports and
        -- .../product-and-sku-names: premium requests ($0.04 each) are billed
        -- up to 2026-05-31 (`requests`), AI credits ($0.01 each) from
        -- 2026-06-01; AI units (`copilot_ai_unit`, `coding_agent_ai_unit`,
        -- `spark_ai_unit`, unit `ai-units`, $0.01) appear in reports from
        -- March 2026; seats (`copilot_for_business`, `copilot_enterprise`,
        -- `copilot_standalone`) are per user-month.
        case
            when report_variant = 'premium_request_analytics'
                then 'premium_request'
            when sku_key is null then null
            when
                {{ regex_contains(
                    'sku_key', '(^|_)(seats?|licen[cs]es?|user_months?)(_|$)'
                ) }}
                or {{ regex_full_match(
                    'sku_key',
                    'copilot_(for_)?(business|enterprise|pro|pro_plus'
                    ~ '|standalone)(_plan)?'
                ) }}
                then 'seat'
            when
                {{ regex_contains('sku_key', '(^|_)ai_units?(_|$)') }}
                or unit_key = 'ai_units'
                then 'ai_unit'
            when
                {{ regex_contains('sku_key', '(^|_)(ai_credits?|aic)(_|$)') }}
                or coalesce(aic_quantity, 0) != 0
                then 'ai_credit'
            when {{ regex_contains('sku_key', '(^|_)premium_requests?(_|$)') }}
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
        -- what is not AI spend, and why; everything else reaches
        -- fct_ai_costs with net_amount as its billed cost
        case
            when report_variant = 'premium_request_analytics'
                then
                    'premium request analytics report: requests without'
                    || ' amounts (their cost is in the usage report)'
            when
                contains(product_key, 'copilot')
                or contains(sku_key, 'copilot')
                or product_key in ('spark', 'coding_agent', 'models')
                or sku_key = 'models_inference'
                or token_class in ('premium_request', 'ai_credit', 'ai_unit')
                then null
            else
                'not AI spend: product '''
                || coalesce(product, '') || ''', sku '''
                || coalesce(sku, '') || ''''
        end as excluded_reason,
        case
            when field_count != header_field_count
                then
                    'row has ' || field_count || ' fields, header has '
                    || header_field_count
            when missing_variant_column is not null
                then
                    report_variant || ' lacks required column '''
                    || missing_variant_column || ''''
            -- the analytics report: a timestamp and a request count
            when
                report_variant = 'premium_request_analytics'
                and timestamp_text is null
                then 'Timestamp is missing'
            when
                report_variant = 'premium_request_analytics'
                and usage_at is null
                then
                    'Timestamp is not a timestamp: '''
                    || timestamp_text || ''''
            when
                report_variant = 'premium_request_analytics'
                and requests_used_text is null
                then 'Requests Used is missing'
            when
                report_variant = 'premium_request_analytics'
                and quantity is null
                then
                    'Requests Used is not a number: '''
                    || requests_used_text || ''''
            when report_variant = 'premium_request_analytics' then null
            -- the reports with amounts
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
            when
                total_input_tokens_text is not null
                and total_input_tokens is null
                then
                    'total_input_tokens is not a whole number: '''
                    || total_input_tokens_text || ''''
            when
                total_output_tokens_text is not null
                and total_output_tokens is null
                then
                    'total_output_tokens is not a whole number: '''
                    || total_output_tokens_text || ''''
            when
                total_cache_creation_tokens_text is not null
                and total_cache_creation_tokens is null
                then
                    'total_cache_creation_tokens is not a whole number: '''
                    || total_cache_creation_tokens_text || ''''
            when
                total_cache_read_tokens_text is not null
                and total_cache_read_tokens is null
                then
                    'total_cache_read_tokens is not a whole number: '''
                    || total_cache_read_tokens_text || ''''
        end as rejected_reason
    from classified
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
        -- a restated report replaces the days it covers, per organization;
        -- the analytics report (no amounts) only replaces its own days
        case
            when report_variant = 'premium_request_analytics'
                then
                    'premium_request_analytics|'
                    || {{ format_date('usage_on', '%Y-%m-%d') }}
            else
                coalesce(organization, '') || '|'
                || {{ format_date('usage_on', '%Y-%m-%d') }}
        end as export_period_key,
        report_variant,
        organization,
        repository,
        cost_center_name,
        username,
        workflow_path,
        product,
        sku,
        -- GitHub's `ai-units` written as a unit name (FOCUS unit format);
        -- other units as reported
        case
            when unit_key = 'ai_units' then 'Units'
            else reported_unit_type
        end as unit_type,
        reported_unit_type,
        vendor_model,
        token_class,
        excluded_reason,
        'USD' as billing_currency,
        quantity,
        applied_cost_per_quantity,
        gross_amount,
        discount_amount,
        net_amount,
        aic_quantity,
        aic_gross_amount,
        total_monthly_quota,
        -- tokens of the token report: input is additive (uncached input;
        -- cache reads and cache writes are counted apart)
        total_input_tokens as input_tokens,
        total_cache_read_tokens as cached_input_tokens,
        total_cache_creation_tokens as cache_write_tokens,
        total_output_tokens as output_tokens,
        -- gross − discount = net; a difference above half a cent is flagged
        abs(gross_amount - discount_amount - net_amount) > 0.005
            as is_amount_inconsistent,
        usage_on >= date '2026-06-01' as is_ai_credit_era,
        excluded_reason is null as is_ai_spend,
        is_quota_exceeded,
        is_quota_unlimited,
        usage_on,
        usage_at
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
