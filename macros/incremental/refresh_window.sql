{#-
    The incremental cost chain.

    int_ai_charges_unioned -> int_ai_charges_priced -> int_ai_costs_allocated
    -> int_ai_costs_attributed -> int_ai_costs_converted -> fct_ai_costs
    -> focus_ai_costs (and int_ai_costs_converted -> int_model_charges_repriced)
    are incremental by charge day. On each build a chain
    model recomputes every row whose charge day falls in its refresh window
    [window_start, infinity)
    (plus the rows it always recomputes, such as seat-months), deletes the
    same rows from its table first, and records the window it used in
    main.incremental_refresh_log. The window starts at the earliest of:
      - the first day of every export period that a staging model (re)loaded
        since the model's last refresh: a new export restates its whole period
        (day, month, invoice month), so the old and new rows of the period are
        all inside the window (head of the chain only);
      - the first day of the rows whose raw file was overwritten or removed
        since (main.raw_file_reload_log; head only);
      - the last `lookback_days` days of data (var lookback_days; head only);
      - the windows of the upstream chain models refreshed since (so a window
        reaches every model below it, even after a failed build);
      - the charges of the API keys and people whose attribution directory
        entry changed (int_ai_costs_attributed; read from its upstream table,
        rows it always recomputes left out);
    and it is the whole history when the model has no refresh on record, was
    built with --full-refresh, or its reference data changed (the content of
    the seeds it reads, the pseudonym key, the reporting currency).
    Nothing new gives an empty window (date 'infinity'): no row is touched.
    Changing the project's code needs a --full-refresh.
-#}

{% macro refresh_chain() %}
    {#-
        Each chain model: its upstream chain models, the staging models it
        reads (with their charge-day column), the rows it always recomputes,
        and its charge-day expression (default charge_on).
    -#}
    {%- set staging_days = [
        ('stg_openai__costs', 'usage_on'),
        ('stg_openai__usage_completions', 'usage_on'),
        ('stg_anthropic__cost_report', 'usage_on'),
        ('stg_anthropic__usage_messages', 'usage_on'),
        ('stg_aws__cur', 'usage_on'),
        ('stg_azure__cost_details', 'usage_on'),
        ('stg_gcp__billing_export', 'usage_on'),
        ('stg_github_copilot__usage', 'usage_on'),
        ('stg_cursor__usage_events', 'event_on'),
    ] -%}
    {%- set seat_rows = "cost_grain = 'seat'" -%}
    {#- fct_ai_costs tests that charge_on is ChargePeriodStart's UTC day -#}
    {%- set focus_day = "cast(timezone('UTC', \"ChargePeriodStart\") as date)" -%}
    {{ return({
        'int_ai_charges_unioned': {
            'upstream': [], 'staging': staging_days, 'always': seat_rows},
        'int_ai_charges_priced': {
            'upstream': ['int_ai_charges_unioned'], 'staging': [],
            'always': seat_rows},
        'int_ai_costs_allocated': {
            'upstream': ['int_ai_charges_priced'], 'staging': [],
            'always': seat_rows},
        'int_ai_costs_attributed': {
            'upstream': ['int_ai_costs_allocated'], 'staging': [],
            'always': seat_rows},
        'int_ai_costs_converted': {
            'upstream': ['int_ai_costs_attributed'], 'staging': [],
            'always': seat_rows},
        'fct_ai_costs': {
            'upstream': ['int_ai_costs_converted'], 'staging': [],
            'always': seat_rows},
        'focus_ai_costs': {
            'upstream': ['fct_ai_costs'], 'staging': [],
            'always': "\"ChargeCategory\" = 'Purchase'", 'day': focus_day},
        'int_model_charges_repriced': {
            'upstream': ['int_ai_costs_converted'], 'staging': [],
            'always': 'false'},
    }) }}
{% endmacro %}


{% macro refresh_log() %}
    {#- The table where chain models record their refresh windows. -#}
    {{ return('main.incremental_refresh_log') }}
{% endmacro %}


{% macro log_refresh_window(window_start, from_relation) %}
    {#-
        The statement that records this build's window in the refresh log:
        `window_start` (an expression) selected from `from_relation`.
    -#}
    insert into {{ refresh_log() }}
        (model_name, refreshed_at, window_start, reference_fingerprint)
    select
        '{{ this.identifier }}',
        {{ load_timestamp() }},
        {{ window_start }},
        '{{ reference_fingerprint() }}'
    from {{ from_relation }}
{% endmacro %}


{% macro reference_fingerprint() %}
    {#-
        md5 of the content of every seed the model reads, plus the settings
        that change its output (pseudonym key, reporting currency, e-mail
        opt-out). A change makes the next refresh window the whole history.
    -#}
    {%- set parts = [] -%}
    {%- for node_id in model.depends_on.nodes -%}
        {%- if node_id.startswith('seed.') -%}
            {%- set seed = graph.nodes[node_id] -%}
            {%- set relation = api.Relation.create(
                database=seed.database, schema=seed.schema,
                identifier=seed.alias) -%}
            {%- do parts.append(
                "(select coalesce(md5(string_agg(cast(seed_row as varchar), '|'"
                ~ " order by cast(seed_row as varchar))), '') from "
                ~ relation ~ " as seed_row)") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set settings = env_var('AI_FINOPS_PSEUDONYM_KEY', '') ~ '|'
        ~ reporting_currency() ~ '|'
        ~ env_var('AI_FINOPS_KEEP_EMAILS', '') -%}
    {%- do parts.append("'" ~ local_md5(settings) ~ "'") -%}
    {%- set result = run_query(
        "select md5(concat_ws('|', " ~ (parts | join(', ')) ~ "))") -%}
    {{ return(result.columns[0].values()[0]) }}
{% endmacro %}


{% macro directory_changes_sql() %}
    {#-
        The attribution directory entries (gateway API keys, seat holders)
        that differ from the snapshot taken at the model's last refresh, as
        (kind, directory_key): added, removed or changed.
    -#}
    with

    current_directory as (
        {{ attribution_directory_rows() }}
    ),

    previous_directory as (
        select * from {{ directory_snapshot() }}
    )

    select distinct
        coalesce(current_directory.kind, previous_directory.kind) as kind,
        coalesce(
            current_directory.directory_key, previous_directory.directory_key
        ) as directory_key
    from current_directory
    full outer join previous_directory
        on
            current_directory.kind = previous_directory.kind
            and current_directory.directory_key
            = previous_directory.directory_key
    where
        current_directory.entry is distinct from previous_directory.entry
{% endmacro %}


{% macro directory_snapshot() %}
    {#- The attribution directories as of int_ai_costs_attributed's last build. -#}
    {{ return(this.incorporate(
        path={'identifier': 'int_ai_costs_attributed__directory_snapshot'})) }}
{% endmacro %}


{% macro attribution_directory_rows() %}
    {#- Both attribution directories as (kind, directory_key, entry). -#}
    select
        'api_key' as kind,
        provider || '|' || api_key_id as directory_key,
        concat_ws('|', team, agent) as entry
    from {{ ref('int_api_key_directory') }}
    union all
    select
        'user' as kind,
        user_email as directory_key,
        concat_ws('|', team, cost_center) as entry
    from {{ ref('int_user_directory') }}
{% endmacro %}


{% macro refresh_window_start() %}
    {#-
        The first charge day this build of a chain model recomputes, as a
        DuckDB date literal: date '-infinity' (whole history), a date, or
        date 'infinity' (nothing changed). Computed from the staging tables,
        the refresh log and the seeds only, so the model, its pre-hook and
        its post-hook all see the same value.
    -#}
    {%- if not execute or model.resource_type == 'unit_test'
        or not is_incremental() -%}
        {{ return("date '-infinity'") }}
    {%- endif -%}
    {%- set chain = refresh_chain()[this.identifier] -%}
    {%- set last = run_query(
        "select refreshed_at, reference_fingerprint from " ~ refresh_log()
        ~ " where model_name = '" ~ this.identifier ~ "'"
        ~ " order by refreshed_at desc limit 1") -%}
    {%- if last.rows | length == 0
        or last.rows[0][1] != reference_fingerprint() -%}
        {{ return("date '-infinity'") }}
    {%- endif -%}
    {%- set since = "timestamptz '" ~ last.rows[0][0] ~ "'" -%}
    {%- set candidates = [] -%}
    {%- for upstream in chain.upstream -%}
        {%- do candidates.append(
            "select min(window_start) from " ~ refresh_log()
            ~ " where model_name = '" ~ upstream ~ "' and refreshed_at > "
            ~ since) -%}
    {%- endfor -%}
    {%- set last_days = [] -%}
    {%- for staging_model, day_column in chain.staging -%}
        {%- set staged = ref(staging_model) -%}
        {%- do candidates.append(
            "select min(" ~ day_column ~ ") from " ~ staged
            ~ " where export_period_key in (select export_period_key from "
            ~ staged ~ " where loaded_at > " ~ since ~ ")") -%}
        {%- do last_days.append(
            "select max(" ~ day_column ~ ") as last_day from " ~ staged
            ~ " where rejected_reason is null") -%}
    {%- endfor -%}
    {%- if chain.staging | length > 0 -%}
        {%- do candidates.append(
            "select min(charge_on) from " ~ this ~ " where source_file in"
            ~ " (select source_file from main.raw_file_reload_log"
            ~ " where forgotten_at > " ~ since ~ ")") -%}
    {%- endif -%}
    {%- if last_days | length > 0 -%}
        {%- do candidates.append(
            "select max(last_day) - " ~ (var('lookback_days') | int - 1)
            ~ " from (" ~ (last_days | join(' union all ')) ~ ")") -%}
    {%- endif -%}
    {%- if this.identifier == 'int_ai_costs_attributed' -%}
        {#- read from the upstream table, not from this one (which the
            pre-hook changes), and leave out the rows recomputed anyway -#}
        {%- set charges = ref(chain.upstream[0]) -%}
        {%- do candidates.append(
            "select min(charge_on) from (select charges.charge_on from "
            ~ charges ~ " as charges inner join (" ~ directory_changes_sql()
            ~ ") as changed on changed.kind = 'api_key' and"
            ~ " changed.directory_key = charges.provider || '|'"
            ~ " || charges.api_key_id where not (" ~ chain.always ~ ")"
            ~ " union all select charges.charge_on from " ~ charges
            ~ " as charges inner join (" ~ directory_changes_sql()
            ~ ") as changed on changed.kind = 'user' and"
            ~ " changed.directory_key = lower(charges.user_name)"
            ~ " where not (" ~ chain.always ~ "))") -%}
    {%- endif -%}
    {%- set starts = [] -%}
    {%- for candidate in candidates -%}
        {%- do starts.append("(" ~ candidate ~ ")") -%}
    {%- endfor -%}
    {%- if starts | length == 0 -%}{{ return("date 'infinity'") }}{%- endif -%}
    {%- set result = run_query(
        "select coalesce(cast(least(" ~ (starts | join(', '))
        ~ ") as varchar), 'infinity')") -%}
    {{ return("date '" ~ result.columns[0].values()[0] ~ "'") }}
{% endmacro %}


{% macro in_refresh_window(window_start, columns_of=none) %}
    {#-
        True for the rows a chain model recomputes in this build, on the
        model's own columns, or on those of chain model `columns_of` (its
        upstream, when the names differ).
    -#}
    {%- if window_start == "date '-infinity'" -%}
        true
    {%- else -%}
        {%- set chain = refresh_chain()[columns_of or this.identifier] -%}
        ({{ chain.get('day', 'charge_on') }} >= {{ window_start }}
        or {{ chain.always }})
    {%- endif -%}
{% endmacro %}


{% macro refresh_window_pre_hook() %}
    {#-
        Before a chain model's incremental build: delete the rows it is about
        to recompute. Before a full build: forget its refresh history, so the
        post-hook records a whole-history window.
    -#}
    {%- if execute and model.resource_type != 'unit_test'
        and is_incremental() -%}
        delete from {{ this }}
        where {{ in_refresh_window(refresh_window_start()) }}
    {%- elif execute -%}
        delete from {{ refresh_log() }}
        where model_name = '{{ this.identifier }}'
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}


{% macro refresh_window_post_hook() %}
    {#-
        After a chain model's build: record its window (and, for
        int_ai_costs_attributed, snapshot the attribution directories).
    -#}
    {%- if execute -%}
        {%- set window_start = refresh_window_start() -%}
        insert into {{ refresh_log() }}
            (model_name, refreshed_at, window_start, reference_fingerprint)
        values (
            '{{ this.identifier }}',
            {{ load_timestamp() }},
            {{ window_start }},
            '{{ reference_fingerprint() }}'
        );
        {%- if this.identifier == 'int_ai_costs_attributed' %}
            create or replace table {{ directory_snapshot() }} as
            {{ attribution_directory_rows() }};
        {%- endif %}
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}


{% macro refresh_chain_config(partitioned=false, post_hooks=[]) %}
    {#-
        The config of every chain model: {{ config(**refresh_chain_config()) }}.
        partitioned: the model is built a partition of charge days at a time
        (chain_partition_count(); its SQL filters its input with
        in_model_partition('charge_on', chain_partition_count())).
        post_hooks: the model's own post-hooks. Both run before the window is
        logged, so that every rendering of the model sees the same window.
    -#}
    {%- set hooks = [] -%}
    {%- if partitioned -%}
        {%- do hooks.append(
            '{{ load_model_partitions(chain_partition_count()) }}') -%}
    {%- endif -%}
    {%- do hooks.extend(post_hooks) -%}
    {%- do hooks.append('{{ refresh_window_post_hook() }}') -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': 'append',
        'on_schema_change': 'fail',
        'pre_hook': '{{ refresh_window_pre_hook() }}',
        'post_hook': hooks,
    }) }}
{% endmacro %}


{% macro chain_input(upstream, window_start, partitioned=false) %}
    {#-
        The rows of upstream chain model `upstream` that this build of a
        chain model recomputes, as a parenthesised subquery (its refresh
        window; with `partitioned`, the charge days of the partition this
        rendering builds). A chain model sets it to a Jinja variable and
        reads it where each part needs it, rather than through one import
        CTE: DuckDB materializes a CTE that several parts read, with every
        column of every row, while a read of the table takes only the columns
        each part uses.
    -#}
    {%- set partition -%}
        {%- if partitioned %}
            and {{ in_model_partition('charge_on', chain_partition_count()) }}
        {%- endif %}
    {%- endset -%}
    {{ return(
        "(\n        select * from " ~ ref(upstream)
        ~ "\n        where " ~ in_refresh_window(window_start) ~ partition
        ~ "\n    )") }}
{% endmacro %}


{% macro chain_partition_count() %}
    {#-
        How many partitions of charge days a partitioned chain model is built
        in: its upstream chain model's rows in this build's refresh window,
        var('chain_rows_per_partition') rows a partition (at least 1; 1 at
        parse time, in a dbt unit test and before the upstream table exists).
    -#}
    {%- if not execute or model.resource_type == 'unit_test' -%}
        {{ return(1) }}
    {%- endif -%}
    {%- set upstream = refresh_chain()[this.identifier].upstream[0] -%}
    {%- if load_relation(ref(upstream)) is none -%}
        {{ return(1) }}
    {%- endif -%}
    {{ return(model_partition_count_by_rows(
        "(select * from " ~ ref(upstream) ~ " where "
        ~ in_refresh_window(refresh_window_start()) ~ ")",
        var('chain_rows_per_partition') | int)) }}
{% endmacro %}
