{#-
    schema_drift: a raw export whose header lost a required column. The
    build that met it stopped in staging (check_required_columns()), after
    logging each (file, missing column) to main.raw_schema_drift_log; every
    later build reports it here. One incident per export and missing column,
    dated by its first log entry, with the files in evidence. A warehouse
    that never logged a drift has no log table: the model is then empty.
-#}
{%- set drift_log = schema_drift_log_relation() -%}

with

drift_log as (
    {%- if drift_log is not none %}
        select
            source_name,
            table_name,
            source_file,
            missing_column,
            detected_at
        from {{ drift_log }}
    {%- else %}
        select
            cast(null as string) as source_name,
            cast(null as string) as table_name,
            cast(null as string) as source_file,
            cast(null as string) as missing_column,
            cast(null as {{ timestamp_type() }}) as detected_at
        where false
    {%- endif %}
),

grouped as (
    select
        source_name,
        table_name,
        missing_column,
        cast(min(detected_at) as date) as first_detected_on,
        cast(max(detected_at) as date) as last_detected_on,
        count(distinct source_file) as file_count,
        {{ dbt.listagg(
            'distinct ' ~ regex_extract('source_file', '[^/]+$'), "', '"
        ) }} as file_names
    from drift_log
    group by 1, 2, 3
),

final as (
    select
        'schema_drift' as incident_type,
        {{ export_provider('source_name') }} as provider,
        cast(null as string) as model,  -- noqa: RF04
        source_name || '.' || table_name as sku,
        'int_incidents__schema_drift' as detected_by,
        source_name || '.' || table_name || ':' || missing_column
            as incident_key,
        'required column ''' || missing_column || ''' missing from '
        || file_count || ' file(s) of ' || source_name || '.' || table_name
        || ': ' || file_names || ' (build stopped; logged in '
        || 'main.raw_schema_drift_log)' as evidence,
        cast(null as double) as magnitude,
        first_detected_on as started_on,
        first_detected_on as window_start_on,
        last_detected_on as window_end_on
    from grouped
)

select * from final
