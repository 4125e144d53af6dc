{#-
    Seeds on Spark. dbt-spark's session method binds seed values by pasting
    them into the SQL text: a string with an apostrophe breaks the insert,
    an empty cell becomes the text 'None' and every number passes through a
    float. This override (dispatch search order in dbt_project.yml) writes
    each value as a SQL literal instead: null, the number's exact decimal
    text, or a quoted and escaped string.
-#}

{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                (
                {%- for value in row -%}
                    {%- set column_name = agate_table.column_names[loop.index0] -%}
                    {%- set type = column_override.get(
                        column_name, adapter.convert_type(agate_table, loop.index0)) -%}
                    cast({{ seed_literal(value) }} as {{ type }})
                    {{- ', ' if not loop.last }}
                {%- endfor -%}
                ){{ ',' if not loop.last }}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- do statements.append(sql) if loop.first -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}


{% macro seed_literal(value) -%}
    {#- A seed cell as a Spark SQL literal. -#}
    {%- if value is none -%}
        null
    {%- elif value is sameas true or value is sameas false -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        '{{ value }}'
    {%- else -%}
        '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
