{% test not_overlapping_ranges(
    model, lower_bound_column, upper_bound_column, partition_by) %}
    {{ return(adapter.dispatch('test_not_overlapping_ranges', 'ai_finops')(
        model, lower_bound_column, upper_bound_column, partition_by)) }}
{% endtest %}

{% macro default__test_not_overlapping_ranges(
    model, lower_bound_column, upper_bound_column, partition_by) %}
    {#-
        Pairs of rows of the same partition whose half-open ranges
        [lower, upper) overlap; a null upper bound means open-ended.
    -#}
    with ranges as (
        select
            {{ partition_by | join(', ') }},
            {{ lower_bound_column }} as lower_bound,
            coalesce(
                {{ upper_bound_column }}, cast('9999-12-31' as date)
            ) as upper_bound,
            -- any order: an id per row (Spark numbers ordered rows only)
            row_number() over (
                order by
                    {% for column in partition_by %}{{ column }}, {% endfor %}
                    {{ lower_bound_column }}
            ) as range_id
        from {{ model }}
    )

    select
        {% for column in partition_by %}left_range.{{ column }}, {% endfor %}
        left_range.lower_bound,
        left_range.upper_bound,
        right_range.lower_bound as other_lower_bound,
        right_range.upper_bound as other_upper_bound
    from ranges as left_range
    inner join ranges as right_range
        on
            left_range.range_id < right_range.range_id
            {% for column in partition_by %}
                and left_range.{{ column }}
                is not distinct from right_range.{{ column }}
            {% endfor %}
            and left_range.lower_bound < right_range.upper_bound
            and right_range.lower_bound < left_range.upper_bound
{% endmacro %}
