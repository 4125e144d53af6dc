"""Raw files and independent recomputation shared by the cloud-bill staging
tests (test_staging_cloud_bills.py, test_staging_cloud_bills_schema_drift.py).

Holds the fixture folders, the dbt selection and the export file names; the
raw files whose bytes matter (a .csv.gz with BOM + CRLF inside, a parquet
file with typed columns and map tags, a CSV with a UTF-8 BOM and CRLF line
ends, a Latin-1 CSV, an empty CSV, a zero-byte .csv.gz), written from
literal text so that the exact bytes are visible and git cannot rewrite
them; and the plain csv / json / gzip readers with which the tests recount
records and recompute cost totals independently of dbt. Not a test module:
it defines no tests and runs no build.
"""

from __future__ import annotations

import csv
import gzip
import io
from decimal import Decimal
from pathlib import Path

import duckdb

from conftest import FIXTURES, DbtResult

FIXTURE = FIXTURES / "aws_azure_gcp_bills"
MISSING_FIXTURE = FIXTURES / "azure_missing_required_column"
SELECT = "stg_raw__files stg_aws__cur stg_azure__cost_details stg_gcp__billing_export"

AWS = "stg_aws__cur"
AZURE = "stg_azure__cost_details"
GCP = "stg_gcp__billing_export"

CUR_CSV = "20260601T000000Z-cur-2026-05-00001.csv"
CUR_GZ = "20260601T000000Z-cur-2026-05-00003.csv.gz"
CUR_PARQUET = "20260601T000000Z-cur-2026-05-00004.parquet"
CUR_EMPTY = "20260601T000000Z-cur-2026-05-00005.csv"
CUR_LATIN1 = "20260601T000000Z-cur-2026-05-00006.csv"
CUR_EMPTY_GZ = "20260601T000000Z-cur-2026-05-00007.csv.gz"
AZURE_EA = "20260601T000000Z-azure-ea-2026-05.csv"
AZURE_MCA = "20260601T000000Z-azure-mca-2026-05.csv"
AZURE_BOM = "20260601T000000Z-azure-bom-2026-05.csv"
GCP_JSONL = "20260601T000000Z-gcp-202605.jsonl"

# --- generated raw files ----------------------------------------------------

CUR_GZ_HEADER = (
    "bill_billing_period_start_date,bill_payer_account_id,"
    "line_item_usage_account_id,line_item_line_item_type,"
    "line_item_usage_start_date,line_item_product_code,product_product_name,"
    "line_item_usage_type,line_item_usage_amount,line_item_unblended_cost,"
    "line_item_currency_code,pricing_unit,resource_tags"
)
CUR_GZ_ROWS = [
    # Bedrock batch output: 2 x 1K tokens, 0.015 USD
    "2026-05-01T00:00:00.000Z,111111111111,222222222222,Usage,"
    "2026-05-04T00:00:00.000Z,AmazonBedrock,Amazon Bedrock,"
    "USE1-Claude4.6Sonnet-output-tokens-batch,2,0.015,USD,1K tokens,"
    '"{""user:team"":""search""}"',
    # Lambda (not AI): 0.0000166667 USD keeps all ten decimals
    "2026-05-01T00:00:00.000Z,111111111111,333333333333,Usage,"
    "2026-05-04T00:00:00.000Z,AWSLambda,AWS Lambda,USE1-Lambda-GB-Second,1,"
    "0.0000166667,USD,Lambda-GB-Second,{}",
    # rejected: usage amount is not a number
    "2026-05-01T00:00:00.000Z,111111111111,222222222222,Usage,"
    "2026-05-04T00:00:00.000Z,AmazonBedrock,Amazon Bedrock,"
    "USE1-Claude4.6Sonnet-input-tokens,n/a,0.5,USD,1K tokens,{}",
]

AZURE_BOM_TEXT = (
    "SubscriptionId,Date,MeterCategory,MeterSubCategory,MeterName,Quantity,"
    "UnitOfMeasure,EffectivePrice,CostInBillingCurrency,BillingCurrency,Tags\r\n"
    # 1000 x 1K input tokens at 0.0025 EUR = 2.5 EUR
    "c3c3c3c3-0000-4000-8000-000000000003,05/04/2026,Cognitive Services,"
    "Azure OpenAI,gpt-4o-0806-Inp-glbl Tokens,1000,1K,0.0025,2.5,EUR,"
    '"""team"": ""search"",""env"": ""prod"""\r\n'
    "c3c3c3c3-0000-4000-8000-000000000003,05/04/2026,Bandwidth,"
    "Inter-Region,Inter-Region Data Transfer Out,5,1 GB,0.01,0.05,EUR,\r\n"
)


def write_parquet(path: Path, rows: list[dict]) -> None:
    """A CUR 2.0 parquet file with the export's column types (timestamps,
    doubles, map<string,string> tags), written by DuckDB."""
    con = duckdb.connect()
    selects = []
    for row in rows:
        tags = ", ".join(f"'{k}': '{v}'" for k, v in row["tags"].items())
        selects.append(
            "select"
            f" timestamp '{row['period']}' as bill_billing_period_start_date,"
            f" '{row['payer']}' as bill_payer_account_id,"
            f" '{row['account']}' as line_item_usage_account_id,"
            f" timestamp '{row['start']}' as line_item_usage_start_date,"
            f" '{row['product_code']}' as line_item_product_code,"
            f" map {{'product_name': '{row['product_name']}'}} as product,"
            f" '{row['usage_type']}' as line_item_usage_type,"
            f" cast({row['amount']} as double) as line_item_usage_amount,"
            f" cast({row['cost']} as double) as line_item_unblended_cost,"
            " 'USD' as line_item_currency_code,"
            f" '{row['unit']}' as pricing_unit,"
            f" cast(map {{{tags}}} as map(varchar, varchar)) as resource_tags"
        )
    con.execute(
        f"copy ({' union all '.join(selects)}) to '{path}' (format parquet)"
    )
    con.close()


PARQUET_ROWS = [
    # Bedrock cache read: 5372.659 x 1K tokens, 1.77297747 USD
    {
        "period": "2026-05-01", "payer": "111111111111",
        "account": "222222222222", "start": "2026-05-05 10:00:00",
        "product_code": "AmazonBedrock", "product_name": "Amazon Bedrock",
        "usage_type": "USW2-Claude4.5Sonnet-cache-read-input-token-count",
        "amount": "5372.659", "cost": "1.77297747", "unit": "1K tokens",
        "tags": {"user:team": "ml"},
    },
    # S3 (not AI): 0.5 USD
    {
        "period": "2026-05-01", "payer": "111111111111",
        "account": "333333333333", "start": "2026-05-05 00:00:00",
        "product_code": "AmazonS3",
        "product_name": "Amazon Simple Storage Service",
        "usage_type": "USE1-TimedStorage-ByteHrs", "amount": "21.5",
        "cost": "0.5", "unit": "GB-Mo", "tags": {},
    },
]


def add_generated_files(raw: Path) -> None:
    aws = raw / "aws_cur"
    gz_text = "\ufeff" + "\r\n".join([CUR_GZ_HEADER, *CUR_GZ_ROWS]) + "\r\n"
    (aws / CUR_GZ).write_bytes(gzip.compress(gz_text.encode("utf-8")))
    write_parquet(aws / CUR_PARQUET, PARQUET_ROWS)
    (aws / CUR_EMPTY).write_bytes(b"")
    (aws / CUR_EMPTY_GZ).write_bytes(b"")
    (aws / CUR_LATIN1).write_bytes(
        (CUR_GZ_HEADER + "\n").encode("latin-1")
        + "2026-05-01,111111111111,222222222222,Usage,2026-05-04,AmazonBedrock,"
        "Amazon Bedrock édition,USE1-X-input-tokens,1,0.1,USD,1K tokens,{}\n"
        .encode("latin-1")
    )
    (raw / "azure_cost" / AZURE_BOM).write_bytes(
        AZURE_BOM_TEXT.encode("utf-8-sig")
    )


# --- independent recomputation ---------------------------------------------


def is_decimal(text: str) -> bool:
    try:
        Decimal(text)
        return True
    except ArithmeticError:
        return False


def csv_usable(
    text: str, cost_column: str, numeric_columns: list[str]
) -> tuple[int, list[dict]]:
    """(data rows, usable rows) of a CSV text, by the rules staging applies:
    field count equals the header's, the cost is present, every non-empty
    numeric field is a number."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader)
    rows = [row for row in reader if row]
    usable = []
    for row in rows:
        if len(row) != len(header):
            continue
        record = {name.lower(): value for name, value in zip(header, row)}
        values = [record.get(c.lower(), "") for c in numeric_columns]
        if record.get(cost_column.lower(), "") == "":
            continue
        if all(v == "" or is_decimal(v) for v in values):
            usable.append(record)
    return len(rows), usable


def money(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.0000000001"))


# --- staged record counts ----------------------------------------------------


def file_counts(result: DbtResult, model: str) -> dict[str, tuple]:
    rows = result.query(
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
    return {row[0]: tuple(row[1:]) for row in rows}
