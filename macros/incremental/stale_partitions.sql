{#-
    The refresh rule of the partitioned models (int_ai_charges_priced,
    fct_ai_costs): every row belongs to a refresh partition (the charge
    month, or 'seats' for every seat-month) and carries the digest of the
    partition's inputs when it was built. A partitions model lists each
    partition the inputs hold now with that digest (int_charge_partitions,
    int_cost_partitions). A build rebuilds exactly the stale partitions: the
    pre-hook deletes them, the model's SQL selects their rows again, and the
    adapter's append strategy inserts them. Staging does the same per raw
    file and MD5 (macros/staging/landed_records.sql).
-#}

{% macro stale_partitions(partitions) %}
    {#-
        The refresh partitions this build of a partitioned model rebuilds,
        for `refresh_partition in (...)`: every partition of `partitions` (a
        relation with refresh_partition and partition_digest), as a query, on
        a full build and in a dbt unit test; on an incremental build, those
        whose digest the model does not hold (new or changed inputs) and
        those the model holds that `partitions` no longer lists (inputs
        gone), looked up when the model is compiled (before its pre-hook
        deletes them) and written as literals ('2026-05', 'seats'; null for
        none). Literals let DuckDB prune the scans of the partitioned inputs;
        a subquery that reads the model itself made it build hash tables of
        whole input tables instead, and run out of memory at 10M charges.
    -#}
    {%- if model.resource_type != 'unit_test' and execute and is_incremental() -%}
        {%- set stale_query -%}
            select current_partitions.refresh_partition
            from {{ partitions }} as current_partitions
            where not exists (
                select 1
                from {{ this }} as built
                where
                    built.refresh_partition
                    = current_partitions.refresh_partition
                    and built.partition_digest
                    = current_partitions.partition_digest
            )
            union
            select built.refresh_partition
            from {{ this }} as built
            where not exists (
                select 1
                from {{ partitions }} as current_partitions
                where
                    current_partitions.refresh_partition
                    = built.refresh_partition
            )
            order by 1
        {%- endset -%}
        {%- set stale = run_query(stale_query).columns[0].values() -%}
        {%- for partition in stale -%}
            '{{ partition | replace("'", "''") }}'{{ ', ' if not loop.last }}
        {%- else -%}
            null
        {%- endfor -%}
    {%- else -%}
        select refresh_partition from {{ partitions }}
    {%- endif -%}
{% endmacro %}


{% macro delete_stale_partitions(partitions) %}
    {#-
        Pre-hook of a partitioned model: on an incremental build, deletes the
        rows of its stale partitions (stale_partitions()), which the model's
        SQL then selects again. On Spark the model's table is partitioned by
        refresh_partition: the hook drops the stale partitions and
        insert_overwrite writes them again.
    -#}
    {%- if execute and is_incremental() -%}
        {{ return(adapter.dispatch('delete_stale_partitions', 'ai_finops')(partitions)) }}
    {%- else -%}
        {{ return('select 1') }}
    {%- endif -%}
{% endmacro %}


{% macro duckdb__delete_stale_partitions(partitions) %}
    {{ return('delete from ' ~ this ~ ' where refresh_partition in ('
        ~ stale_partitions(partitions) ~ ')') }}
{% endmacro %}


{% macro spark__delete_stale_partitions(partitions) %}
    {%- set stale = stale_partitions(partitions) | trim -%}
    {%- if stale == 'null' -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set dropped = [] -%}
    {%- for partition in stale.split(', ') -%}
        {%- do dropped.append('partition (refresh_partition = ' ~ partition ~ ')') -%}
    {%- endfor -%}
    {{ return('alter table ' ~ this ~ ' drop if exists ' ~ (dropped | join(', '))) }}
{% endmacro %}


{% macro content_digest(relation) %}
    {#-
        An expression: the MD5 of the whole content of `relation` (a seed),
        independent of row order.
    -#}
    {{ return(adapter.dispatch('content_digest', 'ai_finops')(relation)) }}
{% endmacro %}


{% macro duckdb__content_digest(relation) %}
    (
        select coalesce(md5(string_agg(
            cast(seed_row as varchar), '|' order by cast(seed_row as varchar)
        )), '')
        from {{ relation }} as seed_row
    )
{% endmacro %}


{% macro spark__content_digest(relation) %}
    (
        select coalesce(md5(string_agg(to_json(struct(*)), '|')
            within group (order by to_json(struct(*)))), '')
        from {{ relation }}
    )
{% endmacro %}


{% macro refresh_strategy() %}
    {#-
        The incremental strategy of the models refreshed by partition (staging
        by landing_key, the partitioned models by refresh_partition): DuckDB
        appends after the pre-hook deleted the stale rows; Spark's Parquet
        tables cannot delete, so Spark overwrites the partitions the build
        writes (insert_overwrite) after the pre-hook dropped the stale ones.
    -#}
    {{ return(adapter.dispatch('refresh_strategy', 'ai_finops')()) }}
{% endmacro %}
{% macro duckdb__refresh_strategy() %}{{ return('append') }}{% endmacro %}
{% macro spark__refresh_strategy() %}{{ return('insert_overwrite') }}{% endmacro %}


{% macro refresh_partitioning() %}
    {#- partition_by of the models refreshed by refresh_partition: Spark's tables are partitioned by it. -#}
    {{ return(adapter.dispatch('refresh_partitioning', 'ai_finops')()) }}
{% endmacro %}
{% macro duckdb__refresh_partitioning() %}{{ return(none) }}{% endmacro %}
{% macro spark__refresh_partitioning() %}{{ return('refresh_partition') }}{% endmacro %}
