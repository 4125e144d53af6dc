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


{% macro raw_source(source_name, table_name) %}
    {#-
        The raw files of one export that this rendering of the model reads,
        as (filename, content, size, last_modified), read by DuckDB's
        read_blob: the export's share of the current batch of files to load
        (raw_file_list(); every file on a full build, only the new and
        changed ones on an incremental one, a batch at a time). No file to read gives a typed empty relation
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


{% macro decoded_files(relation, format='text', items_key=none, nested_key=none) %}
    {#-
        One row per raw file: the text (null when the bytes are not UTF-8), with a
        leading byte-order mark removed and CRLF line ends folded to LF, and
        `file_problem`, why the file cannot be read at all (null when it can;
        raw_file_problem(): not UTF-8, empty, and for `format` 'json' not
        valid JSON or without its `items_key` array, or an entry whose
        `nested_key` is not an array). Computed once per file here, for
        file_rejections() and the readers of the file's records.
    -#}
    select
        source_file,
        file_size_bytes,
        file_modified_at,
        file_text,
        {{ raw_file_problem('file_text', format, items_key, nested_key) }}
            as file_problem
    from (
        select
            *,
            {{ page_entry_types('file_text', format, items_key, nested_key) }}
                as page_entry_types
        from (
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
        ) as decoded
    ) as typed
{% endmacro %}


{% macro text_lines(files_cte) %}
    {#-
        One row per line of each decoded file: (source_file, line_number, line).
        The file is split once into a list, then unnested with its positions:
        an unnest over the split expression itself re-evaluates the split
        for every chunk it emits (seconds for a 64 MB file).
    -#}
    select
        source_file,
        generate_subscripts(lines, 1) as line_number,
        unnest(lines) as line
    from (
        select
            source_file,
            string_split(file_text, chr(10)) as lines
        from {{ files_cte }}
        where file_text is not null
    ) as split_files
{% endmacro %}


{% macro csv_split(expression) %}
    {#-
        Splits one CSV line into its fields (RFC 4180 quoting: commas inside quotes,
        "" for a quote). Fields spanning several lines are not supported.
        Three paths, one result: a line without quotes is split on commas; a
        well-formed quoted line (quotes only around whole fields, checked by
        one linear full match) is split at the commas outside quotes (the
        parts 1, 3, 5, ... of a split on '"', paired with their 0-based
        position by list_zip), then each quoted field is unquoted;
        anything else (a stray quote inside a field) goes through the
        general pattern, where an unquoted field keeps its quote characters.
        The general pattern prepends a comma so that every field, the first
        included, is matched as `,<field>`: with `(?:^|,)` an empty first
        field was an empty match, after which the regex engine skipped a
        character and lost the second field (`,x,y` gave ['', 'y']).
    -#}
    {%- set unquote -%}
        lambda field: case
            when field like '"%"' and length(field) >= 2
                then replace(field[2:-2], '""', '"')
            else field
        end
    {%- endset -%}
    case
        when not contains(({{ expression }}), '"')
            then string_split(({{ expression }}), ',')
        when regexp_full_match(
            ({{ expression }}),
            '(?:"(?:[^"]|"")*"|[^,"]*)(?:,(?:"(?:[^"]|"")*"|[^,"]*))*'
        )
            then list_transform(
                string_split(
                    array_to_string(
                        list_transform(
                            list_zip(
                                string_split(({{ expression }}), '"'),
                                range(len(
                                    string_split(({{ expression }}), '"')
                                ))
                            ),
                            lambda part: case
                                when part[2] % 2 = 0
                                    then replace(part[1], ',', chr(31))
                                else part[1]
                            end
                        ),
                        '"'
                    ),
                    chr(31)
                ),
                {{ unquote }}
            )
        else list_transform(
            regexp_extract_all(
                ',' || ({{ expression }}), ',("(?:[^"]|"")*"|[^,]*)', 1
            ),
            {{ unquote }}
        )
    end
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
