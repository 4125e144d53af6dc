{% macro check_required_columns(source_name, table_name, required_columns) %}
    {#-
        Stops the build when a CSV export's header lacks a required column.
        Before raising, it appends one row per (file, column) to
        main.raw_schema_drift_log (created by the project's on-run-start hook)
        so that the next build's
        mart_pricing_incidents reports the `schema_drift`.
        Only the files this build reads are checked (raw_file_list()).
        Empty and non-UTF-8 files are left to the staging model's file-level
        rejections.
    -#}
    {%- if execute and model.resource_type != 'unit_test'
        and raw_file_count(source_name, table_name) > 0 -%}
        {%- set required_sql -%}
            [{%- for column in required_columns -%}
                '{{ column }}'{{ "," if not loop.last }}
            {%- endfor -%}]
        {%- endset -%}
        {%- set check_sql -%}
            with files as (
                {{ decoded_files(raw_source(source_name, table_name)) }}
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
        {%- set missing = run_query(check_sql) -%}
        {%- if missing.rows | length > 0 -%}
            {%- set messages = [] -%}
            {%- for row in missing.rows -%}
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
