{% macro raw_files_modified_at(folder) %}
    {#-
        A query of the newest modification time of the raw files in `folder` (under
        AI_FINOPS_RAW_PATH): each source's `loaded_at_query`, so `dbt source freshness` reads
        the files as the vendor delivered them, before any build.
    -#}
    {{ return(adapter.dispatch('raw_files_modified_at', 'ai_finops')(folder)) }}
{% endmacro %}

{% macro duckdb__raw_files_modified_at(folder) -%}
    select max(last_modified)
    from read_blob('{{ env_var('AI_FINOPS_RAW_PATH', 'data/sample').rstrip('/') }}/{{ folder }}/*')
{%- endmacro %}

{% macro spark__raw_files_modified_at(folder) -%}
    {#- binaryFile lists the files; without `content` selected it reads none of them -#}
    select max(modificationTime)
    from binaryFile.`{{ env_var('AI_FINOPS_RAW_PATH', 'data/sample').rstrip('/') }}/{{ folder }}/*`
{%- endmacro %}
