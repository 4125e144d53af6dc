"""Injected incidents: parsing ``--inject``, and the duplicated and restated export files
written once the exports are.

Injectable incidents (``--inject``)
-----------------------------------
Syntax ``NAME[:DATE[:MAGNITUDE]][@TARGET]``, several separated by commas. DATE defaults to the
middle of the window. Every injected incident is listed in ``<out>/manifest.json`` (``incidents``:
type, provider, model, sku, start_date, magnitude, target, spec, details); a clean run lists
none. Usage of the target of a ``unit_price_change`` or ``tokenizer_shift`` always exists on its
start date (the first unit's workloads of that model are made active that day, from a separate
random stream), so a quiet day never hides the onset; everything else keeps the clean run's
values.

* ``tokenizer_shift`` (default ``1.25@gpt-5``): tokens per character x MAGNITUDE for a
  model family (TARGET) from DATE, on every provider and in the gateway canary.
* ``unit_price_change`` (default ``1.08@openai/gpt-4o-mini``): the vendor-reported cost of one
  model (TARGET ``provider/canonical-model``) silently x MAGNITUDE from DATE; quantities and the
  price book are unchanged.
* ``new_billing_unit`` (default ``1@openai``): a charge in a unit never seen before appears from
  DATE: ``openai`` -> cost line item ``Vector storage`` (quantity_unit ``gibibyte_hours``);
  ``azure_openai`` -> meter ``Provisioned Managed Global Unit`` (UnitOfMeasure ``1 Hour``).
  MAGNITUDE scales its daily quantity.
* ``unpriced_model`` (default ``1@openai/gpt-5-nano-2025-08-07``): a model id absent from the
  price book and from the model aliases gets traffic from DATE (usage and vendor cost).
  MAGNITUDE scales its volume.
* ``duplicate_export`` (default ``1.03@openai/costs``): the export file (TARGET, an export
  folder) covering DATE is written a second time, byte-identical, under a name 7 minutes
  later; when MAGNITUDE != 1 a restated file of the same period is also written with an export
  timestamp 3 days later, whose quantities and costs from DATE on are x MAGNITUDE (late usage;
  unit prices unchanged). Restatement is supported for openai/costs, aws_cur, azure_cost and
  gcp_billing.
* ``spend_spike`` (default ``6000@openai/doc-backfill``): a new agent (TARGET
  ``provider/agent``, provider openai or anthropic) goes from zero to MAGNITUDE calls a day on
  DATE and the next day.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from sample_generator.catalogue import (
    ANTHROPIC_IDS,
    BEDROCK_MARKETPLACE,
    BEDROCK_TOKENS,
    CURSOR_IDS,
    EXPORTS,
    LIST_PROVIDER,
    MILLION,
    MODELS,
    OPENAI_IDS,
    OPUS_SWITCH,
    TEN_DP,
    THOUSAND,
    canonical_from_vendor_id,
)
from sample_generator.helpers import dec, jdump

if TYPE_CHECKING:  # the restatement reads what the world and the output registry hold
    from sample_generator.output import Output
    from sample_generator.world import World


INCIDENT_TYPES: tuple[str, ...] = (
    "tokenizer_shift",
    "unit_price_change",
    "new_billing_unit",
    "unpriced_model",
    "duplicate_export",
    "spend_spike",
)
INCIDENT_DEFAULTS: dict[str, tuple[str, str]] = {
    "tokenizer_shift": ("1.25", "gpt-5"),
    "unit_price_change": ("1.08", "openai/gpt-4o-mini"),
    "new_billing_unit": ("1", "openai"),
    "unpriced_model": ("1", "openai/gpt-5-nano-2025-08-07"),
    "duplicate_export": ("1.03", "openai/costs"),
    "spend_spike": ("6000", "openai/doc-backfill"),
}
# Canonical models each provider's exports carry (targets of unit_price_change).
SERVED_MODELS: dict[str, frozenset[str]] = {
    "openai": frozenset(OPENAI_IDS),
    "anthropic": frozenset(ANTHROPIC_IDS),
    "aws_bedrock": frozenset(BEDROCK_TOKENS) | frozenset(BEDROCK_MARKETPLACE),
    "azure_openai": frozenset({"gpt-4o-mini", "gpt-4o", "gpt-5-mini", "o3"}),
    "gcp_vertex": frozenset({"gemini-2-5-pro", "gemini-2-5-flash"}),
    "cursor": frozenset(CURSOR_IDS),
}
EXPORT_PROVIDER: dict[str, str | None] = {
    "openai/usage_completions": "openai",
    "openai/costs": "openai",
    "anthropic/usage_messages": "anthropic",
    "anthropic/cost_report": "anthropic",
    "aws_cur": "aws_bedrock",
    "azure_cost": "azure_openai",
    "gcp_billing": "gcp_vertex",
    "github_copilot": "github_copilot",
    "cursor/usage_events": "cursor",
    "activity": "openai",
    "gateway": None,
}
RESTATABLE_EXPORTS: frozenset[str] = frozenset({"openai/costs", "aws_cur", "azure_cost", "gcp_billing"})


@dataclass
class Incident:
    """One injected incident, as parsed from ``--inject`` and written to the manifest."""

    type: str
    start: date
    magnitude: Decimal
    target: str
    spec: str
    provider: str | None = None
    model: str | None = None
    sku: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def manifest(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "provider": self.provider,
            "model": self.model,
            "sku": self.sku,
            "start_date": self.start.isoformat(),
            "magnitude": float(self.magnitude),
            "target": self.target,
            "spec": self.spec,
            "details": self.details,
        }


def parse_incident(spec: str, start: date, days: int) -> Incident:
    """Parses ``NAME[:DATE[:MAGNITUDE]][@TARGET]`` with per-type defaults."""
    head, _, target = spec.partition("@")
    parts = head.split(":")
    name = parts[0].strip()
    if name not in INCIDENT_TYPES:
        raise ValueError(f"unknown incident {name!r}; choose from {', '.join(INCIDENT_TYPES)}")
    default_magnitude, default_target = INCIDENT_DEFAULTS[name]
    when = date.fromisoformat(parts[1]) if len(parts) > 1 and parts[1] else start + timedelta(days=days // 2)
    magnitude = Decimal(parts[2]) if len(parts) > 2 and parts[2] else Decimal(default_magnitude)
    if len(parts) > 3:
        raise ValueError(f"too many ':' fields in {spec!r}")
    if not start <= when < start + timedelta(days=days):
        raise ValueError(f"{spec!r}: date {when} is outside the generated window")
    if magnitude <= 0:
        raise ValueError(f"{spec!r}: magnitude must be positive")
    incident = Incident(name, when, magnitude, target or default_target, spec)
    target = incident.target
    if name == "tokenizer_shift":
        families = {m.family for m in MODELS.values()}
        if target not in families:
            raise ValueError(f"{spec!r}: unknown model family {target!r} ({', '.join(sorted(families))})")
        members = [m for m in MODELS.values() if m.family == target]
        incident.provider = LIST_PROVIDER[members[0].developer]
        # The model that carries the family's traffic on that date (Opus moves to 4.7 on 2026-04-16).
        incident.model = ("claude-opus-4-7" if target == "claude-opus" and when >= OPUS_SWITCH
                          else members[0].model)
        incident.details = {"model_family": target, "applies_to": "every provider and the gateway canary"}
    elif name == "unit_price_change":
        provider, _, model = target.partition("/")
        if model not in SERVED_MODELS.get(provider, ()):
            choices = "; ".join(f"{p}: {', '.join(sorted(m))}" for p, m in SERVED_MODELS.items())
            raise ValueError(f"{spec!r}: target must be provider/canonical-model among {choices}")
        incident.provider, incident.model = provider, model
        incident.details = {"cost_factor": float(magnitude)}
    elif name == "new_billing_unit":
        if target == "openai":
            incident.provider, incident.sku = "openai", "Vector storage"
            incident.details = {"quantity_unit": "gibibyte_hours", "project": "data-science"}
        elif target == "azure_openai":
            incident.provider, incident.sku = "azure_openai", "Provisioned Managed Global Unit"
            incident.details = {"unit_of_measure": "1 Hour"}
        else:
            raise ValueError(f"{spec!r}: new_billing_unit target must be openai or azure_openai")
    elif name == "unpriced_model":
        provider, _, vendor_id = target.partition("/")
        if provider not in ("openai", "anthropic") or not vendor_id:
            raise ValueError(f"{spec!r}: target must be openai/<model id> or anthropic/<model id>")
        incident.provider = provider
        incident.model = canonical_from_vendor_id(vendor_id)
        incident.sku = vendor_id
        incident.details = {"vendor_model_id": vendor_id}
    elif name == "duplicate_export":
        if target not in EXPORTS or target in ("seats",):
            raise ValueError(f"{spec!r}: target must be an export folder ({', '.join(EXPORTS)})")
        incident.provider = EXPORT_PROVIDER.get(target)
        incident.sku = None
        incident.details = {"export": target}
    elif name == "spend_spike":
        provider, _, agent = target.partition("/")
        if provider not in ("openai", "anthropic") or not agent:
            raise ValueError(f"{spec!r}: target must be openai/<agent> or anthropic/<agent>")
        incident.provider = provider
        incident.model = "gpt-4-1" if provider == "openai" else "claude-sonnet-4-6"
        incident.details = {"agent": agent, "calls_per_day": int(magnitude), "days": 2}
    return incident


# --------------------------------------------------------------------------------------------
# Incidents applied after writing: duplicated and restated exports
# --------------------------------------------------------------------------------------------


def _restate_json_costs(text: str, start: date, factor: Decimal) -> str:
    page = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    for bucket in page["data"]:
        day = datetime.fromtimestamp(int(bucket["start_time"]), tz=timezone.utc).date()
        if day < start:
            continue
        for result in bucket["results"]:
            qty = result.get("quantity")
            if qty is None:
                result["amount"]["value"] *= factor
                continue
            unit = result["amount"]["value"] / qty
            new_qty = (qty * factor).to_integral_value(rounding=ROUND_HALF_UP)
            result["quantity"] = new_qty
            result["amount"]["value"] = (new_qty * unit).quantize(TEN_DP)
    return jdump(_ints(page))


def _ints(obj: Any) -> Any:
    """Decimal integers back to int for compact JSON re-encoding."""
    if isinstance(obj, dict):
        return {k: _ints(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_ints(v) for v in obj]
    if isinstance(obj, Decimal) and obj == obj.to_integral_value() and obj.as_tuple().exponent >= 0:
        return int(obj)
    return obj


def _restate_csv(text: str, start: date, factor: Decimal, date_col: str, date_fmt: str, qty_col: str,
                 unit_col: str, blocks: dict[str, Decimal], money: tuple[tuple[str, str], ...]) -> str:
    """Restates a CSV bill: from `start` on, quantities x `factor` (whole tokens) at unchanged rates.

    `money` pairs each cost column with its rate column, so cost = new quantity x rate exactly.
    """
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    di, qi, ui = header.index(date_col), header.index(qty_col), header.index(unit_col)
    pairs = [(header.index(cost), header.index(rate)) for cost, rate in money]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows[1:]:
        if datetime.strptime(row[di][:10], date_fmt).date() >= start:
            qty = Decimal(row[qi])
            block = blocks.get(row[ui])
            new_qty = (qty * block * factor).to_integral_value(rounding=ROUND_HALF_UP) / block if block else qty * factor
            row[qi] = dec(new_qty)
            for cost_index, rate_index in pairs:
                if row[cost_index]:
                    row[cost_index] = dec(new_qty * Decimal(row[rate_index]))
        writer.writerow(row)
    return out.getvalue()


def _restate_gcp(text: str, start: date, factor: Decimal) -> str:
    lines: list[str] = []
    for line in text.splitlines():
        rec = json.loads(line, parse_float=Decimal, parse_int=Decimal)
        if date.fromisoformat(rec["usage_start_time"][:10]) >= start:
            usage = rec["usage"]
            old = usage["amount"]
            new = (old * factor).to_integral_value(rounding=ROUND_HALF_UP) if usage["unit"] == "count" else old * factor
            ratio = new / old if old else Decimal(1)
            usage["amount"] = new
            usage["amount_in_pricing_units"] = usage["amount_in_pricing_units"] * ratio
            rec["cost"] = (rec["cost"] * ratio).quantize(TEN_DP)
            rec["cost_at_list"] = rec["cost"]
            for credit in rec["credits"]:
                credit["amount"] = (credit["amount"] * ratio).quantize(TEN_DP)
        lines.append(jdump(_ints(rec)) + "\n")
    return "".join(lines)


def apply_file_incidents(world: World, out: Output) -> None:
    """duplicate_export: a byte-identical second copy and, optionally, a restated newer export."""
    for inc in world.incidents:
        if inc.type != "duplicate_export" or inc.target not in world.opts.exports:
            continue
        candidates = [f for f in out.files if f.export == inc.target and f.period == inc.start.strftime("%Y-%m")]
        if inc.target == "activity":
            candidates = [f for f in out.files if f.export == "activity" and f.period == inc.start.strftime("%Y-%m")]
        if not candidates:
            raise SystemExit(f"duplicate_export: no {inc.target} file covers {inc.start}")
        original = sorted(candidates, key=lambda f: f.path.name)[0]
        stamp = original.path.name.split("_", 1)
        moment = datetime.strptime(stamp[0], "%Y-%m-%dT%H%MZ").replace(tzinfo=timezone.utc)
        copy_time = moment + timedelta(minutes=7)
        copy_path = original.path.with_name(copy_time.strftime("%Y-%m-%dT%H%MZ") + "_" + stamp[1])
        shutil.copyfile(original.path, copy_path)
        out.register(inc.target, copy_path, original.rows, copy_time, original.period)
        inc.details = {"export": inc.target, "original": f"{inc.target}/{original.path.name}",
                       "duplicate": f"{inc.target}/{copy_path.name}", "restated": None}
        if inc.magnitude != 1:
            if inc.target not in RESTATABLE_EXPORTS:
                raise SystemExit(f"duplicate_export: restatement of {inc.target} is not supported (use magnitude 1)")
            restate_time = moment + timedelta(days=3)
            restated_path = original.path.with_name(restate_time.strftime("%Y-%m-%dT%H%MZ") + "_" + stamp[1])
            if original.path.suffix == ".gz":
                raise SystemExit("duplicate_export: restating a gzipped CUR is not supported")
            text = original.path.read_text(encoding="utf-8")
            if inc.target == "openai/costs":
                new_text = _restate_json_costs(text, inc.start, inc.magnitude)
            elif inc.target == "aws_cur":
                new_text = _restate_csv(
                    text, inc.start, inc.magnitude, "line_item_usage_start_date", "%Y-%m-%d",
                    "line_item_usage_amount", "pricing_unit", {"1K tokens": THOUSAND, "Units": MILLION},
                    (("line_item_unblended_cost", "line_item_unblended_rate"),
                     ("line_item_blended_cost", "line_item_blended_rate"),
                     ("pricing_public_on_demand_cost", "pricing_public_on_demand_rate")))
            elif inc.target == "azure_cost":
                new_text = _restate_csv(
                    text, inc.start, inc.magnitude, "Date", "%m/%d/%Y", "Quantity", "UnitOfMeasure",
                    {"1K": THOUSAND, "1M": MILLION},
                    (("CostInBillingCurrency", "EffectivePrice"), ("CostInUsd", "EffectivePrice"),
                     ("PaygCostInUsd", "PayGPrice")))
            else:
                new_text = _restate_gcp(text, inc.start, inc.magnitude)
            restated_path.write_text(new_text, encoding="utf-8", newline="")
            out.register(inc.target, restated_path, original.rows, restate_time, original.period)
            inc.details["restated"] = f"{inc.target}/{restated_path.name}"
