{% macro keep_emails() %}
    {#- True when AI_FINOPS_KEEP_EMAILS=true opts out of pseudonymisation. -#}
    {{ return(env_var('AI_FINOPS_KEEP_EMAILS', 'false') | lower == 'true') }}
{% endmacro %}


{% macro pseudonymise(expression) %}
    {#-
        A stable keyed pseudonym for a user identifier that is an e-mail
        address: 'user_' + the first 16 hex digits of
        sha256(AI_FINOPS_PSEUDONYM_KEY || '|' || lower(address)). Other
        identifiers pass unchanged. With AI_FINOPS_KEEP_EMAILS=true the
        addresses are kept.
    -#}
    {%- if keep_emails() -%}
        {{ expression }}
    {%- else -%}
        case
            when {{ expression }} like '%@%'
                then
                    'user_' || left(
                        sha256(
                            '{{ env_var("AI_FINOPS_PSEUDONYM_KEY", "ai-finops-default-key") | replace("'", "''") }}'
                            || '|' || lower({{ expression }})
                        ),
                        16
                    )
            else {{ expression }}
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
