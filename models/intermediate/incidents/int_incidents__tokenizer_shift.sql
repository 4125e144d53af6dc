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
    Day-by-day scan, for changes without a switch, on ln(value): the median
    of the observations of the `tokenizer_window` (14) days from the day on
    against the median of the 14 days before it (each side needs
    `tokenizer_min_window` (5) observations). A candidate day needs a level
    shift of at least `tokenizer_min_shift` (4.5 %: a 5 % change measured on
    whole token counts) that is also at least `tokenizer_z` (4) standard
    errors of the difference of medians (noise: the largest of the standard
    deviation and 1.4826 x MAD of the observations of the 28 days before, at
    least `tokenizer_min_noise` (10) of them, and of the standard deviation
    of the 14 days from the day), its own value past half the shift and the
    observation before still at the old level: volume changes do not move
    the ratios and single noisy days do not move medians. Candidates of one
    provider and model family less than 28 days apart are one incident,
    dated by the most precise signal (the canary's when it has one). The
    model is the one used on that day: after a version switch, the new model.
    Test at switches: a tokenizer change almost always comes with a model
    version or snapshot switch, which the exports record. On a day a
    series' vendor model (a version, or a dated snapshot of the same
    canonical model: gpt-4.1-2025-04-14 -> gpt-4.1-2026-03-05) changes to
    another of its family, each series that switched is measured by the
    difference of the means of ln(value) of the days before and from the
    switch, without burst days (more than 3 times the median daily requests
    of their side), with the standard error of a two-sample t test (the
    pooled standard deviation of both sides). The series that switched that
    day (same provider, family and models) are pooled by inverse-variance
    weighting (weight 1 / error^2, error floored at 0.005) and decided by
    one test fixed in advance: the pooled shift at least
    `tokenizer_min_shift` and `tokenizer_switch_z` (3.2) standard errors read
    on Student's t with the pooled (Welch-Satterthwaite) degrees of freedom.
    Two looks: the `tokenizer_window` (14) days before and from the switch,
    then the `tokenizer_noise_window` (28); the first that passes is the
    incident's evidence and window. A switch found so outranks the
    day-by-day scan within the same 28 days and dates the incident on it.
-#}
{%- set window = incident_setting('tokenizer_window') -%}
{%- set min_window = incident_setting('tokenizer_min_window') -%}
{%- set noise_window = incident_setting('tokenizer_noise_window') -%}
{%- set min_noise = incident_setting('tokenizer_min_noise') -%}
{%- set min_log_shift =
    'ln(1 + ' ~ incident_setting('tokenizer_min_shift') ~ ')' -%}
{%- set switch_z = incident_setting('tokenizer_switch_z') -%}
{#- Student's t quantile of the normal quantile z at nu degrees of freedom
    (Cornish-Fisher expansion, close from 10 degrees of freedom on):
    z + a / nu + b / nu^2, with [z, a, b] below for each test -#}
{%- set scan_z = incident_setting('tokenizer_z') -%}
{%- set scan_t = [
    scan_z,
    (scan_z ** 3 + scan_z) / 4,
    (5 * scan_z ** 5 + 16 * scan_z ** 3 + 3 * scan_z) / 96] -%}
{%- set switch_t = [
    switch_z,
    (switch_z ** 3 + switch_z) / 4,
    (5 * switch_z ** 5 + 16 * switch_z ** 3 + 3 * switch_z) / 96] -%}
{#- the switch test sets aside a series' days with more than this many times
    its median daily requests (a burst of an agent) -#}
{%- set burst_factor = 3 -%}

with

gateway_requests as (
    select * from {{ ref('int_gateway_requests') }}
    where is_model_call and status = 'success'
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
        mode(gateway_requests.vendor_model_id) as vendor_model,
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

-- tokens per request of the providers whose usage exports count no
-- requests (Anthropic, the clouds), from the gateway and tracing logs that
-- count no prompt characters (those give gateway_daily); OpenAI's usage
-- export counts requests (usage_daily)
request_daily as (
    select
        'input_tokens_per_request' as signal_name,
        gateway_requests.provider,
        coalesce(
            vendor_models.model_family, gateway_requests.vendor_model_id
        ) as model_family,
        gateway_requests.request_source || '/' || coalesce(
            gateway_requests.agent,
            gateway_requests.key_alias,
            gateway_requests.service_name,
            gateway_requests.api_key_id,
            gateway_requests.gateway_key_id,
            'unknown'
        ) as workload_key,
        gateway_requests.requested_on as observed_on,
        mode(coalesce(vendor_models.model, gateway_requests.vendor_model_id))
            as model,  -- noqa: RF04
        mode(gateway_requests.vendor_model_id) as vendor_model,
        count(*) as request_count,
        avg(gateway_requests.input_tokens) as observed_value
    from gateway_requests
    left join vendor_models
        on
            gateway_requests.provider = vendor_models.provider
            and gateway_requests.vendor_model_id
            = vendor_models.vendor_model_id
    where
        gateway_requests.provider != 'openai'
        and coalesce(gateway_requests.prompt_chars, 0) = 0
        and gateway_requests.input_tokens > 0
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
        -- rows without a model left out (as DuckDB's arg_max does; Spark's
        -- max_by would return their null)
        max_by(
            coalesce(vendor_models.model, openai_usage.vendor_model_id),
            openai_usage.request_count
        ) filter (
            where openai_usage.vendor_model_id is not null
        ) as model,  -- noqa: RF04
        max_by(openai_usage.vendor_model_id, openai_usage.request_count)
        filter (where openai_usage.vendor_model_id is not null)
            as vendor_model,
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

daily_values as (
    select * from gateway_daily
    union all
    select * from request_daily
    union all
    select * from usage_daily
),

observations as (
    select
        *,
        concat_ws('|', signal_name, provider, model_family, workload_key)
            as series_key,
        ln(observed_value) as log_value
    from daily_values
),

windows as (
    select
        *,
        {{ window_median('log_value', 'double', 'trailing_days') }}
            as trailing_median,
        count(*) over trailing_days as trailing_count,
        min(observed_on) over trailing_days as trailing_start_on,
        {{ window_median('log_value', 'double', 'forward_days') }}
            as forward_median,
        count(*) over forward_days as forward_count,
        max(observed_on) over forward_days as forward_end_on,
        stddev_samp(log_value) over forward_days as forward_sd,
        {{ median_absolute_deviation('log_value', over='noise_days') }}
            as noise_mad,
        stddev_samp(log_value) over noise_days as noise_sd,
        count(*) over noise_days as noise_count,
        lag(log_value) over series_days as previous_log_value,
        lag(vendor_model) over series_days as previous_vendor_model
    from observations
    window
        series_days as (partition by series_key order by observed_on),
        trailing_days as (
            partition by series_key order by observed_on
            range between interval {{ window }} days preceding
            and interval 1 day preceding
        ),
        forward_days as (
            partition by series_key order by observed_on
            range between current row
            and interval {{ window - 1 }} days following
        ),
        noise_days as (
            partition by series_key order by observed_on
            range between interval {{ noise_window }} days preceding
            and interval 1 day preceding
        )
),

scored as (
    select
        *,
        forward_median - trailing_median as level_shift,
        -- standard error of a difference of two medians (normal noise:
        -- sigma is the largest of the standard deviation and 1.4826 x MAD
        -- of the days before, so that a few clustered values do not make a
        -- noisy series look quiet, and of the standard deviation of the
        -- days from the day, so that a day before a step, whose forward
        -- window straddles it, does not pass for the step)
        1.2533
        * greatest(
            coalesce(noise_sd, 0),
            1.4826 * coalesce(noise_mad, 0),
            coalesce(forward_sd, 0)
        )
        * sqrt(1.0 / trailing_count + 1.0 / forward_count) as shift_error,
        {{ scan_t[0] }} + {{ scan_t[1] }} / (noise_count - 1)
        + {{ scan_t[2] }} / pow(noise_count - 1, 2) as critical_errors
    from windows
    where
        trailing_count >= {{ min_window }}
        and forward_count >= {{ min_window }}
        and noise_count >= {{ min_noise }}
),

-- test at switches: every day a series' vendor model (a version or a dated
-- snapshot) changes to another model of its family, looked at twice: the
-- days of the `tokenizer_window` before and from the switch, and those of
-- the `tokenizer_noise_window`
switch_days as (
    select
        series_key,
        signal_name,
        provider,
        model_family,
        workload_key,
        model,
        vendor_model,
        previous_vendor_model,
        observed_on as switched_on
    from windows
    where
        previous_vendor_model is not null
        and vendor_model != previous_vendor_model
),

switch_looks as (
    select
        1 as look_number,
        {{ window }} as look_days
    union all
    select
        2 as look_number,
        {{ noise_window }} as look_days
),

switch_observations as (
    select
        switch_days.series_key,
        switch_days.switched_on,
        switch_looks.look_number,
        observations.observed_on,
        observations.log_value,
        observations.request_count,
        observations.observed_on < switch_days.switched_on as is_before
    from switch_days
    cross join switch_looks
    inner join observations
        on
            switch_days.series_key = observations.series_key
            and observations.observed_on
            >= switch_days.switched_on - switch_looks.look_days
            and observations.observed_on
            < switch_days.switched_on + switch_looks.look_days
),

switch_volumes as (
    select
        *,
        median(request_count) over (
            partition by series_key, switched_on, look_number, is_before
        ) as side_median_requests
    from switch_observations
),

-- each side's mean and sum of squares of ln(value), without its burst
-- days: more than {{ burst_factor }} times the side's median daily requests
-- (set aside by volume, not by value, so as not to bias the mean)
switch_sides as (
    select
        series_key,
        switched_on,
        look_number,
        is_before,
        count(*) as side_count,
        avg(log_value) as side_mean,
        coalesce(var_samp(log_value), 0) * (count(*) - 1) as side_squares,
        min(observed_on) as side_start_on,
        max(observed_on) as side_end_on
    from switch_volumes
    where request_count <= {{ burst_factor }} * side_median_requests
    group by 1, 2, 3, 4
),

-- per series: difference of the two means and its standard error from the
-- pooled standard deviation of both sides (a two-sample t statistic)
switched_series as (
    select
        switch_days.*,
        before_side.look_number,
        before_side.side_count as before_count,
        after_side.side_count as after_count,
        before_side.side_mean as before_mean,
        after_side.side_mean as after_mean,
        before_side.side_start_on as trailing_start_on,
        after_side.side_end_on as forward_end_on,
        after_side.side_mean - before_side.side_mean as level_shift,
        before_side.side_count + after_side.side_count - 2
            as degrees_of_freedom,
        sqrt(
            (before_side.side_squares + after_side.side_squares)
            / (before_side.side_count + after_side.side_count - 2)
        )
        * sqrt(1.0 / before_side.side_count + 1.0 / after_side.side_count)
            as shift_error
    from switch_days
    inner join switch_sides as before_side
        on
            switch_days.series_key = before_side.series_key
            and switch_days.switched_on = before_side.switched_on
            and before_side.is_before
    inner join switch_sides as after_side
        on
            before_side.series_key = after_side.series_key
            and before_side.switched_on = after_side.switched_on
            and before_side.look_number = after_side.look_number
            and not after_side.is_before
    where
        before_side.side_count >= {{ min_window }}
        and after_side.side_count >= {{ min_window }}
        and before_side.side_count + after_side.side_count - 2
        >= {{ min_noise }}
),

-- the series that switched that day (same provider, family and models)
-- pooled by inverse-variance weighting (error floored at 0.005), with the
-- degrees of freedom of the pooled error (Welch-Satterthwaite)
pooled_switches as (
    select
        provider,
        model_family,
        switched_on as observed_on,
        previous_vendor_model,
        vendor_model,
        look_number,
        max(model) as model,  -- noqa: RF04
        sum(level_shift / pow(greatest(shift_error, 0.005), 2))
        / sum(1.0 / pow(greatest(shift_error, 0.005), 2)) as pooled_shift,
        1.0 / sqrt(sum(1.0 / pow(greatest(shift_error, 0.005), 2)))
            as pooled_error,
        pow(sum(1.0 / pow(greatest(shift_error, 0.005), 2)), 2)
        / sum(
            1.0 / pow(greatest(shift_error, 0.005), 4) / degrees_of_freedom
        ) as pooled_freedom,
        count(*) as switched_series,
        min(trailing_start_on) as trailing_start_on,
        max(forward_end_on) as forward_end_on,
        {{ dbt.listagg(
            "signal_name || ' ' || workload_key || ' '
            || " ~ format_decimal('exp(before_mean)', 4) ~ " || ' -> '
            || " ~ format_decimal('exp(after_mean)', 4) ~ " || ' ('
            || before_count || ' and ' || after_count || ' days)'",
            "'; '",
            'order by signal_name, workload_key'
        ) }} as series_evidence
    from switched_series
    group by 1, 2, 3, 4, 5, 6
),

-- the test: `tokenizer_switch_z` standard errors read on Student's t with
-- the pooled degrees of freedom (Cornish-Fisher expansion of its quantile)
switch_tests as (
    select
        *,
        exp(pooled_shift) as shift_ratio,
        {{ switch_t[0] }} + {{ switch_t[1] }} / pooled_freedom
        + {{ switch_t[2] }} / pow(pooled_freedom, 2) as critical_errors
    from pooled_switches
),

-- decided by the test fixed in advance, at the first look that passes it
switch_candidates as (
    select *
    from switch_tests
    where
        abs(pooled_shift) >= {{ min_log_shift }}
        and abs(pooled_shift) >= critical_errors * pooled_error
    qualify
        row_number() over (
            partition by
                provider,
                model_family,
                observed_on,
                previous_vendor_model,
                vendor_model
            order by look_number
        ) = 1
),

scan_candidates as (
    select
        *,
        exp(level_shift) as shift_ratio,
        case signal_name when 'tokens_per_prompt_char' then 1 else 2 end
            as signal_rank
    from scored
    where
        abs(level_shift) >= {{ min_log_shift }}
        and abs(level_shift) >= critical_errors * shift_error
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
        || {{ format_date('observed_on', '%Y-%m-%d') }} || ': '
        || previous_vendor_model || ' -> ' || vendor_model || '; '
        || switched_series
        || ' series switched (before -> after: means of their daily values'
        || ' in the '
        || case look_number when 1 then {{ window }} else {{ noise_window }} end
        || ' days before and from the day, days over {{ burst_factor }} times'
        || ' the median requests set aside): ' || series_evidence
        || '; pooled ratio x' || {{ format_decimal('shift_ratio', 3) }}
        || ' (95% CI x'
        || {{ format_decimal('exp(pooled_shift - 1.96 * pooled_error)', 3) }}
        || ' to x'
        || {{ format_decimal('exp(pooled_shift + 1.96 * pooled_error)', 3) }}
        || '); test: inverse-variance pooled log shift at least '
        || '{{ switch_z }} standard errors on Student''s t with '
        || {{ format_decimal('pooled_freedom', 0) }} || ' degrees of freedom ('
        || {{ format_decimal('critical_errors', 2) }} || ' errors; it is '
        || {{ format_decimal('abs(pooled_shift) / pooled_error', 2) }}
        || ') and '
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
        || ' (' || workload_key || '): '
        || {{ format_decimal('exp(trailing_median)', 4) }}
        || ' -> ' || {{ format_decimal('exp(forward_median)', 4) }}
        || ' (x' || {{ format_decimal('shift_ratio', 3) }} || ') from '
        || {{ format_date('observed_on', '%Y-%m-%d') }} || '; model '
        || coalesce(previous_vendor_model, '?') || ' -> ' || vendor_model
        || '; medians of ' || trailing_count || ' daily observations in the '
        || '{{ window }} days before and ' || forward_count || ' in the '
        || '{{ window }} days from the day; day-by-day scan at '
        || '{{ scan_z }} standard errors on Student''s t with '
        || (noise_count - 1) || ' degrees of freedom ('
        || {{ format_decimal('critical_errors', 2) }} || ' errors; it is '
        || {{ format_decimal('abs(level_shift) / shift_error', 2) }} || ')'
            as evidence
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
                    and {{ dbt.datediff(
                        'previous_candidate_on', 'observed_on', 'day'
                    ) }}
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
        cast(null as string) as sku,
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
