-- The landing manifest on Spark: the landing step (python -m ai_finops.land,
-- run by scripts/run_build.py before dbt) lands the raw files as on DuckDB
-- and writes this manifest beside the landed records; on DuckDB the Python
-- model stg_raw__files.py lands them inside the build.
select
    cast(source_file as string) as source_file,
    cast(export_name as string) as export_name,
    cast(file_md5 as string) as file_md5,
    cast(file_size_bytes as bigint) as file_size_bytes,
    cast(file_modified_at as timestamp) as file_modified_at,
    cast(header as array<string>) as header,
    cast(record_count as bigint) as record_count,
    cast(file_problem as string) as file_problem,
    cast(landed_path as string) as landed_path,
    cast(landing_key as string) as landing_key
from parquet.`{{ spark_landing_path() }}/manifest.parquet`
