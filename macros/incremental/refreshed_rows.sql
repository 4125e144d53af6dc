{#-
    Data tests of the incremental tables check the rows their last build
    recomputed.

    A refresh rewrites a window of a chain model (refresh_window.sql), the
    months of a month-incremental model (monthly_refresh.sql) and the days of
    the forecast (forecast_refresh.sql); every other row
    is the one that the tests of an earlier, published build passed. So a
    generic data test on one of these tables reads only the rows of the
    model's last refresh window (main.incremental_refresh_log): all of them
    after a full build, none when nothing changed. The rows outside the window
    are unchanged, so a test that checks rows one at a time (not_null,
    accepted_values, expression_is_true, relationships from this table) loses
    nothing; a uniqueness test still finds every duplicate within the window,
    which is where a refresh that re-inserts rows without deleting them puts
    them (the chain's keys name a raw file's row, whose export period the
    window covers whole). The singular tests of the chargeback filter their
    inputs the same way (refreshed_months_condition()).

    `dbt build --vars '{test_whole_tables: true}'` (or `dbt test` with it)
    tests every row of every table.
-#}

{% macro get_where_subquery(relation) -%}
    {#-
        dbt's hook for a generic test's `model` argument: the test's `where`
        config, and for an incremental table the rows of its last refresh.
    -#}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}{%- do conditions.append('(' ~ where ~ ')') -%}{%- endif -%}
    {%- set refreshed = refreshed_rows_condition(relation) -%}
    {%- if refreshed -%}{%- do conditions.append(refreshed) -%}{%- endif -%}
    {%- if conditions | length == 0 -%}
        {%- do return(relation) -%}
    {%- endif -%}
    {%- set filtered -%}
        (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
    {%- endset -%}
    {%- do return(filtered) -%}
{%- endmacro %}


{% macro last_refresh_window_start(model_name) %}
    {#-
        The first day (a DuckDB date literal) of the last refresh window
        logged by `model_name`: date '-infinity' after a full build or when
        none is logged, date 'infinity' when the last build changed nothing.
    -#}
    {%- set logged = run_query(
        "select count(*) from information_schema.tables"
        " where table_catalog = current_database()"
        " and table_schema || '.' || table_name = '" ~ refresh_log() ~ "'") -%}
    {%- if logged.columns[0].values()[0] == 0 -%}
        {#- compiled outside a build (a linter): no on-run-start ran -#}
        {{ return("date '-infinity'") }}
    {%- endif -%}
    {%- set result = run_query(
        "select coalesce(max_by(cast(window_start as varchar), refreshed_at),"
        " '-infinity') from " ~ refresh_log()
        ~ " where model_name = '" ~ model_name ~ "'") -%}
    {{ return("date '" ~ result.columns[0].values()[0] ~ "'") }}
{% endmacro %}


{% macro refreshed_rows_condition(relation) %}
    {#-
        A condition on the rows of `relation` that its last build recomputed,
        or '' when the relation is tested whole (not an incremental table,
        the whole history was rebuilt, or var test_whole_tables).
    -#}
    {%- if not execute or var('test_whole_tables', false)
        or relation.identifier is not defined -%}
        {{ return('') }}
    {%- endif -%}
    {%- set name = relation.identifier -%}
    {%- set chain = refresh_chain() -%}
    {%- set windowed = windowed_models() -%}
    {%- if name in chain -%}
        {%- set window_start = last_refresh_window_start(name) -%}
        {%- if window_start == "date '-infinity'" -%}{{ return('') }}{%- endif -%}
        {{ return(in_refresh_window(window_start, columns_of=name)) }}
    {%- elif name in windowed -%}
        {%- set condition = refreshed_since_condition(name, windowed[name]) -%}
        {{ return('' if condition == 'true' else condition) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}


{% macro windowed_models() %}
    {#-
        The incremental models outside the cost chain that log a window, with
        the column it bounds: the month-incremental chargeback
        (monthly_refresh.sql, its first recomputed month) and the forecast
        (forecast_refresh.sql).
    -#}
    {{ return({
        'int_ai_costs_charged_back': 'billing_period_start_on',
        'int_ai_costs_shared': 'billing_period_start_on',
        'int_scope_spend_forecasted': 'spend_on',
    }) }}
{% endmacro %}


{% macro refreshed_since_condition(model_name, column) %}
    {#-
        `column` >= the start of the last window logged by `model_name`
        ('true' after a full build or with var test_whole_tables).
    -#}
    {%- if not execute or var('test_whole_tables', false) -%}
        {{ return('true') }}
    {%- endif -%}
    {%- set window_start = last_refresh_window_start(model_name) -%}
    {%- if window_start == "date '-infinity'" -%}{{ return('true') }}{%- endif -%}
    {{ return(column ~ ' >= ' ~ window_start) }}
{% endmacro %}


{% macro refreshed_months_condition(model_name) %}
    {#-
        The months from the first one that the last build of month-incremental
        `model_name` recomputed, on billing_period_start_on. The singular
        tests of the chargeback filter each of their inputs with it: the rows
        of a charge, its pool and its lines share one month.
    -#}
    {{ return(refreshed_since_condition(model_name, 'billing_period_start_on')) }}
{% endmacro %}
