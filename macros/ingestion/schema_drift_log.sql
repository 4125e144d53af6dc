{% macro create_schema_drift_log() %}
    {#-
        on-run-start: the table where missing-column failures are logged
        before the build stops (check_required_columns.sql); created once per
        run so that parallel models never race to create it.
    -#}
    {{ return(adapter.dispatch('create_schema_drift_log', 'ai_finops')()) }}
{% endmacro %}


{% macro schema_drift_log() %}
    {#- The relation of that table (the target's schema). -#}
    {{ return(target.schema ~ '.raw_schema_drift_log') }}
{% endmacro %}


{% macro duckdb__create_schema_drift_log() %}
    {{ return('create table if not exists ' ~ schema_drift_log() ~ ' ('
        ~ 'source_name varchar, table_name varchar, source_file varchar, '
        ~ 'missing_column varchar, detected_at timestamptz default current_timestamp)') }}
{% endmacro %}


{% macro spark__create_schema_drift_log() %}
    {{ return('create table if not exists ' ~ schema_drift_log() ~ ' ('
        ~ 'source_name string, table_name string, source_file string, '
        ~ 'missing_column string, detected_at timestamp) using parquet') }}
{% endmacro %}
