"""The datasets the AI FinOps checkpoint validates, read from the DuckDB warehouse as DataFrames.

The checkpoint checks what dbt's tests cannot: the raw landing as the vendor wrote it, before
staging, against the warehouse (dbt tests guard the tables themselves; docs/architecture.md,
"Which system checks what"). Great Expectations validates pandas DataFrames here (its SQL
datasource does not work on DuckDB): each dataset is one DuckDB query turned into a DataFrame
with `.df()`, and the raw landing is never loaded row by row, only as per-file aggregates:

* `public_tables`: whether each public table exists in the file about to be published.
* `raw_landing_rows`: per raw file, the records counted straight from the file (an
  independent reader: line and JSON-array counts, not the staging models) next to the
  used / rejected / superseded counts of `int_raw_records_classified`.
* `raw_landing_money`: per raw cost file, the vendor-reported cost summed over its used rows
  (staging columns) next to the billed cost `fct_ai_costs` attributes to that file.

A dataset whose table is absent loads as `None`; the `public_tables` dataset says which
public tables are present, so an absent table is a failed expectation, never a silent pass.
"""

from __future__ import annotations

import glob
import gzip
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]

PUBLIC_TABLES: tuple[str, ...] = (
    "fct_ai_costs",
    "focus_ai_costs",
    "mart_pricing_incidents",
    "mart_rejected_rows",
)


@dataclass(frozen=True)
class RawExport:
    """One export folder of the raw landing: its file pattern and how records are counted."""

    folder: str
    pattern: str
    reader: str  # csv | csv_gz | parquet | jsonl | json_buckets | json_items | otlp_json(l)
    items_key: str = "data"


# The raw layout of the public interface (README, "Raw export layout").
RAW_EXPORTS: tuple[RawExport, ...] = (
    RawExport("openai/usage_completions", "*.json", "json_buckets"),
    RawExport("openai/costs", "*.json", "json_buckets"),
    RawExport("anthropic/usage_messages", "*.json", "json_buckets"),
    RawExport("anthropic/cost_report", "*.json", "json_buckets"),
    RawExport("aws_cur", "*.csv", "csv"),
    RawExport("aws_cur", "*.csv.gz", "csv_gz"),
    RawExport("aws_cur", "*.parquet", "parquet"),
    RawExport("azure_cost", "*.csv", "csv"),
    RawExport("gcp_billing", "*.jsonl", "jsonl"),
    RawExport("github_copilot", "*.csv", "csv"),
    RawExport("cursor/usage_events", "*.json", "json_items", "usageEvents"),
    RawExport("seats", "*.csv", "csv"),
    RawExport("activity", "*.csv", "csv"),
    RawExport("gateway", "*.jsonl", "jsonl"),
    RawExport("litellm/spend_logs", "*.csv", "csv"),
    RawExport("litellm/spend_logs", "*.jsonl", "jsonl"),
    RawExport("litellm/daily_spend", "*.csv", "csv"),
    RawExport("litellm/daily_spend", "*.jsonl", "jsonl"),
    RawExport("langfuse/observations", "*.json", "json_items"),
    RawExport("langfuse/observations", "*.jsonl", "jsonl"),
    RawExport("langfuse/traces", "*.json", "json_items"),
    RawExport("langfuse/traces", "*.jsonl", "jsonl"),
    RawExport("otel/genai_spans", "*.jsonl", "otlp_jsonl"),
    RawExport("otel/genai_spans", "*.json", "otlp_json"),
)

# Staging model -> SQL of the vendor-reported cost of one of its rows (and the filter that keeps
# the AI rows of an all-services cloud bill). Seats are contract prices, not a vendor's bill, and
# the usage exports carry no money: neither is listed.
VENDOR_COST_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("stg_openai__costs", "billed_cost", "true"),
    ("stg_anthropic__cost_report", "billed_cost", "true"),
    ("stg_aws__cur", "unblended_cost", "is_ai_spend"),
    ("stg_azure__cost_details", "cost_in_billing_currency", "is_ai_spend"),
    (
        "stg_gcp__billing_export",
        # the row's cost plus its credits (negative amounts in the credits array)
        "cost + coalesce(list_sum(list_transform(cast(coalesce(credits, '[]') as json[]),"
        " lambda credit: cast(json_extract_string(credit, '$.amount') as decimal(38, 10)))),"
        " 0)",
        "is_ai_spend",
    ),
    ("stg_github_copilot__usage", "net_amount", "is_ai_spend"),
    # Cursor bills nothing for events included in the seat
    (
        "stg_cursor__usage_events",
        "case when is_included_in_seat then 0 else reported_cost end",
        "true",
    ),
)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def relation_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """True when a table or view of that name exists in the warehouse."""
    row = con.execute(
        "select count(*) from information_schema.tables where table_name = ?", [name]
    ).fetchone()
    return bool(row and row[0])


def warehouse_raw_root(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The raw folder the warehouse was built from, read back from its lineage columns.

    `int_raw_records_classified.source_file` is `<raw root>/<export folder>/<file>`; a relative
    root is relative to the repository (where dbt runs). None when the warehouse has no rows.
    """
    if not relation_exists(con, "int_raw_records_classified"):
        return None
    rows = con.execute(
        """
        select distinct
            left(source_file, length(source_file) - length(export_name || '/' || file_name) - 1)
        from (
            select source_file, export_name, regexp_extract(source_file, '[^/]+$') as file_name
            from int_raw_records_classified
        )
        """
    ).fetchall()
    roots = {row[0] for row in rows if row[0]}
    if len(roots) != 1:
        return None
    root = Path(roots.pop())
    return root if root.is_absolute() else ROOT / root


# ---------------------------------------------------------------------------------------------
# Independent record counts of the raw landing
# ---------------------------------------------------------------------------------------------

_DECODED_SQL = """
    select
        filename,
        replace(ltrim(try(decode(content)), chr(65279)), chr(13) || chr(10), chr(10)) as body
    from read_blob($files)
"""

_NON_BLANK_LINES_SQL = (
    "len(list_filter(string_split(body, chr(10)), lambda line: trim(line) != ''))"
)

# Records per file by reader; an unreadable, empty or malformed file is one (whole-file) record.
_COUNT_SQL: dict[str, str] = {
    "csv": f"""
        select filename, case
            when body is null or {_NON_BLANK_LINES_SQL} = 0 then 1
            else {_NON_BLANK_LINES_SQL} - 1
        end as rows_read
        from ({_DECODED_SQL})
    """,
    "jsonl": f"""
        select filename, case
            when body is null or {_NON_BLANK_LINES_SQL} = 0 then 1
            else {_NON_BLANK_LINES_SQL}
        end as rows_read
        from ({_DECODED_SQL})
    """,
    "json_buckets": f"""
        select filename, case
            when body is null or not coalesce(json_valid(body), false) then 1
            when coalesce(json_type(body, '$.data'), '') != 'ARRAY' then 1
            when not coalesce(list_bool_and(list_transform(
                json_type(body, '$.data[*].results'),
                lambda results_type: results_type in ('ARRAY', 'NULL')
            )), true) then 1
            else len(json_extract(body, '$.data[*].results[*]'))
        end as rows_read
        from ({_DECODED_SQL})
    """,
    "json_items": f"""
        select filename, case
            when body is null or not coalesce(json_valid(body), false) then 1
            when coalesce(json_type(body, '$.{{key}}'), '') != 'ARRAY' then 1
            else json_array_length(body, '$.{{key}}')
        end as rows_read
        from ({_DECODED_SQL})
    """,
}


def gzip_csv_rows(path: Path) -> int:
    """Data lines of a gzip-compressed CSV (header excluded); an empty file is one record."""
    with gzip.open(path, "rb") as handle:
        non_blank = sum(1 for line in handle if line.strip())
    return non_blank - 1 if non_blank else 1


def otlp_spans(path: Path, json_lines: bool) -> int:
    """Spans of an OTLP JSON trace export (one export request per line, or per file); a line
    that is not an export request (not JSON, no resourceSpans array) is one record."""
    text = path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
    documents = [line for line in text.splitlines() if line.strip()] if json_lines else [text]
    records = 0
    for document in documents:
        try:
            request = json.loads(document)
        except ValueError:
            records += 1
            continue
        resource_spans = request.get("resourceSpans") if isinstance(request, dict) else None
        if not isinstance(resource_spans, list):
            records += 1
            continue
        for resource in resource_spans:
            scopes = resource.get("scopeSpans", resource.get("instrumentationLibrarySpans"))
            for scope in scopes if isinstance(scopes, list) else []:
                spans = scope.get("spans") if isinstance(scope, dict) else None
                records += len(spans) if isinstance(spans, list) else 0
    return records


def export_file_counts(
    con: duckdb.DuckDBPyConnection, export: RawExport, files: list[str]
) -> list[tuple[str, int]]:
    """(path, records) for the files of one export folder."""
    if export.reader == "csv_gz":
        return [(path, gzip_csv_rows(Path(path))) for path in files]
    if export.reader in ("otlp_jsonl", "otlp_json"):
        return [(path, otlp_spans(Path(path), export.reader == "otlp_jsonl")) for path in files]
    if export.reader == "parquet":
        return [
            (path, int(con.execute("select count(*) from read_parquet(?)", [path]).fetchone()[0]))
            for path in files
        ]
    sql = _COUNT_SQL[export.reader].replace("{key}", export.items_key)
    return [(str(name), int(rows)) for name, rows in con.execute(sql, {"files": files}).fetchall()]


def raw_file_counts(con: duckdb.DuckDBPyConnection, raw_root: Path) -> pd.DataFrame:
    """One row per raw export file: export_name, file_name, rows_read (independent count)."""
    records: list[tuple[str, str, int]] = []
    for export in RAW_EXPORTS:
        folder = glob.escape(str(raw_root / export.folder))
        matches = glob.glob(os.path.join(folder, export.pattern))
        files = sorted(path for path in matches if os.path.isfile(path))
        if not files:
            continue
        for path, rows in export_file_counts(con, export, files):
            records.append((export.folder, Path(path).name, rows))
    return pd.DataFrame(records, columns=["export_name", "file_name", "rows_read"]).astype(
        {"export_name": "object", "file_name": "object", "rows_read": "int64"}
    )


# ---------------------------------------------------------------------------------------------
# Datasets
# ---------------------------------------------------------------------------------------------


def public_tables(con: duckdb.DuckDBPyConnection, raw_root: Path | None) -> pd.DataFrame:
    """One row per public table: whether it exists and its row count."""
    rows = []
    for table in PUBLIC_TABLES:
        present = relation_exists(con, table)
        count = con.execute(f'select count(*) from "{table}"').fetchone()[0] if present else 0
        rows.append((table, present, int(count)))
    return pd.DataFrame(rows, columns=["table_name", "is_present", "row_count"])


def raw_landing_rows(con: duckdb.DuckDBPyConnection, raw_root: Path | None) -> pd.DataFrame | None:
    """Row conservation per raw file: records read vs used + rejected + superseded.

    Files are matched on (export folder, file name), so a relative or absolute raw path gives
    the same key. A file in the landing but not in the warehouse (or the reverse) gets 0 on
    the side it is missing from.
    """
    if raw_root is None or not relation_exists(con, "int_raw_records_classified"):
        return None
    counts = raw_file_counts(con, raw_root)
    con.register("raw_file_counts", counts)
    try:
        return con.execute(
            """
            with classified as (
                select
                    export_name,
                    regexp_extract(source_file, '[^/]+$') as file_name,
                    count(*) filter (where record_status = 'used') as rows_used,
                    count(*) filter (where record_status = 'rejected') as rows_rejected,
                    count(*) filter (where record_status = 'superseded') as rows_superseded,
                    count(*) filter (
                        where record_status is null
                        or record_status not in ('used', 'rejected', 'superseded')
                    ) as rows_other_status
                from int_raw_records_classified
                group by 1, 2
            )

            select
                coalesce(counts.export_name, classified.export_name) as export_name,
                coalesce(counts.file_name, classified.file_name) as file_name,
                coalesce(counts.rows_read, 0) as rows_read,
                coalesce(classified.rows_used, 0) as rows_used,
                coalesce(classified.rows_rejected, 0) as rows_rejected,
                coalesce(classified.rows_superseded, 0) as rows_superseded,
                coalesce(classified.rows_other_status, 0) as rows_other_status,
                coalesce(
                    classified.rows_used + classified.rows_rejected
                    + classified.rows_superseded, 0
                ) as rows_accounted
            from raw_file_counts as counts
            full outer join classified
                on counts.export_name = classified.export_name
                and counts.file_name = classified.file_name
            order by 1, 2
            """
        ).df()
    finally:
        con.unregister("raw_file_counts")


def vendor_cost_sql(con: duckdb.DuckDBPyConnection) -> str:
    """UNION ALL of (source_file, vendor_cost) over the used rows of each cost export present."""
    parts = [
        f"""
        select staged.source_file, sum({expression}) as vendor_cost
        from "{model}" as staged
        inner join used
            on staged.source_file = used.source_file and staged.source_row = used.source_row
        where {condition}
        group by 1
        """
        for model, expression, condition in VENDOR_COST_COLUMNS
        if relation_exists(con, model)
    ]
    empty = (
        "select cast(null as varchar) as source_file,"
        " cast(0 as decimal(38, 10)) as vendor_cost where false"
    )
    return "\nunion all\n".join(parts) if parts else empty


def raw_landing_money(
    con: duckdb.DuckDBPyConnection, raw_root: Path | None
) -> pd.DataFrame | None:
    """Money conservation per raw cost file: vendor cost over used rows vs fct billed cost.

    `billed_gap` is fct's billed cost minus the vendor's, computed in DECIMAL and exactly 0.0
    when the two agree to the last of the 10 decimals.
    """
    needed = ("int_raw_records_classified", "fct_ai_costs")
    if not all(relation_exists(con, name) for name in needed):
        return None
    return con.execute(
        f"""
        with used as (
            select source_file, source_row
            from int_raw_records_classified
            where record_status = 'used'
        ),

        vendor as (
            {vendor_cost_sql(con)}
        ),

        billed as (
            select billed_source_file as source_file, sum(billed_cost) as fct_billed_cost
            from fct_ai_costs
            where cost_source = 'vendor_reported'
                and staging_model != 'stg_seats__assignments'
            group by 1
        ),

        joined as (
            select
                coalesce(vendor.source_file, billed.source_file) as source_file,
                coalesce(vendor.vendor_cost, 0) as vendor_cost,
                coalesce(billed.fct_billed_cost, 0) as fct_billed_cost
            from vendor
            full outer join billed on vendor.source_file = billed.source_file
        )

        select
            regexp_extract(source_file, '[^/]+/[^/]+$') as file_name,
            cast(vendor_cost as double) as vendor_cost,
            cast(fct_billed_cost as double) as fct_billed_cost,
            cast(fct_billed_cost - vendor_cost as double) as billed_gap
        from joined
        order by 1
        """
    ).df()


Loader = Callable[[duckdb.DuckDBPyConnection, "Path | None"], "pd.DataFrame | None"]

DATASETS: dict[str, Loader] = {
    "public_tables": public_tables,
    "raw_landing_rows": raw_landing_rows,
    "raw_landing_money": raw_landing_money,
}
