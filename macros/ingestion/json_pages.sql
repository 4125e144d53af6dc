{% macro file_rejections(files_cte, format, items_key=none) %}
    {#-
        One row per raw file that cannot be read at all (source_row = 0):
        not UTF-8, empty, not valid JSON, or a JSON page without its item array.
        `format` is 'json', 'jsonl' or 'csv'; `items_key` is the page's array
        key for 'json' (for example 'data' or 'usageEvents').
    -#}
    select
        source_file,
        cast(0 as bigint) as source_row,
        cast(null as varchar) as raw_record,
        file_modified_at,
        case
            when file_text is null then 'file is not UTF-8 text'
            when trim(file_text) = '' then 'empty file'
            {%- if format == 'json' %}
            when not coalesce(json_valid(file_text), false)
                then 'file is not valid JSON (truncated or malformed)'
            {%- if items_key %}
            when coalesce(
                json_type(json_extract(file_text, '$.{{ items_key }}')), ''
            ) != 'ARRAY'
                then 'page has no "{{ items_key }}" array'
            {%- endif %}
            {%- endif %}
        end as rejected_reason
    from {{ files_cte }}
    where
        file_text is null
        or trim(file_text) = ''
        {%- if format == 'json' %}
        or not coalesce(json_valid(file_text), false)
        {%- if items_key %}
        or coalesce(
            json_type(json_extract(file_text, '$.{{ items_key }}')), ''
        ) != 'ARRAY'
        {%- endif %}
        {%- endif %}
{% endmacro %}


{% macro json_page_items(files_cte, items_key) %}
    {#-
        One row per element of a JSON page's top-level array `items_key`
        (for example Cursor's usageEvents): source_file, file_modified_at,
        source_row (1-based position), item (json), raw_record (its text).
    -#}
    select
        *,
        cast(item as varchar) as raw_record
    from (
    select
        source_file,
        file_modified_at,
        generate_subscripts(
            cast(json_extract(file_text, '$.{{ items_key }}') as json []), 1
        ) as source_row,
        unnest(
            cast(json_extract(file_text, '$.{{ items_key }}') as json [])
        ) as item
    from {{ files_cte }}
    where
        coalesce(json_valid(file_text), false)
        and json_type(json_extract(file_text, '$.{{ items_key }}')) = 'ARRAY'
    ) as page_items
{% endmacro %}


{% macro json_bucket_results(files_cte) %}
    {#-
        One row per result of the bucketed Admin API pages of OpenAI and
        Anthropic ({data: [{start_time/starting_at, ..., results: [...]}]}):
        source_file, file_modified_at, bucket (json: the bucket without its
        results), result (json), raw_record (the result's JSON text),
        source_row (1-based position of the result across the file's
        buckets, in order). Rows are numbered per bucket (a window over the
        buckets, not over the results), and a result row does not carry its
        bucket's other results.
    -#}
    with buckets as (
        select
            source_file,
            file_modified_at,
            generate_subscripts(
                cast(json_extract(file_text, '$.data') as json []), 1
            ) as bucket_number,
            unnest(
                cast(json_extract(file_text, '$.data') as json [])
            ) as bucket
        from {{ files_cte }}
        where
            coalesce(json_valid(file_text), false)
            and json_type(json_extract(file_text, '$.data')) = 'ARRAY'
    ),

    bucket_results as (
        select
            source_file,
            file_modified_at,
            bucket_number,
            json_merge_patch(bucket, '{"results": null}') as bucket,
            cast(
                coalesce(json_extract(bucket, '$.results'), '[]') as json []
            ) as bucket_results
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
