{% macro raw_file_problem(file_text, format, items_key=none, nested_key=none) %}
    {#-
        Why a raw file cannot be read at all, or null when it can: not UTF-8,
        empty, and for `format` 'json' not valid JSON, without its top-level
        item array `items_key`, or (for bucketed pages) with an entry whose
        `nested_key` is present but not an array. Reads the column
        `page_entry_types` that decoded_files() computes beside the text
        (page_entry_types()), so that a readable page is parsed once for its
        checks; the slower checks run only for the pages that fail them
        (DuckDB evaluates a CASE branch only for the rows that reach it).
    -#}
    case
        when {{ file_text }} is null then 'file is not UTF-8 text'
        when trim({{ file_text }}) = '' then 'empty file'
        {%- if format == 'json' and nested_key %}
        when page_entry_types is null
            then 'file is not valid JSON (truncated or malformed)'
        when
            len(page_entry_types) = 0
            and coalesce(
                json_type({{ file_text }}, '$.{{ items_key }}'), ''
            ) != 'ARRAY'
            then 'page has no "{{ items_key }}" array'
        when not list_bool_and(
            list_transform(
                page_entry_types,
                lambda nested_type: nested_type in ('ARRAY', 'NULL')
            )
        )
            then
                'an entry of "{{ items_key }}" has a "{{ nested_key }}"'
                || ' that is not an array'
        {%- elif format == 'json' and items_key %}
        when coalesce(page_entry_types, '') = 'ARRAY' then null
        when not coalesce(json_valid({{ file_text }}), false)
            then 'file is not valid JSON (truncated or malformed)'
        when true then 'page has no "{{ items_key }}" array'
        {%- elif format == 'json' %}
        when not coalesce(json_valid({{ file_text }}), false)
            then 'file is not valid JSON (truncated or malformed)'
        {%- endif %}
    end
{% endmacro %}


{% macro page_entry_types(file_text, format, items_key=none, nested_key=none) %}
    {#-
        The one whole-document JSON call behind raw_file_problem(): for a
        bucketed page the types of every entry's `nested_key` (a list, empty
        when `items_key` holds no entry), for a page of items the type of
        `items_key`; null when the text is not valid JSON (DuckDB's JSON
        functions raise an error there, caught by try()). DuckDB's JSON
        functions keep the parse of a whole vector of pages per call, so
        every avoided whole-document call is memory saved.
    -#}
    {%- if format == 'json' and nested_key -%}
        try(json_type(
            {{ file_text }}, '$.{{ items_key }}[*].{{ nested_key }}'
        ))
    {%- elif format == 'json' and items_key -%}
        try(json_type({{ file_text }}, '$.{{ items_key }}'))
    {%- else -%}
        cast(null as varchar)
    {%- endif -%}
{% endmacro %}


{% macro file_rejections(files_cte) %}
    {#-
        One row per raw file that cannot be read at all (source_row = 0), with
        the reason decoded_files() found (its file_problem column).
    -#}
    select
        source_file,
        cast(0 as bigint) as source_row,
        cast(null as varchar) as raw_record,
        file_modified_at,
        file_problem as rejected_reason
    from {{ files_cte }}
    where file_problem is not null
{% endmacro %}


{% macro json_page_items(files_cte, items_key) %}
    {#-
        One row per element of a JSON page's top-level array `items_key`
        (for example Cursor's usageEvents), for the pages file_rejections()
        does not reject: source_file, file_modified_at, source_row (1-based
        position), item (json), raw_record (its text). Elements are taken
        with a `[*]` JSON path, not a cast to json[], which keeps a page of
        several MB in bounded memory.
    -#}
    with pages as (
        select
            source_file,
            file_modified_at,
            json_extract(file_text, '$.{{ items_key }}[*]') as items
        from {{ files_cte }}
        where file_problem is null
    ),

    page_items as (
        select
            source_file,
            file_modified_at,
            generate_subscripts(items, 1) as source_row,
            unnest(items) as item
        from pages
    )

    select
        source_file,
        file_modified_at,
        cast(source_row as bigint) as source_row,
        item,
        cast(item as varchar) as raw_record
    from page_items
{% endmacro %}


{% macro json_bucket_results(files_cte) %}
    {#-
        One row per result of the bucketed Admin API pages of OpenAI and
        Anthropic ({data: [{start_time/starting_at, ..., results: [...]}]}),
        for the pages that decoded_files(..., 'json', 'data', 'results')
        found readable: source_file, file_modified_at, bucket (json: the bucket
        without its results), result (json), raw_record (the result's JSON
        text), source_row (1-based position of the result across the file's
        buckets, in order). A bucket without results (missing or null) has
        no rows. Buckets and results are taken with `[*]` JSON paths rather
        than casts to json[], which keeps monthly pages of several MB in
        bounded memory; rows are numbered per bucket (a window over the
        buckets, not over the results).
    -#}
    with pages as (
        select
            source_file,
            file_modified_at,
            json_extract(file_text, '$.data[*]') as buckets
        from {{ files_cte }}
        where file_problem is null
    ),

    buckets as (
        select
            source_file,
            file_modified_at,
            generate_subscripts(buckets, 1) as bucket_number,
            unnest(buckets) as bucket
        from pages
    ),

    bucket_results as (
        select
            source_file,
            file_modified_at,
            bucket_number,
            json_merge_patch(bucket, '{"results": null}') as bucket,
            json_extract(bucket, '$.results[*]') as bucket_results
        from buckets
    ),

    numbered_buckets as (
        select
            *,
            coalesce(
                sum(len(bucket_results)) over (
                    partition by source_file
                    order by bucket_number
                    rows between unbounded preceding and 1 preceding
                ),
                0
            ) as results_before
        from bucket_results
    ),

    results as (
        select
            source_file,
            file_modified_at,
            bucket,
            results_before,
            generate_subscripts(bucket_results, 1) as result_number,
            unnest(bucket_results) as result
        from numbered_buckets
    )

    select
        source_file,
        file_modified_at,
        bucket,
        result,
        cast(result as varchar) as raw_record,
        cast(results_before + result_number as bigint) as source_row
    from results
{% endmacro %}
