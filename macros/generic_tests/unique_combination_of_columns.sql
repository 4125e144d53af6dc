{% test unique_combination_of_columns(model, combination_of_columns) %}
    {{ return(adapter.dispatch(
        'test_unique_combination_of_columns', 'ai_finops')(
        model, combination_of_columns)) }}
{% endtest %}

{% macro default__test_unique_combination_of_columns(
    model, combination_of_columns) %}
    {#- Rows whose key (the listed columns together) appears more than once. -#}
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as n_records
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endmacro %}
