{% macro otel_attribute(attributes_json, key) %}
    {#-
        The value of attribute `key` in an OpenTelemetry attribute list as
        OTLP/JSON writes it (a span's `attributes`, a resource's
        `resource.attributes`): `[{"key": ..., "value": {...}}, ...]`, the
        value an AnyValue holding one of stringValue, intValue (a 64-bit
        integer, written as a decimal string), doubleValue (a JSON number)
        or boolValue. Returns that value as text (`'5200'`, `'0.7'`,
        `'true'`), whichever kind holds it; null when the key is absent,
        when its value is of another kind (arrayValue, kvlistValue,
        bytesValue) or when `attributes_json` is not a JSON array. The first
        attribute of that key wins (OTLP requires keys to be unique).
        `attributes_json`: a SQL expression of JSON (text); `key`: the
        attribute's name, for example 'gen_ai.usage.input_tokens'.
    -#}
    {%- set attributes -%}
        case
            when {{ json_kind(attributes_json) }} = 'ARRAY'
                then {{ json_array_texts(attributes_json) }}
        end
    {%- endset -%}
    {%- set is_key -%}
        {{ json_text('attribute', '$.key') }} = '{{ key | replace("'", "''") }}'
    {%- endset -%}
    {%- set value_text -%}
        coalesce(
            {{ json_text('attribute', '$.value.stringValue') }},
            {{ json_text('attribute', '$.value.intValue') }},
            {{ json_text('attribute', '$.value.doubleValue') }},
            {{ json_text('attribute', '$.value.boolValue') }}
        )
    {%- endset -%}
    {{ list_at(
        list_map(
            list_where(attributes, 'attribute', is_key),
            'attribute', value_text
        ),
        1
    ) }}
{% endmacro %}
