"""Anthropic: pages of the messages usage report and of the cost report.

``anthropic/usage_messages/*.json``
    Pages of ``GET /v1/organizations/usage_report/messages``, ``bucket_width=1d``,
    ``group_by[]=api_key_id,workspace_id,model,service_tier,context_window``:
    ``{"data":[{"starting_at","ending_at","results":[{"uncached_input_tokens",
    "cache_creation":{"ephemeral_1h_input_tokens","ephemeral_5m_input_tokens"},
    "cache_read_input_tokens","output_tokens","server_tool_use":{"web_search_requests"},
    "api_key_id"(null = Workbench),"workspace_id"(null = default workspace),"model",
    "service_tier"(standard|batch|priority),"context_window":"0-200k"}]}],"has_more",
    "next_page"}``.
``anthropic/cost_report/*.json``
    Pages of ``GET /v1/organizations/cost_report``, ``group_by[]=workspace_id,description``:
    results ``{"currency":"USD","amount"(decimal STRING in cents),"workspace_id","description",
    "cost_type"(tokens|web_search),"context_window","model","service_tier"(standard|batch),
    "token_type"}``; descriptions ``Claude Opus 4.7 Usage - Output Tokens``, ``... Batch Usage
    - Input Tokens``, ``... Usage - Cache Read Tokens``, ``... Usage - Cache Write Tokens
    (5m|1h)``, ``... Usage - Web Search Requests``. Priority-tier usage never appears here.
"""

from __future__ import annotations

from datetime import date

from sample_generator.helpers import dec, jstr
from sample_generator.organisation import Cell
from sample_generator.output import JsonPager, Period, Writer, export_stamp


ANTHROPIC_PIECES: tuple[tuple[str, str, str, str], ...] = (
    # cell attribute, price-book token class, token_type, description label
    ("input", "input", "uncached_input_tokens", "Input Tokens"),
    ("cached", "cached_input", "cache_read_input_tokens", "Cache Read Tokens"),
    ("cw5", "cache_write_5m", "cache_creation.ephemeral_5m_input_tokens", "Cache Write Tokens (5m)"),
    ("cw1h", "cache_write_1h", "cache_creation.ephemeral_1h_input_tokens", "Cache Write Tokens (1h)"),
    ("output", "output", "output_tokens", "Output Tokens"),
)


class AnthropicUsageWriter(Writer):
    export = "anthropic/usage_messages"

    def begin_period(self, period: Period) -> None:
        stamp, mtime = export_stamp(period, 6, 10)
        self.pager = JsonPager(self.out, self.export, "usage_messages", period, stamp, mtime, "anthropic")

    def day(self, day: date, cells: dict[str, list[Cell]]) -> None:
        self.pager.start_bucket(day)
        ids = self.world.anthropic_ids
        for cell in cells.get("anthropic", ()):
            wl = cell.wl
            key = jstr(wl.key_id) if wl.key_id else "null"
            ws = wl.team.anthropic_workspace
            self.pager.add(
                f'{{"uncached_input_tokens":{cell.input},"cache_creation":{{"ephemeral_1h_input_tokens":{cell.cw1h},'
                f'"ephemeral_5m_input_tokens":{cell.cw5}}},"cache_read_input_tokens":{cell.cached},'
                f'"output_tokens":{cell.output},"server_tool_use":{{"web_search_requests":{cell.web_search}}},'
                f'"api_key_id":{key},"workspace_id":{jstr(ws) if ws else "null"},"model":{jstr(ids[cell.model])},'
                f'"service_tier":{jstr(cell.tier)},"context_window":"0-200k"}}')
        self.pager.end_bucket()

    def end_period(self, period: Period) -> None:
        self.pager.finish()


class AnthropicCostWriter(Writer):
    export = "anthropic/cost_report"

    def begin_period(self, period: Period) -> None:
        stamp, mtime = export_stamp(period, 6, 15)
        self.pager = JsonPager(self.out, self.export, "cost_report", period, stamp, mtime, "anthropic")

    def day(self, day: date, cells: dict[str, list[Cell]]) -> None:
        world = self.world
        totals: dict[tuple[str, str, str, int], int] = {}
        for cell in cells.get("anthropic", ()):
            if cell.tier == "priority":  # priority tier never reaches cost_report
                continue
            ws = cell.wl.team.anthropic_workspace or ""
            for position, (attr, _, _, _) in enumerate(ANTHROPIC_PIECES):
                qty = getattr(cell, attr)
                if qty > 0:
                    key = (ws, cell.model, cell.tier, position)
                    totals[key] = totals.get(key, 0) + qty
            if cell.web_search:
                key = (ws, cell.model, cell.tier, 99)
                totals[key] = totals.get(key, 0) + cell.web_search
        self.pager.start_bucket(day)
        for key in sorted(totals):
            ws, model, tier, position = key
            qty = totals[key]
            display = self.world.models[model].display + (" Batch" if tier == "batch" else "")
            if position == 99:
                amount = qty * world.unit_price("anthropic", model, "web_search", day)
                cost_type, token_type, label = "web_search", None, "Web Search Requests"
            else:
                _, token_class, token_type, label = ANTHROPIC_PIECES[position]
                amount = qty * world.unit_price("anthropic", model, token_class, day, tier)
                cost_type = "tokens"
            self.pager.add(
                f'{{"currency":"USD","amount":"{dec(amount * 100)}","workspace_id":{jstr(ws) if ws else "null"},'
                f'"description":{jstr(f"{display} Usage - {label}")},"cost_type":"{cost_type}",'
                f'"context_window":"0-200k","model":{jstr(self.world.anthropic_ids[model])},'
                f'"service_tier":"{tier}","token_type":{jstr(token_type) if token_type else "null"}}}')
        self.pager.end_bucket()

    def end_period(self, period: Period) -> None:
        self.pager.finish()
