{{ config(materialized='table') }}

-- Every model identifier a vendor's charges or the gateway and tracing logs
-- (int_gateway_requests) name, once per provider, with the canonical model
-- it resolves to: the seed
-- model_aliases where it lists the identifier (matched case-insensitively),
-- else the rule of vendor_model_key() against seed models (case, dots,
-- dated snapshots, Bedrock prefixes, older word orders). An identifier
-- neither reaches keeps a null model: its charges keep their vendor cost,
-- and int_incidents__unpriced_model names it once. Resolved here once per
-- identifier, not per charge row. model is the developer's spelling that
-- people see (gpt-4.1); model_key the canonical id the price book uses
-- (gpt-4-1).
with

charges as (
    select * from {{ ref('int_ai_charges_unioned') }}
),

gateway_requests as (
    select * from {{ ref('int_gateway_requests') }}
),

aliases as (
    select * from {{ ref('model_aliases') }}
),

models as (
    select * from {{ ref('models') }}
),

vendor_ids as (
    select distinct
        provider,
        vendor_model_id
    from charges
    where vendor_model_id is not null
    union
    select distinct
        provider,
        vendor_model_id
    from gateway_requests
    where provider is not null and vendor_model_id is not null
),

model_keys as (
    select
        *,
        {{ vendor_model_key('model') }} as model_key
    from models
),

resolved as (
    select
        vendor_ids.provider,
        vendor_ids.vendor_model_id,
        aliases.model as alias_model,
        keyed.model as rule_model
    from vendor_ids
    left join aliases
        on
            vendor_ids.provider = aliases.provider
            and lower(vendor_ids.vendor_model_id)
            = lower(aliases.vendor_model_id)
    left join model_keys as keyed
        on
            {{ vendor_model_key('vendor_ids.vendor_model_id') }}
            = keyed.model_key
),

final as (
    select
        resolved.provider,
        resolved.vendor_model_id,
        models.model as model_key,
        models.model_name as model,  -- noqa: RF04
        models.model_family,
        models.model_developer,
        models.model_version,
        case
            when resolved.alias_model is not null then 'alias'
            when resolved.rule_model is not null then 'rule'
        end as resolved_by
    from resolved
    left join models
        on coalesce(resolved.alias_model, resolved.rule_model) = models.model
)

select * from final
