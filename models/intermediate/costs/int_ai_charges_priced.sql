{{ config(**refresh_chain_config()) }}

{%- set window_start = refresh_window_start() %}

-- Resolves every charge's canonical model (seed model_aliases) and its list
-- price from the price book valid on the charge's day (seed price_book:
-- provider, model, token class, service tier, context tier, effective dates).
-- A long-context tier applies to the whole request, so the tier comes from
-- the export (context_window / long-input SKU), never from a token threshold
-- applied to a daily total.
with

charges as (
    select * from {{ ref('int_ai_charges_unioned') }}
    where {{ in_refresh_window(window_start) }}
),

-- vendor ids are matched case-insensitively ('Gemini 2.5 Flash' in a Vertex
-- SKU, 'gemini 2.5 flash' in a Gemini API SKU)
aliases as (
    select distinct
        provider,
        lower(vendor_model_id) as vendor_model_key,
        model,
        model_family,
        model_developer
    from {{ ref('model_aliases') }}
),

price_book as (
    select * from {{ ref('price_book') }}
),

modelled as (
    select
        charges.*,
        aliases.model,
        aliases.model_family,
        aliases.model_developer,
        -- non-token units are priced per SKU, not per model
        case
            when charges.cost_grain = 'seat'
                then replace(charges.sub_account_id, '_', '-') || '-seat'
            when charges.token_class = 'premium_request'
                then 'copilot-premium-request'
            when charges.token_class = 'ai_credit' then 'copilot-ai-credit'
            when
                charges.provider = 'github_copilot'
                and charges.token_class = 'seat'
                then
                    case
                        when lower(charges.vendor_sku) like '%enterprise%'
                            then 'copilot-enterprise-seat'
                        else 'copilot-business-seat'
                    end
            else aliases.model
        end as price_model
    from charges
    left join aliases
        on
            charges.provider = aliases.provider
            and lower(charges.vendor_model_id) = aliases.vendor_model_key
),

priced as (
    select
        modelled.*,
        price_book.unit_price as list_unit_price,
        price_book.currency as price_currency,
        price_book.pricing_unit,
        price_book.source_url as price_source_url,
        case
            when price_book.pricing_unit = '1000000 Tokens'
                then modelled.consumed_quantity * 0.000001
            when price_book.pricing_unit = '1000 Tokens'
                then modelled.consumed_quantity * 0.001
            when price_book.pricing_unit is not null
                then modelled.consumed_quantity
        end as pricing_quantity
    from modelled
    left join price_book
        on
            modelled.provider = price_book.provider
            and modelled.price_model = price_book.model
            and modelled.token_class = price_book.token_class
            and coalesce(modelled.service_tier, 'standard')
            = price_book.service_tier
            and coalesce(modelled.context_tier, 'standard')
            = price_book.context_tier
            and modelled.charge_on
            >= coalesce(price_book.effective_from, date '1900-01-01')
            and (
                price_book.effective_to is null
                or modelled.charge_on < price_book.effective_to
            )
),

final as (
    select
        *,
        cast(
            pricing_quantity * list_unit_price as decimal(38, 10)
        ) as estimated_cost
    from priced
)

select * from final
