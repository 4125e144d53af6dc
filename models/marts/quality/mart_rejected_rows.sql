with

records as (
    select * from {{ ref('int_raw_records_classified') }}
),

final as (
    select
        source_file,
        source_row,
        reason,
        raw_record,
        staging_model,
        export_name,
        record_status
    from records
    where record_status != 'used'
)

select * from final
