{{ config(materialized='table') }}

-- The refresh partitions of the priced charges (int_ai_charges_priced,
-- int_cost_export_allocations) and the digest of what each is built from: a
-- charge month's digest covers the raw files with charges in that month
-- (path and landing key: content, modification time, pseudonym key) and the
-- seeds that price them and match them to cost exports; the seat-months
-- ('seats') also depend on every month's charges (seat products a vendor
-- bill invoices, the last day any export covers) and on the current month
-- (open assignments), so their digest covers those too. A partition whose
-- digest changed, appeared or disappeared is rebuilt
-- (macros/incremental/stale_partitions.sql).
with

charge_files as (
    select distinct
        refresh_partition,
        source_file,
        landing_key
    from {{ ref('int_ai_charges_unioned') }}
),

month_digests as (
    select
        refresh_partition,
        md5({{ dbt.listagg(
            "source_file || ':' || landing_key",
            "'|'",
            'order by source_file, landing_key'
        ) }}) as inputs_digest
    from charge_files
    where refresh_partition != 'seats'
    group by 1
),

seats_digests as (
    select
        'seats' as refresh_partition,
        md5(concat_ws(
            '#',
            {{ dbt.listagg(
                "source_file || ':' || landing_key",
                "'|'",
                'order by source_file, landing_key'
            ) }},
            (
                select
                    {{ dbt.listagg(
                        "months.refresh_partition || '=' || months.inputs_digest",
                        "'|'",
                        'order by months.refresh_partition'
                    ) }}
                from month_digests as months
            ),
            {{ format_date('current_date', '%Y-%m') }}
        )) as inputs_digest
    from charge_files
    where refresh_partition = 'seats'
    having count(*) > 0
),

reference as (
    select md5(concat_ws(
        '#',
        {{ content_digest(ref('model_aliases')) }},
        {{ content_digest(ref('models')) }},
        {{ content_digest(ref('price_book')) }},
        {{ content_digest(ref('cost_export_exclusions')) }}
    )) as reference_digest
),

final as (
    select
        partitions.refresh_partition,
        md5(
            partitions.inputs_digest || '#' || reference.reference_digest
        ) as partition_digest
    from (
        select * from month_digests
        union all
        select * from seats_digests
    ) as partitions
    cross join reference
)

select * from final
