{% macro vendor_model_key(expression) %}
    {#-
        An expression: the key under which a vendor's model identifier names
        a canonical model (seed models), so that the vendors' spellings of one
        model meet without an alias row each:
        - case and punctuation folded: 'GPT-4.1', 'gpt-4.1', 'Claude Sonnet
          4.5' and 'gemini 2.5 pro' give gpt-4-1, claude-sonnet-4-5 and
          gemini-2-5-pro;
        - a picker prefix dropped ('Auto: GPT-5.4' in Cursor and Copilot) and
          a parenthesised edition ('(Amazon Bedrock Edition)');
        - Bedrock's region and developer prefixes and its version suffix
          ('us.anthropic.claude-sonnet-4-6-v1:0');
        - a dated snapshot (OpenAI '-2025-04-14', Anthropic '-20250805',
          Azure '-0806') and Cursor's '-thinking' variant;
        - Anthropic's older word order ('claude-3-5-haiku') and Cursor's
          ('claude-4.1-opus') turned into the current one (claude-haiku-3-5,
          claude-opus-4-1).
        Identifiers no rule reaches (Bedrock usage-type tokens such as
        'Claude4.6Sonnet', seat and request SKUs) are rows of seed
        model_aliases. Mirrored for the sample generator and its tests by
        finops_prices.vendor_model_key (a test holds the two equal).
    -#}
    {%- set folded -%}
        {{ regex_replace_all(
            regex_replace_all(
                regex_replace_first(
                    regex_replace_first(
                        'lower(trim(' ~ expression ~ '))',
                        '^auto:\s*', ''
                    ),
                    '\s*\([^)]*\)$', ''
                ),
                '^([a-z]{2,6}\.)?(anthropic|openai|google|meta|amazon)\.'
                ~ '|-v\d+(:\d+)?$',
                ''
            ),
            '[^a-z0-9]+', '-'
        ) }}
    {%- endset -%}
    {#- the snapshot pattern can match empty at the end: replacing it
        everywhere (Spark) or once (DuckDB) gives the same text -#}
    {{ regex_replace_first(
        regex_replace_first(
            "trim(both '-' from " ~ folded ~ ")",
            '(-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|latest))?(-thinking)?$', ''
        ),
        '^claude-(\d+(-\d+)?)-([a-z]+)', 'claude-\\3-\\1'
    ) }}
{% endmacro %}
