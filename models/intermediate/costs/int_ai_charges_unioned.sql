-- One canonical shape for every vendor (ai_charge_columns()), over the used
-- rows of the staging models (current_rows(): not rejected, newest export of
-- each period). A view: int_charge_partitions reads its partitions and file
-- digests, int_ai_charges_priced the rows of the partitions it rebuilds (the
-- filter on refresh_partition reaches the staging scans). cost_grain says
-- what a row is:
--   bill        a vendor-billed charge (cloud bills, Copilot, Cursor)
--   cost_export a cost-API row (OpenAI costs, Anthropic cost_report), later
--               allocated onto the usage rows it covers
--   usage       a usage-API row (tokens, no money), priced from the price book
--               only where no cost row covers it
--   seat        a seat-month from seats/ (contract price)
with

openai_costs as (
    {{ current_rows('stg_openai__costs') }}
),

openai_usage as (
    {{ current_rows('stg_openai__usage_completions') }}
),

anthropic_costs as (
    {{ current_rows('stg_anthropic__cost_report') }}
),

anthropic_usage as (
    {{ current_rows('stg_anthropic__usage_messages') }}
),

aws_cur as (
    {{ current_rows('stg_aws__cur') }}
),

azure_costs as (
    {{ current_rows('stg_azure__cost_details') }}
),

gcp_billing as (
    {{ current_rows('stg_gcp__billing_export') }}
),

copilot_usage as (
    {{ current_rows('stg_github_copilot__usage') }}
),

cursor_events as (
    {{ current_rows('stg_cursor__usage_events') }}
),

seat_months as (
    select * from {{ ref('int_seat_months') }}
),

-- OpenAI usage: input_tokens includes cached and cache-write tokens, so the
-- uncached part is priced as input (stg computes input_uncached_tokens, the
-- text part); audio and image tokens are classes of their own.
-- One row per token class: one unnest of the class positions, each list read
-- at that position (Spark allows one generator per select, DuckDB would zip
-- several).
openai_usage_classes as (
    select
        *,
        {{ list_at(list_of([
            "'input'", "'cached_input'", "'cache_write'", "'output'",
            "'audio_input'", "'audio_output'", "'image_input'"
        ]), 'class_position') }} as token_class,
        {{ list_at(list_of([
            'input_uncached_tokens',
            'input_cached_tokens',
            'input_cache_write_tokens',
            'output_text_tokens',
            'input_audio_tokens',
            'output_audio_tokens',
            'input_image_tokens'
        ]), 'class_position') }} as class_tokens,
        {{ list_at(
            list_of(['request_count', 'null', 'null', 'null', 'null', 'null',
                'null']),
            'class_position'
        ) }} as class_requests
    from (
        select
            *,
            {{ unnest_list(list_of([1, 2, 3, 4, 5, 6, 7])) }} as class_position
        from openai_usage
    ) as usage_positions
),

-- Anthropic usage: input is additive (uncached + cache read + writes).
anthropic_usage_classes as (
    select
        *,
        {{ list_at(list_of([
            "'input'",
            "'cached_input'",
            "'cache_write_5m'",
            "'cache_write_1h'",
            "'output'",
            "'web_search'"
        ]), 'class_position') }} as token_class,
        {{ list_at(list_of([
            'uncached_input_tokens',
            'cache_read_input_tokens',
            'cache_write_5m_input_tokens',
            'cache_write_1h_input_tokens',
            'output_tokens',
            'web_search_requests'
        ]), 'class_position') }} as class_tokens
    from (
        select
            *,
            {{ unnest_list(list_of([1, 2, 3, 4, 5, 6])) }} as class_position
        from anthropic_usage
    ) as usage_positions
),

-- one row per element of the credits array (its JSON text), numbered from 1
gcp_credits as (
    select
        *,
        {{ list_at('credit_texts', 'credit_number') }} as credit
    from (
        select
            *,
            {{ unnest_list(list_positions('credit_texts')) }} as credit_number
        from (
            select
                *,
                {{ json_array_texts('credits') }} as credit_texts
            from gcp_billing
            where is_ai_spend
        ) as credit_lists
    ) as credit_positions
),

unioned as (
    {{ to_canonical('openai_costs', 'openai', {
        'charge_key': "'openai_costs:' || source_file || ':' || source_row",
        'charge_category': "'Usage'",
        'cost_grain': "'cost_export'",
        'sub_account_id': 'project_id',
        'vendor_model_id': 'vendor_model_id',
        'vendor_sku': 'line_item',
        'token_class': 'token_class',
        'service_tier': "coalesce(service_tier, 'standard')",
        'context_tier': "coalesce(context_tier, 'standard')",
        'consumed_unit':
            "case when tokens is not null then 'Tokens'"
            ~ " when quantity_unit = 'images' then 'Images'"
            ~ " when quantity_unit = 'characters' then 'Characters'"
            ~ " when quantity_unit = 'gibibyte_hours' then 'GiB-Hours'"
            ~ " when quantity_unit = 'duration_seconds' then 'Seconds'"
            ~ " when quantity_unit = 'duration_minutes' then 'Minutes'"
            ~ " when quantity_unit = 'duration_hours' then 'Hours' end",
        'consumed_quantity': 'coalesce(tokens, quantity)',
        'billing_currency': 'billing_currency',
        'api_key_id': 'api_key_id',
        'reported_cost': 'billed_cost',
        'charge_on': 'usage_on',
        'charge_period_start_at': 'charge_period_start_at',
        'charge_period_end_at': 'charge_period_end_at',
        'staging_model': "'stg_openai__costs'",
        'source_file': 'source_file',
        'source_row': 'source_row',
        'landing_key': 'landing_key',
    }) }}
    union all
    {{ to_canonical(
        '(select * from openai_usage_classes where class_tokens > 0)',
        'openai', {
        'charge_key':
            "'openai_usage:' || source_file || ':' || source_row"
            ~ " || ':' || token_class",
        'charge_category': "'Usage'",
        'cost_grain': "'usage'",
        'sub_account_id': 'project_id',
        'vendor_model_id': 'vendor_model_id',
        'token_class': 'token_class',
        'service_tier': "coalesce(service_tier, 'standard')",
        'context_tier': "'standard'",
        'consumed_unit': "'Tokens'",
        'consumed_quantity': 'class_tokens',
        'request_count': 'class_requests',
        'billing_currency': "'USD'",
        'user_name': 'user_id',
        'api_key_id': 'api_key_id',
        'charge_on': 'usage_on',
        'charge_period_start_at': 'charge_period_start_at',
        'charge_period_end_at': 'charge_period_end_at',
        'staging_model': "'stg_openai__usage_completions'",
        'source_file': 'source_file',
        'source_row': 'source_row',
        'landing_key': 'landing_key',
    }) }}
    union all
    {{ to_canonical('anthropic_costs', 'anthropic', {
        'charge_key': "'anthropic_costs:' || source_file || ':' || source_row",
        'charge_category': "'Usage'",
        'cost_grain': "'cost_export'",
        'sub_account_id': "coalesce(workspace_id, 'default')",
        'vendor_model_id': 'vendor_model_id',
        'vendor_sku': 'description',
        'token_class': 'token_class',
        'service_tier': "coalesce(service_tier, 'standard')",
        'context_tier': "coalesce(context_tier, 'standard')",
        'region_id': 'inference_geo',
        'billing_currency': 'billing_currency',
        'reported_cost': 'billed_cost',
        'charge_on': 'usage_on',
        'charge_period_start_at': 'charge_period_start_at',
        'charge_period_end_at': 'charge_period_end_at',
        'staging_model': "'stg_anthropic__cost_report'",
        'source_file': 'source_file',
        'source_row': 'source_row',
        'landing_key': 'landing_key',
    }) }}
    union all
    {{ to_canonical(
        '(select * from anthropic_usage_classes where class_tokens > 0)',
        'anthropic', {
        'charge_key':
            "'anthropic_usage:' || source_file || ':' || source_row"
            ~ " || ':' || token_class",
        'charge_category': "'Usage'",
        'cost_grain': "'usage'",
        'sub_account_id': "coalesce(workspace_id, 'default')",
        'vendor_model_id': 'vendor_model_id',
        'token_class': 'token_class',
        'service_tier': "coalesce(service_tier, 'standard')",
        'context_tier': "coalesce(context_tier, 'standard')",
        'region_id': 'inference_geo',
        'consumed_unit':
            "case when token_class = 'web_search' then 'Requests'"
            ~ " else 'Tokens' end",
        'consumed_quantity': 'class_tokens',
        'billing_currency': "'USD'",
        'api_key_id': "coalesce(api_key_id, 'workbench')",
        'charge_on': 'usage_on',
        'charge_period_start_at': 'charge_period_start_at',
        'charge_period_end_at': 'charge_period_end_at',
        'staging_model': "'stg_anthropic__usage_messages'",
        'source_file': 'source_file',
        'source_row': 'source_row',
        'landing_key': 'landing_key',
    }) }}
    union all
    {{ to_canonical(
        '(select * from aws_cur where is_ai_spend)', 'aws_bedrock', {
        'charge_key': "'aws_cur:' || source_file || ':' || source_row",
        'charge_category':
            "case when line_item_type in ('Credit', 'Refund', 'Discount',"
            ~ " 'BundledDiscount', 'EdpDiscount', 'PrivateRateDiscount')"
            ~ " then 'Credit' when line_item_type = 'Tax' then 'Tax'"
            ~ " else 'Usage' end",
        'cost_grain': "'bill'",
        'billing_account_id': 'payer_account_id',
        'sub_account_id': 'usage_account_id',
        'vendor_model_id': 'bedrock_model_token',
        'vendor_sku': 'usage_type',
        'token_class': 'token_class',
        'service_tier': "coalesce(service_tier, 'standard')",
        'context_tier': "coalesce(context_tier, 'standard')",
        'region_id': 'coalesce(region_code, usage_region)',
        'consumed_unit':
            "case when tokens is not null then 'Tokens' else pricing_unit end",
        'consumed_quantity': 'coalesce(tokens, usage_amount)',
        'billing_currency': 'billing_currency',
        'resource_id': 'resource_id',
        'iam_principal': 'iam_principal',
        'tags': 'resource_tags',
        'reported_cost': 'unblended_cost',
        'reported_list_cost': 'public_on_demand_cost',
        'charge_on': 'usage_on',
        'charge_period_start_at': 'usage_start_at',
        'charge_period_end_at': 'usage_end_at',
        'staging_model': "'stg_aws__cur'",
        'source_file': 'source_file',
        'source_row': 'source_row',
        'landing_key': 'landing_key',
    }) }}
    union all
    {{ to_canonical(
        '(select * from azure_costs where is_ai_spend)', 'azure_openai', {
        'charge_key': "'azure_cost:' || source_file || ':' || source_row",
        'charge_category':
            "case when charge_type = 'Purchase' then 'Purchase'"
            ~ " when charge_type = 'Refund' then 'Credit' else 'Usage' end",
        'cost_grain': "'bill'",
        'sub_account_id': 'subscription_id',
        'sub_account_name': 'subscription_name',
        'vendor_model_id': 'azure_model_token',
        'vendor_sku': 'meter_name',
        'token_class': 'token_class',
        'service_tier': "coalesce(service_tier, 'standard')",
        'context_tier': "'standard'",
        'region_id': 'meter_region',
        'consumed_unit':
            "case when tokens is not null then 'Tokens'"
            ~ " when is_ptu then 'PTU-Hours' else unit_of_measure end",
        'consumed_quantity':
            'coalesce(tokens, quantity * coalesce(block_size, 1))',
        'billing_currency': 'billing_currency',
        'resource_id': 'resource_id',
        'tags': 'tags',
        'reported_cost': 'cost_in_billing_currency',
        'reported_list_cost': 'payg_price * quantity',
        'reported_list_unit_price': 'payg_price',
        'charge_on': 'usage_on',
        'charge_period_start_at': 'usage_on',
        'charge_period_end_at': 'usage_on + interval 1 day',
        'staging_model': "'stg_azure__cost_details'",
        'source_file': 'source_file',
        'source_row': 'source_row',
        'landing_key': 'landing_key',
    }) }}
    union all
    {{ to_canonical(
        '(select * from gcp_billing where is_ai_spend)', 'gcp_vertex', {
        'charge_key': "'gcp_billing:' || source_file || ':' || source_row",
        'charge_category':
            "case when cost_type = 'tax' then 'Tax'"
            ~ " when cost_type in ('adjustment', 'rounding_error')"
            ~ " then 'Adjustment' else 'Usage' end",
        'cost_grain': "'bill'",
        'billing_account_id': 'billing_account_id',
        'sub_account_id': 'project_id',
        'sub_account_name': 'project_name',
        'vendor_model_id': 'gcp_model_phrase',
        'vendor_sku': 'sku_description',
        'token_class': 'token_class',
        'service_tier': "coalesce(service_tier, 'standard')",
        'context_tier': "coalesce(context_tier, 'standard')",
        'consumed_unit':
            "case when tokens is not null then 'Tokens' else usage_unit end",
        'consumed_quantity': 'coalesce(tokens, usage_amount)',
        'billing_currency': 'billing_currency',
        'tags': 'labels',
        'reported_cost': 'cost',
        'reported_list_cost': 'cost_at_list',
        'charge_on': 'usage_on',
        'charge_period_start_at': 'usage_start_at',
        'charge_period_end_at': 'usage_end_at',
        'staging_model': "'stg_gcp__billing_export'",
        'source_file': 'source_file',
        'source_row': 'source_row',
        'landing_key': 'landing_key',
    }) }}
    union all
    -- GCP credits are negative amounts inside the usage row: one Credit
    -- charge per credit element, so that billed cost sums to the net cost.
    {{ to_canonical('gcp_credits', 'gcp_vertex', {
        'charge_key':
            "'gcp_credit:' || source_file || ':' || source_row"
            ~ " || ':' || credit_number",
        'charge_category': "'Credit'",
        'cost_grain': "'bill'",
        'billing_account_id': 'billing_account_id',
        'sub_account_id': 'project_id',
        'sub_account_name': 'project_name',
        'vendor_model_id': 'gcp_model_phrase',
        'vendor_sku':
            "coalesce(" ~ json_text('credit', '$.full_name') ~ ","
            ~ " " ~ json_text('credit', '$.name') ~ ")",
        'token_class': 'token_class',
        'service_tier': "coalesce(service_tier, 'standard')",
        'context_tier': "coalesce(context_tier, 'standard')",
        'billing_currency': 'billing_currency',
        'tags': 'labels',
        'reported_cost':
            "cast(" ~ json_text('credit', '$.amount')
            ~ " as decimal(38, 10))",
        'charge_on': 'usage_on',
        'charge_period_start_at': 'usage_start_at',
        'charge_period_end_at': 'usage_end_at',
        'staging_model': "'stg_gcp__billing_export'",
        'source_file': 'source_file',
        'source_row': 'source_row',
        'landing_key': 'landing_key',
    }) }}
    union all
    {{ to_canonical(
        '(select * from copilot_usage where is_ai_spend)', 'github_copilot', {
        'charge_key': "'copilot:' || source_file || ':' || source_row",
        'charge_category':
            "case when token_class = 'seat' then 'Purchase' else 'Usage' end",
        'cost_grain': "'bill'",
        'billing_account_id': 'organization',
        'sub_account_id': 'organization',
        'vendor_model_id': 'vendor_model',
        'vendor_sku': 'sku',
        'token_class': 'token_class',
        'consumed_unit':
            "case token_class when 'premium_request' then 'Requests'"
            ~ " when 'ai_credit' then 'Credits' when 'ai_unit' then 'Units'"
            ~ " when 'seat' then 'Seats'"
            ~ " else unit_type end",
        'consumed_quantity':
            "case when token_class = 'ai_credit'"
            ~ " then coalesce(aic_quantity, quantity) else quantity end",
        'billing_currency': 'billing_currency',
        'user_name': 'username',
        'repository': 'repository',
        'vendor_cost_center': 'cost_center_name',
        'reported_cost': 'net_amount',
        'reported_list_cost': 'gross_amount',
        'reported_list_unit_price': 'applied_cost_per_quantity',
        'charge_on': 'usage_on',
        'charge_period_start_at': 'usage_on',
        'charge_period_end_at': 'usage_on + interval 1 day',
        'staging_model': "'stg_github_copilot__usage'",
        'source_file': 'source_file',
        'source_row': 'source_row',
        'landing_key': 'landing_key',
    }) }}
    union all
    -- Cursor: events of kind "Included in Business" (or not chargeable) are
    -- covered by the seat: billed 0, their notional cost kept as list cost
    -- (before Cursor's discount, its token fee included).
    {{ to_canonical('cursor_events', 'cursor', {
        'charge_key': "'cursor:' || source_file || ':' || source_row",
        'charge_category': "'Usage'",
        'cost_grain': "'bill'",
        'vendor_model_id': 'vendor_model_id',
        'vendor_sku': 'kind',
        'token_class': "'request'",
        'consumed_unit': "'Requests'",
        'consumed_quantity': 'request_units',
        'request_count': '1',
        'billing_currency': 'billing_currency',
        'user_name': 'user_email',
        'reported_cost':
            'case when is_included_in_seat then 0 else reported_cost end',
        'reported_list_cost': 'coalesce(list_cost, reported_cost)',
        'is_included_in_seat': 'is_included_in_seat',
        'charge_on': 'event_on',
        'charge_period_start_at': 'event_at',
        'charge_period_end_at': 'event_at',
        'staging_model': "'stg_cursor__usage_events'",
        'source_file': 'source_file',
        'source_row': 'source_row',
        'landing_key': 'landing_key',
    }) }}
    union all
    {{ to_canonical('seat_months', none, {
        'provider': 'provider',
        'charge_key':
            "'seat:' || provider || ':' || seat_id || ':' || start_on"
            ~ " || ':' || coalesce(user_email, '')"
            ~ " || ':' || " ~ format_date('seat_month_on', '%Y-%m'),
        'charge_category': "'Purchase'",
        'cost_grain': "'seat'",
        'sub_account_id': 'product',
        'vendor_sku': "product || ' ' || plan_name",
        'token_class': "'seat'",
        'consumed_unit': "'Seats'",
        'consumed_quantity': '1',
        'billing_currency': 'billing_currency',
        'user_name': 'user_email',
        'agent_hint': 'team',
        'vendor_cost_center': 'cost_center',
        'reported_cost': 'unit_price',
        'reported_list_cost': 'unit_price',
        'reported_list_unit_price': 'unit_price',
        'charge_on': 'seat_month_on',
        'charge_period_start_at': 'seat_month_on',
        'charge_period_end_at': 'seat_month_on + interval 1 month',
        'staging_model': "'stg_seats__assignments'",
        'source_file': 'source_file',
        'source_row': 'source_row',
        'landing_key': 'landing_key',
    }) }}
),

final as (
    select
        *,
        -- the unit a refresh rebuilds: the charge month, or every seat-month
        -- at once (a new seats snapshot restates them all)
        case
            when cost_grain = 'seat' then 'seats'
            else {{ format_date('charge_on', '%Y-%m') }}
        end as refresh_partition
    from unioned
)

select * from final
