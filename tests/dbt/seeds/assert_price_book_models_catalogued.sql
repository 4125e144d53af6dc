-- Every model (or SKU) the price book prices has a row in seed models, and
-- no two catalogued models share a vendor_model_key(): every price-book
-- model is reachable from its vendors' identifiers, and none ambiguously.
with

price_book as (
    select * from {{ ref('price_book') }}
),

models as (
    select * from {{ ref('models') }}
),

uncatalogued as (
    select distinct
        price_book.model,
        'priced but not in seed models' as problem
    from price_book
    left join models
        on price_book.model = models.model
    where models.model is null
),

ambiguous as (
    select
        {{ vendor_model_key('model') }} as model,
        'several models share this key' as problem
    from models
    group by 1
    having count(*) > 1
),

final as (
    select * from uncatalogued
    union all
    select * from ambiguous
)

select * from final
