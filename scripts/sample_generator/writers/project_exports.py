"""The project's own formats: the gateway log, the ChatGPT Enterprise activity CSV, the seats.

Project-own formats
===================
``seats/*.csv``
    Header ``seat_id,provider,product,plan,user_email,team,cost_center,start_date,end_date,
    unit_price,currency,billing_period``. One row per seat assignment period: a seat (licence,
    ``seat_id``) held by one person from ``start_date`` (inclusive, ``YYYY-MM-DD``) to
    ``end_date`` (exclusive; blank = still assigned). A reassigned seat keeps its ``seat_id`` on
    a new row. ``unit_price`` is per seat-month in ``currency``; ``billing_period`` is
    ``monthly`` or ``annual``. Products: ``chatgpt_enterprise`` (provider ``openai``, plan
    ``enterprise``, 60 USD, annual), ``claude_team`` (``anthropic``, ``standard``, 30 USD,
    monthly), ``copilot_business`` (``github_copilot``, ``business``, 19 USD, monthly),
    ``cursor_teams`` (``cursor``, ``teams``, 40 USD, monthly). Each file is a full snapshot; one
    file is written, named after the day after the window.
``activity/*.csv``
    The ChatGPT Enterprise user analytics CSV (monthly cadence), header ``cadence,period_start,
    period_end,account_id,public_id,name,email,role,user_role,department,groups,user_status,
    created_or_invited_date,is_active,first_day_active_in_period,last_day_active_in_period,
    messages,messages_rank,model_to_messages,gpt_messages,gpts_messaged,tool_messages,
    tools_messaged,project_messages,projects_messaged,projects_created,last_day_active``; one
    row per ChatGPT Enterprise seat holder of the month (inactive holders included with
    ``is_active=false`` and 0 messages); ``department`` a JSON array string, ``model_to_messages``
    a JSON object string, one file per month.
``gateway/*.jsonl``
    One JSON object per request: ``{"request_id","timestamp"(RFC 3339 UTC, milliseconds, Z),
    "provider"(canonical),"model"(vendor model id),"api_key_id","agent","team","workload",
    "input_tokens"(all input, cached included),"cached_input_tokens","output_tokens",
    "prompt_chars","completion_chars","status"("ok"|"error")}``, one file per month. It holds
    every request of the canary job (``workload: "canary"``, agent ``canary``, team of the
    platform group): each day at 06:00 UTC the same fixed prompt (5,400 characters) goes to
    one model per family (claude-opus, gpt-5, gemini-flash), so tokens per
    character is constant unless a tokenizer changes; and a deterministic 1-in-200 sample of
    the requests of the agents routed through the gateway (support-triage, code-review-bot,
    eval-harness, finance-reconciler and injected spike agents).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sample_generator.catalogue import GATEWAY_SAMPLE_EVERY
from sample_generator.helpers import Rng, dec, iso_z, jstr, month_end, month_start, stream
from sample_generator.organisation import Cell
from sample_generator.output import CsvPeriodWriter, Output, Period, Writer, csv_line, export_stamp, open_text
from sample_generator.world import World


class GatewayWriter(CsvPeriodWriter):
    export = "gateway"
    stem = "gateway"
    ext = "jsonl"
    hour, minute = 0, 30

    def day(self, day: date, cells: dict[str, list[Cell]]) -> None:
        world = self.world
        rng = stream(self.seed, "gateway", day)
        records = [{k: v for k, v in rec.items() if not k.startswith("_")} for rec in world.canary_requests(day)]
        for provider in ("openai", "anthropic", "gcp_vertex"):
            for cell in cells.get(provider, ()):
                wl = cell.wl
                if not wl.gateway or wl.canary:
                    continue
                for _ in range(rng.binom(cell.requests, 1.0 / GATEWAY_SAMPLE_EVERY)):
                    records.append(self._sample(rng, day, provider, cell))
        records.sort(key=lambda r: (r["timestamp"], r["request_id"]))
        for rec in records:
            self.write(
                f'{{"request_id":"{rec["request_id"]}","timestamp":"{rec["timestamp"]}",'
                f'"provider":"{rec["provider"]}","model":{jstr(rec["model"])},'
                f'"api_key_id":{jstr(rec["api_key_id"]) if rec["api_key_id"] else "null"},'
                f'"agent":{jstr(rec["agent"]) if rec["agent"] else "null"},"team":{jstr(rec["team"])},'
                f'"workload":{jstr(rec["workload"])},"input_tokens":{rec["input_tokens"]},'
                f'"cached_input_tokens":{rec["cached_input_tokens"]},"output_tokens":{rec["output_tokens"]},'
                f'"prompt_chars":{rec["prompt_chars"]},"completion_chars":{rec["completion_chars"]},'
                f'"status":"{rec["status"]}"}}\n')

    def _sample(self, rng: Rng, day: date, provider: str, cell: Cell) -> dict[str, Any]:
        wl = cell.wl
        info = self.world.models[cell.model]
        factor = self.world.token_factor(cell.model, day)
        per_in = cell.total_input / cell.requests
        per_cached = cell.cached / cell.requests
        per_out = cell.output / cell.requests
        scale = rng.lognorm_mean(1.0, 0.3)
        tin = max(1, round(per_in * scale))
        cached = min(tin, round(per_cached * scale))
        error = rng.chance(0.01)
        out = 0 if error else max(1, round(per_out * rng.lognorm_mean(1.0, 0.3)))
        cpt = info.chars_per_token / factor
        seconds = rng.uniform(0, 86_400)
        return {
            "request_id": f"req_{rng.hex(24)}",
            "timestamp": iso_z(day, seconds, millis=True),
            "provider": provider,
            "model": self.world.gateway_ids[provider][cell.model],
            "api_key_id": wl.key_id,
            "agent": wl.agent,
            "team": wl.team.slug,
            "workload": wl.workload,
            "input_tokens": tin,
            "cached_input_tokens": cached,
            "output_tokens": out,
            "prompt_chars": round(tin * cpt * rng.uniform(0.97, 1.03)),
            "completion_chars": round(out * cpt * rng.uniform(0.97, 1.03)),
            "status": "error" if error else "ok",
        }


ACTIVITY_COLUMNS: tuple[str, ...] = (
    "cadence", "period_start", "period_end", "account_id", "public_id", "name", "email", "role", "user_role",
    "department", "groups", "user_status", "created_or_invited_date", "is_active", "first_day_active_in_period",
    "last_day_active_in_period", "messages", "messages_rank", "model_to_messages", "gpt_messages",
    "gpts_messaged", "tool_messages", "tools_messaged", "project_messages", "projects_messaged",
    "projects_created", "last_day_active",
)


class ActivityWriter(Writer):
    export = "activity"

    def __init__(self, world: World, out: Output) -> None:
        super().__init__(world, out)
        self.last_active: dict[str, date] = {}

    def end_period(self, period: Period) -> None:
        world = self.world
        rng = stream(self.seed, "activity", period.key)
        stamp, mtime = export_stamp(period, 7, 0)
        first, last_calendar = month_start(period.first), month_end(period.first)
        rows: list[dict[str, Any]] = []
        for unit in world.units:
            for seat in unit.seats:
                if seat.product != "chatgpt_enterprise":
                    continue
                if seat.start > period.last or (seat.end is not None and seat.end <= period.first):
                    continue
                user = seat.user
                active_days = [d for d in period.days if seat.active(d) and d.weekday() < 5]
                engaged = user.chatgpt_engaged and active_days and rng.random() < 0.95
                messages = round(rng.lognorm_mean(140 * min(user.intensity, 5), 0.5)) if engaged else 0
                days_used = sorted(rng.sample(active_days, min(len(active_days), max(1, messages // 15)))) if messages else []
                if days_used:
                    self.last_active[user.email] = days_used[-1]
                split = {"gpt-5": 0.7, "gpt-4o": 0.2, "o3": 0.1}
                model_to_messages = {m: round(messages * s) for m, s in split.items() if round(messages * s) > 0}
                gpt_messages = round(messages * rng.uniform(0.0, 0.1))
                tool_messages = round(messages * rng.uniform(0.0, 0.08))
                project_messages = round(messages * rng.uniform(0.0, 0.1))
                last_seen = self.last_active.get(user.email)
                rows.append({
                    "cadence": "monthly",
                    "period_start": first.isoformat(),
                    "period_end": last_calendar.isoformat(),
                    "account_id": unit.chatgpt_account,
                    "public_id": user.public_id,
                    "name": user.name,
                    "email": user.email,
                    "role": "account-owner" if user.is_admin else "member",
                    "user_role": "standard",
                    "department": json.dumps([user.team.title]),
                    "groups": "",
                    "user_status": "enabled" if seat.end is None or seat.end > period.last else "disabled",
                    "created_or_invited_date": seat.start.isoformat(),
                    "is_active": "true" if messages > 0 else "false",
                    "first_day_active_in_period": days_used[0].isoformat() if days_used else "",
                    "last_day_active_in_period": days_used[-1].isoformat() if days_used else "",
                    "messages": messages,
                    "messages_rank": 0,
                    "model_to_messages": json.dumps(model_to_messages) if model_to_messages else "",
                    "gpt_messages": gpt_messages,
                    "gpts_messaged": min(gpt_messages, rng.randint(0, 3)) if gpt_messages else 0,
                    "tool_messages": tool_messages,
                    "tools_messaged": min(tool_messages, rng.randint(1, 4)) if tool_messages else 0,
                    "project_messages": project_messages,
                    "projects_messaged": min(project_messages, rng.randint(1, 3)) if project_messages else 0,
                    "projects_created": rng.randint(0, 2) if project_messages else 0,
                    "last_day_active": last_seen.isoformat() if last_seen else "",
                })
        ranked = sorted((r for r in rows if r["messages"] > 0), key=lambda r: (-r["messages"], r["email"]))
        for rank, row in enumerate(ranked, start=1):
            row["messages_rank"] = rank
        for row in rows:
            if row["messages"] == 0:
                row["messages_rank"] = ""
        path = self.out.path(self.export, f"{stamp}_chatgpt_user_analytics_{period.key}.csv")
        with open_text(path) as handle:
            handle.write(csv_line(ACTIVITY_COLUMNS))
            for row in rows:
                handle.write(csv_line(row[c] for c in ACTIVITY_COLUMNS))
        self.out.register(self.export, path, len(rows), mtime, period.key)


SEAT_COLUMNS: tuple[str, ...] = (
    "seat_id", "provider", "product", "plan", "user_email", "team", "cost_center", "start_date", "end_date",
    "unit_price", "currency", "billing_period",
)


class SeatsWriter(Writer):
    export = "seats"

    def finish(self) -> None:
        opts = self.world.opts
        day = opts.end + timedelta(days=1)
        mtime = datetime(day.year, day.month, day.day, 7, 30, tzinfo=timezone.utc)
        path = self.out.path(self.export, f"{mtime.strftime('%Y-%m-%dT%H%MZ')}_seats.csv")
        rows = 0
        order = {"openai": 0, "anthropic": 1, "github_copilot": 2, "cursor": 3}
        with open_text(path) as handle:
            handle.write(csv_line(SEAT_COLUMNS))
            for unit in self.world.units:
                seats = [s for s in unit.seats if s.start <= opts.end and (s.end is None or s.end > opts.start)]
                seats.sort(key=lambda s: (order[s.provider], s.seat_id, s.start))
                for seat in seats:
                    handle.write(csv_line([
                        seat.seat_id, seat.provider, seat.product, seat.plan, seat.user.email, seat.user.team.slug,
                        seat.user.team.cost_center, seat.start.isoformat(),
                        # a leave date after the snapshot's day is not known yet
                        seat.end.isoformat() if seat.end and seat.end <= day else "",
                        dec(seat.unit_price, 2), "USD", seat.billing_period,
                    ]))
                    rows += 1
        self.out.register(self.export, path, rows, mtime, "snapshot")
