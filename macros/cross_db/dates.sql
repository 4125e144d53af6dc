{#-
    Dates and instants. Instants are UTC (DuckDB timestamptz with TimeZone
    UTC, Spark timestamp with spark.sql.session.timeZone UTC). Date formats
    are written with strftime's codes (%Y %m %d %H %M %S) and rendered as
    each engine spells them.
-#}

{% macro format_date(expression, format) %}
    {#- A date or instant (UTC) as text in `format`. -#}
    {{- return(adapter.dispatch('format_date', 'ai_finops')(expression, format)) -}}
{% endmacro %}
{% macro duckdb__format_date(expression, format) -%}
    strftime({{ expression }}, '{{ format }}')
{%- endmacro %}
{% macro spark__format_date(expression, format) -%}
    date_format({{ expression }}, '{{ java_date_format(format) }}')
{%- endmacro %}


{% macro java_date_format(format) -%}
    {#- strftime codes → Java DateTimeFormatter letters (literal text quoted). -#}
    {%- set codes = {'%Y': 'yyyy', '%m': 'MM', '%d': 'dd', '%H': 'HH', '%M': 'mm', '%S': 'ss'} -%}
    {%- set parts = modules.re.split('(%[A-Za-z])', format) -%}
    {%- for part in parts -%}
        {%- if part in codes -%}{{ codes[part] }}
        {%- elif part != '' and modules.re.match('^[-/: ]+$', part) -%}{{ part }}
        {%- elif part != '' -%}''{{ part }}''
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}


{% macro parse_timestamp(text, format) %}
    {#- `text` read as an instant in `format` (strftime codes, UTC); null when it does not match. -#}
    {{- return(adapter.dispatch('parse_timestamp', 'ai_finops')(text, format)) -}}
{% endmacro %}
{% macro duckdb__parse_timestamp(text, format) -%}
    cast(try_strptime({{ text }}, '{{ format }}') as timestamptz)
{%- endmacro %}
{% macro spark__parse_timestamp(text, format) -%}
    try_to_timestamp({{ text }}, '{{ java_date_format(format) }}')
{%- endmacro %}


{% macro utc_date(instant) %}
    {#- The UTC calendar day of an instant. -#}
    {{- return(adapter.dispatch('utc_date', 'ai_finops')(instant)) -}}
{% endmacro %}
{% macro duckdb__utc_date(instant) -%}
    cast(({{ instant }}) at time zone 'UTC' as date)
{%- endmacro %}
{% macro spark__utc_date(instant) -%}
    to_date({{ instant }})
{%- endmacro %}


{% macro utc_timestamp(local_timestamp) %}
    {#- A timestamp without time zone, read as UTC, as an instant. -#}
    {{- return(adapter.dispatch('utc_timestamp', 'ai_finops')(local_timestamp)) -}}
{% endmacro %}
{% macro duckdb__utc_timestamp(local_timestamp) -%}
    timezone('UTC', {{ local_timestamp }})
{%- endmacro %}
{% macro spark__utc_timestamp(local_timestamp) -%}
    cast({{ local_timestamp }} as timestamp)
{%- endmacro %}


{% macro epoch_seconds_to_timestamp(seconds) %}
    {#- Seconds since 1970-01-01 UTC as an instant. -#}
    {{- return(adapter.dispatch('epoch_seconds_to_timestamp', 'ai_finops')(seconds)) -}}
{% endmacro %}
{% macro duckdb__epoch_seconds_to_timestamp(seconds) -%}
    to_timestamp({{ seconds }})
{%- endmacro %}
{% macro spark__epoch_seconds_to_timestamp(seconds) -%}
    timestamp_seconds({{ seconds }})
{%- endmacro %}


{% macro epoch_micros_to_timestamp(micros) %}
    {#- Microseconds since 1970-01-01 UTC as an instant. -#}
    {{- return(adapter.dispatch('epoch_micros_to_timestamp', 'ai_finops')(micros)) -}}
{% endmacro %}
{% macro duckdb__epoch_micros_to_timestamp(micros) -%}
    timezone('UTC', make_timestamp({{ micros }}))
{%- endmacro %}
{% macro spark__epoch_micros_to_timestamp(micros) -%}
    timestamp_micros({{ micros }})
{%- endmacro %}


{% macro epoch_seconds(instant) %}
    {#- Seconds since 1970-01-01 UTC (a double, with the fraction). -#}
    {{- return(adapter.dispatch('epoch_seconds', 'ai_finops')(instant)) -}}
{% endmacro %}
{% macro duckdb__epoch_seconds(instant) -%}
    epoch({{ instant }})
{%- endmacro %}
{% macro spark__epoch_seconds(instant) -%}
    (unix_micros({{ instant }}) / 1000000.0)
{%- endmacro %}


{% macro day_of_week(day) %}
    {#- 0 = Sunday .. 6 = Saturday (DuckDB's dayofweek). -#}
    {{- return(adapter.dispatch('day_of_week', 'ai_finops')(day)) -}}
{% endmacro %}
{% macro duckdb__day_of_week(day) -%}
    dayofweek({{ day }})
{%- endmacro %}
{% macro spark__day_of_week(day) -%}
    (dayofweek({{ day }}) - 1)
{%- endmacro %}


{% macro month_start(day) %}
    {#- The first day of the month of a date or instant, as a date. -#}
    {{- return(adapter.dispatch('month_start', 'ai_finops')(day)) -}}
{% endmacro %}
{% macro duckdb__month_start(day) -%}
    cast(date_trunc('month', {{ day }}) as date)
{%- endmacro %}
{% macro spark__month_start(day) -%}
    trunc({{ day }}, 'MM')
{%- endmacro %}


{% macro epoch_millis_to_timestamp(millis) %}
    {#- Milliseconds since 1970-01-01 UTC as an instant; null when out of the engine's range. -#}
    {{- return(adapter.dispatch('epoch_millis_to_timestamp', 'ai_finops')(millis)) -}}
{% endmacro %}

{% macro duckdb__epoch_millis_to_timestamp(millis) -%}
    try(epoch_ms({{ millis }}) at time zone 'UTC')
{%- endmacro %}

{% macro spark__epoch_millis_to_timestamp(millis) -%}
    {#- DuckDB's range; timestamp_millis fails beyond the 64-bit microseconds. -#}
    case
        when {{ millis }} between -9223372036854775 and 9223372036854775
            then timestamp_millis({{ millis }})
    end
{%- endmacro %}
