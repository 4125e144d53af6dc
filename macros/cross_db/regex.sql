{#-
    Regular expressions. DuckDB uses RE2, Spark Java's java.util.regex: the
    patterns of this project use the syntax both share ((?i), classes,
    groups, \d, \s). Patterns are given as Jinja strings and rendered as SQL
    literals here, because a backslash is an escape in a Spark string
    literal and not in DuckDB's.
-#}

{% macro regex_literal(pattern) %}
    {#- `pattern` as a SQL string literal for this engine. -#}
    {{- return(adapter.dispatch('regex_literal', 'ai_finops')(pattern)) -}}
{% endmacro %}
{% macro duckdb__regex_literal(pattern) -%}
    '{{ pattern | replace("'", "''") }}'
{%- endmacro %}
{% macro spark__regex_literal(pattern) -%}
    '{{ pattern | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}


{% macro regex_contains(expression, pattern) %}
    {#- True when `pattern` matches somewhere in `expression` (null for null). -#}
    {{- return(adapter.dispatch('regex_contains', 'ai_finops')(expression, pattern)) -}}
{% endmacro %}
{% macro duckdb__regex_contains(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ regex_literal(pattern) }})
{%- endmacro %}
{% macro spark__regex_contains(expression, pattern) -%}
    regexp_like({{ expression }}, {{ regex_literal(pattern) }})
{%- endmacro %}


{% macro regex_full_match(expression, pattern) %}
    {#- True when `pattern` matches the whole of `expression`. -#}
    {{- return(adapter.dispatch('regex_full_match', 'ai_finops')(expression, pattern)) -}}
{% endmacro %}
{% macro duckdb__regex_full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, {{ regex_literal(pattern) }})
{%- endmacro %}
{% macro spark__regex_full_match(expression, pattern) -%}
    regexp_like({{ expression }}, {{ regex_literal('^(?:' ~ pattern ~ ')$') }})
{%- endmacro %}


{% macro regex_extract(expression, pattern, group=0) %}
    {#- Group `group` of the first match, '' when there is none (both engines). -#}
    {{- return(adapter.dispatch('regex_extract', 'ai_finops')(expression, pattern, group)) -}}
{% endmacro %}
{% macro duckdb__regex_extract(expression, pattern, group) -%}
    regexp_extract({{ expression }}, {{ regex_literal(pattern) }}, {{ group }})
{%- endmacro %}
{% macro spark__regex_extract(expression, pattern, group) -%}
    regexp_extract({{ expression }}, {{ regex_literal(pattern) }}, {{ group }})
{%- endmacro %}


{% macro regex_replace_all(expression, pattern, replacement) %}
    {#-
        Every match of `pattern` replaced by `replacement`, in which \1 .. \9
        name groups (DuckDB's spelling; Spark's $1 is written here).
    -#}
    {{- return(adapter.dispatch('regex_replace_all', 'ai_finops')(expression, pattern, replacement)) -}}
{% endmacro %}
{% macro duckdb__regex_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ regex_literal(pattern) }}, {{ regex_literal(replacement) }}, 'g')
{%- endmacro %}
{% macro spark__regex_replace_all(expression, pattern, replacement) -%}
    {%- set java_replacement = modules.re.sub('\\\\([0-9])', '$\\1', replacement) -%}
    regexp_replace({{ expression }}, {{ regex_literal(pattern) }}, {{ regex_literal(java_replacement) }})
{%- endmacro %}


{% macro regex_replace_first(expression, pattern, replacement) %}
    {#- The first match of `pattern` replaced (DuckDB's regexp_replace without 'g'). -#}
    {{- return(adapter.dispatch('regex_replace_first', 'ai_finops')(expression, pattern, replacement)) -}}
{% endmacro %}
{% macro duckdb__regex_replace_first(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ regex_literal(pattern) }}, {{ regex_literal(replacement) }})
{%- endmacro %}
{% macro spark__regex_replace_first(expression, pattern, replacement) -%}
    {#- Spark replaces every match; a pattern anchored with ^ or $ matches once. -#}
    {%- set java_replacement = modules.re.sub('\\\\([0-9])', '$\\1', replacement) -%}
    regexp_replace({{ expression }}, {{ regex_literal(pattern) }}, {{ regex_literal(java_replacement) }})
{%- endmacro %}


{% macro regex_full_match_dynamic(expression, pattern) %}
    {#- As regex_full_match, for a pattern held in a column (`pattern`: a SQL expression, not a literal). -#}
    {{- return(adapter.dispatch('regex_full_match_dynamic', 'ai_finops')(expression, pattern)) -}}
{% endmacro %}

{% macro duckdb__regex_full_match_dynamic(expression, pattern) -%}
    regexp_full_match({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro spark__regex_full_match_dynamic(expression, pattern) -%}
    regexp_like({{ expression }}, concat('^(?:', {{ pattern }}, ')$'))
{%- endmacro %}


{% macro regex_extract_dynamic(expression, pattern, group) %}
    {#-
        As regex_extract, for a pattern held in a column (`pattern`: a SQL
        expression): group `group` of the first match, '' when there is no
        match or the pattern has fewer groups (DuckDB's answer; Spark raises
        an error for a missing group, so empty groups are appended there).
    -#}
    {{- return(adapter.dispatch('regex_extract_dynamic', 'ai_finops')(expression, pattern, group)) -}}
{% endmacro %}

{% macro duckdb__regex_extract_dynamic(expression, pattern, group) -%}
    regexp_extract({{ expression }}, {{ pattern }}, {{ group }})
{%- endmacro %}

{% macro spark__regex_extract_dynamic(expression, pattern, group) -%}
    regexp_extract({{ expression }}, concat('(?:', {{ pattern }}, '){{ "()" * group }}'), {{ group }})
{%- endmacro %}
