"""GitHub Copilot: the usage report (premium requests, then AI credits, and seat rows).

``github_copilot/*.csv``
    ``date,product,sku,quantity,unit_type,applied_cost_per_quantity,gross_amount,
    discount_amount,net_amount,username,organization,repository,workflow_path,
    cost_center_name,model`` plus ``aic_quantity,aic_gross_amount`` in files of months from
    2026-06. Usage rows: one per user, day and model (``model`` = Copilot's display name such
    as ``Claude Opus 4.7``; blank on seat rows). SKUs: ``copilot_premium_request`` (unit
    ``requests``, quantity = requests x model multiplier, until 2026-05-31; discount = the 300
    included requests per user-month), ``copilot_ai_credit`` (unit ``ai-credits``, from
    2026-06-01; credits = tokens x the model's API list price x 100, whole credits; discount =
    the pooled 1,900 credits per seat-month of the org), ``copilot_for_business`` (unit
    ``user-months``, one row per cost centre per month dated the month's first day in the
    window, quantity = prorated seat-months, 19 USD). gross - discount = net.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Sequence

from sample_generator.catalogue import (
    CENT,
    COPILOT_CREDITS_FROM,
    COPILOT_MODELS,
    COPILOT_TOKENS,
    LIST_PROVIDER,
    OPUS_SWITCH,
    ZERO,
)
from sample_generator.helpers import Rng, dec, money2, month_end, month_start, stream
from sample_generator.organisation import Cell, Unit, User
from sample_generator.output import CsvPeriodWriter, Period, q


COPILOT_BASE_COLUMNS: tuple[str, ...] = (
    "date", "product", "sku", "quantity", "unit_type", "applied_cost_per_quantity", "gross_amount",
    "discount_amount", "net_amount", "username", "organization", "repository", "workflow_path",
    "cost_center_name", "model",
)
COPILOT_AIC_COLUMNS: tuple[str, ...] = ("aic_quantity", "aic_gross_amount")


def qty_text(value: Decimal) -> str:
    return dec(value, 4)


class CopilotWriter(CsvPeriodWriter):
    export = "github_copilot"
    stem = "usage_report"
    hour = 12

    def header(self, period: Period) -> Sequence[str]:
        self.aic = period.last >= COPILOT_CREDITS_FROM
        return COPILOT_BASE_COLUMNS + (COPILOT_AIC_COLUMNS if self.aic else ())

    def begin_period(self, period: Period) -> None:
        super().begin_period(period)
        self.allowance: dict[str, Decimal] = {}
        self.pool: dict[int, Decimal] = {}
        self.month_seen: set[date] = set()

    def _line(self, values: Sequence[str]) -> None:
        """One report line; free-text values must already be quoted with `q`."""
        cols = list(values)
        if self.aic and len(cols) < len(COPILOT_BASE_COLUMNS) + 2:
            cols += [""] * (len(COPILOT_BASE_COLUMNS) + 2 - len(cols))
        self.writerow(cols)

    def _seat_rows(self, day: date) -> None:
        """Monthly seat rows per cost centre, dated the 1st (or the window's first day)."""
        first, last = month_start(day), month_end(day)
        days_in_month = Decimal(last.day)
        for unit in self.world.units:
            per_cc: dict[str, Decimal] = {}
            pool = Decimal(0)
            for seat in unit.seats:
                if seat.product != "copilot_business":
                    continue
                begin = max(seat.start, first)
                end = min(seat.end or last + timedelta(days=1), last + timedelta(days=1))
                if end <= begin:
                    continue
                fraction = Decimal((end - begin).days) / days_in_month
                cc = seat.user.team.cost_center
                per_cc[cc] = per_cc.get(cc, ZERO) + fraction
                pool += fraction
            self.pool[unit.index] = (pool * 1900).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            for cc in sorted(per_cc):
                qty = per_cc[cc].quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
                gross = (qty * 19).quantize(CENT, rounding=ROUND_HALF_UP)
                self._line([day.isoformat(), "copilot", "copilot_for_business", qty_text(qty), "user-months", "19",
                            money2(gross), "0.00", money2(gross), "", q(unit.copilot_org), "", "", q(cc), ""])

    def day(self, day: date, cells: dict[str, list[Cell]]) -> None:
        if month_start(day) not in self.month_seen:
            self.month_seen.add(month_start(day))
            self._seat_rows(day)
        world = self.world
        rng = stream(self.seed, "copilot", day)
        weekday = day.weekday() < 5
        credits_era = day >= COPILOT_CREDITS_FROM
        act = world.opts.activity
        for unit in world.units:
            for user, periods_held in world.holders(unit, "copilot_business"):
                for start, end in periods_held:
                    if start <= day < end:
                        break
                else:
                    continue
                p = (0.045 if weekday else 0.005) * min(3.0, 0.4 + user.intensity) * act * (3 if user.power_user else 1)
                if rng.random() >= p:
                    continue
                # Power users run agent sessions: an order of magnitude more premium requests.
                mean = 6 * math.sqrt(user.intensity) * (12 if user.power_user else 1)
                requests = max(1, round(rng.lognorm_mean(mean, 0.6)))
                opus = "claude-opus-4-6" if day < OPUS_SWITCH else "claude-opus-4-7"
                mix = (("claude-sonnet-4-6", 0.55), ("gemini-2-5-pro", 0.1), (opus, 0.1), ("gpt-5-mini", 0.25))
                for model, share in mix:
                    count = rng.binom(requests, share)
                    if count <= 0:
                        continue
                    if credits_era:
                        self._credit_row(rng, day, unit, user, model, count)
                    else:
                        self._premium_row(day, unit, user, model, count)

    def _premium_row(self, day: date, unit: Unit, user: User, model: str, count: int) -> None:
        """Premium requests (until 2026-05-31): quantity = requests x model multiplier."""
        display, multiplier = COPILOT_MODELS[model]
        qty = Decimal(count) * multiplier
        if qty <= 0:  # 0x models are included in the plan and not reported
            return
        price = self.world.list_unit_price("github_copilot", "copilot-premium-request", "premium_request", day)
        left = self.allowance.get(user.email, Decimal(300))
        covered = min(left, qty)
        self.allowance[user.email] = left - covered
        gross, discount = qty * price, covered * price
        self._line([day.isoformat(), "copilot", "copilot_premium_request", qty_text(qty), "requests", dec(price),
                    money2(gross), money2(discount), money2(gross - discount), q(user.username), q(unit.copilot_org),
                    "", "", q(user.team.cost_center), q(display)])

    def _credit_row(self, rng: Rng, day: date, unit: Unit, user: User, model: str, count: int) -> None:
        """AI credits (from 2026-06-01): tokens x the model's list rates, in whole credits."""
        world = self.world
        display, _ = COPILOT_MODELS[model]
        tin, cache_share, tout = COPILOT_TOKENS[model]
        factor = world.token_factor(model, day)
        total_in = round(count * tin * factor * rng.lognorm_mean(1.0, 0.2))
        cached = round(total_in * cache_share)
        out = round(count * tout * factor * rng.lognorm_mean(1.0, 0.2))
        provider = LIST_PROVIDER[world.models[model].developer]
        dollars = ((total_in - cached) * world.list_unit_price(provider, model, "input", day)
                   + cached * world.list_unit_price(provider, model, "cached_input", day)
                   + out * world.list_unit_price(provider, model, "output", day))
        credits = (dollars * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        if credits <= 0:
            return
        price = world.list_unit_price("github_copilot", "copilot-ai-credit", "ai_credit", day)
        left = self.pool.get(unit.index, ZERO)
        covered = min(left, credits)
        self.pool[unit.index] = left - covered
        gross, discount = credits * price, covered * price
        self._line([day.isoformat(), "copilot", "copilot_ai_credit", qty_text(credits), "ai-credits", dec(price),
                    money2(gross), money2(discount), money2(gross - discount), q(user.username), q(unit.copilot_org),
                    "", "", q(user.team.cost_center), q(display), qty_text(credits), money2(gross)])
