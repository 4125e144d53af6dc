{#-
    int_raw_records_classified is incremental by export period.

    A raw record is used, rejected or superseded by a newer export of its
    period; which export wins a period depends only on the records of that
    period (staging model x export_period_key). A build therefore
    reclassifies the periods that changed since the last build, read from
    the staging tables and the reload log against a watermark (the newest
    staging loaded_at already classified):
      - the periods of the staging rows loaded since (new files, and files
        overwritten in place);
      - the periods of the classified rows of raw files that left staging
        since (main.raw_file_reload_log: overwritten or removed files),
        since removing an export can hand its periods to an older one.
    The pre-hook lists those periods in a temporary table and deletes their
    rows; the model recomputes them from staging. A first or --full-refresh
    build classifies everything.
-#}

{% macro classification_periods() %}
    {#- The temporary table of the periods this build reclassifies. -#}
    {{ return('int_raw_records_classified__periods') }}
{% endmacro %}


{% macro classification_refresh_pre_hook() %}
    {#-
        Before an incremental build of int_raw_records_classified: list the
        periods to reclassify (classification_periods()) and delete their
        rows.
    -#}
    {%- if execute and is_incremental() -%}
        create or replace temp table {{ classification_periods() }} as
        with

        watermark as (
            select coalesce(max(loaded_at), timestamptz '-infinity') as loaded_at
            from {{ this }}
        ),

        forgotten_files as (
            select distinct source_file
            from main.raw_file_reload_log
            where forgotten_at > (select watermark.loaded_at from watermark)
        ),

        changed as (
            {% for export in raw_export_models() -%}
                select
                    '{{ export.model }}' as staging_model,
                    export_period_key
                from {{ ref(export.model) }}
                where loaded_at > (select watermark.loaded_at from watermark)
                union all
            {% endfor -%}
            select
                staging_model,
                export_period_key
            from {{ this }}
            where source_file in (select source_file from forgotten_files)
        )

        select distinct
            staging_model,
            export_period_key
        from changed;

        delete from {{ this }} as classified
        where exists (
            select 1
            from {{ classification_periods() }} as periods
            where
                periods.staging_model = classified.staging_model
                and periods.export_period_key
                is not distinct from classified.export_period_key
        )
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}


{% macro classification_period_filter(staging_model) %}
    {#-
        On an incremental build, the where clause that keeps the rows of a
        staging model in the periods to reclassify (null period keys
        included when listed); nothing on a full build.
    -#}
    {%- if is_incremental() %}
        where export_period_key in (
            select periods.export_period_key
            from {{ classification_periods() }} as periods
            where periods.staging_model = '{{ staging_model }}'
        )
        or (
            export_period_key is null
            and exists (
                select 1
                from {{ classification_periods() }} as periods
                where
                    periods.staging_model = '{{ staging_model }}'
                    and periods.export_period_key is null
            )
        )
    {%- endif %}
{% endmacro %}
