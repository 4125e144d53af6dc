{{ config(materialized='table') }}

-- Virtual tags: every charge gets team, cost_center, product, environment and
-- agent from the attribution_rules seed. A rule matches one vendor key
-- (sub_account_id, api_key_id, user_name, iam_principal, repository,
-- vendor_cost_center, agent_hint, resource_id, model, or a native tag/label
-- `tag:<name>`) exactly, by SQL LIKE pattern or by regex, for one provider or
-- all ('*'). Each dimension takes its value from the matching rule with the
-- lowest priority number that sets it; `{value}` in a rule copies the matched
-- key's value (how vendor-native tags and labels take part). A charge that no
-- rule attributes gets the explicit value 'unallocated', never null.
-- The rules see only a charge's keys, so they are matched once per distinct
-- set of keys and refresh partition (thousands, where charges are millions);
-- fct_ai_costs joins the result back to every charge by attribution_key.
-- Rebuilt whole every build: a partition whose attribution changed (a rule,
-- an API key's agent, a person's team) is rebuilt in fct_ai_costs through
-- int_cost_partitions.
{%- set attribution_keys = [
    'provider', 'sub_account_id', 'api_key_id', 'user_name', 'iam_principal',
    'repository', 'vendor_cost_center', 'agent_hint', 'resource_id', 'model',
    'tags',
] %}
with

rules as (
    select * from {{ ref('attribution_rules') }}
),

api_keys as (
    select * from {{ ref('int_api_key_directory') }}
),

users as (
    select * from {{ ref('int_user_directory') }}
),

key_sets as (
    select distinct
        refresh_partition,
        provider,
        sub_account_id,
        api_key_id,
        user_name,
        iam_principal,
        repository,
        vendor_cost_center,
        agent_hint,
        resource_id,
        model,
        tags
    from {{ ref('int_ai_charges_priced') }}
),

distinct_key_sets as (
    select distinct {{ attribution_keys | join(', ') }}
    from key_sets
),

candidates as (
    select
        {%- for key in attribution_keys %}
            charges.{{ key }},
        {%- endfor %}
        rules.rule_id,
        rules.priority,
        rules.match_type,
        rules.match_value,
        rules.team,
        rules.cost_center,
        rules.product,
        rules.environment,
        rules.agent,
        case
            when rules.match_key = 'sub_account_id' then charges.sub_account_id
            when rules.match_key = 'api_key_id' then charges.api_key_id
            when rules.match_key = 'user_name' then charges.user_name
            when rules.match_key = 'iam_principal' then charges.iam_principal
            when rules.match_key = 'repository' then charges.repository
            when rules.match_key = 'vendor_cost_center'
                then charges.vendor_cost_center
            when rules.match_key = 'agent_hint' then charges.agent_hint
            when rules.match_key = 'resource_id' then charges.resource_id
            when rules.match_key = 'model' then charges.model
            when rules.match_key like 'tag:%'
                then
                    {{ json_text_of_key(
                        'charges.tags', 'substr(rules.match_key, 5)'
                    ) }}
        end as key_value
    from distinct_key_sets as charges
    inner join rules
        on charges.provider = rules.provider or rules.provider = '*'
),

-- the gateway's key directory (priority 70) and the seat holders' team
-- (priority 80) attribute what no explicit rule did
directory_candidates as (
    select
        {%- for key in attribution_keys %}
            charges.{{ key }},
        {%- endfor %}
        'api-key-directory' as rule_id,
        70 as priority,
        'exact' as match_type,
        charges.api_key_id as match_value,
        api_keys.team,
        null as cost_center,
        null as product,
        null as environment,
        api_keys.agent,
        charges.api_key_id as key_value
    from distinct_key_sets as charges
    inner join api_keys
        on
            charges.provider = api_keys.provider
            and charges.api_key_id = api_keys.api_key_id
    union all
    select
        {%- for key in attribution_keys %}
            charges.{{ key }},
        {%- endfor %}
        'user-directory' as rule_id,
        80 as priority,
        'exact' as match_type,
        lower(charges.user_name) as match_value,
        users.team,
        users.cost_center,
        null as product,
        null as environment,
        null as agent,
        lower(charges.user_name) as key_value
    from distinct_key_sets as charges
    inner join users
        on lower(charges.user_name) = users.user_email
),

all_candidates as (
    select
        {%- for key in attribution_keys %}
            {{ key }},
        {%- endfor %}
        rule_id,
        priority,
        match_type,
        match_value,
        team,
        cost_center,
        product,
        environment,
        agent,
        key_value
    from candidates
    union all
    select * from directory_candidates
),

matched as (
    select
        *,
        {{ rule_dimension_values() }},
        rule_id as matched_rule_id
    from all_candidates
    where {{ rule_matches() }}
),

resolved as (
    select
        {%- for key in attribution_keys %}
            {{ key }},
        {%- endfor %}
        {{ dimensions_by_priority() }}
    from matched
    group by all
),

final as (
    select
        key_sets.refresh_partition,
        {{ attribution_key('key_sets') }} as attribution_key,
        {%- for key in attribution_keys %}
            key_sets.{{ key }},
        {%- endfor %}
        coalesce(resolved.team, 'unallocated') as team,
        coalesce(resolved.cost_center, 'unallocated') as cost_center,
        coalesce(resolved.product, 'unallocated') as product,
        coalesce(resolved.environment, 'unallocated') as environment,
        coalesce(resolved.agent, 'unallocated') as agent,
        resolved.first_rule_id as attribution_rule_id
    from key_sets
    left join resolved
        on
            {% for key in attribution_keys -%}
                {{ 'and ' if not loop.first }}key_sets.{{ key }}
                is not distinct from resolved.{{ key }}
            {% endfor %}
)

select * from final
