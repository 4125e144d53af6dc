{{ config(materialized=view_materialization()) }}

-- Every raw record of every staging model with its status: used, rejected
-- or superseded (an older export of a period a newer export restates).
-- A view over the staging tables: mart_rejected_rows keeps the records that
-- are not used, int_incidents__duplicate_export the digests of each period.

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

-- the newest export of each period, found over the distinct (file, period)
-- pairs: a window over the records would hold all their text at once
file_periods as (
    {% for export in raw_export_models() %}
        select distinct
            '{{ export.model }}' as staging_model,
            source_file,
            export_period_key
        from {{ ref(export.model) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

stamped_files as (
    select
        *,
        {{ export_id('source_file') }} as export_id,
        max({{ export_id('source_file') }}) over (
            partition by staging_model, export_period_key
        ) as period_winner_export_id
    from file_periods
),

stamped as (
    select
        unioned.*,
        stamped_files.export_id,
        stamped_files.period_winner_export_id
    from unioned
    inner join stamped_files
        on
            unioned.staging_model = stamped_files.staging_model
            and unioned.source_file = stamped_files.source_file
            and unioned.export_period_key
            is not distinct from stamped_files.export_period_key
),

statused as (
    select
        *,
        case
            when rejected_reason is not null then 'rejected'
            when export_id != period_winner_export_id then 'superseded'
            else 'used'
        end as record_status
    from stamped
),

-- the text of the records that are not used (mart_rejected_rows) and a hash
-- of every record (to compare the content of a period between exports,
-- int_incidents__duplicate_export)
final as (
    select
        staging_model,
        export_name,
        source_file,
        source_row,
        case when record_status != 'used' then raw_record end as raw_record,
        {{ row_hash("coalesce(raw_record, '')") }} as record_hash,
        export_period_key,
        export_id,
        record_status,
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
    from statused
)

select * from final
