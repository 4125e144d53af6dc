"""Independent readers of the raw exports for the tests: records per file and vendor totals.

These re-read the vendors' files with Python's json and csv modules, so that figures the
warehouse computes in SQL can be checked against a second, simple computation.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Iterator

JSON_PAGE_EXPORTS = {
    "openai/usage_completions": "buckets",
    "openai/costs": "buckets",
    "anthropic/usage_messages": "buckets",
    "anthropic/cost_report": "buckets",
    "cursor/usage_events": "usageEvents",
}
CSV_EXPORTS = ("aws_cur", "azure_cost", "github_copilot", "seats", "activity")
JSONL_EXPORTS = ("gcp_billing", "gateway")


def read_text(path: Path) -> str:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return data.decode("utf-8-sig").replace("\r\n", "\n")


def json_records(path: Path, kind: str) -> list[dict]:
    """The results of an Admin API page (bucket by bucket) or Cursor's usageEvents."""
    page = json.loads(read_text(path))
    if kind == "usageEvents":
        return list(page["usageEvents"])
    return [result for bucket in page["data"] for result in bucket.get("results", [])]


def csv_records(path: Path) -> list[dict[str, str]]:
    return [row for row in csv.DictReader(io.StringIO(read_text(path))) if any(row.values())]


def jsonl_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in read_text(path).split("\n") if line.strip()]


def export_files(raw: Path) -> Iterator[tuple[str, Path]]:
    """(export name, file) for every raw file of a known export."""
    for export in (*JSON_PAGE_EXPORTS, *CSV_EXPORTS, *JSONL_EXPORTS):
        folder = raw / export
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.is_file() and not path.name.startswith("."):
                    yield export, path


def records(export: str, path: Path) -> list[dict]:
    if export in JSON_PAGE_EXPORTS:
        return json_records(path, JSON_PAGE_EXPORTS[export])
    if export in CSV_EXPORTS:
        return csv_records(path)
    return jsonl_records(path)


def is_ai_row(export: str, row: dict) -> bool:
    """The documented AI-spend rules for the cloud bills, restated independently."""
    if export == "aws_cur":
        return row.get("line_item_product_code") == "AmazonBedrock" or row.get(
            "product_product_name", ""
        ).endswith("(Amazon Bedrock Edition)")
    if export == "azure_cost":
        return row.get("MeterSubCategory") == "Azure OpenAI"
    if export == "gcp_billing":
        return row["service"]["description"] in (
            "Vertex AI", "Vertex AI API", "Gemini API", "Generative Language API",
        )
    return True


def vendor_cost(export: str, row: dict) -> Decimal | None:
    """The vendor-reported cost of one record in its billing currency, or None if it has none."""
    if export == "openai/costs":
        return Decimal(str(row["amount"]["value"]))
    if export == "anthropic/cost_report":
        return Decimal(row["amount"]) / 100
    if export == "aws_cur":
        return Decimal(row["line_item_unblended_cost"])
    if export == "azure_cost":
        return Decimal(row["CostInBillingCurrency"])
    if export == "gcp_billing":
        return Decimal(str(row["cost"])) + sum(
            (Decimal(str(c["amount"])) for c in row.get("credits") or []), Decimal(0)
        )
    if export == "github_copilot":
        return Decimal(row["net_amount"])
    if export == "cursor/usage_events":
        if row.get("kind", "").startswith("Included"):
            return Decimal(0)
        usage = row.get("tokenUsage") or {}
        return Decimal(str(usage.get("totalCents", 0))) / 100
    return None
