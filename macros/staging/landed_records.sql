{% macro raw_export() %}
    {#-
        The raw export folder a staging model reads (its config
        meta.raw_export, for example 'openai/costs').
    -#}
    {{ return(model.config.meta.raw_export) }}
{% endmacro %}


{% macro landed_records(source_name, table_name) %}
    {#-
        The landed records (ai_finops.landing) that this build of a staging
        model parses: every file of its export on a full build, and on an
        incremental build the files whose landing key the model does not hold
        yet (new, changed or touched files; all after a new pseudonym key).
        One row per record: source_file, source_row, raw_record (the record's
        text), bucket (the bucket of a bucketed API page, without its
        results), fields (the values of a CSV or Parquet row), aliases
        (identity aliases of a seat holder's address, ai_finops/landing.py),
        header (the file's column names), file_problem (why the file cannot be
        read at all; source_row 0), file_md5, file_modified_at, landing_key
        (the digest of the file as landed: path, content, modification time,
        pseudonym key).
        The files are listed from the manifest (stg_raw__files) when the
        model runs; in a dbt unit test the records are the test's given rows
        for the export's source (`source_name`.`table_name`), which also keeps
        the export in the lineage and under freshness checks.
    -#}
    {%- set relation = source(source_name, table_name) -%}
    {%- if model.resource_type == 'unit_test' -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set manifest = ref('stg_raw__files') -%}
    {%- set paths = [] -%}
    {#- no manifest yet: compiled outside a build (sqlfluff), nothing to read -#}
    {%- if execute and load_relation(manifest) is not none -%}
        {%- set files_sql -%}
            select manifest.landed_path
            from {{ manifest }} as manifest
            where
                manifest.export_name = '{{ raw_export() }}'
                {%- if is_incremental() %}
                    and not exists (
                        select 1
                        from {{ this }} as staged
                        where
                            staged.source_file = manifest.source_file
                            and staged.landing_key = manifest.landing_key
                    )
                {%- endif %}
            order by manifest.source_file
        {%- endset -%}
        {%- for row in run_query(files_sql).rows -%}
            {%- do paths.append(row[0]) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if paths | length > 0 -%}
        (
            select
                records.*,
                manifest.header
            from {{ read_landed_files(paths) }} as records
            inner join {{ manifest }} as manifest
                on records.source_file = manifest.source_file
        )
    {%- else -%}
        (
            select
                cast(null as string) as source_file,
                cast(null as bigint) as source_row,
                cast(null as string) as raw_record,
                cast(null as string) as bucket,
                cast(null as {{ string_list_type() }}) as fields,
                cast(null as string) as aliases,
                cast(null as string) as file_problem,
                cast(null as string) as file_md5,
                cast(null as {{ timestamp_type() }}) as file_modified_at,
                cast(null as string) as landing_key,
                cast(null as {{ string_list_type() }}) as header
            where false
        )
    {%- endif -%}
{% endmacro %}


{% macro delete_replaced_files() %}
    {#-
        Pre-hook of the staging models on an incremental build: deletes the
        rows of the raw files that changed or left the landing (a source_file
        and landing_key no longer in the manifest). The model then inserts the
        rows of the files it parses (landed_records()): a staging table holds
        exactly the current files, each parsed once. On Spark the staging
        tables are partitioned by landing_key: the hook drops the partitions
        of those files, and insert_overwrite writes the new ones.
    -#}
    {%- if execute and is_incremental() -%}
        {{ return(adapter.dispatch('delete_replaced_files', 'ai_finops')()) }}
    {%- else -%}
        {{ return('select 1') }}
    {%- endif -%}
{% endmacro %}


{% macro replaced_files_condition(staged) -%}
    not exists (
        select 1
        from {{ ref('stg_raw__files') }} as manifest
        where
            manifest.export_name = '{{ raw_export() }}'
            and manifest.source_file = {{ staged }}.source_file
            and manifest.landing_key = {{ staged }}.landing_key
    )
{%- endmacro %}


{% macro duckdb__delete_replaced_files() %}
    {%- set statement -%}
        delete from {{ this }} as staged
        where {{ replaced_files_condition('staged') }}
    {%- endset -%}
    {{ return(statement) }}
{% endmacro %}


{% macro spark__delete_replaced_files() %}
    {%- set keys_sql -%}
        select distinct staged.landing_key
        from {{ this }} as staged
        where {{ replaced_files_condition('staged') }}
    {%- endset -%}
    {%- set partitions = [] -%}
    {%- for row in run_query(keys_sql).rows -%}
        {%- do partitions.append("partition (landing_key = '" ~ row[0] ~ "')") -%}
    {%- endfor -%}
    {%- if partitions | length > 0 -%}
        {{ return('alter table ' ~ this ~ ' drop if exists ' ~ (partitions | join(', '))) }}
    {%- else -%}
        {{ return('select 1') }}
    {%- endif -%}
{% endmacro %}


{% macro read_landed_files(paths) %}
    {#- A relation over the landed Parquet files `paths` (absolute paths). -#}
    {{ return(adapter.dispatch('read_landed_files', 'ai_finops')(paths)) }}
{% endmacro %}


{% macro duckdb__read_landed_files(paths) -%}
    read_parquet([
        {%- for path in paths -%}
            '{{ path | replace("'", "''") }}'{{ ', ' if not loop.last }}
        {%- endfor -%}
    ])
{%- endmacro %}


{% macro spark__read_landed_files(paths) -%}
    {#- one glob per folder: {a,b} alternatives of the landing keys (Hadoop globbing) -#}
    {%- set folders = {} -%}
    {%- for path in paths -%}
        {%- set folder, name = path.rsplit('/', 1) -%}
        {%- do folders.setdefault(folder, []).append(name) -%}
    {%- endfor -%}
    (
        {%- for folder, names in folders.items() %}
        select * from parquet.`{{ folder }}/{{ '{' ~ (names | join(',')) ~ '}' if names | length > 1 else names[0] }}`
        {{- ' union all' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}


{% macro csv_field(name) %}
    {#- The value of CSV column `name` in a landed record, by header position. -#}
    nullif(trim({{ list_at('fields', list_index('header', "'" ~ name ~ "'")) }}), '')
{% endmacro %}


{% macro record_field(name, json_record) %}
    {#-
        The value of field `name` of a landed record of an export written as
        CSV or as JSON lines (LiteLLM): by header position for a CSV row, else
        the key of `json_record` (the line as JSON); blank is null.
    -#}
    case
        when header is null
            then nullif({{ json_text(json_record, '$."' ~ name ~ '"') }}, '')
        else {{ csv_field(name) }}
    end
{% endmacro %}


{% macro file_rejections(records_cte) %}
    {#-
        One row per raw file that cannot be read at all (source_row = 0),
        with the reason the landing found.
    -#}
    select
        source_file,
        cast(0 as bigint) as source_row,
        cast(null as string) as raw_record,
        file_md5,
        landing_key,
        file_modified_at,
        file_problem as rejected_reason
    from {{ records_cte }}
    where file_problem is not null
{% endmacro %}


{% macro reporting_currency() %}
    {#- Currency of the *_reporting cost columns: $AI_FINOPS_REPORTING_CURRENCY. -#}
    {{ return(env_var('AI_FINOPS_REPORTING_CURRENCY', 'USD') | upper) }}
{% endmacro %}


{% macro spark_landing_path() %}
    {#- The landing directory of a Spark build: $AI_FINOPS_SPARK_WAREHOUSE/landing. -#}
    {{ return(env_var('AI_FINOPS_SPARK_WAREHOUSE', 'warehouse/spark') ~ '/landing') }}
{% endmacro %}


{% macro file_rejection_rows(rejections, shape, file_keys={}) %}
    {#-
        The rows of `rejections` (file_rejections(): one per raw file that
        cannot be read) in the columns of `shape` (the model's CTE of parsed
        rows, whose first seven columns are the file's: source_file,
        source_row, raw_record, rejected_reason, file_modified_at, file_md5,
        landing_key), every other column null with its type, to union with
        it. `file_keys` maps the columns that follow the file's seven (in
        their order) to an expression over the file, for a model whose key
        comes from the file itself (export_period_key = source_file).
    -#}
    {%- set file_columns = ['source_file', 'source_row', 'raw_record',
        'rejected_reason', 'file_modified_at', 'file_md5', 'landing_key'] -%}
    select
        {%- for column in file_columns %}
        rejected.{{ column }},
        {%- endfor %}
        {%- for column, expression in file_keys.items() %}
        {{ expression }} as {{ column }},
        {%- endfor %}
        {{ all_columns_except('shape_row', file_columns + (file_keys.keys() | list)) }}
    from {{ rejections }} as rejected
    left join {{ shape }} as shape_row on false
{% endmacro %}
