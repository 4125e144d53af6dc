{% macro check_required_columns(source_name, table_name, required_columns, ignore_case=false) %}
    {#-
        Stops the build when a CSV or Parquet file of the staging model's
        export (source `source_name`.`table_name`) lacks a required column (the file's header, from the landing
        manifest stg_raw__files). `required_columns`: names; an entry 'A|B'
        is satisfied by either name. `ignore_case`: compare names
        case-insensitively. Before raising, it appends one row per (file,
        column) to raw_schema_drift_log (schema_drift_log(), created by the project's
        on-run-start hook) so that the next build's mart_pricing_incidents
        reports the `schema_drift` (every column given, detected_at included:
        the insert needs no column default). Files that cannot be read at all
        are left to the staging model's file-level rejections. Skipped at
        parse time and in a dbt unit test.
    -#}
    {%- if execute and model.resource_type != 'unit_test'
        and load_relation(ref('stg_raw__files')) is not none -%}
        {%- set fold = 'lower' if ignore_case else '' -%}
        {%- set alternatives = [] -%}
        {%- for column in required_columns -%}
            {%- set names = [] -%}
            {%- for name in column.split('|') -%}
                {%- do names.append(
                    fold ~ "(" ~ sql_text_literal(name) ~ ")") -%}
            {%- endfor -%}
            {%- do alternatives.append(
                "(" ~ sql_text_literal(column.split('|')[0]) ~ ", "
                ~ list_of(names) ~ ")") -%}
        {%- endfor -%}
        {%- set check_sql -%}
            select manifest.source_file, required.column_name
            from {{ ref('stg_raw__files') }} as manifest
            cross join (
                values {{ alternatives | join(', ') }}
            ) as required (column_name, accepted_names)
            where
                manifest.export_name = '{{ raw_export() }}'
                and manifest.header is not null
                and not {{ list_has_any(
                    list_map('manifest.header', 'h', fold ~ '(h)'),
                    'required.accepted_names'
                ) }}
            order by 1, 2
        {%- endset -%}
        {%- set missing_rows = run_query(check_sql).rows -%}
        {%- if missing_rows | length > 0 -%}
            {%- set messages = [] -%}
            {%- for row in missing_rows -%}
                {%- do run_query(
                    "insert into " ~ schema_drift_log()
                    ~ " (source_name, table_name, source_file, missing_column,"
                    ~ " detected_at)"
                    ~ " values (" ~ sql_text_literal(source_name) ~ ", "
                    ~ sql_text_literal(table_name) ~ ", "
                    ~ sql_text_literal(row[0]) ~ ", "
                    ~ sql_text_literal(row[1]) ~ ", "
                    ~ "cast(current_timestamp as " ~ timestamp_type() ~ "))"
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
