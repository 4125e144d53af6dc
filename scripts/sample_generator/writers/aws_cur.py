"""AWS: the Cost and Usage Report 2.0 (Bedrock first-party and Marketplace rows, other services).

``aws_cur/*.csv`` (``.csv.gz`` with ``--aws-format csv.gz``)
    CUR 2.0 rows (columns ``AWS_CUR_COLUMNS``), daily line items, all services. Bedrock
    first-party rows: ``line_item_product_code=AmazonBedrock``, ``product_product_name=Amazon
    Bedrock``, usage type ``<USE1|US>-<Claude4.6Sonnet|Claude4.5Haiku>-<input-tokens|
    output-tokens|cache-read-input-token-count|cache-write-input-token-count>[-batch]``
    (``US-`` = cross-region geo profile), ``pricing_unit=1K tokens`` and usage amount in
    thousands of tokens. Marketplace rows: ``product_product_name=Claude Sonnet 4.5 (Amazon
    Bedrock Edition)``, ``bill_billing_entity=AWS Marketplace``, usage types
    ``USE1-MP:USE1_<InputTokenCount|OutputTokenCount|CacheReadInputTokenCount|
    CacheWriteInputTokenCount>[_Global]-Units``, ``USE1-MP:USE1_cache_write_tokens_global_
    standard-Units``, ``USE1-MP:USE1_MillionBatch<Input|Output>Tokens-Units``,
    ``pricing_unit=Units`` = millions of tokens. ``resource_tags`` is a JSON object
    (``user_team``, ``user_env``, ``iamPrincipal/team``, ``iamPrincipal/agent``). Non-AI rows:
    AmazonEC2, AmazonS3, AmazonSageMaker (not Bedrock, so not AI spend).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Sequence

from sample_generator.catalogue import (
    AWS_ACCOUNT,
    BEDROCK_MARKETPLACE,
    BEDROCK_MODEL_IDS,
    BEDROCK_TOKENS,
    MILLION,
    THOUSAND,
)
from sample_generator.helpers import Rng, dec, iso_z, jdump, month_start, next_month, sku_id, stream
from sample_generator.organisation import Cell, Unit, Workload
from sample_generator.output import CsvPeriodWriter, Output, Period, q
from sample_generator.world import World


AWS_CUR_COLUMNS: tuple[str, ...] = (
    "identity_line_item_id",
    "identity_time_interval",
    "bill_invoice_id",
    "bill_invoicing_entity",
    "bill_billing_entity",
    "bill_bill_type",
    "bill_payer_account_id",
    "bill_billing_period_start_date",
    "bill_billing_period_end_date",
    "line_item_usage_account_id",
    "line_item_line_item_type",
    "line_item_usage_start_date",
    "line_item_usage_end_date",
    "line_item_product_code",
    "line_item_usage_type",
    "line_item_operation",
    "line_item_availability_zone",
    "line_item_resource_id",
    "line_item_usage_amount",
    "line_item_currency_code",
    "line_item_unblended_rate",
    "line_item_unblended_cost",
    "line_item_blended_rate",
    "line_item_blended_cost",
    "line_item_line_item_description",
    "line_item_legal_entity",
    "line_item_iam_principal",
    "line_item_user_identifier",
    "product_product_name",
    "product_product_family",
    "product_region_code",
    "product_servicecode",
    "product_sku",
    "pricing_unit",
    "pricing_term",
    "pricing_public_on_demand_rate",
    "pricing_public_on_demand_cost",
    "resource_tags",
)
BEDROCK_SUFFIX: dict[str, str] = {
    "input": "input-tokens",
    "output": "output-tokens",
    "cached_input": "cache-read-input-token-count",
    "cache_write": "cache-write-input-token-count",
}
MARKETPLACE_USAGE: dict[tuple[str, str], str] = {
    ("input", "regional"): "USE1-MP:USE1_InputTokenCount-Units",
    ("output", "regional"): "USE1-MP:USE1_OutputTokenCount-Units",
    ("cached_input", "regional"): "USE1-MP:USE1_CacheReadInputTokenCount-Units",
    ("cache_write", "regional"): "USE1-MP:USE1_CacheWriteInputTokenCount-Units",
    ("input", "global"): "USE1-MP:USE1_InputTokenCount_Global-Units",
    ("output", "global"): "USE1-MP:USE1_OutputTokenCount_Global-Units",
    ("cached_input", "global"): "USE1-MP:USE1_CacheReadInputTokenCount_Global-Units",
    ("cache_write", "global"): "USE1-MP:USE1_cache_write_tokens_global_standard-Units",
    ("input", "batch"): "USE1-MP:USE1_MillionBatchInputTokens-Units",
    ("output", "batch"): "USE1-MP:USE1_MillionBatchOutputTokens-Units",
}


class AwsCurWriter(CsvPeriodWriter):
    export = "aws_cur"
    stem = "cur2"
    hour = 8

    def __init__(self, world: World, out: Output) -> None:
        super().__init__(world, out)
        self.ext = "csv.gz" if world.opts.aws_format == "csv.gz" else "csv"
        self._static: dict[Any, list[tuple[int, str]]] = {}
        self._index = {col: i for i, col in enumerate(AWS_CUR_COLUMNS)}
        self._day: tuple[date, list[str]] | None = None
        idx = self._index
        self._i_id = idx["identity_line_item_id"]
        self._i_amount = idx["line_item_usage_amount"]
        self._i_rate, self._i_cost = idx["line_item_unblended_rate"], idx["line_item_unblended_cost"]
        self._i_brate, self._i_bcost = idx["line_item_blended_rate"], idx["line_item_blended_cost"]
        self._i_prate = idx["pricing_public_on_demand_rate"]
        self._i_pcost = idx["pricing_public_on_demand_cost"]

    def header(self, period: Period) -> Sequence[str]:
        return AWS_CUR_COLUMNS

    def _base(self, day: date) -> list[str]:
        """The columns every line of `day` shares (cached for the day)."""
        if self._day is None or self._day[0] != day:
            idx = self._index
            row = [""] * len(AWS_CUR_COLUMNS)
            start, end = iso_z(day), iso_z(day + timedelta(days=1))
            for col, value in (
                ("identity_time_interval", f"{start}/{end}"),
                ("bill_invoicing_entity", "Amazon Web Services, Inc."),
                ("bill_billing_entity", "AWS"),
                ("bill_bill_type", "Anniversary"),
                ("bill_payer_account_id", AWS_ACCOUNT),
                ("bill_billing_period_start_date", iso_z(month_start(day))),
                ("bill_billing_period_end_date", iso_z(next_month(day))),
                ("line_item_usage_account_id", AWS_ACCOUNT),
                ("line_item_line_item_type", "Usage"),
                ("line_item_usage_start_date", start),
                ("line_item_usage_end_date", end),
                ("line_item_currency_code", "USD"),
                ("line_item_legal_entity", "Amazon Web Services, Inc."),
                ("pricing_term", "OnDemand"),
            ):
                row[idx[col]] = q(value)
            self._day = (day, row)
        return self._day[1]

    def _row(self, rng: Rng, day: date, static: list[tuple[int, str]], amount: Decimal, rate: Decimal,
             public_rate: Decimal | None = None) -> None:
        """One CUR line: fixed columns of the day, the charge's static columns and its money."""
        row = list(self._base(day))
        row[self._i_id] = rng.hex(40)
        for index, value in static:
            row[index] = value
        rate_text, cost_text = dec(rate), dec(amount * rate)
        row[self._i_amount] = dec(amount)
        row[self._i_rate] = row[self._i_brate] = rate_text
        row[self._i_cost] = row[self._i_bcost] = cost_text
        if public_rate is None:
            row[self._i_prate], row[self._i_pcost] = rate_text, cost_text
        else:
            row[self._i_prate], row[self._i_pcost] = dec(public_rate), dec(amount * public_rate)
        self.writerow(row)

    def _pairs(self, static: dict[str, str]) -> list[tuple[int, str]]:
        """(column index, quoted text) pairs of the static columns of a charge."""
        return [(self._index[col], q(value)) for col, value in static.items()]

    def _bedrock_static(self, wl: Workload, cell: Cell, token_class: str) -> tuple[list[tuple[int, str]], Decimal]:
        """Columns that only depend on (workload, model, tier, route, token class), and the block size."""
        key = (id(wl), cell.model, cell.tier, cell.route, token_class)
        hit = self._static.get(key)
        if hit is not None:
            return hit, MILLION if wl.attrs.get("marketplace") else THOUSAND
        principal = wl.attrs.get("principal", "")
        common = {
            "line_item_iam_principal": principal,
            "line_item_user_identifier": principal.rsplit("/", 1)[-1],
            "resource_tags": jdump(wl.attrs.get("tags", {})),
            "product_region_code": "us-east-1",
        }
        if wl.attrs.get("marketplace"):
            route = "batch" if cell.tier == "batch" else cell.route
            usage_type = MARKETPLACE_USAGE[(token_class, route)]
            product = BEDROCK_MARKETPLACE[cell.model]
            static = {
                "bill_billing_entity": "AWS Marketplace",
                "line_item_legal_entity": "Anthropic, PBC",
                "line_item_product_code": "c2ahm7wbv2tlpd2w7ycx4b6kq",
                "line_item_usage_type": usage_type,
                "line_item_operation": "Usage",
                "line_item_resource_id": f"arn:aws:bedrock:us-east-1::foundation-model/{BEDROCK_MODEL_IDS[cell.model]}",
                "line_item_line_item_description":
                    f"{product} {usage_type.split('_', 1)[1].replace('-Units', '')} per million units",
                "product_product_name": product,
                "product_servicecode": "c2ahm7wbv2tlpd2w7ycx4b6kq",
                "product_sku": sku_id("aws-mp", cell.model, usage_type),
                "pricing_unit": "Units",
            }
        else:
            prefix = "US" if cell.route == "cross_region" else "USE1"
            usage_type = (f"{prefix}-{BEDROCK_TOKENS[cell.model]}-{BEDROCK_SUFFIX[token_class]}"
                          + ("-batch" if cell.tier == "batch" else ""))
            model_id = BEDROCK_MODEL_IDS[cell.model]
            static = {
                "line_item_product_code": "AmazonBedrock",
                "line_item_usage_type": usage_type,
                "line_item_operation": "CreateModelInvocationJob" if cell.tier == "batch" else "InvokeModelInference",
                "line_item_resource_id": (f"arn:aws:bedrock:us-east-1:{AWS_ACCOUNT}:inference-profile/us.{model_id}"
                                          if cell.route == "cross_region"
                                          else f"arn:aws:bedrock:us-east-1::foundation-model/{model_id}"),
                "line_item_line_item_description":
                    f"Amazon Bedrock {self.world.models[cell.model].display} {BEDROCK_SUFFIX[token_class]} per 1K tokens",
                "product_product_name": "Amazon Bedrock",
                "product_product_family": "Amazon Bedrock",
                "product_servicecode": "AmazonBedrock",
                "product_sku": sku_id("aws-bedrock", usage_type),
                "pricing_unit": "1K tokens",
            }
        static.update(common)
        pairs = self._static[key] = self._pairs(static)
        return pairs, MILLION if wl.attrs.get("marketplace") else THOUSAND

    def day(self, day: date, cells: dict[str, list[Cell]]) -> None:
        world = self.world
        rng = stream(self.seed, "aws-cur", day)
        for cell in cells.get("aws_bedrock", ()):
            wl = cell.wl
            pieces = (("input", cell.input), ("cached_input", cell.cached), ("cache_write", cell.cw5 + cell.cw1h),
                      ("output", cell.output))
            for token_class, qty in pieces:
                if qty <= 0:
                    continue
                static, block = self._bedrock_static(wl, cell, token_class)
                unit = world.unit_price("aws_bedrock", cell.model, token_class, day, cell.tier)
                factor = world.cost_factor("aws_bedrock", cell.model, day)
                public = None if factor == 1 else unit / factor * block
                self._row(rng, day, static, Decimal(qty) / block, unit * block, public)
        self._other_services(rng, day)

    def _other_services(self, rng: Rng, day: date) -> None:
        act = self.world.opts.activity
        for unit in self.world.units:
            if rng.chance(0.25 * act):
                self._row(rng, day, self._other_static("ec2", unit), Decimal(24 * rng.randint(2, 6)), Decimal("0.192"))
            if rng.chance(0.1 * act):
                gb_month = Decimal(str(round(rng.uniform(800, 1200) / 30, 6)))
                self._row(rng, day, self._other_static("s3", unit), gb_month, Decimal("0.023"))
            if rng.chance(0.05 * act):
                self._row(rng, day, self._other_static("sagemaker", unit), Decimal(rng.randint(2, 10)), Decimal("0.05"))

    def _other_static(self, service: str, unit: Unit) -> list[tuple[int, str]]:
        key = (service, unit.index)
        hit = self._static.get(key)
        if hit is not None:
            return hit
        sfx = "" if unit.index == 0 else f"-u{unit.index + 1:04d}"
        if service == "ec2":
            static = {
                "line_item_product_code": "AmazonEC2", "line_item_usage_type": "USE1-BoxUsage:m5.xlarge",
                "line_item_operation": "RunInstances", "line_item_availability_zone": "us-east-1a",
                "line_item_resource_id": f"i-0{sku_id('ec2', unit.index).replace('-', '').lower()}",
                "line_item_line_item_description": "$0.192 per On Demand Linux m5.xlarge Instance Hour",
                "product_product_name": "Amazon Elastic Compute Cloud", "product_product_family": "Compute Instance",
                "product_region_code": "us-east-1", "product_servicecode": "AmazonEC2",
                "product_sku": sku_id("ec2-m5xl"), "pricing_unit": "Hrs",
                "resource_tags": jdump({"user_team": unit.team("search").slug, "user_env": "prod"}),
            }
        elif service == "s3":
            static = {
                "line_item_product_code": "AmazonS3", "line_item_usage_type": "TimedStorage-ByteHrs",
                "line_item_operation": "StandardStorage", "line_item_resource_id": f"acme-search-index{sfx}",
                "line_item_line_item_description": "$0.023 per GB - first 50 TB / month of storage used",
                "product_product_name": "Amazon Simple Storage Service", "product_product_family": "Storage",
                "product_region_code": "us-east-1", "product_servicecode": "AmazonS3",
                "product_sku": sku_id("s3-std"), "pricing_unit": "GB-Mo",
                "resource_tags": jdump({"user_team": unit.team("search").slug}),
            }
        else:
            static = {
                "line_item_product_code": "AmazonSageMaker", "line_item_usage_type": "USE1-Notebk:ml.t3.medium",
                "line_item_operation": "RunInstance:0001",
                "line_item_resource_id": f"arn:aws:sagemaker:us-east-1:{AWS_ACCOUNT}:notebook-instance/ds-notebook{sfx}",
                "line_item_line_item_description": "$0.05 per On-Demand Notebook ml.t3.medium hour",
                "product_product_name": "Amazon SageMaker", "product_product_family": "ML Instance",
                "product_region_code": "us-east-1", "product_servicecode": "AmazonSageMaker",
                "product_sku": sku_id("sm-t3m"), "pricing_unit": "Hrs",
                "resource_tags": jdump({"user_team": unit.team("data-science").slug}),
            }
        pairs = self._static[key] = self._pairs(static)
        return pairs
