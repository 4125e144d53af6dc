{% macro rule_dimension_values() %}
    {#-
        The five dimensions a matched attribution rule sets (team,
        cost_center, product, environment, agent), each as
        `<dimension>_value`: `{value}` replaced by the matched key's value,
        `{match}` by the regex's first group. Reads the candidate's columns
        key_value, match_value and the rule's dimensions.
    -#}
    {%- for dimension in ['team', 'cost_center', 'product', 'environment',
        'agent'] %}
        replace(
            replace({{ dimension }}, '{value}', key_value),
            '{match}',
            coalesce(regexp_extract(key_value, match_value, 1), '')
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
        when 'regex' then regexp_full_match(key_value, match_value)
        else false
    end
{% endmacro %}


{% macro dimensions_by_priority() %}
    {#-
        Per group, each dimension from the matched rule with the lowest
        priority number that sets it, and the first rule's id.
    -#}
    {%- for dimension in ['team', 'cost_center', 'product', 'environment',
        'agent'] %}
        arg_min({{ dimension }}_value, priority) filter (
            where {{ dimension }}_value is not null
        ) as {{ dimension }},
    {%- endfor %}
    arg_min(rule_id, priority) as first_rule_id
{% endmacro %}
