-- Vendor model ids are matched case-insensitively: an id written in two cases
-- must name the same canonical model.
with

aliases as (
    select * from {{ ref('model_aliases') }}
),

final as (
    select
        provider,
        lower(vendor_model_id) as vendor_model_key,
        count(distinct model) as canonical_models
    from aliases
    group by 1, 2
    having count(distinct model) > 1
)

select * from final
