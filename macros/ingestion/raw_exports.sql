{% macro raw_export_models() %}
    {#-
        Every staging model that reads a raw export, with its export folder
        (the model's config meta.raw_export, read from dbt's graph when the
        model runs). The names are listed here so that dbt sees the models a
        union of them depends on; tests/python/test_landing.py checks that the
        list holds exactly the models with a meta.raw_export.
    -#}
    {%- set names = [
        'stg_activity__chatgpt_users', 'stg_anthropic__cost_report',
        'stg_anthropic__usage_messages', 'stg_aws__cur',
        'stg_azure__cost_details', 'stg_cursor__usage_events',
        'stg_gateway__requests', 'stg_gcp__billing_export',
        'stg_langfuse__observations', 'stg_langfuse__traces',
        'stg_litellm__daily_spend', 'stg_litellm__spend_logs',
        'stg_github_copilot__usage', 'stg_openai__costs',
        'stg_openai__usage_completions', 'stg_otel__genai_spans',
        'stg_seats__assignments',
    ] -%}
    {%- set exports = [] -%}
    {%- for name in names -%}
        {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ name)
            if execute else none -%}
        {%- do exports.append({
            'model': name,
            'export': node.config.meta.raw_export if node else ''}) -%}
    {%- endfor -%}
    {{ return(exports) }}
{% endmacro %}


{% macro current_rows(model_name, where=none) %}
    {#-
        The usable rows of a staging model: not rejected, and from the newest
        export of their period (export_period_key). Must stay in step with the
        'used' status of int_raw_records_classified. `where`: an extra
        condition on the staging columns (an incremental refresh window),
        applied after the newest export of each period is found.
        The newest export of each period is found over the distinct (file,
        period) pairs, then joined back to the rows: a window over the rows
        themselves would hold every column of every row at once.
    -#}
    select staged.*
    from {{ ref(model_name) }} as staged
    inner join (
        {{ period_winning_files(ref(model_name)) }}
    ) as winning_files
        on
            staged.source_file = winning_files.source_file
            and staged.export_period_key
            is not distinct from winning_files.export_period_key
    where
        staged.rejected_reason is null
        {%- if where is not none %}
            and ({{ where }})
        {%- endif %}
{% endmacro %}


{% macro period_winning_files(relation) %}
    {#-
        (source_file, export_period_key) of the files of a staging relation
        whose export wins the period: the greatest export_id() among the
        files with rows of that period (rejected rows included, as
        int_raw_records_classified counts them).
    -#}
    select
        source_file,
        export_period_key
    from (
        select
            source_file,
            export_period_key,
            {{ export_id('source_file') }} as export_id,
            max({{ export_id('source_file') }}) over (
                partition by export_period_key
            ) as period_winner_export_id
        from (
            select distinct
                source_file,
                export_period_key
            from {{ relation }}
        ) as file_periods
    ) as stamped
    where export_id = period_winner_export_id
{% endmacro %}
