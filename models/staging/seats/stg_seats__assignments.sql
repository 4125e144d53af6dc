{{ config(meta={'raw_export': 'seats'}) }}

{{ check_required_columns('seats', 'assignments', [
    'seat_id', 'provider', 'product', 'user_email', 'start_date',
    'end_date', 'unit_price', 'currency', 'billing_period',
]) }}

with

records as (
    select * from {{ landed_records('seats', 'assignments') }}
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
        {{ csv_field('seat_id') }} as seat_id,
        {{ csv_field('provider') }} as provider_text,
        {{ csv_field('product') }} as product,
        {{ csv_field('plan') }} as plan_name,
        {{ csv_field('user_email') }} as user_email_text,
        {{ csv_field('team') }} as team,
        {{ csv_field('cost_center') }} as cost_center,
        {{ csv_field('start_date') }} as start_date_text,
        {{ csv_field('end_date') }} as end_date_text,
        {{ csv_field('unit_price') }} as unit_price_text,
        {{ csv_field('currency') }} as currency_text,
        {{ csv_field('billing_period') }} as billing_period_text,
        -- the holder's address as a GitHub username may spell it (landing)
        aliases as user_email_aliases_text
    from records
    where file_problem is null
),

renamed as (
    select
        *,
        -- `provider` is the project's canonical column name
        lower(provider_text) as provider,  -- noqa: RF04
        lower(user_email_text) as user_email,
        upper(currency_text) as billing_currency,
        lower(billing_period_text) as billing_period,
        -- price per seat-month in billing_currency (format documented in
        -- _seats__docs.md)
        try_cast(unit_price_text as decimal(38, 10)) as unit_price,
        try_cast(start_date_text as date) as start_on,
        -- end_date is exclusive; blank means the seat is still assigned
        try_cast(end_date_text as date) as end_on
    from split
),

validated as (
    select
        *,
        case
            when field_count != header_field_count
                then
                    'row has ' || field_count || ' fields, header has '
                    || header_field_count
            when seat_id is null then 'seat_id is missing'
            when provider is null then 'provider is missing'
            when
                provider not in (
                    'openai', 'anthropic', 'aws_bedrock', 'azure_openai',
                    'gcp_vertex', 'github_copilot', 'cursor'
                )
                then 'unknown provider: ''' || provider_text || ''''
            when product is null then 'product is missing'
            when start_date_text is null then 'start_date is missing'
            when start_on is null
                then
                    'start_date is not a date: ''' || start_date_text || ''''
            when end_date_text is not null and end_on is null
                then 'end_date is not a date: ''' || end_date_text || ''''
            when end_on <= start_on
                then
                    'end_date ''' || end_date_text
                    || ''' is not after start_date ''' || start_date_text
                    || ''''
            when unit_price_text is null then 'unit_price is missing'
            when unit_price is null
                then
                    'unit_price is not a number: ''' || unit_price_text
                    || ''''
            when unit_price < 0
                then 'unit_price is negative: ''' || unit_price_text || ''''
            when currency_text is null then 'currency is missing'
            when not {{ regex_full_match('billing_currency', '[A-Z]{3}') }}
                then
                    'currency is not a 3-letter code: ''' || currency_text
                    || ''''
            when billing_period_text is null then 'billing_period is missing'
            when billing_period not in ('monthly', 'annual')
                then
                    'billing_period is not monthly or annual: '''
                    || billing_period_text || ''''
        end as rejected_reason
    from renamed
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
        -- a seats file is a full snapshot: the newest file replaces all
        'snapshot' as export_period_key,
        seat_id,
        provider,
        product,
        plan_name,
        user_email,
        {{ split_text('user_email_aliases_text', '|') }} as user_email_aliases,
        team,
        cost_center,
        billing_period,
        billing_currency,
        unit_price,
        end_on is null as is_still_assigned,
        start_on,
        end_on
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
