-- Every charge of a known canonical model, with what the price book says
-- about its tokens: for cached input the input price it would otherwise have
-- paid, and what the same tokens would cost on the family's cheapest model.
-- The cheapest model of a family is, for the provider and the charge's day,
-- the member (seed models, among the provider's price-book models) with the
-- lowest standard input + output list price (ties: model name); a token
-- class it has no price for is priced at the charge's own model (no saving
-- claimed). Price-book amounts are in the price book's currency
-- (price_currency). A view: only
-- mart_unit_economics reads it, in sums.
{%- set price_keys = [
    'provider', 'model', 'model_family', 'token_class', 'service_tier',
    'context_tier', 'pricing_unit', 'price_currency', 'charge_on',
] %}
{%- set charges = ref('fct_ai_costs') %}
with

price_book as (
    select * from {{ ref('price_book') }}
),

models as (
    select * from {{ ref('models') }}
),

family_members as (
    select distinct
        price_book.provider,
        models.model,
        models.model_family
    from price_book
    inner join models
        on price_book.model = models.model
),

token_charges as (
    select *
    from {{ charges }}
    where consumed_unit = 'Tokens' and model is not null
),

-- prices depend only on these keys of a charge: they are looked up once per
-- distinct set (models x tiers x days), not once per charge; model here is
-- the price book's key (the charge's price_model)
charge_days as (
    select distinct
        provider,
        price_model as model,  -- noqa: RF04
        model_family,
        token_class,
        service_tier,
        context_tier,
        pricing_unit,
        price_currency,
        charge_on
    from token_charges
),

input_prices as (
    select
        {%- for key in price_keys %}
            charge_days.{{ key }},
        {%- endfor %}
        min(price_book.unit_price) as input_unit_price
    from charge_days
    inner join price_book
        on
            charge_days.provider = price_book.provider
            and charge_days.model = price_book.model
            and price_book.token_class = 'input'
            and charge_days.service_tier = price_book.service_tier
            and charge_days.context_tier = price_book.context_tier
            and charge_days.pricing_unit = price_book.pricing_unit
            and charge_days.price_currency = price_book.currency
            and charge_days.charge_on
            >= coalesce(price_book.effective_from, date '1900-01-01')
            and (
                price_book.effective_to is null
                or charge_days.charge_on < price_book.effective_to
            )
    where charge_days.token_class = 'cached_input'
    group by all
),

family_days as (
    select distinct
        provider,
        model_family,
        price_currency,
        charge_on
    from charge_days
),

candidates as (
    select
        family_days.provider,
        family_days.model_family,
        family_days.price_currency,
        family_days.charge_on,
        family_members.model as candidate_model,
        sum(price_book.unit_price) as blended_unit_price
    from family_days
    inner join family_members
        on
            family_days.provider = family_members.provider
            and family_days.model_family = family_members.model_family
    inner join price_book
        on
            family_members.provider = price_book.provider
            and family_members.model = price_book.model
            and family_days.price_currency = price_book.currency
            and price_book.token_class in ('input', 'output')
            and price_book.service_tier = 'standard'
            and price_book.context_tier = 'standard'
            and family_days.charge_on
            >= coalesce(price_book.effective_from, date '1900-01-01')
            and (
                price_book.effective_to is null
                or family_days.charge_on < price_book.effective_to
            )
    group by 1, 2, 3, 4, 5
    having count(distinct price_book.token_class) = 2
),

cheapest as (
    select
        provider,
        model_family,
        price_currency,
        charge_on,
        candidate_model as cheapest_model
    from candidates
    qualify
        row_number() over (
            partition by provider, model_family, price_currency, charge_on
            -- a model without a price ranks last (DuckDB's order; Spark
            -- sorts nulls first)
            order by blended_unit_price asc nulls last, candidate_model asc
        ) = 1
),

cheapest_prices as (
    select
        {%- for key in price_keys %}
            charge_days.{{ key }},
        {%- endfor %}
        cheapest.cheapest_model,
        min(price_book.unit_price) as cheapest_unit_price
    from charge_days
    inner join cheapest
        on
            charge_days.provider = cheapest.provider
            and charge_days.model_family = cheapest.model_family
            and charge_days.price_currency = cheapest.price_currency
            and charge_days.charge_on = cheapest.charge_on
    left join price_book
        on
            charge_days.provider = price_book.provider
            and cheapest.cheapest_model = price_book.model
            and charge_days.token_class = price_book.token_class
            and charge_days.service_tier = price_book.service_tier
            and charge_days.context_tier = price_book.context_tier
            and charge_days.pricing_unit = price_book.pricing_unit
            and charge_days.price_currency = price_book.currency
            and charge_days.charge_on
            >= coalesce(price_book.effective_from, date '1900-01-01')
            and (
                price_book.effective_to is null
                or charge_days.charge_on < price_book.effective_to
            )
    group by all
),

final as (
    select
        charges.charge_id,
        charges.provider,
        charges.model,
        charges.model_family,
        charges.token_class,
        charges.service_tier,
        charges.context_tier,
        charges.staging_model,
        charges.user_name,
        charges.consumed_unit,
        cheapest_models.model_name as cheapest_model,
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
    from {{ charges }} as charges
    left join input_prices
        on
            charges.provider
            is not distinct from input_prices.provider
            and charges.price_model
            is not distinct from input_prices.model
            and charges.model_family
            is not distinct from input_prices.model_family
            and charges.token_class
            is not distinct from input_prices.token_class
            and charges.service_tier
            is not distinct from input_prices.service_tier
            and charges.context_tier
            is not distinct from input_prices.context_tier
            and charges.pricing_unit
            is not distinct from input_prices.pricing_unit
            and charges.price_currency
            is not distinct from input_prices.price_currency
            and charges.charge_on
            is not distinct from input_prices.charge_on
            and charges.consumed_unit = 'Tokens'
    left join cheapest_prices
        on
            charges.provider
            is not distinct from cheapest_prices.provider
            and charges.price_model
            is not distinct from cheapest_prices.model
            and charges.model_family
            is not distinct from cheapest_prices.model_family
            and charges.token_class
            is not distinct from cheapest_prices.token_class
            and charges.service_tier
            is not distinct from cheapest_prices.service_tier
            and charges.context_tier
            is not distinct from cheapest_prices.context_tier
            and charges.pricing_unit
            is not distinct from cheapest_prices.pricing_unit
            and charges.price_currency
            is not distinct from cheapest_prices.price_currency
            and charges.charge_on
            is not distinct from cheapest_prices.charge_on
            and charges.consumed_unit = 'Tokens'
    left join models as cheapest_models
        on cheapest_prices.cheapest_model = cheapest_models.model
    where charges.model is not null
)

select * from final
