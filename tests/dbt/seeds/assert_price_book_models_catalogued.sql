-- Every model (or SKU) the price book prices has a row in seed models, no
-- two catalogued models share a vendor_model_key(), and each model's
-- developer spelling (model_name) has its id's key: every price-book model
-- is reachable from its vendors' identifiers, and none ambiguously.
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
        {{ vendor_model_key('model') }} as model,  -- noqa: RF04
        'several models share this key' as problem
    from models
    group by 1
    having count(*) > 1
),

misnamed as (
    select
        model,
        'model_name ' || model_name || ' does not name this model' as problem
    from models
    where
        {{ vendor_model_key('model_name') }}
        != {{ vendor_model_key('model') }}
),

final as (
    select * from uncatalogued
    union all
    select * from ambiguous
    union all
    select * from misnamed
)

select * from final
