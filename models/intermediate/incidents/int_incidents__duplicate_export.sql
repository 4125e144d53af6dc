{#-
    duplicate_export: an export landed more than once. Two kinds:
      byte-identical files  two or more files of one export folder with the
                            same md5 (stg_raw__files): counted once, the
                            newest export kept;
      restated periods      records superseded by a newer export of the same
                            period (int_raw_records_classified) whose content
                            differs from the newer export's: the vendor
                            restated them. A period that the newer export
                            repeats unchanged is only a re-export, not a
                            restatement.
    Snapshot exports (seats/, period 'snapshot') are replaced by each newer
    snapshot by design and are not restatements.
    Files, periods and record counts are in evidence. The window is the
    periods covered; a file that holds a single period (a monthly bill)
    covers that whole month. started_on is the first period covered
    (identical files) or the first restated period.
-#}
with

files as (
    select
        *,
        {{ export_id('source_file') }} as export_id
    from {{ ref('stg_raw__files') }}
),

records as (
    select * from {{ ref('int_raw_records_classified') }}
),

export_periods as (
    select
        export_name,
        export_id,
        export_period_key,
        {{ period_key_on('export_period_key') }} as period_on,
        -- the multiset of the period's records: an order-free sum of
        -- 64-bit hashes and the count (no sort of the records' text, which
        -- at 10M records does not fit in memory)
        cast(sum(record_hash) as string) || ':' || count(*) as period_digest,
        {{ dbt.listagg(
            'distinct ' ~ regex_extract('source_file', '[^/]+$'), "', '"
        ) }} as file_names,
        count(*) as record_count,
        count(*) filter (where record_status = 'superseded')
            as superseded_count
    from records
    group by 1, 2, 3
),

period_spans as (
    -- an export that holds a single period (a monthly bill) covers the
    -- whole month of it
    select
        *,
        case
            when count(*) over (partition by export_name, export_id) = 1
                then last_day(period_on)
            else period_on
        end as period_end_on
    from export_periods
),

file_windows as (
    select
        files.source_file,
        min(period_spans.period_on) as first_period_on,
        max(period_spans.period_end_on) as last_period_on
    from files
    inner join period_spans
        on
            files.export_name = period_spans.export_name
            and files.export_id = period_spans.export_id
    group by 1
),

identical_groups as (
    select
        files.export_name,
        files.file_md5,
        count(*) as file_count,
        {{ dbt.listagg(
            regex_extract('files.source_file', '[^/]+$'),
            "', '",
            'order by files.export_id nulls last, files.source_file nulls last'
        ) }} as file_names,
        max(files.export_id) as kept_export_id,
        min(file_windows.first_period_on) as first_period_on,
        max(file_windows.last_period_on) as last_period_on,
        min(files.file_modified_at) as first_landed_at
    from files
    left join file_windows
        on files.source_file = file_windows.source_file
    group by 1, 2
    having count(*) > 1
),

winners as (
    select
        export_name,
        export_period_key,
        max(export_id) as winner_export_id,
        max_by(period_digest, export_id) as winner_digest
    from export_periods
    group by 1, 2
),

restated_periods as (
    select
        period_spans.export_name,
        period_spans.export_id,
        period_spans.file_names,
        winners.winner_export_id,
        period_spans.export_period_key,
        period_spans.period_on,
        period_spans.period_end_on,
        period_spans.period_digest,
        period_spans.superseded_count
    from period_spans
    inner join winners
        on
            period_spans.export_name = winners.export_name
            and period_spans.export_period_key = winners.export_period_key
    where
        period_spans.superseded_count > 0
        and period_spans.period_digest != winners.winner_digest
        -- a snapshot export (seats/) replaces the previous snapshot by
        -- design: a newer snapshot is its cadence, not a restatement
        and period_spans.export_period_key != 'snapshot'
),

superseded_exports as (
    select
        export_name,
        export_id,
        winner_export_id,
        any_value(file_names) as file_names,
        md5(
            {{ dbt.listagg(
                "export_period_key || '=' || period_digest",
                "','",
                'order by export_period_key nulls last'
            ) }}
        ) as restated_digest,
        min(period_on) as first_period_on,
        max(period_end_on) as last_period_on,
        count(*) as period_count,
        sum(superseded_count) as superseded_records
    from restated_periods
    group by 1, 2, 3
),

restatements as (
    -- byte-identical copies of one superseded export are one restatement
    select
        export_name,
        winner_export_id,
        restated_digest,
        min(export_id) as export_id,
        {{ dbt.listagg('export_id', "', '", 'order by export_id nulls last') }}
            as export_ids,
        {{ dbt.listagg('file_names', "', '", 'order by export_id nulls last') }}
            as file_names,
        min(first_period_on) as first_period_on,
        max(last_period_on) as last_period_on,
        max(period_count) as period_count,
        max(superseded_records) as superseded_records
    from superseded_exports
    group by 1, 2, 3
),

identical_incidents as (
    select
        {{ export_provider('export_name') }} as provider,
        export_name as sku,
        export_name || ':identical:' || file_md5 as incident_key,
        file_count || ' byte-identical files in ' || export_name || ': '
        || file_names || ' (md5 ' || file_md5 || '); counted once, '
        || 'export ' || kept_export_id || ' kept' as evidence,
        coalesce(first_period_on, cast(first_landed_at as date))
            as started_on,
        coalesce(last_period_on, cast(first_landed_at as date))
            as window_end_on
    from identical_groups
),

restatement_incidents as (
    select
        {{ export_provider('export_name') }} as provider,
        export_name as sku,
        export_name || ':restated:' || export_id || '>' || winner_export_id
            as incident_key,
        period_count || ' period(s) of ' || export_name || ' from '
        || coalesce({{ format_date('first_period_on', '%Y-%m-%d') }}, '?')
        || ' restated: ' || superseded_records || ' record(s) of '
        || file_names || ' (export ' || export_ids
        || ') superseded by export ' || winner_export_id as evidence,
        first_period_on as started_on,
        last_period_on as window_end_on
    from restatements
),

final as (
    select
        'duplicate_export' as incident_type,
        provider,
        cast(null as string) as model,  -- noqa: RF04
        sku,
        'int_incidents__duplicate_export' as detected_by,
        incident_key,
        evidence,
        cast(null as double) as magnitude,
        started_on,
        started_on as window_start_on,
        window_end_on
    from identical_incidents
    union all
    select
        'duplicate_export' as incident_type,
        provider,
        cast(null as string) as model,  -- noqa: RF04
        sku,
        'int_incidents__duplicate_export' as detected_by,
        incident_key,
        evidence,
        cast(null as double) as magnitude,
        started_on,
        started_on as window_start_on,
        window_end_on
    from restatement_incidents
)

select * from final
