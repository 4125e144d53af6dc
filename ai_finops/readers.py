"""Splitting a raw file into its records: CSV lines, JSON lines, JSON page elements, OTLP spans,
Parquet rows.

Each reader returns the file's `Records` unchanged (exact text, decimals as written), or the
file's problem (not UTF-8, empty, not valid JSON, a page without its array). The landing
(`ai_finops.landing`) picks the reader by export and file type and writes what it returns.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import duckdb


@dataclass
class Records:
    """The records of one raw file, before they are written."""

    header: list[str] | None
    rows: list[tuple[int, str | None, str | None, list[str] | None]]
    problem: str | None = None
    # source_row -> the record's identity aliases (Export.aliases)
    aliases: dict[int, str] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Splitting a file into records
# ---------------------------------------------------------------------------------------------


def decode_text(data: bytes) -> str | None:
    """The file's text: UTF-8 with leading byte-order marks removed and CRLF folded to LF."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text.lstrip("\ufeff").replace("\r\n", "\n")


def text_problem(text: str | None) -> str | None:
    """Why a text file cannot be read at all (only spaces count as blank, as in SQL trim)."""
    if text is None:
        return "file is not UTF-8 text"
    if text.strip(" ") == "":
        return "empty file"
    return None


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, record text) per CSV record: a quoted field may span lines."""
    lines = text.split("\n")
    number = 0
    while number < len(lines):
        start = number
        record = lines[number]
        number += 1
        while record.count('"') % 2 == 1 and number < len(lines):
            record += "\n" + lines[number]
            number += 1
        yield start + 1, record


def split_csv(text: str) -> Records:
    """Header (names trimmed) and one record per non-blank line after it."""
    header: list[str] | None = None
    rows: list[tuple[int, str | None, str | None, list[str] | None]] = []
    for line_number, record in logical_lines(text):
        if header is None:
            header = [name.strip(" ") for name in next(csv.reader([record]), [""])]
            continue
        if record.strip(" ") == "":
            continue
        fields = next(csv.reader([record]), [""])
        rows.append((line_number - 1, record, None, fields))
    return Records(header, rows)


def split_jsonl(text: str) -> Records:
    """One record per non-blank line (validity is checked in staging)."""
    rows = [
        (number, line, None, None)
        for number, line in enumerate(text.split("\n"), start=1)
        if line.strip(" ") != ""
    ]
    return Records(None, rows)


class PageError(ValueError):
    """A JSON page that cannot be read; the message is the reject reason."""


_DECODER = json.JSONDecoder(parse_float=Decimal)
_WHITESPACE = " \t\n\r"


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WHITESPACE:
        index += 1
    return index


def _expect(text: str, index: int, char: str) -> int:
    if not text.startswith(char, index):
        raise ValueError(f"expected {char!r} at {index}")
    return index + 1


def _walk_object(text: str, index: int, on_member) -> int:  # type: ignore[no-untyped-def]
    """Walks the object at `index`; `on_member(key, value_at)` returns the value's end."""
    index = _skip(text, _expect(text, index, "{"))
    if text.startswith("}", index):
        return index + 1
    while True:
        key, index = json.decoder.scanstring(text, _expect(text, index, '"'))
        index = _skip(text, _expect(text, _skip(text, index), ":"))
        index = _skip(text, on_member(key, index))
        if text.startswith(",", index):
            index = _skip(text, index + 1)
            continue
        return _expect(text, index, "}")


def _walk_array(text: str, index: int, on_element) -> int:  # type: ignore[no-untyped-def]
    """Walks the array at `index`; `on_element(start)` returns the element's end."""
    index = _skip(text, _expect(text, index, "["))
    if text.startswith("]", index):
        return index + 1
    while True:
        index = _skip(text, on_element(index))
        if text.startswith(",", index):
            index = _skip(text, index + 1)
            continue
        return _expect(text, index, "]")


def _value_end(text: str, index: int) -> int:
    return _DECODER.raw_decode(text, index)[1]


def dumps_exact(value: Any) -> str:
    """Compact JSON text of a parsed value; decimals keep their digits."""
    if isinstance(value, dict):
        return "{" + ",".join(
            json.dumps(key, ensure_ascii=False) + ":" + dumps_exact(item)
            for key, item in value.items()
        ) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dumps_exact(item) for item in value) + "]"
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def split_json_page(text: str, items_key: str, nested_key: str | None) -> Records:
    """The records of a JSON page, each with its exact text, in one pass over the text.

    A page of items ({items_key: [...]}) gives one record per item. A bucketed page
    ({items_key: [{..., nested_key: [...]}, ...]}) gives one record per element of every
    bucket's `nested_key` array, with the bucket (without that array) beside it, numbered
    across the page's buckets in order; a bucket whose array is missing or null has none.
    A file that is not valid JSON, has no `items_key` array, or a bucket whose `nested_key`
    is not an array, is a problem (in that order of precedence).
    """
    rows: list[tuple[int, str | None, str | None, list[str] | None]] = []
    state = {"items": False, "nested_problem": False}

    def on_result(start: int) -> int:
        end = _value_end(text, start)
        rows.append((len(rows) + 1, text[start:end], None, None))
        return end

    def on_bucket(start: int) -> int:
        if not text.startswith("{", start):
            return _value_end(text, start)
        bucket: dict[str, Any] = {}
        first = len(rows)

        def on_member(key: str, value_at: int) -> int:
            if key == nested_key:
                del rows[first:]  # a repeated key: the last one wins
                if text.startswith("[", value_at):
                    return _walk_array(text, value_at, on_result)
                value, end = _DECODER.raw_decode(text, value_at)
                if value is not None:
                    state["nested_problem"] = True
                return end
            value, end = _DECODER.raw_decode(text, value_at)
            bucket[key] = value
            return end

        end = _walk_object(text, start, on_member)
        bucket_text = dumps_exact(bucket)
        for position in range(first, len(rows)):
            rows[position] = (rows[position][0], rows[position][1], bucket_text, None)
        return end

    def on_item(start: int) -> int:
        end = _value_end(text, start)
        rows.append((len(rows) + 1, text[start:end], None, None))
        return end

    def on_page_member(key: str, value_at: int) -> int:
        if key != items_key:
            return _value_end(text, value_at)
        rows.clear()  # a repeated key: the last one wins, as in a parsed document
        if not text.startswith("[", value_at):
            state["items"] = False
            return _value_end(text, value_at)
        state["items"] = True
        return _walk_array(text, value_at, on_item if nested_key is None else on_bucket)

    try:
        start = _skip(text, 0)
        if text.startswith("{", start):
            end = _walk_object(text, start, on_page_member)
        else:
            end = _value_end(text, start)
        if _skip(text, end) != len(text):
            raise ValueError("text after the JSON value")
    except (ValueError, IndexError) as error:
        raise PageError("file is not valid JSON (truncated or malformed)") from error
    if not state["items"]:
        raise PageError(f'page has no "{items_key}" array')
    if state["nested_problem"]:
        raise PageError(
            f'an entry of "{items_key}" has a "{nested_key}" that is not an array')
    return Records(None, rows)


def split_otlp_traces(text: str, json_lines: bool) -> Records:
    """One record per span of OTLP JSON trace exports (`resourceSpans` → `scopeSpans` →
    `spans`), as the OpenTelemetry file exporter writes them: one export request per line
    (`json_lines`) or one per file.

    Each span keeps its exact text; its bucket is its context, `{"line": n, "resource": ...,
    "scope": ...}`. Spans are numbered across the file in order. A line that is not valid JSON,
    or has no `resourceSpans` array, is one record of its own text with no bucket (staging
    rejects it); an export request with no spans has no record.
    """
    documents = (
        [(number, line) for number, line in enumerate(text.split("\n"), start=1)
         if line.strip(" \t") != ""]
        if json_lines else [(1, text)]
    )
    rows: list[tuple[int, str | None, str | None, list[str] | None]] = []
    for number, document in documents:
        try:
            request = json.loads(document, parse_float=Decimal)
        except ValueError:
            request = None
        resource_spans = request.get("resourceSpans") if isinstance(request, dict) else None
        if not isinstance(resource_spans, list):
            rows.append((len(rows) + 1, document.strip(" \t"), None, None))
            continue
        for resource_span in resource_spans:
            if not isinstance(resource_span, dict):
                continue
            # OTLP before 1.0 called scopeSpans instrumentationLibrarySpans
            scope_spans = resource_span.get("scopeSpans",
                                            resource_span.get("instrumentationLibrarySpans"))
            for scope_span in scope_spans if isinstance(scope_spans, list) else []:
                if not isinstance(scope_span, dict):
                    continue
                context = dumps_exact({
                    "line": number,
                    "resource": resource_span.get("resource"),
                    "scope": scope_span.get("scope", scope_span.get("instrumentationLibrary")),
                })
                spans = scope_span.get("spans")
                for span in spans if isinstance(spans, list) else []:
                    rows.append((len(rows) + 1, dumps_exact(span), context, None))
    return Records(None, rows)


def split_parquet(path: Path, con: duckdb.DuckDBPyConnection) -> Records:
    """One record per Parquet row: column names as header, values as text, the row as JSON."""
    query = """
        with rows_as_json as (
            select
                file_row_number + 1 as source_row,
                json_merge_patch(to_json(parquet_row), '{"file_row_number": null}') as record
            from read_parquet(?, file_row_number = true) as parquet_row
        ),
        record_maps as (
            select source_row, cast(record as varchar) as raw_record,
                   cast(record as map(varchar, json)) as record_map
            from rows_as_json
        )
        select source_row, raw_record, map_keys(record_map),
               list_transform(map_values(record_map), lambda v: json_extract_string(v, '$'))
        from record_maps order by source_row
    """
    header = [row[0] for row in con.execute(
        "select column_name from (describe select * from read_parquet(?))",
        [str(path)]).fetchall()]
    rows = [(int(r[0]), r[1], None, list(r[3])) for r in con.execute(query, [str(path)]).fetchall()]
    return Records(header, rows)
