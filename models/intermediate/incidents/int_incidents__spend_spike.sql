{#-
    spend_spike: a day's spend of one agent (or, where no agent is
    attributed, one API key) far above its own baseline. Stateless, on a
    zero-filled daily spine per provider and key (usage charges with a cost;
    seats and credits left out). For day d, the detection window is d and
    d - 1 (`spike_detect_days`), and every baseline ends before it:
      band  the key's active days (spend > 0) of the `spike_train_days` (28)
            days before the detection window: exp(mean + 3 sd) - 1 of
            ln(1 + spend) (sd at least 0.1), used only with at least
            `spike_min_training` (7) active days, else 0;
      peak  the key's highest daily spend of the `spike_peak_days` (90) days
            before the detection window: the seasonal peaks the key already
            has (month-end closes, periodic evaluation bursts).
    Direction: up only. A key with a full training window of history before
    the detection window spikes on day d when its spend is above the band,
    at least `spike_peak_factor` (5) times the peak, and above both by at
    least `spike_floor` (20, billing currency): the absolute floor ignores
    small changes. A new key, whose first spend is inside the detection
    window, has no baseline: it goes from zero to thousands of calls, and
    the absolute floor alone decides, provided the key first spent after the
    first `spike_baseline_days` (14) days of the provider's data (in them,
    every key is new). A key with less
    history than the training window gets no verdict. Consecutive spike days
    are one incident; the model is the one with most of the key's spend on
    the first day.
-#}
{%- set detect = incident_setting('spike_detect_days') -%}
{%- set train = incident_setting('spike_train_days') -%}
{%- set peak_days = incident_setting('spike_peak_days') -%}
{%- set floor = incident_setting('spike_floor') -%}
{%- set key = 'provider, spend_key' -%}

with

charges as (
    select * from {{ ref('fct_ai_costs') }}
),

keyed_charges as (
    select
        provider,
        case
            when agent != 'unallocated' then 'agent ' || agent
            when api_key_id is not null then 'api key ' || api_key_id
        end as spend_key,
        model,
        charge_on,
        billed_cost
    from charges
    where
        charge_category = 'Usage'
        and cost_grain != 'seat'
        and billed_cost is not null
),

provider_ranges as (
    select
        provider,
        min(charge_on) as first_on,
        max(charge_on) as last_on
    from keyed_charges
    group by 1
),

daily as (
    select
        provider,
        spend_key,
        charge_on,
        sum(billed_cost) as spend,
        -- charges without a model left out (as DuckDB's arg_max does; Spark's
        -- max_by would return their null)
        max_by(model, billed_cost) filter (where model is not null)
            as top_model
    from keyed_charges
    where spend_key is not null
    group by 1, 2, 3
),

spend_keys as (
    select distinct
        provider,
        spend_key
    from daily
),

spine as (
    select
        spend_keys.provider,
        spend_keys.spend_key,
        provider_ranges.first_on,
        {{ unnest_list(
            day_list('provider_ranges.first_on', 'provider_ranges.last_on')
        ) }} as spend_on
    from spend_keys
    inner join provider_ranges
        on spend_keys.provider = provider_ranges.provider
),

filled as (
    select
        spine.provider,
        spine.spend_key,
        spine.first_on,
        spine.spend_on,
        daily.top_model,
        coalesce(daily.spend, 0) as spend
    from spine
    left join daily
        on
            spine.provider = daily.provider
            and spine.spend_key = daily.spend_key
            and spine.spend_on = daily.charge_on
),

-- the active days (spend > 0) chosen by a case inside each window
-- aggregate, which leaves nulls out (Spark has no filter clause on a window
-- aggregate)
baselines as (
    select
        *,
        count(case when spend > 0 then 1 end) over training as training_days,
        avg(case when spend > 0 then ln(1 + spend) end) over training
            as training_mean,
        stddev_samp(case when spend > 0 then ln(1 + spend) end) over training
            as training_sd,
        coalesce(max(spend) over peak_history, 0) as recent_peak,
        min(case when spend > 0 then spend_on end) over (
            partition by {{ key }}
        ) as first_active_on
    from filled
    window
        training as (
            partition by {{ key }} order by spend_on
            rows between {{ train + detect - 1 }} preceding
            and {{ detect }} preceding
        ),
        peak_history as (
            partition by {{ key }} order by spend_on
            rows between {{ peak_days + detect - 1 }} preceding
            and {{ detect }} preceding
        )
),

bands as (
    select
        *,
        case
            when training_days >= {{ incident_setting('spike_min_training') }}
                then
                    exp(
                        training_mean
                        + {{ incident_setting('spike_sensitivity') }}
                        * greatest(
                            coalesce(training_sd, 0),
                            {{ incident_setting('spike_min_sd') }}
                        )
                    ) - 1
            else 0
        end as band_upper
    from baselines
),

flagged as (
    select
        *,
        greatest(band_upper, recent_peak) as expected_upper,
        case
            -- a new key (first spend inside the detection window, after the
            -- provider's baseline): the absolute floor
            when first_active_on >= spend_on - {{ detect - 1 }}
                then
                    first_active_on
                    >= first_on + {{ incident_setting('spike_baseline_days') }}
                    and spend >= {{ floor }}
            -- an established key (a full training window of history)
            when first_active_on <= spend_on - {{ train + detect - 1 }}
                then
                    spend > band_upper
                    and spend
                    >= {{ incident_setting('spike_peak_factor') }}
                    * recent_peak
                    and spend - greatest(band_upper, recent_peak)
                    >= {{ floor }}
            -- a key still building its history: no verdict
            else false
        end as is_spike
    from bands
),

runs as (
    select
        *,
        sum(case when is_spike then 0 else 1 end) over (
            partition by {{ key }} order by spend_on
            rows between unbounded preceding and current row
        ) as run_number
    from flagged
),

incidents as (
    select
        provider,
        spend_key,
        run_number,
        min(spend_on) as started_on,
        max(spend_on) as ended_on,
        count(*) as spike_days,
        sum(spend) as spike_spend,
        min_by(spend, spend_on) as first_day_spend,
        min_by(expected_upper, spend_on) as first_day_expected,
        min_by(recent_peak, spend_on) as first_day_peak,
        min_by(training_days, spend_on) as first_day_training_days,
        -- days without a model left out, as DuckDB's arg_min does
        min_by(top_model, spend_on) filter (
            where top_model is not null
        ) as model  -- noqa: RF04
    from runs
    where is_spike
    group by 1, 2, 3
),

final as (
    select
        'spend_spike' as incident_type,
        provider,
        model,
        cast(null as string) as sku,
        'int_incidents__spend_spike' as detected_by,
        provider || ':' || spend_key as incident_key,
        spend_key || ' on ' || provider || ' spent '
        || {{ format_decimal('first_day_spend', 2) }} || ' on '
        || {{ format_date('started_on', '%Y-%m-%d') }}
        || ' against an expected at most '
        || {{ format_decimal('first_day_expected', 2) }} || ' ('
        || case
            when first_day_peak = 0
                then 'no spend in the previous {{ peak_days }} days'
            else
                'peak of the previous {{ peak_days }} days '
                || {{ format_decimal('first_day_peak', 2) }}
        end
        || ', ' || first_day_training_days
        || ' active day(s) in the {{ train }}-day training window); '
        || spike_days || ' spike day(s) spending '
        || {{ format_decimal('spike_spend', 2) }} as evidence,
        cast(
            case
                when first_day_expected > 0
                    then first_day_spend / first_day_expected
            end as double
        ) as magnitude,
        started_on,
        cast(started_on - interval {{ train + detect - 1 }} day as date)
            as window_start_on,
        ended_on as window_end_on
    from incidents
)

select * from final
