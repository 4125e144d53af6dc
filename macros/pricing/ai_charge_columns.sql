{% macro ai_charge_columns() %}
    {#-
        The canonical shape every vendor's charges are mapped onto before they
        are unioned in int_ai_charges_unioned (name, type). A vendor that lacks
        a field gets a typed null. Types are spelt for both engines (string;
        timestamp_type(): an instant in UTC).
    -#}
    {{ return([
        {'name': 'charge_key', 'type': 'string'},
        {'name': 'provider', 'type': 'string'},
        {'name': 'charge_category', 'type': 'string'},
        {'name': 'cost_grain', 'type': 'string'},
        {'name': 'billing_account_id', 'type': 'string'},
        {'name': 'sub_account_id', 'type': 'string'},
        {'name': 'sub_account_name', 'type': 'string'},
        {'name': 'vendor_model_id', 'type': 'string'},
        {'name': 'vendor_sku', 'type': 'string'},
        {'name': 'token_class', 'type': 'string'},
        {'name': 'service_tier', 'type': 'string'},
        {'name': 'context_tier', 'type': 'string'},
        {'name': 'region_id', 'type': 'string'},
        {'name': 'consumed_unit', 'type': 'string'},
        {'name': 'billing_currency', 'type': 'string'},
        {'name': 'user_name', 'type': 'string'},
        {'name': 'api_key_id', 'type': 'string'},
        {'name': 'resource_id', 'type': 'string'},
        {'name': 'iam_principal', 'type': 'string'},
        {'name': 'repository', 'type': 'string'},
        {'name': 'vendor_cost_center', 'type': 'string'},
        {'name': 'agent_hint', 'type': 'string'},
        {'name': 'tags', 'type': 'string'},
        {'name': 'consumed_quantity', 'type': 'decimal(38, 10)'},
        {'name': 'request_count', 'type': 'bigint'},
        {'name': 'reported_cost', 'type': 'decimal(38, 10)'},
        {'name': 'reported_list_cost', 'type': 'decimal(38, 10)'},
        {'name': 'reported_list_unit_price', 'type': 'decimal(38, 10)'},
        {'name': 'is_included_in_seat', 'type': 'boolean'},
        {'name': 'charge_on', 'type': 'date'},
        {'name': 'charge_period_start_at', 'type': timestamp_type()},
        {'name': 'charge_period_end_at', 'type': timestamp_type()},
        {'name': 'staging_model', 'type': 'string'},
        {'name': 'source_file', 'type': 'string'},
        {'name': 'source_row', 'type': 'bigint'},
        {'name': 'landing_key', 'type': 'string'},
    ]) }}
{% endmacro %}


{% macro to_canonical(relation, provider, mapping) %}
    {#-
        Maps one vendor relation onto ai_charge_columns(): `mapping` is a dict
        of canonical column → SQL expression over `relation`; missing columns
        become typed nulls; `provider` is the literal given, unless the mapping
        has its own `provider` expression.
    -#}
    select
        {%- for column in ai_charge_columns() %}
            {%- if column.name == 'provider' and 'provider' not in mapping %}
        cast('{{ provider }}' as string) as provider
            {%- else %}
        cast({{ mapping.get(column.name, 'null') }} as {{ column.type }})
            as {{ column.name }}
            {%- endif %}
            {{- "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
{% endmacro %}
