{#-
    int_ai_costs_charged_back is incremental by month.

    Every row of a month depends only on that month's inputs: its charges
    (int_ai_costs_converted: direct charges, the pools of its days, the
    teams' usage that month), its seat holders (int_seat_months: the
    headcount bases) and the seed shared_cost_rules (int_ai_costs_shared, the
    shared charges, reads the charges and the seed only). A build computes a
    digest of each input per month (an order-free sum of 64-bit row hashes
    and a count; monthly_refresh_inputs()) and recomputes the months whose
    digests differ from those stored by the last build, the months that
    appeared or disappeared, and every month when the seeds it reads changed
    (reference_fingerprint()). A month's rows are deleted by
    the pre-hook and recomputed by the model from that month's inputs only.
    Unlike the cost chain's refresh window this needs no rule about what a
    new export can restate: a seats snapshot that changes a past month's
    holders recomputes that month, one that changes nothing recomputes
    nothing.
-#}

{% macro monthly_digests() %}
    {#- The temporary table of this build's input digests per month. -#}
    {{ return(this.identifier ~ '__current_digests') }}
{% endmacro %}


{% macro monthly_refresh_months() %}
    {#- The temporary table of the months this build recomputes. -#}
    {{ return(this.identifier ~ '__months') }}
{% endmacro %}


{% macro stored_monthly_digests() %}
    {#- The digests of the last build, kept beside the model's table. -#}
    {{ return(this.incorporate(
        path={'identifier': this.identifier ~ '__month_digests'})) }}
{% endmacro %}


{% macro monthly_refresh_inputs() %}
    {#-
        The inputs of each month-incremental model: the relation, its month
        column (a month's first day) and the columns whose values the model
        reads.
    -#}
    {%- set charges = {
        'name': 'charges',
        'relation': ref('int_ai_costs_converted'),
        'month': 'billing_period_start_on',
        'columns': [
            'charge_id', 'charge_key', 'provider', 'charge_category',
            'charge_frequency', 'cost_grain', 'token_class', 'agent', 'team',
            'cost_center', 'billing_currency', 'reporting_currency',
            'list_cost', 'billed_cost', 'effective_cost',
            'billed_cost_reporting', 'effective_cost_reporting', 'charge_on',
        ],
    } -%}
    {%- set inputs = {'int_ai_costs_shared': [charges]} -%}
    {%- if this.identifier == 'int_ai_costs_charged_back' -%}
        {%- do inputs.update({'int_ai_costs_charged_back': [charges, {
            'name': 'seat_months',
            'relation': ref('int_seat_months'),
            'month': 'seat_month_on',
            'columns': [
                'seat_id', 'product', 'team', 'cost_center', 'user_email',
            ],
        }]}) -%}
    {%- endif -%}
    {{ return(inputs[this.identifier]) }}
{% endmacro %}


{% macro monthly_inputs_digest_sql() %}
    {#-
        Per month and input: an order-free sum of the 64-bit hashes of the
        input's rows (the columns the model reads) and their count, with the
        fingerprint of the seeds the model reads.
    -#}
    {%- for input in monthly_refresh_inputs() %}
        select
            {{ input.month }} as month_on,
            '{{ input.name }}' as input_name,
            sum(hash({{ input.columns | join(', ') }})) as rows_hash,
            count(*) as row_count,
            '{{ reference_fingerprint() }}' as reference_fingerprint
        from {{ input.relation }}
        group by 1
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{% endmacro %}


{% macro monthly_refresh_pre_hook() %}
    {#-
        Before a build of a month-incremental model: the digests of this
        build's inputs and the months it recomputes (every month on a full
        build or when no digests were stored), whose rows it deletes on an
        incremental build.
    -#}
    {%- if execute and model.resource_type != 'unit_test' -%}
        {%- set stored = load_relation(stored_monthly_digests()) -%}
        create or replace temp table {{ monthly_digests() }} as
        {{ monthly_inputs_digest_sql() }};
        create or replace temp table {{ monthly_refresh_months() }} as
        {%- if not is_incremental() %}
            select distinct month_on from {{ monthly_digests() }};
        {%- elif stored is none %}
            select month_on from {{ monthly_digests() }}
            union
            select distinct billing_period_start_on from {{ this }};
        {%- else %}
            select distinct coalesce(current_digests.month_on, stored.month_on)
                as month_on
            from {{ monthly_digests() }} as current_digests
            full outer join {{ stored }} as stored
                on
                    current_digests.month_on = stored.month_on
                    and current_digests.input_name = stored.input_name
            where
                current_digests.month_on is null
                or stored.month_on is null
                or current_digests.rows_hash != stored.rows_hash
                or current_digests.row_count != stored.row_count
                or current_digests.reference_fingerprint
                != stored.reference_fingerprint;
        {%- endif %}
        {%- if is_incremental() %}
            delete from {{ this }}
            where billing_period_start_on in (
                select month_on from {{ monthly_refresh_months() }}
            )
        {%- else %}
            select 1
        {%- endif %}
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}


{% macro monthly_refresh_post_hook() %}
    {#-
        After the build: store this build's digests for the next one, and
        log the first month recomputed in main.incremental_refresh_log
        (infinity when no month changed).
    -#}
    {%- if execute and model.resource_type != 'unit_test' -%}
        create or replace table {{ stored_monthly_digests() }} as
        select * from {{ monthly_digests() }};
        {{ log_refresh_window(
            "coalesce(min(month_on), date 'infinity')", monthly_refresh_months()) }}
    {%- else -%}
        select 1
    {%- endif -%}
{% endmacro %}


{% macro in_monthly_refresh(month_expression) %}
    {#-
        True for the rows of the months this build recomputes (every row on
        a full build), on `month_expression` (a month's first day).
    -#}
    {%- if is_incremental() -%}
        {{ month_expression }} in (
            select months.month_on from {{ monthly_refresh_months() }} as months
        )
    {%- else -%}
        true
    {%- endif -%}
{% endmacro %}
