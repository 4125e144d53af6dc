"""OpenAI: pages of the completions usage API and of the costs API.

``openai/usage_completions/*.json``
    Pages of ``GET /v1/organization/usage/completions``, ``bucket_width=1d``,
    ``group_by=project_id,user_id,api_key_id,model,batch``: ``{"object":"page","data":[{"object":
    "bucket","start_time","end_time","results":[{"object":"organization.usage.completions.
    result","input_tokens"(includes cached),"output_tokens","num_model_requests","project_id",
    "user_id"(null for service-account keys),"api_key_id","model","batch","input_cached_tokens",
    "input_audio_tokens","output_audio_tokens"}]}],"has_more","next_page"}``. From 2026-07-01
    results also carry ``input_uncached_tokens`` and ``input_cache_write_tokens``.
``openai/costs/*.json``
    Pages of ``GET /v1/organization/costs``, ``group_by=project_id,line_item``: results
    ``{"object":"organization.costs.result","amount":{"value"(dollars, exact decimal),
    "currency":"usd"},"line_item","project_id","quantity","quantity_unit":"tokens"}`` with line
    items ``<model>, input`` / ``<model>, cached input`` / ``<model>, output`` and
    ``batch | <model>, input|output``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sample_generator.catalogue import OPENAI_UNCACHED_FIELD_FROM, TEN_DP
from sample_generator.helpers import dec, jdump, jstr, stream
from sample_generator.organisation import Cell
from sample_generator.output import JsonPager, Period, Writer, export_stamp


OPENAI_PIECES: tuple[tuple[str, str, str], ...] = (
    ("input", "input", "input"),
    ("cached", "cached_input", "cached input"),
    ("output", "output", "output"),
)


class OpenAIUsageWriter(Writer):
    export = "openai/usage_completions"

    def begin_period(self, period: Period) -> None:
        stamp, mtime = export_stamp(period, 6, 0)
        self.pager = JsonPager(self.out, self.export, "usage_completions", period, stamp, mtime, "openai")

    def day(self, day: date, cells: dict[str, list[Cell]]) -> None:
        self.pager.start_bucket(day)
        newer = day >= OPENAI_UNCACHED_FIELD_FROM
        ids = self.world.openai_ids
        for cell in cells.get("openai", ()):
            wl = cell.wl
            user = jstr(wl.owner.openai_user_id) if wl.owner else "null"
            key = jstr(wl.key_id) if wl.key_id else "null"
            tail = (f',"input_uncached_tokens":{cell.input},"input_cache_write_tokens":0' if newer else "")
            self.pager.add(
                f'{{"object":"organization.usage.completions.result","input_tokens":{cell.total_input},'
                f'"output_tokens":{cell.output},"num_model_requests":{cell.requests},'
                f'"project_id":{jstr(wl.team.openai_project)},"user_id":{user},"api_key_id":{key},'
                f'"model":{jstr(ids[cell.model])},"batch":{"true" if cell.tier == "batch" else "false"},'
                f'"input_cached_tokens":{cell.cached},"input_audio_tokens":0,"output_audio_tokens":0{tail}}}')
        self.pager.end_bucket()

    def end_period(self, period: Period) -> None:
        self.pager.finish()


class OpenAICostWriter(Writer):
    export = "openai/costs"

    def begin_period(self, period: Period) -> None:
        stamp, mtime = export_stamp(period, 6, 5)
        self.pager = JsonPager(self.out, self.export, "costs", period, stamp, mtime, "openai")

    def day(self, day: date, cells: dict[str, list[Cell]]) -> None:
        world = self.world
        totals: dict[tuple[str, str, str, str], int] = {}
        models: dict[tuple[str, str, str, str], str] = {}
        for cell in cells.get("openai", ()):
            project = cell.wl.team.openai_project
            vendor_id = self.world.openai_ids[cell.model]
            for attr, token_class, piece in OPENAI_PIECES:
                qty = getattr(cell, attr)
                if qty <= 0:
                    continue
                key = (project, vendor_id, cell.tier, piece)
                totals[key] = totals.get(key, 0) + qty
                models[key] = cell.model
        self.pager.start_bucket(day)
        class_of = {piece: token_class for _, token_class, piece in OPENAI_PIECES}
        for key in sorted(totals):
            project, vendor_id, tier, piece = key
            qty = totals[key]
            amount = qty * world.unit_price("openai", models[key], class_of[piece], day, tier)
            prefix = "" if tier == "standard" else f"{tier} | "
            self.pager.add(
                f'{{"object":"organization.costs.result","amount":{{"value":{dec(amount)},"currency":"usd"}},'
                f'"line_item":{jstr(f"{prefix}{vendor_id}, {piece}")},"project_id":{jstr(project)},'
                f'"quantity":{qty},"quantity_unit":"tokens"}}')
        for inc in world.incidents:
            if inc.type == "new_billing_unit" and inc.provider == "openai" and day >= inc.start:
                rng = stream(self.seed, "openai-vector-storage", day)
                gib_hours = (Decimal(24) * Decimal(str(round(rng.uniform(40, 44), 2))) * inc.magnitude)
                # $0.10 per GB-day of vector storage, reported per GiB-hour.
                amount = (gib_hours * Decimal("0.10") / Decimal(24)).quantize(TEN_DP)
                self.pager.add(jdump({
                    "object": "organization.costs.result",
                    "amount": {"value": amount, "currency": "usd"},
                    "line_item": "Vector storage",
                    "project_id": self.world.units[0].team("data-science").openai_project,
                    "quantity": gib_hours,
                    "quantity_unit": "gibibyte_hours",
                }))
        self.pager.end_bucket()

    def end_period(self, period: Period) -> None:
        self.pager.finish()
