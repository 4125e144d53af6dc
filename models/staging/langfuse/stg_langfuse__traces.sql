{{ config(meta={'raw_export': 'langfuse/traces'}) }}

{#-
    Langfuse traces (documented in _langfuse__sources.yml): the elements of
    `GET /api/public/traces` pages, or JSON lines of the same objects. The
    trace name is the agent or workflow; tags, user and session are on the
    trace (userId pseudonymised when landed).
-#}
{%- set text_fields = [
    ('trace_id', 'id'),
    ('trace_name', 'name'),
    ('user_id', 'userId'),
    ('session_id', 'sessionId'),
    ('environment', 'environment'),
    ('release', 'release'),
    ('trace_version', 'version'),
    ('timestamp', 'timestamp'),
] -%}

with

records as (
    select * from {{ landed_records('langfuse', 'traces') }}
),

renamed as (
    select
        source_file,
        cast(source_row as bigint) as source_row,
        raw_record,
        file_modified_at,
        file_md5,
        landing_key,
        coalesce({{ json_is_valid('raw_record') }}, false) as is_valid_json,
        -- only a valid record is read as JSON (json_extract fails on
        -- others); JSON text, read with the json_* macros
        case
            when coalesce({{ json_is_valid('raw_record') }}, false)
                then raw_record
        end as trace
    from records
    where file_problem is null
),

extracted as (
    select
        *,
        {%- for column, field in text_fields %}
            nullif({{ json_text('trace', '$.' ~ field) }}, '')
                as {{ column }}_text,
        {%- endfor %}
        {{ json_value('trace', '$.tags') }} as tags_json,
        {{ json_kind('trace') }} as record_json_type
    from renamed
),

cast_values as (
    select
        *,
        try_cast(timestamp_text as {{ timestamp_type() }}) as started_at,
        {{ json_kind('tags_json') }} as tags_json_type,
        case
            when {{ json_kind('tags_json') }} = 'ARRAY'
                then {{ json_array_kinds('tags_json') }}
        end as tag_json_types
    from extracted
),

validated as (
    select
        *,
        case
            when not is_valid_json then 'record is not valid JSON'
            when record_json_type != 'OBJECT'
                then 'trace is not a JSON object'
            when trace_id_text is null then 'id is missing'
            when timestamp_text is null then 'timestamp is missing'
            when started_at is null
                then
                    'timestamp is not an ISO 8601 timestamp: '
                    || '''' || timestamp_text || ''''
            when tags_json_type not in ('ARRAY', 'NULL')
                then 'tags is not a JSON array'
            when
                {{ list_length(list_where(
                    'tag_json_types', 'tag_type', "tag_type != 'VARCHAR'"
                )) }} > 0
                then 'tags holds a value that is not a string'
        end as rejected_reason
    from cast_values
),

rejected_files as (
    {{ file_rejections('records') }}
),

parsed_rows as (
    select
        source_file,
        source_row,
        raw_record,
        rejected_reason,
        file_modified_at,
        file_md5,
        landing_key,
        -- each export file is its own export; a trace delivered twice is
        -- de-duplicated later, by trace_id
        source_file as export_period_key,
        trace_id_text as trace_id,
        trace_name_text as trace_name,
        -- pseudonymised when landed
        user_id_text as user_id,
        session_id_text as session_id,
        cast(
            case
                when tags_json_type = 'ARRAY'
                    then {{ json_string_list('tags_json') }}
            end as {{ string_list_type() }}
        ) as tags,
        environment_text as environment,
        release_text as release,  -- noqa: RF04
        trace_version_text as trace_version,
        started_at
    from validated
),

-- the files that cannot be read, in the same columns (null but the file's)
rejected_file_rows as (
    {{ file_rejection_rows(
        'rejected_files', 'parsed_rows',
        {'export_period_key': 'rejected.source_file'}
    ) }}
),

final as (
    select * from parsed_rows
    union all
    select * from rejected_file_rows
)

select * from final
