with

source as (
    select * from {{ raw_source('raw', 'files') }}
),

renamed as (
    select
        filename as source_file,
        {{ export_name('filename') }} as export_name,
        {{ export_id('filename') }} as export_id,
        md5(content) as content_md5,
        size as file_size_bytes,
        try(decode(content)) is not null as is_utf8_text,
        last_modified as file_modified_at
    from source
),

final as (
    select * from renamed
    where export_name != ''
),

loaded as (
    select
        *,
        {{ load_timestamp() }} as loaded_at
    from final
)

select * from loaded
