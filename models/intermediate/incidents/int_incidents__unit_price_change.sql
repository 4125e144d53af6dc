{#-
    unit_price_change: what the vendor bills per unit, against the price book
    valid that day. Per series (provider × priced model or SKU × token class ×
    service tier × context tier) and day, price_ratio = vendor cost at list
    ÷ (pricing quantity × list unit price). A day deviates when the ratio is
    off by more than the tolerance (2 %); an incident starts on the first
    day of a run of deviating days that the next observed day of the series
    confirms (a single odd day never fires). Runs of one provider and model
    that overlap (or follow within 7 days) are one incident.
    Only vendor-reported usage charges that have a list price take part
    (int_vendor_unit_prices): OpenAI cost rows with their own quantity,
    Anthropic cost rows allocated onto the usage they cover, and the cloud
    bills' usage rows, which are billed at list (discounts and credits are
    separate rows). Where a row itself states the vendor's list amount and
    bills less (Azure negotiated EffectivePrice, Copilot included usage,
    Cursor included events), the discount is the vendor's own and the row's
    list amount is compared instead: a discount never fires, a price above
    the vendor's own list does.
-#}
{%- set tolerance = incident_setting('unit_price_tolerance') -%}
{%- set series =
    'provider, price_model, token_class, service_tier, context_tier' -%}

with

priced_rows as (
    select * from {{ ref('int_vendor_unit_prices') }}
),

daily as (
    select
        provider,
        price_model,
        token_class,
        service_tier,
        context_tier,
        charge_on,
        any_value(model) as model,  -- noqa: RF04
        sum(at_list_cost) as at_list_cost,
        sum(estimated_cost) as list_cost,
        sum(at_list_cost) / sum(estimated_cost) as price_ratio
    from priced_rows
    group by 1, 2, 3, 4, 5, 6
),

flagged as (
    select
        *,
        abs(price_ratio - 1) > {{ tolerance }} as is_deviating,
        sign(price_ratio - 1) as deviation_sign
    from daily
),

neighbours as (
    select
        *,
        lead(is_deviating) over series_days as next_is_deviating,
        lead(deviation_sign) over series_days as next_deviation_sign,
        -- deviating days between the same two calm days share a run number
        sum(case when is_deviating then 0 else 1 end) over (
            partition by {{ series }}
            order by charge_on
            rows between unbounded preceding and current row
        ) as run_number
    from flagged
    window series_days as (partition by {{ series }} order by charge_on)
),

runs as (
    select
        provider,
        price_model,
        token_class,
        service_tier,
        context_tier,
        run_number,
        any_value(model) as model,  -- noqa: RF04
        min(charge_on) as run_start_on,
        max(charge_on) as run_end_on,
        count(*) as run_days,
        sum(at_list_cost) as at_list_cost,
        sum(list_cost) as list_cost,
        -- the run's first day: only a run's last day, when it is the
        -- series' last, has no next day (null), so leaving nulls out
        -- (DuckDB) or not (Spark) picks the same day
        min_by(price_ratio, charge_on) as first_day_ratio,
        min_by(next_is_deviating, charge_on) as is_confirmed,
        min_by(next_deviation_sign, charge_on)
        = min_by(deviation_sign, charge_on) as is_same_direction
    from neighbours
    where is_deviating
    group by 1, 2, 3, 4, 5, 6
),

sustained as (
    select
        *,
        max(run_end_on) over (
            partition by provider, price_model
            order by run_start_on, run_end_on
            rows between unbounded preceding and 1 preceding
        ) as previous_runs_end_on
    from runs
    where is_confirmed and is_same_direction
),

episodes as (
    -- runs of one provider and model that overlap (or follow within 7 days)
    -- are one price change seen in several token classes or tiers
    select
        *,
        sum(
            case
                when
                    previous_runs_end_on is not null
                    and {{ dbt.datediff(
                        'previous_runs_end_on', 'run_start_on', 'day'
                    ) }}
                    <= 7
                    then 0
                else 1
            end
        ) over (
            partition by provider, price_model
            order by run_start_on, run_end_on
            rows between unbounded preceding and current row
        ) as episode_number
    from sustained
),

incidents as (
    select
        provider,
        price_model,
        episode_number,
        any_value(model) as model,  -- noqa: RF04
        min(run_start_on) as started_on,
        max(run_end_on) as ended_on,
        sum(at_list_cost) as at_list_cost,
        sum(list_cost) as list_cost,
        {{ dbt.listagg(
            "token_class || '/' || service_tier || '/' || context_tier
            || ' x' || " ~ format_decimal('first_day_ratio', 4) ~ "
            || ' from ' || " ~ format_date('run_start_on', '%Y-%m-%d') ~ "
            || ' for ' || run_days || ' day(s)'",
            "'; '",
            'order by token_class nulls last, service_tier nulls last,'
            ~ ' context_tier nulls last'
        ) }} as series_evidence
    from episodes
    group by 1, 2, 3
),

final as (
    select
        'unit_price_change' as incident_type,
        provider,
        model,
        case when model is null then price_model end as sku,
        'int_incidents__unit_price_change' as detected_by,
        provider || ':' || price_model as incident_key,
        'vendor-billed unit price of ' || provider || ' ' || price_model
        || ' differs from the price book by more than '
        || {{ tolerance * 100 }} || '%: billed at list '
        || {{ format_decimal('at_list_cost', 4) }} || ' vs price book '
        || {{ format_decimal('list_cost', 4) }} || ' over the deviating days ('
        || series_evidence || ')' as evidence,
        cast(at_list_cost / list_cost as double) as magnitude,
        started_on,
        started_on as window_start_on,
        ended_on as window_end_on
    from incidents
)

select * from final
