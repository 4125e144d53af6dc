"""Azure: cost details (Azure OpenAI meters and other services).

``azure_cost/*.csv``
    Cost-details rows (columns ``AZURE_COLUMNS``), ``Date`` as ``MM/DD/YYYY``, USD billing.
    Azure OpenAI rows: ``MeterCategory=Cognitive Services``, ``MeterSubCategory=Azure OpenAI``,
    meter names such as ``gpt-4o-mini-0718-Inp-glbl Tokens`` (UoM ``1M``),
    ``gpt 4o 1120 cached Inp glbl Tokens`` (``1K``), ``GPT 5 Mini Outpt Glbl`` (``1M``),
    ``o3 Inpt DZone 1M Tokens`` (``1M``), ``gpt-4o-mini-0718-Batch-Inp-glbl Tokens`` (``1K``);
    Quantity is in UoM blocks. ``Tags`` without outer braces (EA style, ``"k": "v","k2": "v2"``)
    in months before 2026-07, JSON with braces from 2026-07. Non-AI: Virtual Machines, Storage.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Sequence

from sample_generator.catalogue import AZURE_JSON_TAGS_FROM, MILLION, THOUSAND
from sample_generator.helpers import dec, jdump, month_end, month_start, stable_uuid, stream
from sample_generator.organisation import Cell, Workload
from sample_generator.output import CsvPeriodWriter, Output, Period, _text, q
from sample_generator.world import World


AZURE_COLUMNS: tuple[str, ...] = (
    "BillingAccountId",
    "BillingAccountName",
    "BillingPeriodStartDate",
    "BillingPeriodEndDate",
    "SubscriptionId",
    "SubscriptionName",
    "ResourceGroup",
    "ResourceId",
    "ResourceLocation",
    "Date",
    "ProductName",
    "MeterCategory",
    "MeterSubCategory",
    "MeterName",
    "MeterId",
    "MeterRegion",
    "UnitOfMeasure",
    "Quantity",
    "EffectivePrice",
    "UnitPrice",
    "PayGPrice",
    "CostInBillingCurrency",
    "CostInUsd",
    "PaygCostInUsd",
    "BillingCurrency",
    "ChargeType",
    "PricingModel",
    "Frequency",
    "BenefitId",
    "ConsumedService",
    "CostCenter",
    "Tags",
)


def azure_meter(model: str, token_class: str, tier: str, scope: str) -> tuple[str, str]:
    """(MeterName, UnitOfMeasure) of an Azure OpenAI token meter (inconsistent, as Azure's are)."""
    if model == "gpt-4o-mini":
        piece = {"input": "Inp", "cached_input": "cached-Inp", "output": "Outp"}[token_class]
        if tier == "batch":
            return f"gpt-4o-mini-0718-Batch-{piece}-{scope} Tokens", "1K"
        return f"gpt-4o-mini-0718-{piece}-{scope} Tokens", "1M"
    if model == "gpt-4o":
        piece = {"input": "Inp", "cached_input": "cached Inp", "output": "Outp"}[token_class]
        return f"gpt 4o 1120 {piece} {scope} Tokens", "1K"
    if model == "gpt-5-mini":
        piece = {"input": "Inpt", "cached_input": "cchd Inpt", "output": "Outpt"}[token_class]
        return f"GPT 5 Mini {piece} {scope.title()}", "1M"
    if model == "o3":
        piece = {"input": "Inpt", "cached_input": "cchd Inpt", "output": "Outpt"}[token_class]
        return f"o3 {piece} {scope} 1M Tokens", "1M"
    raise KeyError(model)


def azure_tags(tags: dict[str, str], braces: bool) -> str:
    body = ",".join(f'"{k}": "{v}"' for k, v in tags.items())
    return "{" + body + "}" if braces else body


class AzureWriter(CsvPeriodWriter):
    export = "azure_cost"
    stem = "cost_details"
    hour = 9

    def header(self, period: Period) -> Sequence[str]:
        return AZURE_COLUMNS

    def __init__(self, world: World, out: Output) -> None:
        super().__init__(world, out)
        self._index = {col: i for i, col in enumerate(AZURE_COLUMNS)}
        self._meters: dict[tuple[str, str, str, str], tuple[str, str, Decimal, str]] = {}
        self._tags: dict[tuple[str, bool], str] = {}
        self._static: dict[Any, tuple[list[tuple[int, str]], Decimal]] = {}
        self._day: tuple[date, list[str]] | None = None

    def _ai_static(self, wl: Workload, cell: Cell, token_class: str, braces: bool
                   ) -> tuple[list[tuple[int, str]], Decimal]:
        """Columns of an Azure OpenAI line that only depend on the deployment and the meter."""
        key = (id(wl), cell.model, cell.tier, token_class, braces)
        hit = self._static.get(key)
        if hit is None:
            attrs = wl.attrs
            meter, uom, block, meter_id = self._meter(cell.model, token_class, cell.tier, attrs["scope"])
            values = {
                "SubscriptionId": attrs["subscription"],
                "SubscriptionName": "acme-ai-prod",
                "ResourceGroup": wl.team.azure_rg,
                "ResourceId": attrs["resource_id"],
                "ResourceLocation": "eastus2",
                "ProductName": f"Azure OpenAI - {meter}",
                "MeterCategory": "Cognitive Services",
                "MeterSubCategory": "Azure OpenAI",
                "MeterName": meter,
                "MeterId": meter_id,
                "MeterRegion": "East US 2" if attrs["scope"] != "glbl" else "Global",
                "UnitOfMeasure": uom,
                "ConsumedService": "Microsoft.CognitiveServices",
                "CostCenter": wl.team.cost_center,
                "Tags": azure_tags(attrs["tags"], braces),
            }
            hit = self._static[key] = ([(self._index[c], q(v)) for c, v in values.items()], block)
        return hit

    def _day_base(self, day: date) -> list[str]:
        if self._day is None or self._day[0] != day:
            idx = self._index
            base = [""] * len(AZURE_COLUMNS)
            base[idx["BillingAccountId"]] = "8611537"
            base[idx["BillingAccountName"]] = "Acme Corp"
            base[idx["BillingPeriodStartDate"]] = month_start(day).strftime("%m/%d/%Y")
            base[idx["BillingPeriodEndDate"]] = month_end(day).strftime("%m/%d/%Y")
            base[idx["Date"]] = day.strftime("%m/%d/%Y")
            base[idx["BillingCurrency"]] = "USD"
            base[idx["ChargeType"]] = "Usage"
            base[idx["PricingModel"]] = "OnDemand"
            base[idx["Frequency"]] = "UsageBased"
            self._day = (day, base)
        return self._day[1]

    def _row(self, day: date, values: dict[str, Any]) -> None:
        """One cost-details line: the day's fixed columns plus `values` (``_tags`` = tag dict)."""
        row = list(self._day_base(day))
        idx = self._index
        for col, value in values.items():
            if col == "_tags":
                braces = self.period.first >= AZURE_JSON_TAGS_FROM
                key = (jdump(value), braces)
                text = self._tags.get(key)
                if text is None:
                    text = self._tags[key] = azure_tags(value, braces) if value else ""
                row[idx["Tags"]] = q(text)
            else:
                row[idx[col]] = q(_text(value))
        self.writerow(row)

    def _meter(self, model: str, token_class: str, tier: str, scope: str) -> tuple[str, str, Decimal, str]:
        key = (model, token_class, tier, scope)
        hit = self._meters.get(key)
        if hit is None:
            meter, uom = azure_meter(model, token_class, tier, scope)
            hit = self._meters[key] = (meter, uom, THOUSAND if uom == "1K" else MILLION,
                                       stable_uuid("azure-meter", meter))
        return hit

    def day(self, day: date, cells: dict[str, list[Cell]]) -> None:
        world = self.world
        braces = self.period.first >= AZURE_JSON_TAGS_FROM
        for cell in cells.get("azure_openai", ()):
            wl = cell.wl
            for token_class, qty in (("input", cell.input), ("cached_input", cell.cached), ("output", cell.output)):
                if qty <= 0:
                    continue
                static, block = self._ai_static(wl, cell, token_class, braces)
                unit = world.unit_price("azure_openai", cell.model, token_class, day, cell.tier)
                list_unit = unit / world.cost_factor("azure_openai", cell.model, day)
                quantity = Decimal(qty) / block
                price_text = dec(unit * block)
                cost_text = dec(quantity * unit * block)
                row = list(self._day_base(day))
                for index, value in static:
                    row[index] = value
                idx = self._index
                row[idx["Quantity"]] = dec(quantity)
                row[idx["EffectivePrice"]] = row[idx["UnitPrice"]] = price_text
                row[idx["PayGPrice"]] = dec(list_unit * block)
                row[idx["CostInBillingCurrency"]] = row[idx["CostInUsd"]] = cost_text
                row[idx["PaygCostInUsd"]] = dec(quantity * list_unit * block)
                self.writerow(row)
        for inc in world.incidents:
            if inc.type == "new_billing_unit" and inc.provider == "azure_openai" and day >= inc.start:
                unit0 = world.units[0]
                team = unit0.team("search")
                sub = stable_uuid("azure-sub", 0)
                hours = Decimal(24) * 15 * inc.magnitude
                price = Decimal(1)
                self._row(day, {
                    "SubscriptionId": sub, "SubscriptionName": "acme-ai-prod", "ResourceGroup": team.azure_rg,
                    "ResourceId": f"/subscriptions/{sub}/resourceGroups/{team.azure_rg}/providers/"
                                  f"Microsoft.CognitiveServices/accounts/aoai-{team.slug}-ptu",
                    "ResourceLocation": "eastus2", "ProductName": "Azure OpenAI - Provisioned Managed Global",
                    "MeterCategory": "Cognitive Services", "MeterSubCategory": "Azure OpenAI",
                    "MeterName": "Provisioned Managed Global Unit", "MeterId": stable_uuid("azure-meter", "ptu"),
                    "MeterRegion": "Global", "UnitOfMeasure": "1 Hour", "Quantity": hours, "EffectivePrice": price,
                    "UnitPrice": price, "PayGPrice": price, "CostInBillingCurrency": hours * price,
                    "CostInUsd": hours * price, "PaygCostInUsd": hours * price,
                    "ConsumedService": "Microsoft.CognitiveServices", "CostCenter": team.cost_center,
                    "_tags": {"team": team.slug, "env": "prod"},
                })
        self._other_services(day)

    def _other_services(self, day: date) -> None:
        rng = stream(self.seed, "azure-other", day)
        act = self.world.opts.activity
        for unit in self.world.units:
            team = unit.team("platform")
            sub = stable_uuid("azure-sub-core", unit.index)
            if rng.chance(0.2 * act):
                hours = Decimal(24 * rng.randint(1, 4))
                price = Decimal("0.192")
                self._row(day, {
                    "SubscriptionId": sub, "SubscriptionName": "acme-core", "ResourceGroup": f"rg-{team.slug}-apps",
                    "ResourceId": f"/subscriptions/{sub}/resourceGroups/rg-{team.slug}-apps/providers/"
                                  f"Microsoft.Compute/virtualMachines/vm-build-{unit.index + 1:02d}",
                    "ResourceLocation": "eastus2", "ProductName": "Virtual Machines Dsv5 Series - D4s v5 - US East 2",
                    "MeterCategory": "Virtual Machines", "MeterSubCategory": "Dsv5 Series", "MeterName": "D4s v5",
                    "MeterId": stable_uuid("azure-meter", "D4s v5"), "MeterRegion": "US East 2",
                    "UnitOfMeasure": "1 Hour", "Quantity": hours, "EffectivePrice": price, "UnitPrice": price,
                    "PayGPrice": price, "CostInBillingCurrency": hours * price, "CostInUsd": hours * price,
                    "PaygCostInUsd": hours * price, "ConsumedService": "Microsoft.Compute",
                    "CostCenter": team.cost_center, "_tags": {"team": team.slug, "env": "ci"},
                })
            if rng.chance(0.1 * act):
                gb = Decimal(str(round(rng.uniform(300, 500) / 30, 6)))
                price = Decimal("0.0208")
                self._row(day, {
                    "SubscriptionId": sub, "SubscriptionName": "acme-core", "ResourceGroup": f"rg-{team.slug}-apps",
                    "ResourceId": f"/subscriptions/{sub}/resourceGroups/rg-{team.slug}-apps/providers/"
                                  f"Microsoft.Storage/storageAccounts/stacmelogs{unit.index + 1:02d}",
                    "ResourceLocation": "eastus2", "ProductName": "Blob Storage - Hot LRS",
                    "MeterCategory": "Storage", "MeterSubCategory": "Tiered Block Blob", "MeterName": "Hot LRS Data Stored",
                    "MeterId": stable_uuid("azure-meter", "Hot LRS Data Stored"), "MeterRegion": "US East 2",
                    "UnitOfMeasure": "1 GB/Month", "Quantity": gb, "EffectivePrice": price, "UnitPrice": price,
                    "PayGPrice": price, "CostInBillingCurrency": gb * price, "CostInUsd": gb * price,
                    "PaygCostInUsd": gb * price, "ConsumedService": "Microsoft.Storage",
                    "CostCenter": team.cost_center, "_tags": {"team": team.slug},
                })
