{% macro raw_source_node(source_name, table_name) %}
    {#- The graph node of a raw-export source (its meta holds the file glob). -#}
    {%- for node in graph.sources.values() -%}
        {%- if node.source_name == source_name and node.name == table_name -%}
            {{ return(node) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        "unknown raw source " ~ source_name ~ "." ~ table_name) }}
{% endmacro %}


{% macro raw_path() %}
    {#- Root folder of the raw exports: $AI_FINOPS_RAW_PATH, default data/sample. -#}
    {{ return(env_var('AI_FINOPS_RAW_PATH', 'data/sample').rstrip('/')) }}
{% endmacro %}


{% macro reporting_currency() %}
    {#- Currency of the *_reporting cost columns: $AI_FINOPS_REPORTING_CURRENCY. -#}
    {{ return(env_var('AI_FINOPS_REPORTING_CURRENCY', 'USD') | upper) }}
{% endmacro %}


{% macro raw_glob(source_name, table_name) %}
    {#- Full file glob of a raw export: raw_path() + the source's meta.raw_glob. -#}
    {%- set node = raw_source_node(source_name, table_name) -%}
    {{ return(raw_path() ~ '/' ~ node.meta.raw_glob) }}
{% endmacro %}


{% macro raw_file_count(source_name, table_name) %}
    {#- How many files this build reads for the export (see raw_file_list()). -#}
    {{ return(raw_file_list(source_name, table_name) | length) }}
{% endmacro %}


{% macro raw_source(source_name, table_name) %}
    {#-
        The raw files of one export that this build reads, as (filename,
        content, size, last_modified), read by DuckDB's read_blob: every file
        on a full build, only the new and changed files on an incremental one
        (raw_file_list()). No file to read gives a typed empty relation
        instead of DuckDB's "no files found". The source() call keeps the
        export in the lineage and under freshness checks. In a dbt unit test
        the source is the test's given rows (and `graph` is not available),
        so the folder is not looked at.
    -#}
    {%- set relation = source(source_name, table_name) -%}
    {%- if model.resource_type == 'unit_test' -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set paths = [] -%}
    {%- for file in raw_file_list(source_name, table_name) -%}
        {%- do paths.append(file.path) -%}
    {%- endfor -%}
    {%- if paths | length > 0 -%}
        read_blob({{ sql_string_list(paths) }})
    {%- else -%}
        (
            select
                cast(null as varchar) as filename,
                cast(null as blob) as content,
                cast(null as bigint) as size,
                cast(null as timestamptz) as last_modified
            where false
        )
    {%- endif -%}
{% endmacro %}


{% macro decoded_files(relation) %}
    {#-
        One row per raw file: the text (null when the bytes are not UTF-8), with a
        leading byte-order mark removed and CRLF line ends folded to LF.
    -#}
    select
        filename as source_file,
        size as file_size_bytes,
        last_modified as file_modified_at,
        replace(
            ltrim(try(decode(content)), chr(65279)),
            chr(13) || chr(10),
            chr(10)
        ) as file_text
    from {{ relation }}
{% endmacro %}


{% macro text_lines(files_cte) %}
    {#- One row per line of each decoded file: (source_file, line_number, line). -#}
    select
        source_file,
        generate_subscripts(string_split(file_text, chr(10)), 1)
            as line_number,
        unnest(string_split(file_text, chr(10))) as line
    from {{ files_cte }}
    where file_text is not null
{% endmacro %}


{% macro csv_split(expression) %}
    {#-
        Splits one CSV line into its fields (RFC 4180 quoting: commas inside quotes,
        "" for a quote). Fields spanning several lines are not supported.
        A comma is prepended so that every field, the first included, is matched
        as `,<field>`: with `(?:^|,)` an empty first field was an empty match,
        after which the regex engine skipped a character and lost the second
        field (`,x,y` gave ['', 'y']).
    -#}
    list_transform(
        regexp_extract_all(
            ',' || ({{ expression }}), ',("(?:[^"]|"")*"|[^,]*)', 1
        ),
        lambda field: case
            when field like '"%"' and length(field) >= 2
                then replace(field[2:-2], '""', '"')
            else field
        end
    )
{% endmacro %}


{% macro csv_records(files_cte) %}
    {#-
        One row per data line of each CSV file (header excluded, blank lines skipped):
        source_file, source_row (1-based data-row number), raw_record (the line),
        header (list of column names), fields (list of values).
    -#}
    with lines as (
        {{ text_lines(files_cte) }}
    ),

    headers as (
        select
            source_file,
            list_transform(
                {{ csv_split('line') }}, lambda column_name: trim(column_name)
            ) as header
        from lines
        where line_number = 1
    )

    select
        lines.source_file,
        lines.line_number - 1 as source_row,
        lines.line as raw_record,
        headers.header,
        {{ csv_split('lines.line') }} as fields
    from lines
    inner join headers on lines.source_file = headers.source_file
    where lines.line_number > 1 and trim(lines.line) != ''
{% endmacro %}


{% macro csv_field(name) %}
    {#- The value of column `name` in a csv_records row, by header position. -#}
    nullif(trim(fields[list_position(header, '{{ name }}')]), '')
{% endmacro %}


{% macro jsonl_records(files_cte) %}
    {#-
        One row per non-blank line of each JSON-lines file: source_file,
        source_row (1-based line number), raw_record (the line), is_valid_json.
    -#}
    select
        source_file,
        line_number as source_row,
        line as raw_record,
        coalesce(json_valid(line), false) as is_valid_json
    from ({{ text_lines(files_cte) }}) as file_lines
    where trim(line) != ''
{% endmacro %}


{% macro load_timestamp() %}
    {#-
        The start time of this dbt invocation as a timestamptz literal: stamped
        on every row an incremental model (re)writes (staging's loaded_at, the
        cost chain's refreshed_at).
    -#}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}+00' as timestamptz)
{% endmacro %}
