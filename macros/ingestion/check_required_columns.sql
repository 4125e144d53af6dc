{% macro check_required_columns(source_name, table_name, required_columns) %}
    {#-
        Stops the build when a CSV export's header lacks a required column.
        Before raising, it appends one row per (file, column) to
        main.raw_schema_drift_log (created by the project's on-run-start hook)
        so that the next build's
        mart_pricing_incidents reports the `schema_drift`.
        Every file this build loads is checked before the first batch is
        read (raw_files_to_check()), a batch of files per query.
        Empty and non-UTF-8 files are left to the staging model's file-level
        rejections.
    -#}
    {%- set files_to_check = raw_files_to_check(source_name, table_name) -%}
    {%- if files_to_check | length > 0 -%}
        {%- set required_sql -%}
            [{%- for column in required_columns -%}
                '{{ column }}'{{ "," if not loop.last }}
            {%- endfor -%}]
        {%- endset -%}
        {%- set missing_rows = [] -%}
        {%- for chunk in raw_file_chunks(files_to_check) -%}
            {%- set paths = raw_file_paths(chunk) -%}
            {%- set check_sql -%}
                with files as (
                    {{ decoded_files(
                        'read_blob(' ~ sql_string_list(paths) ~ ')') }}
                ),

                headers as (
                    select
                        source_file,
                        {{ csv_split("split_part(file_text, chr(10), 1)") }}
                            as header
                    from files
                    where trim(coalesce(file_text, '')) != ''
                )

                select
                    source_file,
                    unnest(
                        list_filter(
                            {{ required_sql }},
                            lambda column_name: not list_contains(
                                list_transform(header, lambda h: trim(h)),
                                column_name
                            )
                        )
                    ) as missing_column
                from headers
                order by 1, 2
            {%- endset -%}
            {%- do missing_rows.extend(run_query(check_sql).rows) -%}
        {%- endfor -%}
        {%- if missing_rows | length > 0 -%}
            {%- set messages = [] -%}
            {%- for row in missing_rows -%}
                {%- do run_query(
                    "insert into main.raw_schema_drift_log"
                    ~ " (source_name, table_name, source_file, missing_column)"
                    ~ " values ('" ~ source_name ~ "', '" ~ table_name ~ "', '"
                    ~ (row[0] | replace("'", "''")) ~ "', '"
                    ~ (row[1] | replace("'", "''")) ~ "')"
                ) -%}
                {%- do messages.append(
                    row[0] ~ " is missing required column '" ~ row[1] ~ "'") -%}
            {%- endfor -%}
            {{ exceptions.raise_compiler_error(
                "schema_drift in " ~ source_name ~ "." ~ table_name ~ ": "
                ~ (messages | join("; "))) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}


{% macro raw_files_to_check(source_name, table_name) %}
    {#-
        The files of an export whose headers a staging model checks: every
        file the build loads (all its batches), when the model's SQL is
        compiled; none while load_raw_file_batches() renders it again for a
        further batch, nor in a dbt unit test.
    -#}
    {%- if not execute or model.resource_type == 'unit_test'
        or model.get('raw_file_batch') is not none -%}
        {{ return([]) }}
    {%- endif -%}
    {{ return(pending_raw_files(
        source_name, table_name, this if is_incremental() else none)) }}
{% endmacro %}
