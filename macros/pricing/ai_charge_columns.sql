{% macro ai_charge_columns() %}
    {#-
        The canonical shape every vendor's charges are mapped onto before they
        are unioned in int_ai_charges_unioned (name, type). A vendor that lacks
        a field gets a typed null.
    -#}
    {{ return([
        {'name': 'charge_key', 'type': 'varchar'},
        {'name': 'provider', 'type': 'varchar'},
        {'name': 'charge_category', 'type': 'varchar'},
        {'name': 'cost_grain', 'type': 'varchar'},
        {'name': 'billing_account_id', 'type': 'varchar'},
        {'name': 'sub_account_id', 'type': 'varchar'},
        {'name': 'sub_account_name', 'type': 'varchar'},
        {'name': 'vendor_model_id', 'type': 'varchar'},
        {'name': 'vendor_sku', 'type': 'varchar'},
        {'name': 'token_class', 'type': 'varchar'},
        {'name': 'service_tier', 'type': 'varchar'},
        {'name': 'context_tier', 'type': 'varchar'},
        {'name': 'region_id', 'type': 'varchar'},
        {'name': 'consumed_unit', 'type': 'varchar'},
        {'name': 'billing_currency', 'type': 'varchar'},
        {'name': 'user_name', 'type': 'varchar'},
        {'name': 'api_key_id', 'type': 'varchar'},
        {'name': 'resource_id', 'type': 'varchar'},
        {'name': 'iam_principal', 'type': 'varchar'},
        {'name': 'repository', 'type': 'varchar'},
        {'name': 'vendor_cost_center', 'type': 'varchar'},
        {'name': 'agent_hint', 'type': 'varchar'},
        {'name': 'tags', 'type': 'varchar'},
        {'name': 'consumed_quantity', 'type': 'decimal(38, 10)'},
        {'name': 'request_count', 'type': 'bigint'},
        {'name': 'reported_cost', 'type': 'decimal(38, 10)'},
        {'name': 'reported_list_cost', 'type': 'decimal(38, 10)'},
        {'name': 'reported_list_unit_price', 'type': 'decimal(38, 10)'},
        {'name': 'is_included_in_seat', 'type': 'boolean'},
        {'name': 'charge_on', 'type': 'date'},
        {'name': 'charge_period_start_at', 'type': 'timestamptz'},
        {'name': 'charge_period_end_at', 'type': 'timestamptz'},
        {'name': 'staging_model', 'type': 'varchar'},
        {'name': 'source_file', 'type': 'varchar'},
        {'name': 'source_row', 'type': 'bigint'},
        {'name': 'landing_key', 'type': 'varchar'},
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
        cast('{{ provider }}' as varchar) as provider
            {%- else %}
        cast({{ mapping.get(column.name, 'null') }} as {{ column.type }})
            as {{ column.name }}
            {%- endif %}
            {{- "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
{% endmacro %}
