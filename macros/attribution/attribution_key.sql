{% macro attribution_key(relation) %}
    {#-
        The attribution key of a charge: the MD5 of the keys that attribution
        rules and directories read (provider, sub-account, API key, user, IAM
        principal, repository, vendor cost centre, agent hint, resource, model,
        tags) of `relation` (an alias), nulls included. int_charge_key_attribution
        is keyed by it; fct_ai_costs joins on it.
    -#}
    md5(to_json(struct_pack(
        provider := {{ relation }}.provider,
        sub_account_id := {{ relation }}.sub_account_id,
        api_key_id := {{ relation }}.api_key_id,
        user_name := {{ relation }}.user_name,
        iam_principal := {{ relation }}.iam_principal,
        repository := {{ relation }}.repository,
        vendor_cost_center := {{ relation }}.vendor_cost_center,
        agent_hint := {{ relation }}.agent_hint,
        resource_id := {{ relation }}.resource_id,
        model := {{ relation }}.model,
        tags := {{ relation }}.tags
    )))
{% endmacro %}
