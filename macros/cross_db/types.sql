{#-
    Type names that differ between the engines. Plain `string`, `bigint`,
    `double`, `boolean`, `date` and `decimal(p, s)` are spelt the same on
    DuckDB and Spark and are written as they are.
-#}

{% macro timestamp_type() %}
    {#- An instant in UTC: DuckDB timestamptz, Spark timestamp (session time zone UTC). -#}
    {{- return(adapter.dispatch('timestamp_type', 'ai_finops')()) -}}
{% endmacro %}
{% macro duckdb__timestamp_type() %}{{ return('timestamptz') }}{% endmacro %}
{% macro spark__timestamp_type() %}{{ return('timestamp') }}{% endmacro %}


{% macro string_list_type() %}
    {#- A list of strings: DuckDB varchar[], Spark array<string>. -#}
    {{- return(adapter.dispatch('string_list_type', 'ai_finops')()) -}}
{% endmacro %}
{% macro duckdb__string_list_type() %}{{ return('varchar[]') }}{% endmacro %}
{% macro spark__string_list_type() %}{{ return('array<string>') }}{% endmacro %}


{% macro list_type(element_type) %}
    {#- A list of `element_type`: DuckDB T[], Spark array<T>. -#}
    {{- return(adapter.dispatch('list_type', 'ai_finops')(element_type)) -}}
{% endmacro %}
{% macro duckdb__list_type(element_type) %}{{ return(element_type ~ '[]') }}{% endmacro %}
{% macro spark__list_type(element_type) %}{{ return('array<' ~ element_type ~ '>') }}{% endmacro %}


{% macro int128_type() %}
    {#- A 128-bit integer (sums of 1e-10 money units): DuckDB hugeint, Spark decimal(38, 0). -#}
    {{- return(adapter.dispatch('int128_type', 'ai_finops')()) -}}
{% endmacro %}
{% macro duckdb__int128_type() %}{{ return('hugeint') }}{% endmacro %}
{% macro spark__int128_type() %}{{ return('decimal(38, 0)') }}{% endmacro %}


{% macro view_materialization() %}
    {#-
        The materialization of a model that is a view on DuckDB (computed
        when read, filters reaching its inputs): a Parquet table on Spark,
        where any Parquet reader sees the public tables, a view's text is kept
        in the metastore (Derby: at most 32,700 characters) and every reader
        would compute it again.
    -#}
    {{ return(adapter.dispatch('view_materialization', 'ai_finops')()) }}
{% endmacro %}
{% macro duckdb__view_materialization() %}{{ return('view') }}{% endmacro %}
{% macro spark__view_materialization() %}{{ return('table') }}{% endmacro %}


{% macro whole_number(number) %}
    {#-
        A count as a bigint, or null when `number` (a decimal) is not whole. The engines cast a
        fraction differently (DuckDB rounds 10.5 to 11, Spark truncates it to 10), so a
        fraction is never cast: the row that holds it is rejected, and its count is null.
    -#}
    case when {{ number }} = floor({{ number }}) then cast({{ number }} as bigint) end
{%- endmacro %}
