{% test accepted_range(
    model, column_name, min_value=none, max_value=none, inclusive=true,
    row_condition=none) %}
    {{ return(adapter.dispatch('test_accepted_range', 'ai_finops')(
        model, column_name, min_value, max_value, inclusive, row_condition)) }}
{% endtest %}

{% macro default__test_accepted_range(
    model, column_name, min_value, max_value, inclusive, row_condition) %}
    {#- Rows whose value lies outside [min_value, max_value]; nulls pass. -#}
    {%- set lower = ">=" if inclusive else ">" -%}
    {%- set upper = "<=" if inclusive else "<" -%}
    select * from {{ model }}
    where
        {{ column_name }} is not null
        {% if row_condition %} and ({{ row_condition }}) {% endif %}
        and not (
            true
            {% if min_value is not none %}
                and {{ column_name }} {{ lower }} {{ min_value }}
            {% endif %}
            {% if max_value is not none %}
                and {{ column_name }} {{ upper }} {{ max_value }}
            {% endif %}
        )
{% endmacro %}
