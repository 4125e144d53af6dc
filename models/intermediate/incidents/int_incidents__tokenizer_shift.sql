{#-
    tokenizer_shift: the same work suddenly takes more (or fewer) tokens.
    Two signals, each a daily series per stable workload:
      tokens_per_prompt_char    gateway / canary log: median of input tokens
                                ÷ prompt characters per request, per provider
                                × model family × agent (the canary sends the
                                same prompt every day);
      input_tokens_per_request  OpenAI usage export (it carries request
                                counts): input tokens ÷ requests per provider
                                × model family × API key (or project) ×
                                service tier.
    Step detection on ln(value): the median of the observations of the
    `tokenizer_window` (14) days from the day on against the median of the
    14 days before it (each side needs `tokenizer_min_window` (5)
    observations). A candidate day needs a level shift of at least
    `tokenizer_min_shift` (4.5 %: a 5 % change measured on whole token
    counts) that is also at least `tokenizer_z` (4) standard errors of the
    difference of medians (noise: the larger of the standard deviation and
    1.4826 x MAD of the observations of the 28 days before, at least
    `tokenizer_min_noise` (10) of them), its own value past half the shift
    and the observation before still at the old level: volume changes do not
    move the ratios and single noisy days do not move medians. Candidates of
    one provider and model family less than 28 days apart are one incident,
    dated by the most precise signal (the canary's when it has one). The
    model is the one used on that day: after a version switch, the new model.
    Test at switches: a tokenizer change almost always comes with a model
    version or snapshot switch, which the exports record. On a day a
    series' model changes to another model of the same family, the shifts
    of every series that switched that day (same provider, family and
    models) are pooled by inverse-variance weighting (weight 1 / error^2,
    error floored at 0.005) and decided by one test fixed in advance: the
    pooled shift at least `tokenizer_min_shift` and `tokenizer_switch_z` (3)
    standard errors. A switch found so outranks the day-by-day scan within
    the same 28 days and dates the incident on the switch.
-#}
{%- set window = incident_setting('tokenizer_window') -%}
{%- set min_window = incident_setting('tokenizer_min_window') -%}
{%- set noise_window = incident_setting('tokenizer_noise_window') -%}
{%- set series = 'signal_name, provider, model_family, workload_key' -%}

with

gateway_requests as (
    {{ current_rows('stg_gateway__requests') }}
),

openai_usage as (
    {{ current_rows('stg_openai__usage_completions') }}
),

vendor_models as (
    select * from {{ ref('int_vendor_models') }}
),

gateway_daily as (
    select
        'tokens_per_prompt_char' as signal_name,
        gateway_requests.provider,
        coalesce(
            vendor_models.model_family, gateway_requests.vendor_model_id
        ) as model_family,
        coalesce(
            gateway_requests.agent, gateway_requests.api_key_id, 'unknown'
        ) as workload_key,
        gateway_requests.requested_on as observed_on,
        mode(coalesce(vendor_models.model, gateway_requests.vendor_model_id))
            as model,  -- noqa: RF04
        count(*) as request_count,
        median(
            gateway_requests.input_tokens / gateway_requests.prompt_chars
        ) as observed_value
    from gateway_requests
    left join vendor_models
        on
            gateway_requests.provider = vendor_models.provider
            and gateway_requests.vendor_model_id
            = vendor_models.vendor_model_id
    where
        gateway_requests.input_tokens > 0
        and gateway_requests.prompt_chars > 0
    group by 1, 2, 3, 4, 5
),

usage_daily as (
    select
        'input_tokens_per_request' as signal_name,
        'openai' as provider,
        coalesce(vendor_models.model_family, openai_usage.vendor_model_id)
            as model_family,
        coalesce(openai_usage.api_key_id, openai_usage.project_id, 'unknown')
        || '/' || coalesce(openai_usage.service_tier, 'standard')
            as workload_key,
        openai_usage.usage_on as observed_on,
        arg_max(
            coalesce(vendor_models.model, openai_usage.vendor_model_id),
            openai_usage.request_count
        ) as model,  -- noqa: RF04
        sum(openai_usage.request_count) as request_count,
        sum(openai_usage.input_tokens) / sum(openai_usage.request_count)
            as observed_value
    from openai_usage
    left join vendor_models
        on
            vendor_models.provider = 'openai'
            and openai_usage.vendor_model_id = vendor_models.vendor_model_id
    where openai_usage.request_count > 0 and openai_usage.input_tokens > 0
    group by 1, 2, 3, 4, 5
),

observations as (
    select * from gateway_daily
    union all
    select * from usage_daily
),

windows as (
    select
        *,
        ln(observed_value) as log_value,
        median(ln(observed_value)) over trailing_days as trailing_median,
        count(*) over trailing_days as trailing_count,
        min(observed_on) over trailing_days as trailing_start_on,
        median(ln(observed_value)) over forward_days as forward_median,
        count(*) over forward_days as forward_count,
        max(observed_on) over forward_days as forward_end_on,
        mad(ln(observed_value)) over noise_days as noise_mad,
        stddev_samp(ln(observed_value)) over noise_days as noise_sd,
        count(*) over noise_days as noise_count,
        lag(ln(observed_value)) over series_days as previous_log_value,
        lag(model) over series_days as previous_model
    from observations
    window
        series_days as (partition by {{ series }} order by observed_on),
        trailing_days as (
            partition by {{ series }} order by observed_on
            range between interval {{ window }} days preceding
            and interval 1 day preceding
        ),
        forward_days as (
            partition by {{ series }} order by observed_on
            range between current row
            and interval {{ window - 1 }} days following
        ),
        noise_days as (
            partition by {{ series }} order by observed_on
            range between interval {{ noise_window }} days preceding
            and interval 1 day preceding
        )
),

scored as (
    select
        *,
        forward_median - trailing_median as level_shift,
        -- standard error of a difference of two medians (normal noise:
        -- sigma is the larger of the standard deviation and 1.4826 x MAD, so
        -- that a few clustered values do not make a noisy series look quiet)
        1.2533
        * greatest(coalesce(noise_sd, 0), 1.4826 * coalesce(noise_mad, 0))
        * sqrt(1.0 / trailing_count + 1.0 / forward_count) as shift_error
    from windows
    where
        trailing_count >= {{ min_window }}
        and forward_count >= {{ min_window }}
        and noise_count >= {{ incident_setting('tokenizer_min_noise') }}
),

-- every series whose model changed that day to another of its family
switched_series as (
    select
        *,
        1.0 / pow(greatest(shift_error, 0.005), 2) as pooling_weight
    from scored
    where previous_model is not null and model != previous_model
),

pooled_switches as (
    select
        provider,
        model_family,
        observed_on,
        previous_model,
        model,
        sum(pooling_weight * level_shift) / sum(pooling_weight)
            as pooled_shift,
        1.0 / sqrt(sum(pooling_weight)) as pooled_error,
        count(*) as switched_series,
        min(trailing_start_on) as trailing_start_on,
        max(forward_end_on) as forward_end_on,
        string_agg(
            signal_name || ' ' || workload_key || ' '
            || printf('%.4f', exp(trailing_median)) || ' -> '
            || printf('%.4f', exp(forward_median)),
            '; ' order by signal_name, workload_key
        ) as series_evidence
    from switched_series
    group by 1, 2, 3, 4, 5
),

switch_candidates as (
    select
        *,
        exp(pooled_shift) as shift_ratio
    from pooled_switches
    where
        abs(pooled_shift)
        >= ln(1 + {{ incident_setting('tokenizer_min_shift') }})
        and abs(pooled_shift)
        >= {{ incident_setting('tokenizer_switch_z') }} * pooled_error
),

scan_candidates as (
    select
        *,
        exp(level_shift) as shift_ratio,
        case signal_name when 'tokens_per_prompt_char' then 1 else 2 end
            as signal_rank
    from scored
    where
        abs(level_shift)
        >= ln(1 + {{ incident_setting('tokenizer_min_shift') }})
        and abs(level_shift)
        >= {{ incident_setting('tokenizer_z') }} * shift_error
        and sign(level_shift) * (log_value - trailing_median)
        >= abs(level_shift) / 2
        and sign(level_shift) * (previous_log_value - trailing_median)
        < abs(level_shift) / 2
),

-- both kinds in one shape, with their evidence; a switch ranks first
candidates as (
    select
        provider,
        model_family,
        model,
        observed_on,
        0 as signal_rank,
        pooled_error as shift_error,
        'switch' as workload_key,
        shift_ratio,
        trailing_start_on,
        forward_end_on,
        'model switch of ' || provider || ' ' || model_family || ' on '
        || strftime(observed_on, '%Y-%m-%d') || ': ' || previous_model
        || ' -> ' || model || '; ' || switched_series
        || ' series switched (before -> after medians of their daily values'
        || ' in the {{ window }} days before and from the day): '
        || series_evidence || '; pooled ratio x'
        || printf('%.3f', shift_ratio) || ' (95% CI x'
        || printf('%.3f', exp(pooled_shift - 1.96 * pooled_error)) || ' to x'
        || printf('%.3f', exp(pooled_shift + 1.96 * pooled_error))
        || '); test: inverse-variance pooled log shift at least '
        || '{{ incident_setting("tokenizer_switch_z") }} standard errors and '
        || '{{ incident_setting("tokenizer_min_shift") }} in size' as evidence
    from switch_candidates
    union all
    select
        provider,
        model_family,
        model,
        observed_on,
        signal_rank,
        shift_error,
        workload_key,
        shift_ratio,
        trailing_start_on,
        forward_end_on,
        signal_name || ' of ' || provider || ' ' || model_family
        || ' (' || workload_key || '): ' || printf('%.4f', exp(trailing_median))
        || ' -> ' || printf('%.4f', exp(forward_median))
        || ' (x' || printf('%.3f', shift_ratio) || ') from '
        || strftime(observed_on, '%Y-%m-%d') || '; model '
        || coalesce(previous_model, '?') || ' -> ' || model
        || '; medians of ' || trailing_count || ' daily observations in the '
        || '{{ window }} days before and ' || forward_count || ' in the '
        || '{{ window }} days from the day; day-by-day scan at '
        || '{{ incident_setting("tokenizer_z") }} standard errors' as evidence
    from scan_candidates
),

sequenced as (
    select
        *,
        lag(observed_on) over (
            partition by provider, model_family order by observed_on
        ) as previous_candidate_on
    from candidates
),

clustered as (
    select
        *,
        sum(
            case
                when
                    previous_candidate_on is not null
                    and datediff('day', previous_candidate_on, observed_on)
                    < {{ incident_setting('tokenizer_merge_days') }}
                    then 0
                else 1
            end
        ) over (
            partition by provider, model_family
            order by observed_on
            rows between unbounded preceding and current row
        ) as cluster_number
    from sequenced
),

ranked as (
    select
        *,
        row_number() over (
            partition by provider, model_family, cluster_number
            order by signal_rank, shift_error, observed_on, workload_key
        ) as precision_rank
    from clustered
),

final as (
    select
        'tokenizer_shift' as incident_type,
        provider,
        model,
        cast(null as varchar) as sku,
        'int_incidents__tokenizer_shift' as detected_by,
        provider || ':' || model_family as incident_key,
        evidence,
        cast(shift_ratio as double) as magnitude,
        observed_on as started_on,
        trailing_start_on as window_start_on,
        forward_end_on as window_end_on
    from ranked
    where precision_rank = 1
)

select * from final
