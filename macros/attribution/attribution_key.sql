{% macro attribution_key(relation) %}
    {#-
        The attribution key of a charge: the MD5 of the keys that attribution
        rules and directories read (provider, sub-account, API key, user, IAM
        principal, repository, vendor cost centre, agent hint, resource, model,
        tags) of `relation` (an alias), nulls included, as a JSON object
        (json_record_text; the text, so the key, may differ between engines).
        int_charge_key_attribution is keyed by it; fct_ai_costs joins on it.
    -#}
    {%- set fields = [] -%}
    {%- for key in ['provider', 'sub_account_id', 'api_key_id', 'user_name',
        'iam_principal', 'repository', 'vendor_cost_center', 'agent_hint',
        'resource_id', 'model', 'tags'] -%}
        {%- do fields.append((key, relation ~ '.' ~ key)) -%}
    {%- endfor %}
    md5({{ json_record_text(fields) }})
{% endmacro %}
