{% macro raw_file_list(source_name, table_name) %}
    {#-
        The files of an export that this rendering of a staging model reads,
        as a list of {path, size}, in name order: the export's share of the
        current raw-file batch (raw_file_batch()). Empty for an absent folder,
        at parse time, and in a dbt unit test (no `graph`).
    -#}
    {{ return(raw_file_batch().get(source_name ~ '.' ~ table_name, [])) }}
{% endmacro %}


{% macro pending_raw_files(source_name, table_name, loaded=none) %}
    {#-
        The files of an export that a staging build has to read, as a list
        of {path, size}, in name order: every file matching the export's glob,
        or, given the staging table `loaded`, only the files it has not
        loaded yet or that changed since (a path and modification time not
        among its rows' source_file and file_modified_at). read_blob reads
        only file metadata here. Empty for an absent folder, at parse time
        and in a dbt unit test.
    -#}
    {%- set files = [] -%}
    {%- if execute and model.resource_type != 'unit_test' -%}
        {%- set pattern = raw_glob(source_name, table_name) -%}
        {%- set present = run_query(
            "select count(*) from glob('" ~ pattern ~ "')") -%}
        {%- if present.columns[0].values()[0] | int > 0 -%}
            {%- set list_sql -%}
                select filename, size
                from read_blob('{{ pattern }}') as raw_file
                {%- if loaded is not none %}
                    where not exists (
                        select 1
                        from {{ loaded }} as loaded
                        where
                            loaded.source_file = raw_file.filename
                            and loaded.file_modified_at
                            = raw_file.last_modified
                    )
                {%- endif %}
                order by filename
            {%- endset -%}
            {%- for row in run_query(list_sql).rows -%}
                {%- do files.append({'path': row[0], 'size': row[1]}) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(files) }}
{% endmacro %}


{% macro raw_files_present(sources) %}
    {#-
        Every file matching the globs of `sources` (a list of
        [source_name, table_name]) right now, loaded or not, as a DuckDB list
        literal of paths.
    -#}
    {%- set paths = [] -%}
    {%- for source_name, table_name in sources -%}
        {%- set pattern = raw_glob(source_name, table_name) -%}
        {%- for row in run_query(
            "select file from glob('" ~ pattern ~ "')").rows -%}
            {%- do paths.append(row[0]) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(sql_string_list(paths)) }}
{% endmacro %}


{% macro forget_raw_files() %}
    {#-
        Pre-hook of the staging models on an incremental build: deletes the
        rows of the raw files that are about to be read again (new
        modification time) and of the files no longer in the export folders,
        and records those file names in main.raw_file_reload_log so that the
        incremental cost chain recomputes the days their old rows covered.
    -#}
    {%- if execute and is_incremental() -%}
        {%- set reloaded = [] -%}
        {%- for source_name, table_name in model.sources -%}
            {%- for file in pending_raw_files(
                source_name, table_name, this) -%}
                {%- do reloaded.append(file.path) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- set forgotten -%}
            list_contains({{ sql_string_list(reloaded) }}, source_file)
            or not list_contains(
                {{ raw_files_present(model.sources) }}, source_file
            )
        {%- endset -%}
        insert into main.raw_file_reload_log
            (model_name, source_file, forgotten_at)
        select distinct
            '{{ this.identifier }}',
            source_file,
            {{ load_timestamp() }}
        from {{ this }}
        where {{ forgotten }};
        delete from {{ this }}
        where {{ forgotten }}
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}


{% macro sql_string_list(values) %}
    {#- A DuckDB list literal of quoted strings: ['a', 'b']. -#}
    {%- set quoted = [] -%}
    {%- for value in values -%}
        {%- do quoted.append("'" ~ (value | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {{ return('[' ~ (quoted | join(', ')) ~ ']') }}
{% endmacro %}


{% macro raw_scan_source(source_name, table_name, empty_columns) %}
    {#-
        Variant of raw_source() for exports that DuckDB reads with a scanning
        table function instead of read_blob (read_csv over .csv.gz lines,
        read_parquet): the source relation, restricted to the files that
        are not zero bytes long (DuckDB's gzip and parquet readers stop the
        whole query on a zero-byte file; those files are reported by
        raw_file_metadata() as empty instead). An absent folder, or one with
        only zero-byte files, gives a typed empty relation whose columns are
        `empty_columns`, a list of [name, type] pairs.
        The source's external_location must quote the glob exactly as
        raw_glob() builds it ('<raw path>/<meta.raw_glob>'): the glob is
        replaced by the explicit file list, fixed when the model is built
        (like raw_source()'s empty-folder guard, the staging view reflects
        the folder as it was at build time).
        In a dbt unit test the source is the test's given rows.
    -#}
    {%- set relation = source(source_name, table_name) -%}
    {%- if model.resource_type == 'unit_test' -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set paths = [] -%}
    {%- for file in raw_file_list(source_name, table_name) -%}
        {%- if file.size | int > 0 -%}
            {%- do paths.append(file.path) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if paths | length > 0 -%}
        {%- set pattern = raw_glob(source_name, table_name) -%}
        {{ (relation | string) | replace(
            "'" ~ pattern ~ "'", sql_string_list(paths)) }}
    {%- else -%}
        (
            select
            {%- for column in empty_columns %}
                cast(null as {{ column[1] }}) as {{ column[0] }}
                {{- "," if not loop.last }}
            {%- endfor %}
            where false
        )
    {%- endif -%}
{% endmacro %}


{% macro raw_file_metadata(source_name, table_name) %}
    {#-
        One row per file matching an export's glob when the model is built
        (the same file list as raw_scan_source(), zero-byte files included):
        source_file, file_size_bytes, file_modified_at. read_blob reads only
        the metadata here (DuckDB does not load `content` unless it is
        selected). Used by the .csv.gz and .parquet readers, whose scans
        carry no modification time. A typed empty relation for an absent
        folder (and in a dbt unit test).
    -#}
    {%- set paths = [] -%}
    {%- for file in raw_file_list(source_name, table_name) -%}
        {%- do paths.append(file.path) -%}
    {%- endfor -%}
    {%- if paths | length > 0 -%}
        (
            select
                filename as source_file,
                size as file_size_bytes,
                last_modified as file_modified_at
            from read_blob({{ sql_string_list(paths) }})
        )
    {%- else -%}
        (
            select
                cast(null as varchar) as source_file,
                cast(null as bigint) as file_size_bytes,
                cast(null as timestamptz) as file_modified_at
            where false
        )
    {%- endif -%}
{% endmacro %}


{% macro csv_gz_lines(scan_cte) %}
    {#-
        One row per line of each gzip-compressed CSV file, from a read_csv
        scan that returns every raw line as one varchar column `line` with
        `filename` (delimiter chr(31), no quoting): source_file, line_number
        (1-based), line ('' for a blank line).
        Order assumption: read_csv hands out the lines of one gzip file in
        file order (a gzip stream is decompressed sequentially, one thread
        per file); row_number() over () numbers the scan as it streams, and
        the per-file number is taken in that order. DuckDB exposes no line
        number for CSV scans (file_row_number exists for parquet only).
    -#}
    with scanned as (
        select
            filename as source_file,
            coalesce(line, '') as line,
            row_number() over () as scan_number
        from {{ scan_cte }}
    )

    select
        source_file,
        row_number() over (
            partition by source_file order by scan_number
        ) as line_number,
        line
    from scanned
{% endmacro %}


{% macro csv_line_records(lines_cte) %}
    {#-
        csv_records() for files already split into lines (source_file,
        line_number, line): one row per data line (header excluded, blank
        lines skipped) with source_file, source_row, raw_record, header,
        fields.
    -#}
    with headers as (
        select
            source_file,
            {{ csv_split('ltrim(line, chr(65279))') }} as header
        from {{ lines_cte }}
        where line_number = 1
    )

    select
        lines.source_file,
        lines.line_number - 1 as source_row,
        lines.line as raw_record,
        headers.header,
        {{ csv_split('lines.line') }} as fields
    from {{ lines_cte }} as lines
    inner join headers on lines.source_file = headers.source_file
    where lines.line_number > 1 and trim(lines.line) != ''
{% endmacro %}


{% macro csv_gz_file_rejections(metadata_cte, lines_cte) %}
    {#-
        One row (source_row = 0) per .csv.gz file that holds no text at all:
        zero bytes on disk, or only blank lines once decompressed.
    -#}
    select
        metadata.source_file,
        cast(0 as bigint) as source_row,
        cast(null as varchar) as raw_record,
        metadata.file_modified_at,
        'empty file' as rejected_reason
    from {{ metadata_cte }} as metadata
    where not exists (
        select 1
        from {{ lines_cte }} as lines
        where
            lines.source_file = metadata.source_file
            and trim(lines.line) != ''
    )
{% endmacro %}


{% macro parquet_records(scan_cte) %}
    {#-
        One row per row of each parquet file read with read_parquet(...,
        filename=true, file_row_number=true): source_file, source_row
        (file_row_number + 1), raw_record (the row as JSON text, without the
        two added columns), and header / fields as csv_records() gives them
        (column names, and each value as text: strings unquoted, numbers as
        written by to_json, maps and structs as JSON text), so csv_field()
        works on parquet rows too.
    -#}
    with rows_as_json as (
        select
            parquet_row.filename as source_file,
            parquet_row.file_row_number + 1 as source_row,
            json_merge_patch(
                to_json(parquet_row),
                '{"filename": null, "file_row_number": null}'
            ) as record
        from {{ scan_cte }} as parquet_row
    ),

    record_maps as (
        select
            source_file,
            source_row,
            cast(record as varchar) as raw_record,
            cast(record as map(varchar, json)) as record_map
        from rows_as_json
    )

    select
        source_file,
        source_row,
        raw_record,
        map_keys(record_map) as header,
        list_transform(
            map_values(record_map),
            lambda value: json_extract_string(value, '$')
        ) as fields
    from record_maps
{% endmacro %}


{% macro check_required_header_columns(
    source_name, table_name, required_columns, reader='csv',
    ignore_case=false
) %}
    {#-
        check_required_columns() for the readers it does not cover, with the
        same effect: one main.raw_schema_drift_log row per (file, column),
        then a build error "schema_drift in <source>.<table>: <file> is
        missing required column '<column>'".
        reader: 'csv' (read_blob text files; use when ignore_case or
        alternatives are needed), 'csv_gz' (the first line of each gzip file,
        read through the source's read_csv scan) or 'parquet' (the file
        schema, from parquet_schema()).
        required_columns: names; an entry 'A|B' is satisfied by either name.
        ignore_case: compare names case-insensitively.
        Skipped in a dbt unit test (no raw folder is read there).
    -#}
    {%- set files_to_check = raw_files_to_check(source_name, table_name) -%}
    {%- if files_to_check | length > 0 -%}
        {#- header_rows: one (source_file, column name) row per column -#}
        {%- set header_rows = [] -%}
        {%- if reader == 'csv' -%}
            {%- for chunk in raw_file_chunks(files_to_check) -%}
                {%- set paths = raw_file_paths(chunk) -%}
                {%- set header_sql -%}
                    with files as (
                        {{ decoded_files(
                            'read_blob(' ~ sql_string_list(paths) ~ ')') }}
                    )

                    select
                        source_file,
                        unnest(
                            {{ csv_split(
                                "split_part(file_text, chr(10), 1)") }}
                        )
                    from files
                    where trim(coalesce(file_text, '')) != ''
                {%- endset -%}
                {%- do header_rows.extend(run_query(header_sql).rows) -%}
            {%- endfor -%}
        {%- elif reader == 'csv_gz' -%}
            {%- set relation = source(source_name, table_name) | string -%}
            {%- set pattern = raw_glob(source_name, table_name) -%}
            {%- for file in files_to_check -%}
                {%- if file.size | int > 0 -%}
                    {%- set first_line_sql -%}
                        with first_line as (
                            select line
                            from {{ relation | replace(
                                "'" ~ pattern ~ "'",
                                sql_string_list([file.path])) }}
                            where trim(coalesce(line, '')) != ''
                            limit 1
                        )

                        select
                            '{{ file.path | replace("'", "''") }}',
                            unnest(
                                {{ csv_split("ltrim(line, chr(65279))") }}
                            )
                        from first_line
                    {%- endset -%}
                    {%- do header_rows.extend(run_query(first_line_sql).rows) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- elif reader == 'parquet' -%}
            {%- set paths = [] -%}
            {%- for file in files_to_check -%}
                {%- if file.size | int > 0 -%}
                    {%- do paths.append(file.path) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- if paths | length > 0 -%}
                {%- do header_rows.extend(run_query(
                    "select file_name, name from parquet_schema("
                    ~ sql_string_list(paths) ~ ")"
                ).rows) -%}
            {%- endif -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error(
                "check_required_header_columns: unknown reader " ~ reader) }}
        {%- endif -%}
        {%- set headers = {} -%}
        {%- for row in header_rows -%}
            {%- set name = (row[1] | string | trim) -%}
            {%- do headers.setdefault(row[0], []).append(
                (name | lower) if ignore_case else name) -%}
        {%- endfor -%}
        {%- set missing = [] -%}
        {%- for source_file in headers | sort -%}
            {%- set names = headers[source_file] -%}
            {%- for required in required_columns -%}
                {%- set found = [] -%}
                {%- for alternative in required.split('|') -%}
                    {%- if ((alternative | lower) if ignore_case
                        else alternative) in names -%}
                        {%- do found.append(alternative) -%}
                    {%- endif -%}
                {%- endfor -%}
                {%- if found | length == 0 -%}
                    {%- do missing.append([source_file, required]) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- if missing | length > 0 -%}
            {%- do run_query(
                "create table if not exists main.raw_schema_drift_log ("
                ~ " source_name varchar, table_name varchar,"
                ~ " source_file varchar, missing_column varchar,"
                ~ " detected_at timestamptz default current_timestamp)"
            ) -%}
            {%- set messages = [] -%}
            {%- for item in missing -%}
                {%- do run_query(
                    "insert into main.raw_schema_drift_log"
                    ~ " (source_name, table_name, source_file, missing_column)"
                    ~ " values ('" ~ source_name ~ "', '" ~ table_name ~ "', '"
                    ~ (item[0] | replace("'", "''")) ~ "', '"
                    ~ (item[1] | replace("'", "''")) ~ "')"
                ) -%}
                {%- do messages.append(
                    item[0] ~ " is missing required column '"
                    ~ (item[1].split('|') | join("' (or '")) ~ "'"
                    ~ (")" if '|' in item[1] else "")) -%}
            {%- endfor -%}
            {{ exceptions.raise_compiler_error(
                "schema_drift in " ~ source_name ~ "." ~ table_name ~ ": "
                ~ (messages | join("; "))) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
