"""Models stay engine-neutral: DuckDB-only SQL lives only in the dispatch macros.

Every model, singular test and macro is scanned for functions, types and syntax that DuckDB
has and Spark lacks. They may appear only in `macros/cross_db/` and in the DuckDB
implementation of a dispatched macro (`{% macro duckdb__name(...) %}`); everywhere else the
project calls the engine-neutral macros of macros/cross_db/ (docs/spark.md).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# (pattern, what to use instead)
DUCKDB_ONLY = [
    (r"\bjson_(extract_string|extract|valid|type|exists|object|merge_patch|keys)\s*\(",
     "json_text / json_value / json_is_valid / json_kind / json_has"),
    (r"\blist_[a-z_]+\s*\(", "list_has / list_index / list_at / list_map / list_where ..."),
    (r"\blist\s*\(", "list_agg"),
    (r"\bregexp_(matches|full_match)\s*\(", "regex_contains / regex_full_match"),
    (r"\bregexp_(extract|replace)\s*\(", "regex_extract / regex_replace_all (literal escaping)"),
    (r"\b(strftime|strptime|try_strptime)\s*\(", "format_date / parse_timestamp"),
    (r"\b(epoch|epoch_ms|make_timestamp|to_timestamp|timezone)\s*\(", "the dates.sql macros"),
    (r"\bat\s+time\s+zone\b", "utc_date / utc_timestamp"),
    (r"\b(arg_max|arg_min)\s*\(", "max_by / min_by"),
    (r"\b(unnest|generate_series|string_split|array_to_string|struct_pack)\s*\(",
     "unnest_list / day_list / split_text / list_join"),
    (r"\b(printf|hash|sha256|mad|date_diff|len|starts_with|ends_with)\s*\(",
     "format_decimal / row_hash / sha256_hex / median_absolute_deviation / dbt.datediff /"
     " length / like"),
    # lower case: the house style writes types in lower case, and json_kind() returns
    # DuckDB's upper-case names ('VARCHAR') as values
    (r"(?-i:\b(varchar|timestamptz|hugeint)\b)", "string / timestamp_type() / int128_type()"),
    (r"\bjson\s*\[\]|::\s*json\b|\bas\s+json\b", "json_array_texts / JSON kept as text"),
    (r"\*\s*exclude\s*\(", "* except (...)"),
    (r"\bunion\s+all\s+by\s+name\b", "union all with the same column list"),
]

DUCKDB_MACRO = re.compile(r"{%-?\s*macro\s+duckdb__.*?{%-?\s*endmacro\s*-?%}", re.S)
COMMENTS = re.compile(r"{#.*?#}|--[^\n]*", re.S)
JINJA = re.compile(r"{{.*?}}|{%.*?%}", re.S)
STRING = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")


def sql_in_jinja(match: re.Match[str]) -> str:
    """A Jinja expression or statement as the SQL it passes on: its string literals."""
    return " ".join(single or double for single, double in STRING.findall(match.group(0)))


def duckdb_only_uses(text: str) -> list[str]:
    """The DuckDB-only constructs in SQL/Jinja `text`, outside comments and duckdb__ macros.

    A macro call is read as the SQL in its string arguments, so that the engine-neutral
    macros (list_has, list_prepend ...) may share a name with the DuckDB function they wrap.
    """
    code = JINJA.sub(sql_in_jinja, COMMENTS.sub("", DUCKDB_MACRO.sub("", text)))
    found = []
    for pattern, instead in DUCKDB_ONLY:
        for match in re.finditer(pattern, code, re.I):
            found.append(f"{match.group(0).strip()!r} (use {instead})")
    return found


def project_sql() -> list[Path]:
    files = [*ROOT.glob("models/**/*.sql"), *ROOT.glob("tests/dbt/**/*.sql"),
             *ROOT.glob("macros/**/*.sql")]
    return sorted(path for path in files if "cross_db" not in path.parts)


def test_the_scanner_finds_duckdb_only_sql() -> None:
    assert duckdb_only_uses("select json_extract_string(x, '$.a'), cast(y as varchar)") != []
    assert duckdb_only_uses("select * exclude (a) from t union all by name select 1") != []
    assert duckdb_only_uses("select strftime(d, '%Y'), list_contains(l, 1)") != []
    assert duckdb_only_uses("-- json_extract_string in a comment\nselect 1") == []
    assert duckdb_only_uses(
        "{% macro duckdb__x() %}select hash(1){% endmacro %}{% macro spark__x() %}"
        "select xxhash64(1){% endmacro %}") == []
    assert duckdb_only_uses("select {{ json_text('x', '$.a') }}, cast(y as string)") == []
    assert duckdb_only_uses("select {{ list_has('l', 'v') }}, {{ list_prepend('a', 'b') }}") == []
    assert duckdb_only_uses("select {{ list_map('l', 'x', 'json_extract_string(x)') }}") != []


@pytest.mark.parametrize("path", project_sql(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_duckdb_only_sql_outside_the_dispatch_macros(path: Path) -> None:
    assert duckdb_only_uses(path.read_text()) == []
