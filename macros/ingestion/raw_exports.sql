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
    -#}
    select * exclude (period_winner_export_id)
    from (
        select
            *,
            max({{ export_id('source_file') }}) over (
                partition by export_period_key
            ) as period_winner_export_id
        from {{ ref(model_name) }}
    ) as stamped
    where
        rejected_reason is null
        and {{ export_id('source_file') }} = period_winner_export_id
        {%- if where is not none %}
            and ({{ where }})
        {%- endif %}
{% endmacro %}
