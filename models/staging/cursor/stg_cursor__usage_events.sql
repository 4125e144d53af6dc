{{ config(meta={'raw_export': 'cursor/usage_events'}) }}

{#-
    Fields of a usage event (Cursor Admin API, POST
    /teams/filtered-usage-events,
    https://cursor.com/docs/account/teams/admin-api).
    Token counts: (column, JSON path); tokenUsage is present only for
    token-based calls. Amounts in cents: (column, JSON path); newer
    responses carry chargedCents (what Cursor bills: its token fee added,
    tokenUsage.discountPercentOff applied) and cursorTokenFee, older ones
    only tokenUsage.totalCents (the model cost before both).
    Booleans: (column, JSON field); isChargeable false is included in the
    plan.
-#}
{%- set count_fields = [
    ('input_tokens', 'tokenUsage.inputTokens'),
    ('output_tokens', 'tokenUsage.outputTokens'),
    ('cache_write_tokens', 'tokenUsage.cacheWriteTokens'),
    ('cache_read_tokens', 'tokenUsage.cacheReadTokens'),
] -%}
{%- set cent_fields = [
    ('total_cents', 'tokenUsage.totalCents'),
    ('charged_cents', 'chargedCents'),
    ('token_fee_cents', 'cursorTokenFee'),
    ('discount_percent_off', 'tokenUsage.discountPercentOff'),
] -%}
{%- set flag_fields = [
    ('is_max_mode', 'maxMode'),
    ('is_token_based_call', 'isTokenBasedCall'),
    ('is_free_bugbot', 'isFreeBugbot'),
    ('is_chargeable', 'isChargeable'),
    ('is_headless', 'isHeadless'),
] -%}

with

records as (
    select * from {{ landed_records('cursor', 'usage_events') }}
),

events as (
    select
        *,
        raw_record as item
    from records
    where file_problem is null
),

renamed as (
    select
        source_file,
        cast(source_row as bigint) as source_row,
        raw_record,
        file_modified_at,
        file_md5,
        landing_key,
        {{ json_text('item', '$.userEmail') }} as user_email,
        {{ json_text('item', '$.model') }} as vendor_model_id,
        {{ json_text('item', '$.kind') }} as kind,
        {{ json_text('item', '$.timestamp') }} as timestamp_text,
        {{ json_text('item', '$.requestsCosts') }} as requests_costs_text,
        {%- for column, path in cent_fields %}
            {{ json_text('item', '$.' ~ path) }} as {{ column }}_text,
        {%- endfor %}
        {%- for column, path in count_fields %}
            {{ json_text('item', '$.' ~ path) }} as {{ column }}_text,
        {%- endfor %}
        {%- for column, field in flag_fields %}
            {{ json_text('item', '$.' ~ field) }} as {{ column }}_text,
        {%- endfor %}
        {{ json_kind('item') }} as item_json_type
    from events
),

cast_values as (
    select
        *,
        -- timestamp is an epoch-milliseconds STRING
        try_cast(timestamp_text as decimal(38, 10)) as timestamp_number,
        {{ epoch_millis_to_timestamp('try_cast(timestamp_text as bigint)') }}
            as event_at,
        try_cast(requests_costs_text as decimal(38, 10)) as request_units,
        -- amounts are in cents (discountPercentOff in percent)
        {%- for column, path in cent_fields %}
            try_cast({{ column }}_text as decimal(38, 12)) as {{ column }},
        {%- endfor %}
        {%- for column, path in count_fields %}
            try_cast({{ column }}_text as decimal(38, 10))
                as {{ column }}_number,
        {%- endfor %}
        {%- for column, field in flag_fields %}
            case lower({{ column }}_text)
                when 'true' then true
                when 'false' then false
            end as {{ column }},
        {%- endfor %}
        -- "Included in Business" (and other included kinds) and events
        -- that are not chargeable are covered by the seat: never billed on
        -- top of it
        coalesce(lower(kind) like '%included%', false)
        or coalesce(lower(is_chargeable_text) = 'false', false)
            as is_included_in_seat
    from renamed
),

validated as (
    select
        *,
        case
            when item_json_type != 'OBJECT'
                then 'usage event is not a JSON object'
            when timestamp_text is null then 'timestamp is missing'
            when
                event_at is null
                or timestamp_number != floor(timestamp_number)
                then
                    'timestamp is not epoch milliseconds: '
                    || '''' || timestamp_text || ''''
            when requests_costs_text is not null and request_units is null
                then
                    'requestsCosts is not a number: '
                    || '''' || requests_costs_text || ''''
            {%- for column, path in cent_fields %}
                when {{ column }}_text is not null and {{ column }} is null
                    then
                        '{{ path }} is not a number: '
                        || '''' || {{ column }}_text || ''''
            {%- endfor %}
            {%- for column, path in count_fields %}
                when
                    {{ column }}_text is not null
                    and {{ column }}_number is null
                    then
                        '{{ path }} is not a number: '
                        || '''' || {{ column }}_text || ''''
                when
                    {{ column }}_number < 0
                    or {{ column }}_number != floor({{ column }}_number)
                    then
                        '{{ path }} is not a whole non-negative number: '
                        || '''' || {{ column }}_text || ''''
            {%- endfor %}
            {%- for column, field in flag_fields %}
                when {{ column }}_text is not null and {{ column }} is null
                    then
                        '{{ field }} is not a boolean: '
                        || '''' || {{ column }}_text || ''''
            {%- endfor %}
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
        {{ format_date(utc_date('event_at'), '%Y-%m-%d') }}
            as export_period_key,
        user_email,
        vendor_model_id,
        kind,
        'USD' as billing_currency,
        request_units,
        {%- for column, path in count_fields %}
            cast({{ column }}_number as bigint) as {{ column }},
        {%- endfor %}
        -- what Cursor bills, in dollars (also for events included in the
        -- seat): chargedCents, else (older responses) totalCents
        cast(
            coalesce(charged_cents, total_cents) * 0.01 as decimal(38, 10)
        ) as reported_cost,
        -- before the discount: the model cost plus the token fee
        cast(
            (total_cents + coalesce(token_fee_cents, 0)) * 0.01
            as decimal(38, 10)
        ) as list_cost,
        cast(total_cents * 0.01 as decimal(38, 10)) as model_cost,
        cast(token_fee_cents * 0.01 as decimal(38, 10)) as token_fee,
        discount_percent_off,
        is_included_in_seat,
        {%- for column, field in flag_fields %}
            {{ column }},
        {%- endfor %}
        {{ utc_date('event_at') }} as event_on,
        event_at
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
