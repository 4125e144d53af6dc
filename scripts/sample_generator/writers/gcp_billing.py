"""Google Cloud: the standard billing export (Vertex AI, Gemini API and other services).

``gcp_billing/*.jsonl``
    Standard billing export rows: ``billing_account_id, service{id,description},
    sku{id,description}, usage_start_time, usage_end_time, project{id,number,name,labels},
    labels, system_labels, location, export_time, cost(gross), cost_at_list, currency,
    currency_conversion_rate, usage{amount,unit:"count",amount_in_pricing_units,pricing_unit},
    credits[{name,amount(negative),full_name,id,type}], invoice{month}, cost_type``. Vertex AI
    SKUs ``Gemini 2.5 Pro Text Input - Predictions ≤200K``, ``Gemini 2.5 Pro Cached Text
    Input - Predictions ≤200K``, ``Gemini 2.5 Pro Thinking Text Output - Predictions ≤200K``
    and, for prompts above 200K tokens, ``Gemini 2.5 Pro Long Text Input|Long Cached Text
    Input|Long Thinking Text Output - Predictions >200K`` (descriptions are written as UTF-8,
    ``≤`` unescaped),
    ``Gemini 2.5 Flash Input Text|Input Cached Text|Thinking Text Output - Predictions``;
    Gemini API SKUs ``Generate content <input|cached input|output> token count gemini 2.5
    <flash|pro> <short|long> input text``. Non-AI: Compute Engine, Cloud Storage, BigQuery.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sample_generator.catalogue import GCP_BILLING_ACCOUNT, ZERO
from sample_generator.helpers import Rng, dec, iso_z, jdump, sku_id, stream
from sample_generator.organisation import Cell
from sample_generator.output import CsvPeriodWriter, Output, Period
from sample_generator.world import World


VERTEX_SERVICE = {"id": "C7E2-9256-1C43", "description": "Vertex AI"}
GEMINI_API_SERVICE = {"id": "AEFD-7695-64FA", "description": "Gemini API"}


def gcp_sku(service: str, model: str, token_class: str, context: str) -> str:
    """SKU description of a Gemini token charge."""
    if service == "gemini_api":
        phrase = "gemini 2.5 pro" if model == "gemini-2-5-pro" else "gemini 2.5 flash"
        piece = {"input": "input", "cached_input": "cached input", "output": "output"}[token_class]
        length = "long" if context == "long" else "short"
        return f"Generate content {piece} token count {phrase} {length} input text"
    if model == "gemini-2-5-pro":
        # the context tier ends the description: ≤200K (U+2264) or >200K prompt tokens
        piece = {"input": "Text Input", "cached_input": "Cached Text Input",
                 "output": "Thinking Text Output"}[token_class]
        if context == "long":
            return f"Gemini 2.5 Pro Long {piece} - Predictions >200K"
        return f"Gemini 2.5 Pro {piece} - Predictions \u2264200K"
    return {
        "input": "Gemini 2.5 Flash Input Text - Predictions",
        "cached_input": "Gemini 2.5 Flash Input Cached Text - Predictions",
        "output": "Gemini 2.5 Flash Thinking Text Output - Predictions",
    }[token_class]


class GcpWriter(CsvPeriodWriter):
    export = "gcp_billing"
    stem = "billing_export"
    ext = "jsonl"
    hour = 4

    def begin_period(self, period: Period) -> None:
        super().begin_period(period)
        self.export_time = iso_z(period.last + timedelta(days=1), 4 * 3600)

    def __init__(self, world: World, out: Output) -> None:
        super().__init__(world, out)
        self.promo_left: dict[int, Decimal] = {u.index: Decimal(25) for u in world.units}
        self._fragments: dict[Any, str] = {}
        self._hours_day: date | None = None
        self._hours: list[str] = []

    def _project(self, project_id: str, team: str) -> str:
        """JSON of the project struct (cached: it repeats on every row)."""
        key = ("project", project_id, team)
        text = self._fragments.get(key)
        if text is None:
            number = str(int(hashlib.sha1(project_id.encode()).hexdigest()[:11], 16))
            text = jdump({"id": project_id, "number": number, "name": project_id,
                          "labels": [{"key": "team", "value": team}], "ancestry_numbers": "/123456789012/"})
            self._fragments[key] = text
        return text

    def _fragment(self, kind: str, value: Any) -> str:
        key = (kind, jdump(value) if isinstance(value, dict) else value)
        text = self._fragments.get(key)
        if text is None:
            if kind == "sku":
                # the export writes UTF-8: a non-ASCII description (≤) is kept as it is, unescaped
                text = json.dumps({"id": sku_id("gcp", value), "description": value},
                                  ensure_ascii=False, separators=(",", ":"))
            elif kind == "labels":
                text = jdump([{"key": k, "value": v} for k, v in value.items()])
            elif kind == "location":
                text = jdump({"location": value, "country": "US" if value != "global" else None,
                              "region": value if value != "global" else None, "zone": None})
            else:
                text = jdump(value)
            self._fragments[key] = text
        return text

    def _emit(self, rng: Rng, day: date, service: dict[str, str], sku: str, project: str,
              labels: dict[str, str], amount: Decimal, unit: str, pricing_unit: str, in_pricing: Decimal,
              cost: Decimal, credits: list[dict[str, Any]], location: str, hour: int | None = None) -> None:
        """One billing-export row (fields in the export's column order)."""
        start_hour = rng.randrange(24) if hour is None else hour
        cost_text = dec(cost)
        if self._hours_day != day:
            self._hours_day = day
            self._hours = [iso_z(day, h * 3600) for h in range(25)]
        self.write(
            f'{{"billing_account_id":"{GCP_BILLING_ACCOUNT}","service":{self._fragment("service", service)},'
            f'"sku":{self._fragment("sku", sku)},"usage_start_time":"{self._hours[start_hour]}",'
            f'"usage_end_time":"{self._hours[start_hour + 1]}","project":{project},'
            f'"labels":{self._fragment("labels", labels)},"system_labels":[],'
            f'"location":{self._fragment("location", location)},"export_time":"{self.export_time}",'
            f'"cost":{cost_text},"currency":"USD","currency_conversion_rate":1,'
            f'"usage":{{"amount":{dec(amount)},"unit":"{unit}","amount_in_pricing_units":{dec(in_pricing)},'
            f'"pricing_unit":"{pricing_unit}"}},"credits":{jdump(credits) if credits else "[]"},'
            f'"invoice":{{"month":"{day.year:04d}{day.month:02d}"}},"cost_type":"regular",'
            f'"cost_at_list":{cost_text}}}\n')

    def day(self, day: date, cells: dict[str, list[Cell]]) -> None:
        world = self.world
        rng = stream(self.seed, "gcp-billing", day)
        for cell in cells.get("gcp_vertex", ()):
            wl = cell.wl
            attrs = wl.attrs
            service = VERTEX_SERVICE if attrs["service"] == "vertex" else GEMINI_API_SERVICE
            project = self._project(attrs["project"], wl.team.slug)
            labels = attrs["labels"] if attrs["service"] == "vertex" else {}
            for token_class, qty in (("input", cell.input), ("cached_input", cell.cached), ("output", cell.output)):
                if qty <= 0:
                    continue
                sku = gcp_sku(attrs["service"], cell.model, token_class, cell.context)
                cost = qty * world.unit_price("gcp_vertex", cell.model, token_class, day, "standard", cell.context)
                credits: list[dict[str, Any]] = []
                if attrs["service"] == "gemini_api" and self.promo_left.get(wl.team.unit, ZERO) > 0:
                    used = min(cost, self.promo_left[wl.team.unit])
                    self.promo_left[wl.team.unit] -= used
                    if used > 0:
                        credits.append({"name": "Gemini API trial credit", "amount": -used,
                                        "full_name": "Gemini API trial credit", "id": "promo-gemini-trial",
                                        "type": "PROMOTION"})
                self._emit(rng, day, service, sku, project, labels, Decimal(qty), "count", "count", Decimal(qty),
                           cost, credits, "us-central1" if attrs["service"] == "vertex" else "global",
                           6 if wl.canary else None)
        self._other_services(rng, day)

    def _other_services(self, rng: Rng, day: date) -> None:
        act = self.world.opts.activity
        for unit in self.world.units:
            team = unit.team("data-science")
            project = self._project(team.gcp_project, team.slug)
            if rng.chance(0.2 * act):
                core_hours = Decimal(rng.randint(4, 16) * 24)
                cost = core_hours * Decimal("0.031611")
                cud = -(cost * Decimal("0.37")).quantize(Decimal("0.000001"))
                self._emit(rng, day, {"id": "6F81-5844-456A", "description": "Compute Engine"},
                           "N2 Instance Core running in Americas", project, {"team": team.slug},
                           core_hours * 3600, "seconds", "hour", core_hours, cost,
                           [{"name": "Committed use discount: CPU", "amount": cud, "full_name": None,
                             "id": "cud-n2-cpu", "type": "COMMITTED_USAGE_DISCOUNT"}], "us-central1")
            if rng.chance(0.1 * act):
                tib = Decimal(str(round(rng.uniform(0.5, 3.0), 4)))
                cost = tib * Decimal("6.25")
                self._emit(rng, day, {"id": "24E6-581D-38E5", "description": "BigQuery"}, "Analysis", project,
                           {"team": team.slug}, tib * Decimal(1099511627776), "bytes", "tebibyte", tib, cost, [], "US")
