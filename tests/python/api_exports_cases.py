"""Fixture folders, hand-worked expectations and independent readers for
test_staging_api_exports.py (OpenAI, Anthropic, Cursor and the gateway log).

Holds the four hand-written fixture roots and how they are assembled into one
raw folder, the staging models with their export folders and contract
columns, the per-file record counts and rejected reasons worked out by hand,
and the plain-Python readers that recount records and re-add vendor totals
from the raw pages, independently of dbt. Not a test module: it defines no
tests and runs no build.

Bad inputs in the fixtures (each listed in EXPECTED_REJECTIONS with its
reason):
- openai/costs: a truncated JSON page, an empty file, an amount that is not a
  number, an unknown extra field; a line item of a shape the parser does not
  know is kept (a cost row is money);
- openai/usage_completions: a token count that is not a number, a missing
  num_model_requests, a page with CRLF line ends;
- anthropic: an output_tokens / amount that is not a number, a missing amount,
  a cost page starting with a UTF-8 byte-order mark, a usage page whose second
  bucket has an object where its "results" array belongs;
- cursor: a requestsCosts that is not a number, a page saved as Latin-1;
- gateway: a line that is not valid JSON, a blank line, a count that is not a
  number, a log with CRLF line ends.
The fixture folders carry `.gitattributes` (`* -text`) so that git keeps the
CRLF, BOM and Latin-1 bytes exactly.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

from conftest import FIXTURES, DbtResult

FIXTURE_ROOTS = [
    FIXTURES / "openai_api_exports",
    FIXTURES / "anthropic_api_exports",
    FIXTURES / "cursor_api_exports",
    FIXTURES / "gateway_logs",
]
SELECT = "stg_raw__files staging.openai staging.anthropic staging.cursor staging.gateway"

# model -> export folder under the raw root
MODELS = {
    "stg_openai__costs": "openai/costs",
    "stg_openai__usage_completions": "openai/usage_completions",
    "stg_anthropic__usage_messages": "anthropic/usage_messages",
    "stg_anthropic__cost_report": "anthropic/cost_report",
    "stg_cursor__usage_events": "cursor/usage_events",
    "stg_gateway__requests": "gateway",
}

CONTRACT_COLUMNS = [
    ("source_file", "VARCHAR"),
    ("source_row", "BIGINT"),
    ("raw_record", "VARCHAR"),
    ("rejected_reason", "VARCHAR"),
    ("file_modified_at", "TIMESTAMP WITH TIME ZONE"),
]

# (model, file name) -> (rows read, usable, rejected), worked out by hand.
# A file that cannot be read at all is one rejected row (source_row 0).
EXPECTED_FILE_COUNTS = {
    ("stg_openai__costs", "20260503T060000Z_costs.json"): (9, 8, 1),
    ("stg_openai__costs", "20260503T070000Z_costs_truncated.json"): (1, 0, 1),
    ("stg_openai__costs", "20260503T080000Z_costs_empty.json"): (1, 0, 1),
    ("stg_openai__usage_completions",
     "20260503T060000Z_usage_completions.json"): (5, 3, 2),
    ("stg_openai__usage_completions",
     "20260503T090000Z_usage_completions_crlf.json"): (1, 1, 0),
    ("stg_anthropic__usage_messages",
     "20260503T060000Z_usage_messages.json"): (4, 3, 1),
    ("stg_anthropic__usage_messages",
     "20260503T100000Z_usage_messages_results_object.json"): (1, 0, 1),
    ("stg_anthropic__cost_report", "20260503T060000Z_cost_report.json"): (7, 5, 2),
    ("stg_anthropic__cost_report",
     "20260503T090000Z_cost_report_bom.json"): (1, 1, 0),
    ("stg_cursor__usage_events", "20260503T060000Z_usage_events.json"): (4, 3, 1),
    ("stg_cursor__usage_events",
     "20260503T090000Z_usage_events_latin1.json"): (1, 0, 1),
    ("stg_gateway__requests", "20260503T060000Z_gateway.jsonl"): (5, 3, 2),
    ("stg_gateway__requests", "20260503T090000Z_gateway_crlf.jsonl"): (2, 2, 0),
}

# (model, file name, source_row) -> rejected_reason
EXPECTED_REJECTIONS = {
    ("stg_openai__costs", "20260503T060000Z_costs.json", 8):
        "amount.value is not a number: 'abc'",
    ("stg_openai__costs", "20260503T070000Z_costs_truncated.json", 0):
        "file is not valid JSON (truncated or malformed)",
    ("stg_openai__costs", "20260503T080000Z_costs_empty.json", 0):
        "empty file",
    ("stg_openai__usage_completions",
     "20260503T060000Z_usage_completions.json", 3):
        "input_tokens is not a number: '12x'",
    ("stg_openai__usage_completions",
     "20260503T060000Z_usage_completions.json", 4):
        "num_model_requests is missing",
    ("stg_anthropic__usage_messages",
     "20260503T060000Z_usage_messages.json", 3):
        "output_tokens is not a number: 'lots'",
    ("stg_anthropic__usage_messages",
     "20260503T100000Z_usage_messages_results_object.json", 0):
        'an entry of "data" has a "results" that is not an array',
    ("stg_anthropic__cost_report", "20260503T060000Z_cost_report.json", 4):
        "amount is not a number: 'abc'",
    ("stg_anthropic__cost_report", "20260503T060000Z_cost_report.json", 5):
        "amount is missing",
    ("stg_cursor__usage_events", "20260503T060000Z_usage_events.json", 4):
        "requestsCosts is not a number: 'one'",
    ("stg_cursor__usage_events",
     "20260503T090000Z_usage_events_latin1.json", 0):
        "file is not UTF-8 text",
    ("stg_gateway__requests", "20260503T060000Z_gateway.jsonl", 3):
        "line is not valid JSON",
    ("stg_gateway__requests", "20260503T060000Z_gateway.jsonl", 4):
        "output_tokens is not a number: 'n/a'",
}


def assemble_raw(dest: Path) -> Path:
    """One raw root holding the vendor folders of all four fixture roots."""
    dest.mkdir(parents=True)
    for root in FIXTURE_ROOTS:
        for vendor_dir in root.iterdir():
            if vendor_dir.is_dir():
                shutil.copytree(vendor_dir, dest / vendor_dir.name)
    return dest


def fixture_files(export: str) -> list[Path]:
    pattern = "*.jsonl" if export == "gateway" else "*.json"
    files: list[Path] = []
    for root in FIXTURE_ROOTS:
        files.extend(sorted((root / export).glob(pattern)))
    return files


def read_text(path: Path) -> str | None:
    """The file's text as the warehouse sees it, or None when unreadable."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    return text if text.strip() else None


def load_page(path: Path) -> dict | None:
    """The page, or None when the warehouse must reject the whole file."""
    text = read_text(path)
    if text is None:
        return None
    try:
        page = json.loads(text, parse_float=Decimal)
    except ValueError:
        return None
    buckets = page.get("data")
    if isinstance(buckets, list) and any(
        not isinstance(bucket.get("results"), (list, type(None))) for bucket in buckets
    ):
        return None
    return page


def records_in_file(path: Path) -> int:
    """Records of one raw file, counted in Python (1 for an unreadable file)."""
    if path.suffix == ".jsonl":
        text = read_text(path)
        if text is None:
            return 1
        return sum(1 for line in text.split("\n") if line.strip())
    page = load_page(path)
    if page is None:
        return 1
    if "usageEvents" in page:
        return len(page["usageEvents"])
    return sum(len(bucket.get("results") or []) for bucket in page["data"])


def page_results(export: str) -> list[dict]:
    """Every result (or usage event) of an export's readable fixture pages."""
    results: list[dict] = []
    for path in fixture_files(export):
        page = load_page(path)
        if page is None:
            continue
        if "usageEvents" in page:
            results.extend(page["usageEvents"])
        else:
            for bucket in page["data"]:
                results.extend(bucket.get("results") or [])
    return results


def as_decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def by_file(staged: DbtResult, model: str) -> dict[str, tuple[int, int, int]]:
    rows = staged.query(
        f"""
        select
            regexp_extract(source_file, '[^/]+$'),
            count(*),
            count(*) filter (where rejected_reason is null),
            count(*) filter (where rejected_reason is not null)
        from {model}
        group by 1
        """
    )
    return {name: (total, used, rejected) for name, total, used, rejected in rows}


def column_types(result: DbtResult, model: str) -> list[tuple[str, str]]:
    return [
        (name, column_type)
        for name, column_type, *_ in result.query(f"describe {model}")
    ]
