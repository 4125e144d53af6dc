{{ config(**refresh_chain_config()) }}

{%- set window_start = refresh_window_start() %}

with

charges as (
    select * from {{ ref('int_ai_costs_converted') }}
    where {{ in_refresh_window(window_start) }}
),

providers as (
    select * from {{ ref('providers') }}
),

converted as (
    select
        charges.*,
        providers.provider_name,
        providers.invoice_issuer_name,
        providers.host_provider_name,
        providers.service_name,
        providers.service_category,
        providers.service_subcategory
    from charges
    left join providers
        on charges.provider = providers.provider
),

final as (
    select
        charge_id,
        provider,
        provider_name,
        invoice_issuer_name,
        -- seat licences run on no host (FOCUS 1.3 HostProviderName)
        case
            when cost_grain = 'seat' then 'Not Applicable'
            else host_provider_name
        end as host_provider_name,
        case
            when cost_grain = 'seat' then sub_account_id
            else service_name
        end as service_name,
        service_category,
        service_subcategory,
        charge_category,
        charge_frequency,
        cost_source,
        cost_grain,
        billing_account_id,
        sub_account_id,
        sub_account_name,
        vendor_model_id,
        model,
        model_family,
        model_developer,
        vendor_sku,
        provider
        || ':' || coalesce(price_model, vendor_model_id, vendor_sku, 'unknown')
        || ':' || coalesce(token_class, 'other') as sku_id,
        provider
        || ':' || coalesce(price_model, vendor_model_id, vendor_sku, 'unknown')
        || ':' || coalesce(token_class, 'other')
        || ':' || coalesce(service_tier, 'standard')
        || ':' || coalesce(context_tier, 'standard') as sku_price_id,
        token_class,
        service_tier,
        context_tier,
        region_id,
        consumed_unit,
        -- FOCUS unit of the price; without a price-book row, tokens are still
        -- counted in blocks of 1M and other units as consumed
        coalesce(
            pricing_unit,
            case
                when consumed_unit = 'Tokens' then '1000000 Tokens'
                else consumed_unit
            end
        ) as pricing_unit,
        billing_currency,
        reporting_currency,
        user_key as user_name,
        api_key_id,
        resource_id,
        {{ pseudonymise_iam_principal('iam_principal') }} as iam_principal,
        repository,
        vendor_cost_center,
        tags,
        team,
        cost_center,
        product,
        environment,
        agent,
        attribution_rule_id,
        consumed_quantity,
        coalesce(
            pricing_quantity,
            case
                when consumed_unit = 'Tokens'
                    then consumed_quantity * 0.000001
                else consumed_quantity
            end
        ) as pricing_quantity,
        request_count,
        list_unit_price,
        list_cost,
        cast(billed_cost as decimal(38, 10)) as billed_cost,
        effective_cost,
        estimated_cost,
        fx_rate_to_reporting,
        list_cost_reporting,
        billed_cost_reporting,
        effective_cost_reporting,
        coalesce(is_included_in_seat, false) as is_included_in_seat,
        charge_on,
        billing_period_start_on,
        charge_period_start_at,
        charge_period_end_at,
        price_source_url,
        staging_model,
        source_file,
        source_row,
        billed_source_file,
        billed_source_row
    from converted
)

select * from final
