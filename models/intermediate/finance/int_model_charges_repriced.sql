{{ config(**refresh_chain_config()) }}

{%- set window_start = refresh_window_start() %}

-- Every charge of a known canonical model, with what the price book says
-- about its tokens: for cached input the input price it would otherwise have
-- paid, and what the same tokens would cost on the family's cheapest model.
-- The cheapest model of a family is, for the provider and the charge's day,
-- the member (seed model_aliases) with the lowest standard input + output
-- list price (ties: model name); a token class it has no price for is
-- priced at the charge's own model (no saving claimed). Price-book amounts
-- are in the price book's currency (price_currency). Incremental by charge
-- day (macros/incremental/refresh_window.sql).
with

charges as (
    select * from {{ ref('int_ai_costs_converted') }}
    where {{ in_refresh_window(window_start) }}
),

price_book as (
    select * from {{ ref('price_book') }}
),

aliases as (
    select * from {{ ref('model_aliases') }}
),

family_members as (
    select distinct
        provider,
        model,
        model_family
    from aliases
),

token_charges as (
    select *
    from charges
    where consumed_unit = 'Tokens' and model is not null
),

input_prices as (
    select
        token_charges.charge_key,
        min(price_book.unit_price) as input_unit_price
    from token_charges
    inner join price_book
        on
            token_charges.provider = price_book.provider
            and token_charges.model = price_book.model
            and price_book.token_class = 'input'
            and token_charges.service_tier = price_book.service_tier
            and token_charges.context_tier = price_book.context_tier
            and token_charges.pricing_unit = price_book.pricing_unit
            and token_charges.price_currency = price_book.currency
            and token_charges.charge_on
            >= coalesce(price_book.effective_from, date '1900-01-01')
            and (
                price_book.effective_to is null
                or token_charges.charge_on < price_book.effective_to
            )
    where token_charges.token_class = 'cached_input'
    group by 1
),

candidates as (
    select
        token_charges.charge_key,
        family_members.model as candidate_model,
        sum(price_book.unit_price) as blended_unit_price
    from token_charges
    inner join family_members
        on
            token_charges.provider = family_members.provider
            and token_charges.model_family = family_members.model_family
    inner join price_book
        on
            family_members.provider = price_book.provider
            and family_members.model = price_book.model
            and token_charges.price_currency = price_book.currency
            and price_book.token_class in ('input', 'output')
            and price_book.service_tier = 'standard'
            and price_book.context_tier = 'standard'
            and token_charges.charge_on
            >= coalesce(price_book.effective_from, date '1900-01-01')
            and (
                price_book.effective_to is null
                or token_charges.charge_on < price_book.effective_to
            )
    group by 1, 2
    having count(distinct price_book.token_class) = 2
),

cheapest as (
    select
        charge_key,
        candidate_model as cheapest_model
    from candidates
    qualify
        row_number() over (
            partition by charge_key
            order by blended_unit_price asc, candidate_model asc
        ) = 1
),

cheapest_prices as (
    select
        token_charges.charge_key,
        cheapest.cheapest_model,
        min(price_book.unit_price) as cheapest_unit_price
    from token_charges
    inner join cheapest
        on token_charges.charge_key = cheapest.charge_key
    left join price_book
        on
            token_charges.provider = price_book.provider
            and cheapest.cheapest_model = price_book.model
            and token_charges.token_class = price_book.token_class
            and token_charges.service_tier = price_book.service_tier
            and token_charges.context_tier = price_book.context_tier
            and token_charges.pricing_unit = price_book.pricing_unit
            and token_charges.price_currency = price_book.currency
            and token_charges.charge_on
            >= coalesce(price_book.effective_from, date '1900-01-01')
            and (
                price_book.effective_to is null
                or token_charges.charge_on < price_book.effective_to
            )
    group by 1, 2
),

final as (
    select
        charges.charge_id,
        charges.charge_key,
        charges.provider,
        charges.model,
        charges.model_family,
        charges.token_class,
        charges.service_tier,
        charges.context_tier,
        charges.staging_model,
        charges.user_key,
        charges.consumed_unit,
        cheapest_prices.cheapest_model,
        charges.billing_currency,
        charges.reporting_currency,
        charges.price_currency,
        case
            when charges.consumed_unit = 'Tokens'
                then cast(charges.consumed_quantity as bigint)
        end as tokens,
        charges.request_count,
        charges.list_unit_price,
        input_prices.input_unit_price,
        cheapest_prices.cheapest_unit_price,
        charges.billed_cost,
        charges.effective_cost,
        charges.billed_cost_reporting,
        charges.effective_cost_reporting,
        case
            when charges.consumed_unit = 'Tokens'
                then
                    cast(
                        charges.pricing_quantity * charges.list_unit_price
                        as decimal(38, 10)
                    )
        end as token_list_cost,
        cast(
            charges.pricing_quantity
            * (input_prices.input_unit_price - charges.list_unit_price)
            as decimal(38, 10)
        ) as cache_savings,
        case
            when charges.consumed_unit = 'Tokens'
                then
                    cast(
                        charges.pricing_quantity
                        * coalesce(
                            cheapest_prices.cheapest_unit_price,
                            charges.list_unit_price
                        ) as decimal(38, 10)
                    )
        end as cheapest_model_list_cost,
        charges.charge_on,
        charges.billing_period_start_on
    from charges
    left join input_prices
        on charges.charge_key = input_prices.charge_key
    left join cheapest_prices
        on charges.charge_key = cheapest_prices.charge_key
    where charges.model is not null
)

select * from final
