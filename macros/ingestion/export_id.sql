{% macro export_id(path_expression) %}
    {#-
        The export a raw file belongs to: its file name without extension and
        without a trailing page or part number (`_page003`, `-part-2`,
        `-00001`), so that all pages of one export share one id. Exports are
        compared by this id: the greatest id is the newest export (name files
        with their export timestamp first, as the generator does).
    -#}
    {{ regex_replace_first(
        regex_replace_first(
            regex_extract(path_expression, '[^/]+$'),
            '\.(json|jsonl|csv|csv\.gz|parquet)$', ''
        ),
        '([_-](page|part)[_-]?[0-9]+|-[0-9]{5})$', ''
    ) }}
{% endmacro %}

