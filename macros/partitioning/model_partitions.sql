{#-
    A model built a partition of its keys at a time.

    Some models hold state whose size grows with their input: the forecast
    keeps lists of the trailing days of every team and cost centre, the cost
    allocation joins and numbers the charges of every day. Such a model
    filters its rows with in_model_partition(key, n) and has
    load_model_partitions(n) as post-hook: its SQL as compiled builds
    partition 0, the post-hook renders the same SQL for each further
    partition and appends its rows, inside the model's transaction. n comes
    from the distinct keys (model_partition_count()) or the rows
    (model_partition_count_by_rows()) of the model's input; the key is one
    on which the model's rows depend alone (a scope, a charge day), so the
    rows do not depend on n.
-#}

{% macro model_partition_count(relation, key_expression, keys_per_partition) %}
    {#-
        How many partitions of at most `keys_per_partition` distinct keys
        (1 before `relation` exists: at parse time, in a linter's compile).
    -#}
    {%- if not execute or model.resource_type == 'unit_test'
        or load_relation(relation) is none -%}
        {{ return(1) }}
    {%- endif -%}
    {%- set counted = run_query(
        "select count(distinct " ~ key_expression ~ ") from " ~ relation) -%}
    {%- set keys = counted.columns[0].values()[0] | int -%}
    {{ return([((keys + keys_per_partition - 1) // keys_per_partition), 1] | max) }}
{% endmacro %}


{% macro in_model_partition(key_expression, partitions) %}
    {#-
        True for the rows of the partition this rendering builds (0 unless
        load_model_partitions() is rendering a further one): the key's hash
        modulo `partitions`.
    -#}
    {%- if partitions | int <= 1 -%}
        true
    {%- else -%}
        (hash({{ key_expression }}) % {{ partitions }})
        = {{ model.get('model_partition', 0) }}
    {%- endif -%}
{% endmacro %}


{% macro model_partition_count_by_rows(relation, rows_per_partition) %}
    {#-
        How many partitions of about `rows_per_partition` rows `relation`
        (a table or a parenthesised subquery) makes; 1 at parse time, in a
        dbt unit test and before the relation exists.
    -#}
    {%- if not execute or model.resource_type == 'unit_test' -%}
        {{ return(1) }}
    {%- endif -%}
    {%- if not (relation | string).strip().startswith('(')
        and load_relation(relation) is none -%}
        {{ return(1) }}
    {%- endif -%}
    {%- set counted = run_query(
        "select count(*) from " ~ relation ~ " as partitioned_rows") -%}
    {%- set rows = counted.columns[0].values()[0] | int -%}
    {{ return([((rows + rows_per_partition - 1) // rows_per_partition), 1] | max) }}
{% endmacro %}


{% macro load_model_partitions(partitions) %}
    {#-
        Post-hook of a partitioned table model: renders the model's SQL for
        partitions 1 .. partitions - 1 and appends their rows. `partitions`
        must be computed exactly as the model's SQL computes it (the same
        macro call, on relations the build has not changed yet).
    -#}
    {%- if execute and model.resource_type != 'unit_test' -%}
        {%- for partition in range(1, partitions | int) -%}
            {%- do model.update({'model_partition': partition}) -%}
            {%- do run_query(
                "insert into " ~ this ~ " by name select * from ("
                ~ render(model.raw_code) ~ "\n) as model_partition") -%}
        {%- endfor -%}
        {%- do model.update({'model_partition': 0}) -%}
    {%- endif -%}
    select 1
{% endmacro %}


{% macro scope_partition_key() %}
    {#- The key int_scope_spend_forecasted is partitioned by: one scope. -#}
    {{ return("scope_type || '|' || scope_value") }}
{% endmacro %}
