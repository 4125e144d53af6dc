{% macro incident_setting(name) %}
    {#-
        One threshold of the incident detectors. Every value can be overridden
        with a dbt var named `incident_<name>` (for example
        `--vars '{incident_spike_floor: 50}'`); the defaults below are the
        documented ones (models/intermediate/incidents/_incidents__models.yml).
        tokenizer_switch_z: the switch test looks twice (14, then 28 days each
        side); 3.2 at each look keeps both looks' false-alarm rate at one
        test's at 3 (0.27 %; the looks correlate at about 0.71; detection
        limits in docs/incidents.md).
    -#}
    {%- set defaults = {
        'unit_price_tolerance': 0.02,
        'tokenizer_min_shift': 0.045,
        'tokenizer_window': 14,
        'tokenizer_min_window': 5,
        'tokenizer_noise_window': 28,
        'tokenizer_min_noise': 10,
        'tokenizer_z': 4,
        'tokenizer_switch_z': 3.2,
        'tokenizer_merge_days': 28,
        'new_unit_baseline_days': 31,
        'reconciliation_tolerance': 0.05,
        'reconciliation_min_cost': 10,
        'spike_baseline_days': 14,
        'spike_train_days': 28,
        'spike_detect_days': 2,
        'spike_sensitivity': 3,
        'spike_min_training': 7,
        'spike_min_sd': 0.1,
        'spike_peak_days': 90,
        'spike_peak_factor': 5,
        'spike_floor': 20,
    } -%}
    {%- if name not in defaults -%}
        {{ exceptions.raise_compiler_error("unknown incident setting " ~ name) }}
    {%- endif -%}
    {{ return(var('incident_' ~ name, defaults[name])) }}
{% endmacro %}


{% macro incident_types() %}
    {#-
        The incident types of mart_pricing_incidents, each with the detector
        model that finds it and the severity of its `pricing_incident` test:
        `error` where the numbers of the warehouse cannot be trusted, `warn`
        for drift that the warehouse already handles correctly.
    -#}
    {{ return([
        {'type': 'tokenizer_shift', 'severity': 'warn'},
        {'type': 'unit_price_change', 'severity': 'warn'},
        {'type': 'new_billing_unit', 'severity': 'warn'},
        {'type': 'unpriced_model', 'severity': 'warn'},
        {'type': 'reconciliation_gap', 'severity': 'error'},
        {'type': 'spend_spike', 'severity': 'warn'},
        {'type': 'duplicate_export', 'severity': 'warn'},
        {'type': 'schema_drift', 'severity': 'warn'},
    ]) }}
{% endmacro %}


{% macro incident_severity(type_expression) %}
    {#- SQL `case` giving the severity of an incident type (incident_types()). -#}
    case {{ type_expression }}
        {%- for incident in incident_types() %}
            when '{{ incident.type }}' then '{{ incident.severity }}'
        {%- endfor %}
    end
{% endmacro %}


{% macro export_provider(export_expression) %}
    {#-
        Provider of a raw export folder (`openai/costs` → openai, `aws_cur` →
        aws_bedrock, ...); folders of the project's own formats (seats,
        gateway) keep their own name.
    -#}
    case split_part({{ export_expression }}, '/', 1)
        when 'aws_cur' then 'aws_bedrock'
        when 'aws' then 'aws_bedrock'
        when 'azure_cost' then 'azure_openai'
        when 'azure' then 'azure_openai'
        when 'gcp_billing' then 'gcp_vertex'
        when 'gcp' then 'gcp_vertex'
        when 'activity' then 'openai'
        else split_part({{ export_expression }}, '/', 1)
    end
{% endmacro %}


{% macro period_key_on(key_expression) %}
    {#-
        First day of an export period key (export_period_key of the staging
        models): the last `|`-separated part read as `yyyy-mm-dd`, `yyyy-mm`
        or `yyyymm`; null for keys without a date (`snapshot`).
    -#}
    {%- set last_part = 'split_part(' ~ key_expression ~ ", '|', -1)" %}
    cast(
        coalesce(
            {{ parse_timestamp(last_part, '%Y-%m-%d') }},
            {{ parse_timestamp(last_part, '%Y-%m') }},
            {{ parse_timestamp(last_part, '%Y%m') }}
        ) as date
    )
{% endmacro %}


{% macro schema_drift_log_relation() %}
    {#-
        raw_schema_drift_log (written by check_required_columns() before
        it stops a build), or none when no build has logged a drift yet, so
        that a fresh warehouse builds.
    -#}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {{ return(adapter.get_relation(
        database=target.database,
        schema=target.schema,
        identifier='raw_schema_drift_log')) }}
{% endmacro %}
