{% test sums_match(
    model, column_name, compare_model, compare_column, group_by=[],
    row_condition=none, compare_row_condition=none, tolerance=0.005) %}
    {{ return(adapter.dispatch('test_sums_match', 'ai_finops')(
        model, column_name, compare_model, compare_column, group_by,
        row_condition, compare_row_condition, tolerance)) }}
{% endtest %}

{% macro default__test_sums_match(
    model, column_name, compare_model, compare_column, group_by,
    row_condition, compare_row_condition, tolerance) %}
    {#-
        Money conservation: groups where sum(column_name) of the model and
        sum(compare_column) of compare_model differ by more than `tolerance`
        (half a cent by default). A group present on one side only fails.
    -#}
    {%- set keys = group_by if group_by else [] -%}
    with left_side as (
        select
            {% for key in keys %}{{ key }}, {% endfor %}
            sum({{ column_name }}) as total
        from {{ model }}
        {% if row_condition %}where {{ row_condition }}{% endif %}
        {% if keys %}group by {{ keys | join(', ') }}{% endif %}
    ),

    right_side as (
        select
            {% for key in keys %}{{ key }}, {% endfor %}
            sum({{ compare_column }}) as total
        from {{ compare_model }}
        {% if compare_row_condition %}where {{ compare_row_condition }}{% endif %}
        {% if keys %}group by {{ keys | join(', ') }}{% endif %}
    )

    select
        {% for key in keys %}
            coalesce(left_side.{{ key }}, right_side.{{ key }}) as {{ key }},
        {% endfor %}
        left_side.total as model_total,
        right_side.total as compare_total
    from left_side
    full outer join right_side
        on true
        {% for key in keys %}
            and left_side.{{ key }} is not distinct from right_side.{{ key }}
        {% endfor %}
    where
        abs(coalesce(left_side.total, 0) - coalesce(right_side.total, 0))
        > {{ tolerance }}
{% endmacro %}
