{% macro raw_export_models() %}
    {#-
        Every staging model that reads a raw export, with its export folder.
        int_raw_records_classified unions them for the nothing-lost invariant
        and mart_rejected_rows; add a new export here.
    -#}
    {{ return([
        {'model': 'stg_openai__usage_completions',
         'export': 'openai/usage_completions'},
        {'model': 'stg_openai__costs', 'export': 'openai/costs'},
        {'model': 'stg_anthropic__usage_messages',
         'export': 'anthropic/usage_messages'},
        {'model': 'stg_anthropic__cost_report',
         'export': 'anthropic/cost_report'},
        {'model': 'stg_aws__cur', 'export': 'aws_cur'},
        {'model': 'stg_azure__cost_details', 'export': 'azure_cost'},
        {'model': 'stg_gcp__billing_export', 'export': 'gcp_billing'},
        {'model': 'stg_github_copilot__usage', 'export': 'github_copilot'},
        {'model': 'stg_cursor__usage_events', 'export': 'cursor/usage_events'},
        {'model': 'stg_seats__assignments', 'export': 'seats'},
        {'model': 'stg_activity__chatgpt_users', 'export': 'activity'},
        {'model': 'stg_gateway__requests', 'export': 'gateway'},
    ]) }}
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
