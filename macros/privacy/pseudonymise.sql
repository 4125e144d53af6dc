{% macro keep_emails() %}
    {#- True when AI_FINOPS_KEEP_EMAILS=true opts out of pseudonymisation. -#}
    {{ return(env_var('AI_FINOPS_KEEP_EMAILS', 'false') | lower == 'true') }}
{% endmacro %}


{% macro pseudonymise(expression) %}
    {#-
        A stable keyed pseudonym for a person's identifier (e-mail address,
        GitHub username, vendor user id): 'user_' + the first 16 hex digits of
        sha256(AI_FINOPS_PSEUDONYM_KEY || '|' || lower(identifier)). The same
        person gets the same pseudonym in every table and every build with the
        same key. With AI_FINOPS_KEEP_EMAILS=true identifiers are kept.
    -#}
    {%- if keep_emails() -%}
        {{ expression }}
    {%- else -%}
        case
            when {{ expression }} is not null
                then
                    'user_' || left(
                        sha256(
                            '{{ env_var("AI_FINOPS_PSEUDONYM_KEY", "ai-finops-default-key") | replace("'", "''") }}'
                            || '|' || lower({{ expression }})
                        ),
                        16
                    )
        end
    {%- endif -%}
{% endmacro %}


{% macro redact_emails(expression) %}
    {#- Raw text with every e-mail address replaced by <email>, unless kept. -#}
    {%- if keep_emails() -%}
        {{ expression }}
    {%- else -%}
        regexp_replace(
            {{ expression }},
            '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}',
            '<email>',
            'g'
        )
    {%- endif -%}
{% endmacro %}


{% macro pseudonymise_iam_principal(expression) %}
    {#-
        An AWS IAM principal with the person's name of an IAM user
        (arn:aws:iam::<account>:user/<name>) replaced by its pseudonym; roles
        and assumed roles (workloads, not people) are kept.
    -#}
    {%- if keep_emails() -%}
        {{ expression }}
    {%- else -%}
        case
            when {{ expression }} like 'arn:aws:iam::%:user/%'
                then
                    regexp_extract({{ expression }}, '^(.*:user/)', 1)
                    || {{ pseudonymise(
                        "regexp_extract(" ~ expression ~ ", ':user/(.*)$', 1)"
                    ) }}
            else {{ expression }}
        end
    {%- endif -%}
{% endmacro %}
