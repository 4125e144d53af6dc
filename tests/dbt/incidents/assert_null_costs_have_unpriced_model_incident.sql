-- No silent zeros, no silent nulls: every fct_ai_costs row with a null
-- billed cost has an unpriced_model incident for its provider and model
-- (the vendor model id, else the SKU or token class, as the detector keys it).
with

charges as (
    select * from {{ ref('fct_ai_costs') }}
),

incidents as (
    select * from {{ ref('mart_pricing_incidents') }}
),

final as (
    select
        charges.charge_id,
        charges.provider,
        charges.model,
        charges.vendor_model_id,
        charges.charge_on
    from charges
    where
        charges.billed_cost is null
        and not exists (
            select 1
            from incidents
            where
                incidents.incident_type = 'unpriced_model'
                and incidents.provider = charges.provider
                and incidents.model is not distinct from charges.model
                and incidents.sku = coalesce(
                    charges.vendor_model_id,
                    charges.vendor_sku,
                    charges.token_class
                )
        )
)

select * from final
