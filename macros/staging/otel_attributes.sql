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
        `attributes_json`: a SQL expression of type JSON; `key`: the
        attribute's name, for example 'gen_ai.usage.input_tokens'.
    -#}
    list_filter(
        json_extract_string(
            list_filter(
                case
                    when json_type({{ attributes_json }}) = 'ARRAY'
                        then cast({{ attributes_json }} as json[])
                end,
                lambda attribute: json_extract_string(attribute, '$.key')
                = '{{ key | replace("'", "''") }}'
            )[1],
            [
                '$.value.stringValue', '$.value.intValue',
                '$.value.doubleValue', '$.value.boolValue'
            ]
        ),
        lambda value_text: value_text is not null
    )[1]
{% endmacro %}
