{#-
    int_scope_spend_forecasted is incremental by day.

    Its row of a scope and day (as of) depends only on that scope's rows of
    int_scope_spend_daily over the 90 days up to that day (usage and
    recurring cost, weekend, observed), which the row itself carries; the
    data's last day, which moves every day, is read by mart_budget_status
    from int_scope_spend_daily, not kept on every row. A build compares each
    scope-day of int_scope_spend_daily with the row the forecast holds for
    it; the window starts at the first scope-day that differs, was added or
    was removed (date 'infinity' when none did). The pre-hook deletes the
    rows from the window on, the model recomputes them from the daily rows
    of the window and the 89 days before it, and the post-hook logs the
    window in main.incremental_refresh_log. A full build (or no table yet)
    has the window date '-infinity'. Changing the forecast's code needs a
    --full-refresh.
-#}

{% macro forecast_window() %}
    {#- The temporary table of this build's window (window_start, read_from_on). -#}
    {{ return(this.identifier ~ '__window') }}
{% endmacro %}


{% macro forecast_trailing_days() %}
    {#- The days before a row's day that its run-rates read (block_2: 61-90 back). -#}
    {{ return(89) }}
{% endmacro %}


{% macro forecast_refresh_pre_hook() %}
    {#- Before a build: the window, and on an incremental build the deletes. -#}
    {%- if execute and model.resource_type != 'unit_test' -%}
        create or replace temp table {{ forecast_window() }} as
        {%- if is_incremental() %}
            with

            daily as (
                select * from {{ ref('int_scope_spend_daily') }}
            ),

            forecast as (
                select * from {{ this }}
            ),

            changed as (
                select coalesce(daily.spend_on, forecast.spend_on) as spend_on
                from daily
                full outer join forecast
                    on
                        daily.scope_type = forecast.scope_type
                        and daily.scope_value = forecast.scope_value
                        and daily.spend_on = forecast.spend_on
                where
                    daily.spend_on is null
                    or forecast.spend_on is null
                    or daily.usage_cost is distinct from forecast.usage_cost
                    or daily.recurring_cost is distinct from forecast.recurring_cost
                    or daily.is_weekend is distinct from forecast.is_weekend
                    or daily.is_observed is distinct from forecast.is_observed
            )

            select
                coalesce(min(spend_on), date 'infinity') as window_start,
                coalesce(
                    min(spend_on) - {{ forecast_trailing_days() }},
                    date 'infinity'
                ) as read_from_on
            from changed;
            delete from {{ this }}
            where spend_on >= (select window_start from {{ forecast_window() }})
        {%- else %}
            select
                date '-infinity' as window_start,
                date '-infinity' as read_from_on
        {%- endif %}
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}


{% macro in_forecast_window(day_column, bound='window_start') %}
    {#-
        True for the rows of `day_column` this build computes (bound
        'window_start') or reads (bound 'read_from_on'); true on a full build
        and in a unit test.
    -#}
    {%- if is_incremental() and model.resource_type != 'unit_test' -%}
        {{ day_column }} >= (select {{ bound }} from {{ forecast_window() }})
    {%- else -%}
        true
    {%- endif -%}
{% endmacro %}


{% macro forecast_refresh_post_hook() %}
    {#- After the build: the window logged. -#}
    {%- if execute and model.resource_type != 'unit_test' -%}
        {{ log_refresh_window('window_start', forecast_window()) }}
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}
