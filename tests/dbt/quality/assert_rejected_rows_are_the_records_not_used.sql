-- mart_rejected_rows lists every raw record that was not used, once: the
-- rejected and superseded records of int_raw_records_classified, no more,
-- no fewer (row conservation within the warehouse; the count against the raw
-- files themselves is the Great Expectations checkpoint's raw_landing_rows).
with

rejected as (
    select * from {{ ref('mart_rejected_rows') }}
),

classified as (
    select * from {{ ref('int_raw_records_classified') }}
),

not_used as (
    select
        source_file,
        source_row
    from classified
    where record_status != 'used'
),

final as (
    select
        coalesce(rejected.source_file, not_used.source_file) as source_file,
        coalesce(rejected.source_row, not_used.source_row) as source_row,
        rejected.source_file is null as is_missing_from_mart,
        not_used.source_file is null as is_not_a_rejected_record
    from rejected
    full outer join not_used
        on
            rejected.source_file = not_used.source_file
            and rejected.source_row = not_used.source_row
)

select * from final
where is_missing_from_mart or is_not_a_rejected_record
