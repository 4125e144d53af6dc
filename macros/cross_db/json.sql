{#-
    JSON fields of landed records. Paths are JSONPath as both engines read
    it: '$.a.b', '$.a[0]'; a key with other characters is written
    '$."key name"' and rendered as each engine spells it.
-#}

{% macro json_text(expression, path) %}
    {#- The text of the value at `path` (JSON text for an object or array); null when absent or JSON null. -#}
    {{- return(adapter.dispatch('json_text', 'ai_finops')(expression, path)) -}}
{% endmacro %}
{% macro duckdb__json_text(expression, path) -%}
    json_extract_string({{ expression }}, '{{ path | replace("'", "''") }}')
{%- endmacro %}
{% macro spark__json_text(expression, path) -%}
    get_json_object({{ expression }}, {{ spark_json_path(path) }})
{%- endmacro %}


{% macro json_value(expression, path) %}
    {#- The JSON value at `path`, to read further with the json_* macros (DuckDB json, Spark its JSON text). -#}
    {{- return(adapter.dispatch('json_value', 'ai_finops')(expression, path)) -}}
{% endmacro %}
{% macro duckdb__json_value(expression, path) -%}
    json_extract({{ expression }}, '{{ path | replace("'", "''") }}')
{%- endmacro %}
{% macro spark__json_value(expression, path) -%}
    {#-
        get_json_object gives a string value's content unquoted ('agent:x' for "agent:x"),
        which json_kind cannot tell from a number, a boolean or invalid JSON: a string is
        written back as JSON text (quoted and escaped), as DuckDB's json_extract gives it.
    -#}
    case
        when
            schema_of_variant(
                try_variant_get(try_parse_json({{ expression }}), {{ spark_json_path(path) }})
            ) = 'STRING'
            then to_json(
                try_variant_get(try_parse_json({{ expression }}), {{ spark_json_path(path) }})
            )
        else get_json_object({{ expression }}, {{ spark_json_path(path) }})
    end
{%- endmacro %}


{% macro spark_json_path(path) -%}
    {#- '$."a b".c' → '$['a b'].c' as a Spark string literal. -#}
    {%- set bracketed = modules.re.sub('\\."([^"]*)"', "['\\1']", path) -%}
    '{{ bracketed | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}


{% macro json_is_valid(expression) %}
    {#- True when `expression` is valid JSON text, false when not, null for null. -#}
    {{- return(adapter.dispatch('json_is_valid', 'ai_finops')(expression)) -}}
{% endmacro %}
{% macro duckdb__json_is_valid(expression) -%}
    json_valid({{ expression }})
{%- endmacro %}
{% macro spark__json_is_valid(expression) -%}
    case when {{ expression }} is not null then try_parse_json({{ expression }}) is not null end
{%- endmacro %}


{% macro json_kind(expression) %}
    {#-
        The JSON type of a JSON value, in DuckDB's names: 'OBJECT', 'ARRAY',
        'VARCHAR', 'BIGINT', 'UBIGINT', 'DOUBLE', 'BOOLEAN', 'NULL'; null for
        SQL null. Spark says 'BIGINT' for every integer and 'DOUBLE' for
        every other number.
    -#}
    {{- return(adapter.dispatch('json_kind', 'ai_finops')(expression)) -}}
{% endmacro %}
{% macro duckdb__json_kind(expression) -%}
    json_type({{ expression }})
{%- endmacro %}
{% macro spark__json_kind(expression) -%}
    case
        when {{ expression }} is null then null
        else case regexp_extract(schema_of_variant(try_parse_json({{ expression }})), '^[A-Z]+', 0)
            when 'OBJECT' then 'OBJECT'
            when 'ARRAY' then 'ARRAY'
            when 'STRING' then 'VARCHAR'
            when 'BIGINT' then 'BIGINT'
            when 'INT' then 'BIGINT'
            when 'SMALLINT' then 'BIGINT'
            when 'TINYINT' then 'BIGINT'
            when 'BOOLEAN' then 'BOOLEAN'
            when 'VOID' then 'NULL'
            when 'DECIMAL' then 'DOUBLE'
            when 'DOUBLE' then 'DOUBLE'
            when 'FLOAT' then 'DOUBLE'
        end
    end
{%- endmacro %}


{% macro json_has(expression, path) %}
    {#- True when `path` exists in the JSON value (a JSON null counts as present on DuckDB only). -#}
    {{- return(adapter.dispatch('json_has', 'ai_finops')(expression, path)) -}}
{% endmacro %}
{% macro duckdb__json_has(expression, path) -%}
    json_exists({{ expression }}, '{{ path | replace("'", "''") }}')
{%- endmacro %}
{% macro spark__json_has(expression, path) -%}
    (get_json_object({{ expression }}, {{ spark_json_path(path) }}) is not null)
{%- endmacro %}


{% macro json_array_texts(expression) %}
    {#- The elements of a JSON array as a list of their JSON texts (an element that is a string keeps its quotes on DuckDB only: read fields with json_text). -#}
    {{- return(adapter.dispatch('json_array_texts', 'ai_finops')(expression)) -}}
{% endmacro %}
{% macro duckdb__json_array_texts(expression) -%}
    cast(cast({{ expression }} as json[]) as varchar[])
{%- endmacro %}
{% macro spark__json_array_texts(expression) -%}
    from_json({{ expression }}, 'array<string>')
{%- endmacro %}


{#-
    Cross-engine macros of the vendor staging models (OpenAI, Anthropic,
    Cursor, seats, activity, gateway, LiteLLM) that the other files of
    macros/cross_db/ do not cover.
-#}

{% macro json_from_text(text) %}
    {#- Valid JSON text as a JSON value to read with the json_* macros (DuckDB json; Spark keeps the text). -#}
    {{- return(adapter.dispatch('json_from_text', 'ai_finops')(text)) -}}
{% endmacro %}

{% macro duckdb__json_from_text(text) -%}
    cast({{ text }} as json)
{%- endmacro %}

{% macro spark__json_from_text(text) -%}
    {{ text }}
{%- endmacro %}


{% macro json_array_strings(expression) %}
    {#-
        The elements of a JSON array as a list of texts: a string without
        its quotes, another value as its JSON text, JSON null as null; an
        empty list for JSON that is not an array, null for SQL null.
    -#}
    {{- return(adapter.dispatch('json_array_strings', 'ai_finops')(expression)) -}}
{% endmacro %}

{% macro duckdb__json_array_strings(expression) -%}
    json_extract_string({{ expression }}, '$[*]')
{%- endmacro %}

{% macro spark__json_array_strings(expression) -%}
    case
        when {{ json_kind(expression) }} = 'ARRAY'
            then from_json({{ expression }}, 'array<string>')
        when {{ expression }} is not null then cast(array() as array<string>)
    end
{%- endmacro %}


{#-
    JSON, list and arithmetic constructs of the vendor staging models (AWS,
    Azure, GCP, GitHub Copilot, Langfuse, OpenTelemetry) that the other
    cross_db macros do not cover.
-#}

{% macro json_compact(expression) %}
    {#- The JSON text of a valid JSON value, minified (DuckDB's json(): key order, repeated keys and number text kept). -#}
    {{- return(adapter.dispatch('json_compact', 'ai_finops')(expression)) -}}
{% endmacro %}

{% macro duckdb__json_compact(expression) -%}
    cast(json({{ expression }}) as varchar)
{%- endmacro %}

{% macro spark__json_compact(expression) -%}
    {#- get_json_object(x, '$') copies the value through Jackson (minified, numbers normalised), but writes a string at the root without its quotes. -#}
    case
        when {{ regex_contains(expression, '^\s*"') }}
            then {{ json_quote("get_json_object(" ~ expression ~ ", '$')") }}
        else get_json_object({{ expression }}, '$')
    end
{%- endmacro %}


{% macro json_quote(text) %}
    {#- A text as a JSON string literal (quoted and escaped); null for null. -#}
    {{- return(adapter.dispatch('json_quote', 'ai_finops')(text)) -}}
{% endmacro %}

{% macro duckdb__json_quote(text) -%}
    to_json({{ text }})
{%- endmacro %}

{% macro spark__json_quote(text) -%}
    case
        when {{ text }} is not null
            then substr(
                to_json(array({{ text }})), 2,
                length(to_json(array({{ text }}))) - 2
            )
    end
{%- endmacro %}


{% macro json_object_entries(expression) %}
    {#-
        The entries of a JSON object as a list of structs (key, value), in
        the object's order, a JSON null value as null; null when the value is
        not an object or repeats a key. Read a value with json_entry_text().
    -#}
    {{- return(adapter.dispatch('json_object_entries', 'ai_finops')(expression)) -}}
{% endmacro %}

{% macro duckdb__json_object_entries(expression) -%}
    map_entries(try_cast({{ expression }} as map (varchar, json)))
{%- endmacro %}

{% macro spark__json_object_entries(expression) -%}
    {#- from_json keeps a repeated key of a map<string, ...> (values: a string unquoted, other values their JSON text). -#}
    case
        when
            size(array_distinct(map_keys(
                from_json({{ expression }}, 'map<string,string>')
            )))
            = size(from_json({{ expression }}, 'map<string,string>'))
            then map_entries(from_json({{ expression }}, 'map<string,string>'))
    end
{%- endmacro %}


{% macro json_entry_text(value) %}
    {#- The text of an entry value of json_object_entries() (a string unquoted, another value its JSON text). -#}
    {{- return(adapter.dispatch('json_entry_text', 'ai_finops')(value)) -}}
{% endmacro %}

{% macro duckdb__json_entry_text(value) -%}
    json_extract_string({{ value }}, '$')
{%- endmacro %}

{% macro spark__json_entry_text(value) -%}
    {{ value }}
{%- endmacro %}


{% macro json_array_kinds(expression) %}
    {#- The json_kind() of each element of a JSON array, as a list. -#}
    {{- return(adapter.dispatch('json_array_kinds', 'ai_finops')(expression)) -}}
{% endmacro %}

{% macro duckdb__json_array_kinds(expression) -%}
    list_transform(
        cast({{ expression }} as json[]), lambda element: json_type(element)
    )
{%- endmacro %}

{% macro spark__json_array_kinds(expression) -%}
    transform(
        from_json({{ expression }}, 'array<variant>'),
        element -> {{ json_kind('to_json(element)') }}
    )
{%- endmacro %}


{% macro json_string_list(expression) %}
    {#- A JSON array of strings as a list of its strings (unquoted). -#}
    {{- return(adapter.dispatch('json_string_list', 'ai_finops')(expression)) -}}
{% endmacro %}

{% macro duckdb__json_string_list(expression) -%}
    try_cast({{ expression }} as varchar[])
{%- endmacro %}

{% macro spark__json_string_list(expression) -%}
    from_json({{ expression }}, 'array<string>')
{%- endmacro %}


{% macro json_text_of_key(expression, key) %}
    {#- The text of the top-level member named by `key` (a SQL string expression) of a JSON object, as json_text reads it. -#}
    {{- return(adapter.dispatch('json_text_of_key', 'ai_finops')(expression, key)) -}}
{% endmacro %}

{% macro duckdb__json_text_of_key(expression, key) -%}
    json_extract_string({{ expression }}, '$."' || {{ key }} || '"')
{%- endmacro %}

{% macro spark__json_text_of_key(expression, key) -%}
    get_json_object({{ expression }}, '$[''' || {{ key }} || ''']')
{%- endmacro %}


{% macro json_record_text(fields) %}
    {#-
        The JSON text of an object of named SQL expressions, nulls kept as
        JSON null: `fields` is a list of (name, expression) pairs. For digests
        inside one engine (the texts may differ between engines).
    -#}
    {{- return(adapter.dispatch('json_record_text', 'ai_finops')(fields)) -}}
{% endmacro %}

{% macro duckdb__json_record_text(fields) -%}
    to_json(struct_pack(
        {%- for name, expression in fields %}
        {{ name }} := {{ expression }}{{ ',' if not loop.last }}
        {%- endfor %}
    ))
{%- endmacro %}

{% macro spark__json_record_text(fields) -%}
    to_json(
        named_struct(
            {%- for name, expression in fields %}
            '{{ name }}', {{ expression }}{{ ',' if not loop.last }}
            {%- endfor %}
        ),
        map('ignoreNullFields', 'false')
    )
{%- endmacro %}


{% macro json_object_text(pairs) %}
    {#- A JSON object of `pairs`, as compact text in their order; a null value is written null. -#}
    {{- return(adapter.dispatch('json_object_text', 'ai_finops')(pairs)) -}}
{% endmacro %}

{% macro duckdb__json_object_text(pairs) -%}
    cast(json_object(
        {%- for key, value in pairs %}
        '{{ key | replace("'", "''") }}', {{ value }}{{ "," if not loop.last }}
        {%- endfor %}
    ) as varchar)
{%- endmacro %}

{% macro spark__json_object_text(pairs) -%}
    to_json(
        named_struct(
            {%- for key, value in pairs %}
            '{{ key | replace("\\", "\\\\") | replace("'", "\\'") }}', {{ value }}{{ "," if not loop.last }}
            {%- endfor %}
        ),
        map('ignoreNullFields', 'false')
    )
{%- endmacro %}


{% macro json_object_with(json_object, pairs) %}
    {#-
        The JSON object text `json_object` with the keys of `pairs` set (a
        JSON merge patch, RFC 7386), as compact text: its other keys first in
        their order, then `pairs` in order; a null value removes its key.
        Spark reads the object's values as text: exact for flat objects of
        strings (vendor tags and labels), and `pairs` must be text.
    -#}
    {{- return(adapter.dispatch('json_object_with', 'ai_finops')(json_object, pairs)) -}}
{% endmacro %}

{% macro duckdb__json_object_with(json_object, pairs) -%}
    cast(json_merge_patch(
        {{ json_object }},
        json_object(
            {%- for key, value in pairs %}
            '{{ key | replace("'", "''") }}', {{ value }}{{ "," if not loop.last }}
            {%- endfor %}
        )
    ) as varchar)
{%- endmacro %}

{% macro spark__json_object_with(json_object, pairs) -%}
    {%- set keys = [] -%}
    {%- for key, value in pairs -%}
        {%- do keys.append("'" ~ (key | replace("\\", "\\\\") | replace("'", "\\'")) ~ "'") -%}
    {%- endfor -%}
    to_json(
        map_filter(
            map_concat(
                map_filter(
                    coalesce(
                        from_json({{ json_object }}, 'map<string, string>'),
                        cast(map() as map<string, string>)
                    ),
                    (entry_key, entry_value) -> not array_contains(array({{ keys | join(', ') }}), entry_key)
                ),
                map(
                    {%- for key, value in pairs %}
                    {{ keys[loop.index0] }}, {{ value }}{{ "," if not loop.last }}
                    {%- endfor %}
                )
            ),
            (entry_key, entry_value) -> entry_value is not null
                or not array_contains(array({{ keys | join(', ') }}), entry_key)
        )
    )
{%- endmacro %}
