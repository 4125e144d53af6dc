{#- Text, hashing and aggregates whose names differ between the engines. -#}

{% macro format_decimal(expression, places) %}
    {#- A number as text with `places` decimals (printf '%.Nf'); null for null. -#}
    {{- return(adapter.dispatch('format_decimal', 'ai_finops')(expression, places)) -}}
{% endmacro %}
{% macro duckdb__format_decimal(expression, places) -%}
    printf('%.{{ places }}f', {{ expression }})
{%- endmacro %}
{% macro spark__format_decimal(expression, places) -%}
    case when {{ expression }} is not null then format_string('%.{{ places }}f', cast({{ expression }} as double)) end
{%- endmacro %}


{% macro row_hash(expression) %}
    {#- A 64-bit hash of a value: for equality and digests inside one engine, never stored for users. -#}
    {{- return(adapter.dispatch('row_hash', 'ai_finops')(expression)) -}}
{% endmacro %}
{% macro duckdb__row_hash(expression) -%}
    hash({{ expression }})
{%- endmacro %}
{% macro spark__row_hash(expression) -%}
    xxhash64({{ expression }})
{%- endmacro %}


{% macro sha256_hex(expression) %}
    {{- return(adapter.dispatch('sha256_hex', 'ai_finops')(expression)) -}}
{% endmacro %}
{% macro duckdb__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}
{% macro spark__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}


{#-
    dbt.listagg() on Spark ignores its order_by_clause; this override
    (dispatch search order in dbt_project.yml) keeps the order, which the
    partition digests depend on. A distinct measure ('distinct x') is the
    sorted set of values (Spark's listagg fails on distinct with an order).
-#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error('listagg with limit_num is not used in this project') }}
    {%- endif -%}
    {%- set distinct = modules.re.match('(?is)^\\s*distinct\\s+(.*)$', measure) -%}
    {%- if distinct -%}
        {%- set value = distinct.group(1) | trim -%}
        {%- if order_by_clause and (order_by_clause | trim | lower) != ('order by ' ~ value) | lower -%}
            {{ exceptions.raise_compiler_error('listagg distinct is ordered by its value only: ' ~ order_by_clause) }}
        {%- endif -%}
        case
            when size(collect_set({{ value }})) > 0
                then array_join(array_sort(collect_set({{ value }})), {{ delimiter_text }})
        end
    {%- else -%}
        string_agg({{ measure }}, {{ delimiter_text }})
        {%- if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
    {%- endif -%}
{%- endmacro %}


{% macro median_absolute_deviation(expression, over=none) %}
    {#-
        Aggregate: the median of the absolute deviations from the median;
        with `over` (a window name or a parenthesised window), the window
        aggregate over it. A number: a double on Spark.
    -#}
    {{- return(adapter.dispatch('median_absolute_deviation', 'ai_finops')(expression, over)) -}}
{% endmacro %}
{% macro duckdb__median_absolute_deviation(expression, over) -%}
    mad({{ expression }}){% if over %} over {{ over }}{% endif %}
{%- endmacro %}
{% macro spark__median_absolute_deviation(expression, over) -%}
    {#-
        An aggregate cannot nest another (nor a window aggregate): the values
        (of the window) are collected into one array, and both medians are
        taken of it with list_median (DuckDB's interpolation), the first
        bound once as mad_center.
    -#}
    element_at(
        transform(
            array(
                transform(
                    collect_list({{ expression }}){% if over %} over {{ over }}{% endif %},
                    mad_value -> cast(mad_value as double)
                )
            ),
            mad_values -> element_at(
                transform(
                    array({{ list_median('mad_values', 'double') }}),
                    mad_center -> {{ list_median(
                        'transform(mad_values, mad_value -> abs(mad_value - mad_center))',
                        'double'
                    ) }}
                ),
                1
            )
        ),
        1
    )
{%- endmacro %}


{% macro integer_divide(dividend, divisor) %}
    {#- Integer division of two integers, truncated toward zero (a bigint, no float rounding). -#}
    {{- return(adapter.dispatch('integer_divide', 'ai_finops')(dividend, divisor)) -}}
{% endmacro %}

{% macro duckdb__integer_divide(dividend, divisor) -%}
    (({{ dividend }}) // ({{ divisor }}))
{%- endmacro %}

{% macro spark__integer_divide(dividend, divisor) -%}
    (({{ dividend }}) div ({{ divisor }}))
{%- endmacro %}


{% macro sql_text_literal(value) %}
    {#- `value` (a Jinja string) as a SQL string literal for this engine (quotes doubled; backslashes escaped on Spark). -#}
    {{- return(adapter.dispatch('sql_text_literal', 'ai_finops')(value)) -}}
{% endmacro %}

{% macro duckdb__sql_text_literal(value) -%}
    '{{ value | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__sql_text_literal(value) -%}
    '{{ value | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}


{% macro all_columns_except(relation, columns) %}
    {#-
        In a select list: every column of `relation` (an alias) but `columns`
        (a Jinja list), in their order. Both engines read `* except`; DuckDB's
        own spelling `* exclude` is rendered there because the linter's
        DuckDB dialect parses only that.
    -#}
    {{- return(adapter.dispatch('all_columns_except', 'ai_finops')(relation, columns)) -}}
{% endmacro %}

{% macro duckdb__all_columns_except(relation, columns) -%}
    {{ relation }}.* exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__all_columns_except(relation, columns) -%}
    {{ relation }}.* except ({{ columns | join(', ') }})
{%- endmacro %}


{% macro window_median(expression, element_type, over) %}
    {#-
        `median(expression) over over` (a named window or a window
        specification in parentheses) for windows with an order or a frame,
        which Spark's median does not take: there, the median of the
        window's values collected into a list (list_median, DuckDB's
        interpolation).
    -#}
    {{- return(adapter.dispatch('window_median', 'ai_finops')(expression, element_type, over)) -}}
{% endmacro %}
{% macro duckdb__window_median(expression, element_type, over) -%}
    median({{ expression }}) over {{ over }}
{%- endmacro %}
{% macro spark__window_median(expression, element_type, over) -%}
    {{ list_median('collect_list(' ~ expression ~ ') over ' ~ over, element_type) }}
{%- endmacro %}
