{% test expression_is_true(model, expression, row_condition=none) %}
    {{ return(adapter.dispatch('test_expression_is_true', 'ai_finops')(
        model, expression, row_condition)) }}
{% endtest %}

{% macro default__test_expression_is_true(model, expression, row_condition) %}
    {#- Rows where `expression` is false or null (optionally within a filter). -#}
    select * from {{ model }}
    where
        not coalesce({{ expression }}, false)
        {% if row_condition %} and ({{ row_condition }}) {% endif %}
{% endmacro %}
