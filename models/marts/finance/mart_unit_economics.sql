-- Unit economics per canonical model, provider and month. Costs are
-- effective costs in the reporting currency; the price-book figures (list
-- cost of the tokens, money caching saved, the same tokens on the family's
-- cheapest model) are in the price book's currency. Ratios are null where
-- their denominator is zero or unknown.
-- int_model_charges_repriced is read where it is needed, not through one
-- import CTE: DuckDB materializes a CTE that several parts read, with
-- every column of every row.
with

-- requests are reported by some exports only (OpenAI usage, Cursor): the
-- cost per request divides the cost of those exports' charges by their
-- requests
request_sources as (
    select
        billing_period_start_on,
        provider,
        model,
        staging_model,
        sum(request_count) as request_count,
        sum(effective_cost_reporting) as effective_cost_reporting
    from {{ ref('int_model_charges_repriced') }}
    group by 1, 2, 3, 4
    having sum(request_count) > 0
),

requests as (
    select
        billing_period_start_on,
        provider,
        model,
        sum(request_count) as request_count,
        sum(effective_cost_reporting) as request_cost
    from request_sources
    group by 1, 2, 3
),

monthly as (
    select
        billing_period_start_on,
        provider,
        model,
        any_value(model_family) as model_family,
        any_value(reporting_currency) as reporting_currency,
        any_value(price_currency) filter (
            where price_currency is not null
        ) as price_currency,
        {{ dbt.listagg(
            'distinct cheapest_model', "', '", 'order by cheapest_model'
        ) }} as cheapest_model,
        coalesce(sum(tokens), 0) as total_tokens,
        coalesce(sum(tokens) filter (
            where token_class in (
                'input', 'cached_input', 'cache_write', 'cache_write_5m',
                'cache_write_1h'
            )
        ), 0) as input_tokens,
        coalesce(sum(tokens) filter (
            where token_class = 'cached_input'
        ), 0) as cached_input_tokens,
        coalesce(sum(tokens) filter (
            where token_class = 'output'
        ), 0) as output_tokens,
        count(distinct user_name) as active_users,
        coalesce(sum(effective_cost_reporting), 0) as effective_cost_reporting,
        coalesce(sum(billed_cost_reporting), 0) as billed_cost_reporting,
        sum(effective_cost_reporting) filter (
            where tokens is not null
        ) as token_cost_reporting,
        sum(effective_cost_reporting) filter (
            where user_name is not null
        ) as user_cost_reporting,
        sum(token_list_cost) as token_list_cost,
        coalesce(sum(cache_savings), 0) as cache_savings,
        sum(cheapest_model_list_cost) as cheapest_model_list_cost,
        count(*) as charge_count
    from {{ ref('int_model_charges_repriced') }}
    group by 1, 2, 3
),

final as (
    select
        monthly.provider,
        monthly.model,
        monthly.model_family,
        monthly.cheapest_model,
        monthly.reporting_currency,
        monthly.price_currency,
        cast(monthly.total_tokens as bigint) as total_tokens,
        cast(monthly.input_tokens as bigint) as input_tokens,
        cast(monthly.cached_input_tokens as bigint) as cached_input_tokens,
        cast(monthly.output_tokens as bigint) as output_tokens,
        cast(requests.request_count as bigint) as request_count,
        monthly.active_users,
        monthly.charge_count,
        cast(monthly.effective_cost_reporting as decimal(38, 10))
            as effective_cost_reporting,
        cast(monthly.billed_cost_reporting as decimal(38, 10))
            as billed_cost_reporting,
        cast(
            case
                when monthly.total_tokens > 0
                    then
                        cast(
                            {{ integer_divide(
                                'cast(monthly.token_cost_reporting'
                                ~ ' * 10000000000000000 as ' ~ int128_type()
                                ~ ')',
                                'monthly.total_tokens'
                            ) }} as decimal(38, 0)
                        ) * 0.0000000001
            end as decimal(38, 10)
        ) as effective_cost_per_1m_tokens,
        cast(
            case
                when requests.request_count > 0
                    then
                        cast(
                            {{ integer_divide(
                                'cast(requests.request_cost * 10000000000 as '
                                ~ int128_type() ~ ')',
                                'requests.request_count'
                            ) }} as decimal(38, 0)
                        ) * 0.0000000001
            end as decimal(38, 10)
        ) as cost_per_request,
        cast(
            case
                when monthly.active_users > 0
                    then
                        cast(
                            {{ integer_divide(
                                'cast(monthly.user_cost_reporting * 10000000000'
                                ~ ' as ' ~ int128_type() ~ ')',
                                'monthly.active_users'
                            ) }} as decimal(38, 0)
                        ) * 0.0000000001
            end as decimal(38, 10)
        ) as cost_per_active_user,
        cast(
            case
                when monthly.input_tokens > 0
                    then monthly.cached_input_tokens / monthly.input_tokens
            end as decimal(18, 6)
        ) as cache_hit_rate,
        cast(monthly.token_list_cost as decimal(38, 10)) as token_list_cost,
        cast(monthly.cache_savings as decimal(38, 10)) as cache_savings,
        cast(monthly.cheapest_model_list_cost as decimal(38, 10))
            as cheapest_model_list_cost,
        cast(
            monthly.token_list_cost - monthly.cheapest_model_list_cost
            as decimal(38, 10)
        ) as cheapest_model_savings,
        monthly.billing_period_start_on
    from monthly
    left join requests
        on
            monthly.billing_period_start_on = requests.billing_period_start_on
            and monthly.provider = requests.provider
            and monthly.model = requests.model
)

select * from final
