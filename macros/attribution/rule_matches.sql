{% macro rule_dimension_values() %}
    {#-
        The five dimensions a matched attribution rule sets (team,
        cost_center, product, environment, agent), each as
        `<dimension>_value`: `{value}` replaced by the matched key's value,
        `{match}` by the regex's first group ('' when it has none; the
        pattern comes from a column: regex_extract_dynamic). Reads the
        candidate's columns key_value, match_value and the rule's dimensions.
    -#}
    {%- for dimension in ['team', 'cost_center', 'product', 'environment',
        'agent'] %}
        replace(
            replace({{ dimension }}, '{value}', key_value),
            '{match}',
            coalesce({{ regex_extract_dynamic('key_value', 'match_value', 1) }}, '')
        ) as {{ dimension }}_value{{ ',' if not loop.last }}
    {%- endfor %}
{% endmacro %}


{% macro rule_matches() %}
    {#-
        Whether a candidate's key value matches its rule: exactly, by SQL
        LIKE pattern or by regex (full match); a null key matches nothing.
    -#}
    key_value is not null
    and case match_type
        when 'exact' then key_value = match_value
        when 'pattern' then key_value like match_value
        when 'regex' then {{ regex_full_match_dynamic('key_value', 'match_value') }}
        else false
    end
{% endmacro %}


{% macro dimensions_by_priority() %}
    {#-
        Per group, each dimension from the matched rule with the lowest
        priority number that sets it, and the first rule's id (min_by: the
        filters leave out null values, which DuckDB's min_by skips and
        Spark's would return; rule ids are never null). Rules of the same
        priority are taken in rule_id order, so that both engines pick the
        same one (priorities are whole numbers from 0).
    -#}
    {%- set rule_order = "lpad(cast(priority as string), 10, '0') || '|' || rule_id" -%}
    {%- for dimension in ['team', 'cost_center', 'product', 'environment',
        'agent'] %}
        min_by({{ dimension }}_value, {{ rule_order }}) filter (
            where {{ dimension }}_value is not null
        ) as {{ dimension }},
    {%- endfor %}
    min_by(rule_id, {{ rule_order }}) as first_rule_id
{% endmacro %}
