{#- Lists (DuckDB lists, Spark arrays); positions are 1-based on both. -#}

{% macro list_has(list, value) %}
    {{- return(adapter.dispatch('list_has', 'ai_finops')(list, value)) -}}
{% endmacro %}
{% macro duckdb__list_has(list, value) -%}
    list_contains({{ list }}, {{ value }})
{%- endmacro %}
{% macro spark__list_has(list, value) -%}
    array_contains({{ list }}, {{ value }})
{%- endmacro %}


{% macro list_has_any(list, other) %}
    {#- True when the two lists share an element. -#}
    {{- return(adapter.dispatch('list_has_any', 'ai_finops')(list, other)) -}}
{% endmacro %}
{% macro duckdb__list_has_any(list, other) -%}
    list_has_any({{ list }}, {{ other }})
{%- endmacro %}
{% macro spark__list_has_any(list, other) -%}
    coalesce(arrays_overlap({{ list }}, {{ other }}), false)
{%- endmacro %}


{% macro list_index(list, value) %}
    {#- The 1-based position of `value` in `list`, null when absent. -#}
    {{- return(adapter.dispatch('list_index', 'ai_finops')(list, value)) -}}
{% endmacro %}
{% macro duckdb__list_index(list, value) -%}
    list_position({{ list }}, {{ value }})
{%- endmacro %}
{% macro spark__list_index(list, value) -%}
    nullif(array_position({{ list }}, {{ value }}), 0)
{%- endmacro %}


{% macro list_at(list, position) %}
    {#- The element at 1-based `position`, null when out of range. -#}
    {{- return(adapter.dispatch('list_at', 'ai_finops')(list, position)) -}}
{% endmacro %}
{% macro duckdb__list_at(list, position) -%}
    ({{ list }})[{{ position }}]
{%- endmacro %}
{% macro spark__list_at(list, position) -%}
    try_element_at({{ list }}, cast({{ position }} as int))
{%- endmacro %}


{% macro list_length(list) %}
    {{- return(adapter.dispatch('list_length', 'ai_finops')(list)) -}}
{% endmacro %}
{% macro duckdb__list_length(list) -%}
    len({{ list }})
{%- endmacro %}
{% macro spark__list_length(list) -%}
    case when {{ list }} is not null then size({{ list }}) end
{%- endmacro %}


{% macro list_map(list, parameter, body) %}
    {#- `body` (SQL over `parameter`) applied to each element. -#}
    {{- return(adapter.dispatch('list_map', 'ai_finops')(list, parameter, body)) -}}
{% endmacro %}
{% macro duckdb__list_map(list, parameter, body) -%}
    list_transform({{ list }}, lambda {{ parameter }}: {{ body }})
{%- endmacro %}
{% macro spark__list_map(list, parameter, body) -%}
    transform({{ list }}, {{ parameter }} -> {{ body }})
{%- endmacro %}


{% macro list_where(list, parameter, condition) %}
    {#- The elements for which `condition` (SQL over `parameter`) is true. -#}
    {{- return(adapter.dispatch('list_where', 'ai_finops')(list, parameter, condition)) -}}
{% endmacro %}
{% macro duckdb__list_where(list, parameter, condition) -%}
    list_filter({{ list }}, lambda {{ parameter }}: {{ condition }})
{%- endmacro %}
{% macro spark__list_where(list, parameter, condition) -%}
    filter({{ list }}, {{ parameter }} -> {{ condition }})
{%- endmacro %}


{% macro list_total(list, element_type) %}
    {#- The sum of the elements (as `element_type`), null for an empty or null list. -#}
    {{- return(adapter.dispatch('list_total', 'ai_finops')(list, element_type)) -}}
{% endmacro %}
{% macro duckdb__list_total(list, element_type) -%}
    cast(list_sum({{ list }}) as {{ element_type }})
{%- endmacro %}
{% macro spark__list_total(list, element_type) -%}
    case
        when size(filter({{ list }}, element -> element is not null)) > 0
            then aggregate(
                filter({{ list }}, element -> element is not null),
                cast(0 as {{ element_type }}),
                (total, element) -> cast(total + element as {{ element_type }})
            )
    end
{%- endmacro %}


{% macro list_join(list, separator) %}
    {#- The elements joined by `separator` (a SQL string). -#}
    {{- return(adapter.dispatch('list_join', 'ai_finops')(list, separator)) -}}
{% endmacro %}
{% macro duckdb__list_join(list, separator) -%}
    array_to_string({{ list }}, {{ separator }})
{%- endmacro %}
{% macro spark__list_join(list, separator) -%}
    array_join({{ list }}, {{ separator }})
{%- endmacro %}


{% macro split_text(text, separator) %}
    {#- `text` split at each `separator` (a plain Jinja string, not a pattern). -#}
    {{- return(adapter.dispatch('split_text', 'ai_finops')(text, separator)) -}}
{% endmacro %}
{% macro duckdb__split_text(text, separator) -%}
    string_split({{ text }}, '{{ separator | replace("'", "''") }}')
{%- endmacro %}
{% macro spark__split_text(text, separator) -%}
    split({{ text }}, {{ regex_literal(modules.re.escape(separator)) }})
{%- endmacro %}


{% macro list_prepend(value, list) %}
    {{- return(adapter.dispatch('list_prepend', 'ai_finops')(value, list)) -}}
{% endmacro %}
{% macro duckdb__list_prepend(value, list) -%}
    list_prepend({{ value }}, {{ list }})
{%- endmacro %}
{% macro spark__list_prepend(value, list) -%}
    concat(array({{ value }}), coalesce({{ list }}, array()))
{%- endmacro %}


{% macro list_of(values) %}
    {#- A list literal of the SQL expressions in `values` (a Jinja list). -#}
    {{- return(adapter.dispatch('list_of', 'ai_finops')(values)) -}}
{% endmacro %}
{% macro duckdb__list_of(values) -%}
    [{{ values | join(', ') }}]
{%- endmacro %}
{% macro spark__list_of(values) -%}
    array({{ values | join(', ') }})
{%- endmacro %}


{% macro list_agg(expression) %}
    {#- Aggregate: the values of a group as a list, nulls left out, in no set order. -#}
    {{- return(adapter.dispatch('list_agg', 'ai_finops')(expression)) -}}
{% endmacro %}
{% macro duckdb__list_agg(expression) -%}
    list({{ expression }}) filter (where {{ expression }} is not null)
{%- endmacro %}
{% macro spark__list_agg(expression) -%}
    collect_list({{ expression }})
{%- endmacro %}


{% macro unnest_list(list) %}
    {#- In a select list: one row per element of `list` (none for an empty or null list). -#}
    {{- return(adapter.dispatch('unnest_list', 'ai_finops')(list)) -}}
{% endmacro %}
{% macro duckdb__unnest_list(list) -%}
    unnest({{ list }})
{%- endmacro %}
{% macro spark__unnest_list(list) -%}
    explode({{ list }})
{%- endmacro %}


{% macro cross_join_unnest(list, alias, column) %}
    {#- In a from clause: joins each row to one row per element of `list`, as `alias`.`column`. -#}
    {{- return(adapter.dispatch('cross_join_unnest', 'ai_finops')(list, alias, column)) -}}
{% endmacro %}
{% macro duckdb__cross_join_unnest(list, alias, column) -%}
    cross join unnest({{ list }}) as {{ alias }} ({{ column }})
{%- endmacro %}
{% macro spark__cross_join_unnest(list, alias, column) -%}
    lateral view explode({{ list }}) {{ alias }} as {{ column }}
{%- endmacro %}


{% macro day_list(first_day, last_day) %}
    {#- The dates from `first_day` to `last_day`, both included, as a list of dates. -#}
    {{- return(adapter.dispatch('day_list', 'ai_finops')(first_day, last_day)) -}}
{% endmacro %}
{% macro duckdb__day_list(first_day, last_day) -%}
    list_transform(
        generate_series(cast({{ first_day }} as date), cast({{ last_day }} as date), interval 1 day),
        lambda day_at: cast(day_at as date)
    )
{%- endmacro %}
{% macro spark__day_list(first_day, last_day) -%}
    sequence(cast({{ first_day }} as date), cast({{ last_day }} as date), interval 1 day)
{%- endmacro %}


{% macro month_list(first_month, last_month) %}
    {#- The first days of the months from `first_month` to `last_month` (first days), as a list of dates. -#}
    {{- return(adapter.dispatch('month_list', 'ai_finops')(first_month, last_month)) -}}
{% endmacro %}
{% macro duckdb__month_list(first_month, last_month) -%}
    list_transform(
        generate_series(cast({{ first_month }} as date), cast({{ last_month }} as date), interval 1 month),
        lambda month_at: cast(month_at as date)
    )
{%- endmacro %}
{% macro spark__month_list(first_month, last_month) -%}
    sequence(cast({{ first_month }} as date), cast({{ last_month }} as date), interval 1 month)
{%- endmacro %}


{% macro list_slice(list, first, last=none) %}
    {#-
        The elements from 1-based position `first` to `last` (both included;
        to the end without `last`): empty when `last` < `first`, null when a
        bound is null. `first` must be 1 or more.
    -#}
    {{- return(adapter.dispatch('list_slice', 'ai_finops')(list, first, last)) -}}
{% endmacro %}

{% macro duckdb__list_slice(list, first, last) -%}
    ({{ list }})[{{ first }}:{{ last if last is not none else '' }}]
{%- endmacro %}

{% macro spark__list_slice(list, first, last) -%}
    {%- if last is none -%}
        slice({{ list }}, {{ first }}, greatest(size({{ list }}), 0) + 1)
    {%- else -%}
        slice(
            {{ list }}, {{ first }},
            if(
                ({{ last }}) < ({{ first }}), 0,
                ({{ last }}) - ({{ first }}) + 1
            )
        )
    {%- endif -%}
{%- endmacro %}


{% macro text_list(texts) %}
    {#- A list literal of the plain texts in `texts` (a Jinja list), each quoted as a SQL string (list_of()). -#}
    {%- set literals = [] -%}
    {%- for text in texts -%}
        {%- do literals.append("'" ~ (text | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {{- return(list_of(literals)) -}}
{% endmacro %}


{% macro list_positions(list) %}
    {#- The positions 1 .. length of `list` as a list of integers (empty for an empty or null list). -#}
    {{- return(adapter.dispatch('list_positions', 'ai_finops')(list)) -}}
{% endmacro %}

{% macro duckdb__list_positions(list) -%}
    generate_series(1, len({{ list }}))
{%- endmacro %}

{% macro spark__list_positions(list) -%}
    case
        when size({{ list }}) > 0 then sequence(1, size({{ list }}))
        else cast(array() as array<int>)
    end
{%- endmacro %}


{% macro list_median(list, element_type) %}
    {#-
        The median of the non-null elements of a list of `element_type`
        (null when there are none), as DuckDB's median computes it: the
        middle element, or the lower of the two middle elements plus half
        their difference, for a decimal rounded down to its scale (DuckDB
        rounds that half through a double, which differs only beyond 2^53
        units of the last decimal place).
    -#}
    {{- return(adapter.dispatch('list_median', 'ai_finops')(list, element_type)) -}}
{% endmacro %}

{% macro duckdb__list_median(list, element_type) -%}
    list_aggregate({{ list }}, 'median')
{%- endmacro %}

{% macro spark__list_median(list, element_type) -%}
    {%- set decimal = modules.re.match('^ *decimal *[(] *[0-9]+ *, *([0-9]+) *[)] *$', element_type | lower) -%}
    {%- set lower_middle = 'element_at(median_sorted, cast((size(median_sorted) + 1) div 2 as int))' -%}
    {%- set upper_middle = 'element_at(median_sorted, cast(size(median_sorted) div 2 + 1 as int))' -%}
    element_at(
        transform(
            array(array_sort(filter({{ list }}, median_element -> median_element is not null))),
            median_sorted -> case
                when size(median_sorted) > 0
                    then cast(
                        {{ lower_middle }}
                        {%- if decimal %}
                        + floor(({{ upper_middle }} - {{ lower_middle }}) * 0.5, {{ decimal.group(1) }})
                        {%- else %}
                        + ({{ upper_middle }} - {{ lower_middle }}) * 0.5
                        {%- endif %}
                        as {{ element_type }}
                    )
            end
        ),
        1
    )
{%- endmacro %}
