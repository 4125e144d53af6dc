{{ config(materialized='table') }}

with

unioned as (
    {% for export in raw_export_models() %}
        select
            '{{ export.model }}' as staging_model,
            '{{ export.export }}' as export_name,
            source_file,
            source_row,
            raw_record,
            rejected_reason,
            export_period_key,
            file_modified_at
        from {{ ref(export.model) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

stamped as (
    select
        *,
        {{ export_id('source_file') }} as export_id,
        max({{ export_id('source_file') }}) over (
            partition by staging_model, export_period_key
        ) as period_winner_export_id
    from unioned
),

final as (
    select
        staging_model,
        export_name,
        source_file,
        source_row,
        raw_record,
        export_period_key,
        export_id,
        case
            when rejected_reason is not null then 'rejected'
            when export_id != period_winner_export_id then 'superseded'
            else 'used'
        end as record_status,
        case
            when rejected_reason is not null then rejected_reason
            when export_id != period_winner_export_id
                then
                    'superseded by newer export '
                    || period_winner_export_id
                    || ' for period '
                    || export_period_key
        end as reason,
        file_modified_at
    from stamped
)

select * from final
