{{ config(materialized='table') }}

-- Whether each seat holder used the product in each month the seat was paid
-- for. Activity comes from the product's own export:
--   chatgpt_*  the ChatGPT Enterprise user analytics (activity/): active when
--              a row of the holder is_active and its active days (else its
--              period) overlap the month
--   cursor_*   Cursor usage events: at least one event of the holder
--   copilot_*  GitHub Copilot usage report: at least one premium-request or
--              AI-credit row of the holder; GitHub usernames are matched to
--              the seat e-mail by the whole address, its local part, or the
--              local part with '.' and '_' written as '-' (the address's
--              aliases, pseudonymised like it when landed)
-- A month is covered when the export has any row in it; outside coverage,
-- and for products without an activity export (Claude Team/Enterprise),
-- activity is unknown (is_active null), never taken as idle.
with

seat_months as (
    select * from {{ ref('int_seat_months') }}
),

chatgpt_users as (
    {{ current_rows('stg_activity__chatgpt_users') }}
),

cursor_events as (
    {{ current_rows('stg_cursor__usage_events') }}
),

copilot_usage as (
    {{ current_rows('stg_github_copilot__usage') }}
),

chatgpt_active as (
    select distinct
        lower(chatgpt_users.user_email) as user_key,
        cast(active_months.month_on as date) as activity_month_on
    from chatgpt_users
    {{ cross_join_unnest(
        month_list(
            month_start(
                'coalesce(chatgpt_users.first_active_in_period_on,'
                ~ ' chatgpt_users.period_start_on)'
            ),
            month_start(
                'coalesce(chatgpt_users.last_active_in_period_on,'
                ~ ' chatgpt_users.period_end_on)'
            )
        ),
        'active_months',
        'month_on'
    ) }}
    where chatgpt_users.is_active and chatgpt_users.user_email is not null
),

chatgpt_coverage as (
    select distinct cast(covered_months.month_on as date) as activity_month_on
    from chatgpt_users
    {{ cross_join_unnest(
        month_list(
            month_start('chatgpt_users.period_start_on'),
            month_start('chatgpt_users.period_end_on')
        ),
        'covered_months',
        'month_on'
    ) }}
),

cursor_active as (
    select distinct
        lower(user_email) as user_key,
        {{ month_start('event_on') }} as activity_month_on
    from cursor_events
    where user_email is not null
),

copilot_active as (
    select distinct
        lower(username) as user_key,
        {{ month_start('usage_on') }} as activity_month_on
    from copilot_usage
    where
        is_ai_spend
        and username is not null
        and token_class in ('premium_request', 'ai_credit', 'ai_unit')
),

activity as (
    select
        'chatgpt_user_analytics' as activity_source,
        user_key,
        activity_month_on
    from chatgpt_active
    union all
    select
        'cursor_usage_events' as activity_source,
        user_key,
        activity_month_on
    from cursor_active
    union all
    select
        'github_copilot_usage_report' as activity_source,
        user_key,
        activity_month_on
    from copilot_active
),

coverage as (
    select
        'chatgpt_user_analytics' as activity_source,
        activity_month_on
    from chatgpt_coverage
    union all
    select distinct
        'cursor_usage_events' as activity_source,
        activity_month_on
    from cursor_active
    union all
    select distinct
        'github_copilot_usage_report' as activity_source,
        activity_month_on
    from copilot_active
),

sourced as (
    select
        *,
        case
            when product like 'chatgpt%' then 'chatgpt_user_analytics'
            when product like 'cursor%' then 'cursor_usage_events'
            when product like 'copilot%' then 'github_copilot_usage_report'
        end as activity_source,
        lower(user_email) as email_key,
        coalesce(
            user_email_aliases,
            cast({{ list_of([]) }} as {{ string_list_type() }})
        ) as alias_keys
    from seat_months
),

-- each of a seat's three keys looked up on its own: an equi-join, where a
-- join on "user_key in (...)" compared every seat with every active user of
-- the month
seat_match_keys as (
    select distinct
        seat_id,
        seat_month_on,
        source_file,
        source_row,
        activity_source,
        {{ unnest_list(list_prepend('email_key', 'alias_keys')) }}
            as match_key
    from sourced
),

matched as (
    select
        seat_match_keys.seat_id,
        seat_match_keys.seat_month_on,
        seat_match_keys.source_file,
        seat_match_keys.source_row,
        bool_or(activity.user_key is not null) as has_activity
    from seat_match_keys
    left join activity
        on
            seat_match_keys.activity_source = activity.activity_source
            and seat_match_keys.seat_month_on = activity.activity_month_on
            and seat_match_keys.match_key = activity.user_key
    group by 1, 2, 3, 4
),

final as (
    select
        sourced.seat_id,
        sourced.provider,
        sourced.product,
        sourced.plan_name,
        sourced.user_email,
        sourced.team,
        sourced.cost_center,
        coalesce(sourced.activity_source, 'none') as activity_source,
        sourced.billing_currency,
        sourced.unit_price,
        coverage.activity_month_on is not null as is_activity_known,
        case
            when coverage.activity_month_on is not null
                then sourced.user_email is not null and matched.has_activity
        end as is_active,
        sourced.seat_month_on,
        sourced.start_on,
        sourced.end_on,
        sourced.source_file,
        sourced.source_row
    from sourced
    inner join matched
        on
            sourced.seat_id = matched.seat_id
            and sourced.seat_month_on = matched.seat_month_on
            and sourced.source_file = matched.source_file
            and sourced.source_row = matched.source_row
    left join coverage
        on
            sourced.activity_source = coverage.activity_source
            and sourced.seat_month_on = coverage.activity_month_on
)

select * from final
