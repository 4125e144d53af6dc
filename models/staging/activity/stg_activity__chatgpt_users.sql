{{ config(meta={'raw_export': 'activity'}) }}

{{ check_required_columns('activity', 'chatgpt_users', [
    'cadence', 'period_start', 'period_end', 'email', 'is_active',
    'messages',
]) }}

{%- set count_columns = [
    'messages', 'messages_rank', 'gpt_messages', 'gpts_messaged',
    'tool_messages', 'tools_messaged', 'project_messages', 'projects_messaged',
    'projects_created',
] %}

with

records as (
    select * from {{ landed_records('activity', 'chatgpt_users') }}
),

split as (
    select
        source_file,
        source_row,
        raw_record,
        file_modified_at,
        file_md5,
        landing_key,
        {{ list_length('header') }} as header_field_count,
        {{ list_length('fields') }} as field_count,
        {{ csv_field('cadence') }} as cadence_text,
        {{ csv_field('period_start') }} as period_start_text,
        {{ csv_field('period_end') }} as period_end_text,
        {{ csv_field('account_id') }} as account_id,
        {{ csv_field('public_id') }} as public_id,
        {{ csv_field('name') }} as user_name,
        {{ csv_field('email') }} as email_text,
        {{ csv_field('role') }} as workspace_role,
        {{ csv_field('user_role') }} as user_role,
        {{ csv_field('department') }} as department_raw,
        {{ csv_field('groups') }} as user_groups,
        {{ csv_field('user_status') }} as user_status,
        {{ csv_field('is_active') }} as is_active_text,
        {{ csv_field('model_to_messages') }} as model_to_messages_text,
        {{ csv_field('created_or_invited_date') }} as created_text,
        {{ csv_field('first_day_active_in_period') }} as first_active_text,
        {{ csv_field('last_day_active_in_period') }} as last_active_period_text,
        {{ csv_field('last_day_active') }} as last_active_text,
        {{ csv_field('messages') }} as messages_text,
        {{ csv_field('messages_rank') }} as messages_rank_text,
        {{ csv_field('gpt_messages') }} as gpt_messages_text,
        {{ csv_field('gpts_messaged') }} as gpts_messaged_text,
        {{ csv_field('tool_messages') }} as tool_messages_text,
        {{ csv_field('tools_messaged') }} as tools_messaged_text,
        {{ csv_field('project_messages') }} as project_messages_text,
        {{ csv_field('projects_messaged') }} as projects_messaged_text,
        {{ csv_field('projects_created') }} as projects_created_text
    from records
    where file_problem is null
),

renamed as (
    select
        *,
        lower(cadence_text) as cadence,
        lower(email_text) as user_email,
        -- department may be a JSON array string ('["Finance"]'): keep the
        -- first element as plain text
        case
            when
                coalesce({{ json_is_valid('department_raw') }}, false)
                and {{ json_kind('department_raw') }} = 'ARRAY'
                then {{ json_text('department_raw', '$[0]') }}
            else department_raw
        end as department,
        try_cast(is_active_text as boolean) as is_active,
        case
            when coalesce({{ json_is_valid('model_to_messages_text') }}, false)
                then {{ json_from_text('model_to_messages_text') }}
        end as model_to_messages,
        try_cast(period_start_text as date) as period_start_on,
        try_cast(period_end_text as date) as period_end_on,
        try_cast(created_text as date) as created_or_invited_on,
        try_cast(first_active_text as date) as first_active_in_period_on,
        try_cast(last_active_period_text as date) as last_active_in_period_on,
        try_cast(last_active_text as date) as last_active_on,
        -- counts are whole numbers: '412.0' is 412, '4.5' is rejected, not
        -- rounded to 5
        {{ whole_number('try_cast(messages_text as decimal(38, 10))') }}
            as messages,
        {{ whole_number('try_cast(messages_rank_text as decimal(38, 10))') }}
            as messages_rank,
        {{ whole_number('try_cast(gpt_messages_text as decimal(38, 10))') }}
            as gpt_messages,
        {{ whole_number('try_cast(gpts_messaged_text as decimal(38, 10))') }}
            as gpts_messaged,
        {{ whole_number('try_cast(tool_messages_text as decimal(38, 10))') }}
            as tool_messages,
        {{ whole_number('try_cast(tools_messaged_text as decimal(38, 10))') }}
            as tools_messaged,
        {{ whole_number('try_cast(project_messages_text as decimal(38, 10))') }}
            as project_messages,
        {{ whole_number(
            'try_cast(projects_messaged_text as decimal(38, 10))'
        ) }} as projects_messaged,
        {{ whole_number('try_cast(projects_created_text as decimal(38, 10))') }}
            as projects_created
    from split
),

validated as (
    select
        *,
        case
            when field_count != header_field_count
                then
                    'row has ' || field_count || ' fields, header has '
                    || header_field_count
            when cadence is null then 'cadence is missing'
            when period_start_text is null then 'period_start is missing'
            when period_start_on is null
                then
                    'period_start is not a date: ''' || period_start_text
                    || ''''
            when period_end_text is null then 'period_end is missing'
            when period_end_on is null
                then
                    'period_end is not a date: ''' || period_end_text || ''''
            when period_end_on < period_start_on
                then
                    'period_end ''' || period_end_text
                    || ''' is before period_start ''' || period_start_text
                    || ''''
            when is_active_text is null then 'is_active is missing'
            when is_active is null
                then
                    'is_active is not a boolean: ''' || is_active_text || ''''
            when created_text is not null and created_or_invited_on is null
                then
                    'created_or_invited_date is not a date: '''
                    || created_text || ''''
            when
                first_active_text is not null
                and first_active_in_period_on is null
                then
                    'first_day_active_in_period is not a date: '''
                    || first_active_text || ''''
            when
                last_active_period_text is not null
                and last_active_in_period_on is null
                then
                    'last_day_active_in_period is not a date: '''
                    || last_active_period_text || ''''
            when last_active_text is not null and last_active_on is null
                then
                    'last_day_active is not a date: '''
                    || last_active_text || ''''
            {%- for column in count_columns %}
                when {{ column }}_text is not null and {{ column }} is null
                    then
                        '{{ column }} is not a whole number: '''
                        || {{ column }}_text || ''''
            {%- endfor %}
            when
                model_to_messages_text is not null
                and model_to_messages is null
                then
                    'model_to_messages is not JSON: '''
                    || model_to_messages_text || ''''
        end as rejected_reason
    from renamed
),

rejected_files as (
    {{ file_rejections('records') }}
),

parsed_rows as (
    select
        source_file,
        source_row,
        raw_record,
        rejected_reason,
        file_modified_at,
        file_md5,
        landing_key,
        -- a daily refresh restates its period: the newest file wins
        cadence || '|' || {{ format_date('period_start_on', '%Y-%m-%d') }}
            as export_period_key,
        account_id,
        public_id,
        user_name,
        user_email,
        workspace_role,
        user_role,
        department,
        department_raw,
        user_groups,
        user_status,
        cadence,
        model_to_messages,
        messages,
        messages_rank,
        gpt_messages,
        gpts_messaged,
        tool_messages,
        tools_messaged,
        project_messages,
        projects_messaged,
        projects_created,
        is_active,
        period_start_on,
        period_end_on,
        created_or_invited_on,
        first_active_in_period_on,
        last_active_in_period_on,
        last_active_on
    from validated
),

-- the files that cannot be read, in the same columns (null but the file's)
rejected_file_rows as (
    {{ file_rejection_rows('rejected_files', 'parsed_rows') }}
),

final as (
    select * from parsed_rows
    union all
    select * from rejected_file_rows
)

select * from final
