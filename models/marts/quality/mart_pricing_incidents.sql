{#-
    One row per detected incident, from the detectors of
    models/intermediate/incidents (one model per incident type). The
    severity is the one of the type's `pricing_incident` test
    (incident_types()); incident_id is stable: the md5 of the type, the
    detector's natural key and the first day.
-#}
{%- set detectors = [
    'tokenizer_shift',
    'unit_price_change',
    'new_billing_unit',
    'unpriced_model',
    'reconciliation_gap',
    'spend_spike',
    'duplicate_export',
    'schema_drift',
] -%}

with

tokenizer_shift as (
    select * from {{ ref('int_incidents__tokenizer_shift') }}
),

unit_price_change as (
    select * from {{ ref('int_incidents__unit_price_change') }}
),

new_billing_unit as (
    select * from {{ ref('int_incidents__new_billing_unit') }}
),

unpriced_model as (
    select * from {{ ref('int_incidents__unpriced_model') }}
),

reconciliation_gap as (
    select * from {{ ref('int_incidents__reconciliation_gap') }}
),

spend_spike as (
    select * from {{ ref('int_incidents__spend_spike') }}
),

duplicate_export as (
    select * from {{ ref('int_incidents__duplicate_export') }}
),

schema_drift as (
    select * from {{ ref('int_incidents__schema_drift') }}
),

unioned as (
    {%- for detector in detectors %}
        select
            incident_type,
            provider,
            model,
            sku,
            detected_by,
            incident_key,
            evidence,
            magnitude,
            started_on,
            window_start_on,
            window_end_on
        from {{ detector }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

final as (
    select
        cast(
            md5(
                incident_type || '|' || incident_key || '|'
                || coalesce({{ format_date('started_on', '%Y-%m-%d') }}, '')
            ) as string
        ) as incident_id,
        cast(incident_type as string) as incident_type,
        cast(provider as string) as provider,
        cast(model as string) as model,  -- noqa: RF04
        cast(sku as string) as sku,
        cast({{ incident_severity('incident_type') }} as string) as severity,
        cast(detected_by as string) as detected_by,
        cast(incident_key as string) as incident_key,
        cast(evidence as string) as evidence,
        cast(magnitude as double) as magnitude,
        cast(started_on as date) as started_on,
        cast(window_start_on as date) as window_start_on,
        cast(window_end_on as date) as window_end_on
    from unioned
)

select * from final
