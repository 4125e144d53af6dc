{{ config(materialized='table') }}

-- Every gateway and tracing request with its team, cost centre, product,
-- environment and agent, from the attribution_rules seed (the same rules,
-- matching and priorities as the charges' in int_charge_key_attribution)
-- over the keys a request carries: key_alias and team_alias (a LiteLLM
-- key), agent_name (the tool's own agent: gen_ai.agent.name, a Langfuse
-- trace name), service_name (OpenTelemetry service.name) and request tags
-- as `tag:<key>` (a tag `agent:invoice-bot` gives tag:agent =
-- invoice-bot). What no rule sets comes from the request itself (the
-- gateway log's team and agent, the tool's agent), else 'unallocated'.
-- Rules are matched once per distinct set of keys.
{%- set request_keys = [
    'provider', 'key_alias', 'team_alias', 'agent_name', 'service_name',
    'tags',
] %}
with

requests as (
    select * from {{ ref('int_gateway_requests') }}
),

rules as (
    select * from {{ ref('attribution_rules') }}
),

vendor_models as (
    select * from {{ ref('int_vendor_models') }}
),

keyed as (
    select
        *,
        agent as agent_name
    from requests
),

key_sets as (
    select distinct {{ request_keys | join(', ') }}
    from keyed
),

rule_columns as (
    select
        rule_id,
        priority,
        provider as rule_provider,
        match_key,
        match_type,
        match_value,
        team,
        cost_center,
        product,
        environment,
        agent
    from rules
),

key_candidates as (
    select
        key_sets.*,
        rule_columns.*,
        case rule_columns.match_key
            when 'key_alias' then key_sets.key_alias
            when 'team_alias' then key_sets.team_alias
            when 'agent_name' then key_sets.agent_name
            when 'service_name' then key_sets.service_name
        end as key_value
    from key_sets
    inner join rule_columns
        on
            key_sets.provider = rule_columns.rule_provider
            or rule_columns.rule_provider = '*'
),

-- a request tag `key:value` is read as tag:<key> = value (`prod`: tag:prod
-- = '')
request_tags as (
    select
        key_sets.*,
        request_tag.tag
    from key_sets
    {{ cross_join_unnest('key_sets.tags', 'request_tag', 'tag') }}
),

tag_candidates as (
    select
        {%- for key in request_keys %}
            request_tags.{{ key }},
        {%- endfor %}
        rule_columns.*,
        case
            when contains(request_tags.tag, ':')
                then substr(request_tags.tag, instr(request_tags.tag, ':') + 1)
            else ''
        end as key_value
    from request_tags
    inner join rule_columns
        on
            (
                request_tags.provider = rule_columns.rule_provider
                or rule_columns.rule_provider = '*'
            )
            and rule_columns.match_key
            = 'tag:' || split_part(request_tags.tag, ':', 1)
),

matched as (
    select
        *,
        {{ rule_dimension_values() }}
    from (
        -- both: the key set's columns, the rule's, key_value
        select * from key_candidates
        union all
        select * from tag_candidates
    ) as candidates
    where {{ rule_matches() }}
),

resolved as (
    select
        {%- for key in request_keys %}
            {{ key }},
        {%- endfor %}
        {{ dimensions_by_priority() }}
    from matched
    group by all
),

final as (
    select
        keyed.request_source,
        keyed.request_id,
        keyed.requested_on,
        keyed.provider,
        keyed.vendor_model_id,
        vendor_models.model,
        coalesce(resolved.team, keyed.team, 'unallocated') as team,
        coalesce(resolved.cost_center, 'unallocated') as cost_center,
        coalesce(resolved.product, 'unallocated') as product,
        coalesce(resolved.environment, 'unallocated') as environment,
        coalesce(resolved.agent, keyed.agent_name, 'unallocated') as agent,
        resolved.first_rule_id as attribution_rule_id,
        keyed.key_alias,
        keyed.team_alias,
        keyed.service_name,
        keyed.tags,
        keyed.is_model_call,
        keyed.status,
        keyed.input_tokens,
        keyed.cached_input_tokens,
        keyed.cache_write_tokens,
        keyed.output_tokens,
        keyed.reported_cost,
        keyed.reported_cost_currency
    from keyed
    left join resolved
        on
            {% for key in request_keys -%}
                {{ 'and ' if not loop.first }}keyed.{{ key }}
                is not distinct from resolved.{{ key }}
            {% endfor %}
    left join vendor_models
        on
            keyed.provider = vendor_models.provider
            and keyed.vendor_model_id = vendor_models.vendor_model_id
)

select * from final
