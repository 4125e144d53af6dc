"""Cursor: pages of the team's filtered usage events.

``cursor/usage_events/*.json``
    Pages of ``POST /teams/filtered-usage-events``: ``{"usageEvents":[{"timestamp"(epoch-ms
    STRING),"model","kind"("Usage-based"|"Included in Business"),"maxMode","requestsCosts",
    "isTokenBasedCall","tokenUsage":{"inputTokens","outputTokens","cacheWriteTokens",
    "cacheReadTokens","totalCents"(cents, 2 decimals)},"isFreeBugbot","userEmail"}],
    "pagination":{"numPages","currentPage","pageSize","hasNextPage","hasPreviousPage"},
    "totalUsageEventsCount"}``. ``tokenUsage`` only when ``isTokenBasedCall``; included events
    carry their notional cost but are covered by the seat.

"""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_UP
from pathlib import Path
from typing import TextIO

from sample_generator.catalogue import CENT, CURSOR_IDS, CURSOR_PAGE_SIZE
from sample_generator.helpers import Rng, dec, epoch, jdump, jstr, stream
from sample_generator.organisation import Cell, User
from sample_generator.output import Period, Writer, export_stamp, open_text


class CursorWriter(Writer):
    export = "cursor/usage_events"

    def begin_period(self, period: Period) -> None:
        self.stamp, self.mtime = export_stamp(period, 6, 20)
        self.period = period
        self.pages: list[tuple[Path, int]] = []
        self.handle: TextIO | None = None
        self.page_rows = 0

    def _open(self) -> None:
        name = f"{self.stamp}_usage_events_{self.period.key}_page{len(self.pages) + 1:03d}.json"
        path = self.out.path(self.export, name)
        self.handle = open_text(path)
        self.handle.write('{"usageEvents":[')
        self.pages.append((path, 0))
        self.page_rows = 0

    def _close_page(self) -> None:
        assert self.handle is not None
        self.handle.close()
        path, _ = self.pages[-1]
        self.pages[-1] = (path, self.page_rows)
        self.handle = None

    def day(self, day: date, cells: dict[str, list[Cell]]) -> None:
        world = self.world
        rng = stream(self.seed, "cursor", day)
        weekday = day.weekday() < 5
        act = world.opts.activity
        events: list[tuple[int, str]] = []
        for unit in world.units:
            for user, periods_held in world.holders(unit, "cursor_teams"):
                for start, end in periods_held:
                    if start <= day < end:
                        break
                else:
                    continue
                p = (0.1 if weekday else 0.01) * min(3.0, 0.4 + user.intensity) * act
                if rng.random() >= p:
                    continue
                for _ in range(max(1, rng.poisson(2.0 * math.sqrt(user.intensity)))):
                    events.append(self._event(rng, day, user))
        if not events:
            return
        events.sort()
        if self.handle is None or self.page_rows >= CURSOR_PAGE_SIZE:
            if self.handle is not None:
                self._close_page()
            self._open()
        assert self.handle is not None
        for _, text in events:
            if self.page_rows:
                self.handle.write(",")
            self.handle.write(text)
            self.page_rows += 1

    def _event(self, rng: Rng, day: date, user: User) -> tuple[int, str]:
        world = self.world
        ms = epoch(day) * 1000 + int(rng.uniform(7.5, 20.0) * 3_600_000)
        model = rng.choices(("claude-sonnet-4", "claude-sonnet-4-5", "gpt-5"), weights=(0.35, 0.35, 0.3))[0]
        token_based = rng.chance(0.85)
        max_mode = token_based and rng.chance(0.12)
        kind = "Included in Business"
        usage = ""
        if token_based:
            factor = world.token_factor(model, day)
            tin = round(rng.lognorm_mean(8_000, 0.6) * factor)
            out = round(rng.lognorm_mean(1_200, 0.6) * factor)
            read = round(rng.lognorm_mean(30_000, 0.8) * factor)
            write = round(rng.lognorm_mean(3_000, 0.8) * factor) if model != "gpt-5" else 0
            dollars = (tin * world.unit_price("cursor", model, "input", day)
                       + read * world.unit_price("cursor", model, "cached_input", day)
                       + out * world.unit_price("cursor", model, "output", day))
            if write:
                dollars += write * world.unit_price("cursor", model, "cache_write_5m", day)
            cents = (dollars * 100).quantize(CENT, rounding=ROUND_HALF_UP)
            usage = (f',"tokenUsage":{{"inputTokens":{tin},"outputTokens":{out},"cacheWriteTokens":{write},'
                     f'"cacheReadTokens":{read},"totalCents":{dec(cents)}}}')
            if max_mode or (user.power_user and rng.chance(0.5)):
                kind = "Usage-based"
        return ms, (f'{{"timestamp":"{ms}","model":"{CURSOR_IDS[model]}","kind":"{kind}",'
                    f'"maxMode":{"true" if max_mode else "false"},"requestsCosts":{2 if max_mode else 1},'
                    f'"isTokenBasedCall":{"true" if token_based else "false"}{usage},"isFreeBugbot":false,'
                    f'"userEmail":{jstr(user.email)}}}')

    def end_period(self, period: Period) -> None:
        if not self.pages:  # a month without events is still exported, as an empty page
            self._open()
        if self.handle is not None:
            self._close_page()
        total = sum(rows for _, rows in self.pages)
        count = len(self.pages)
        for number, (path, rows) in enumerate(self.pages, start=1):
            trailer = jdump({
                "numPages": count, "currentPage": number, "pageSize": CURSOR_PAGE_SIZE,
                "hasNextPage": number < count, "hasPreviousPage": number > 1,
            })
            with open(path, "a", encoding="utf-8", newline="") as handle:
                handle.write(f'],"pagination":{trailer},"totalUsageEventsCount":{total}}}')
            self.out.register(self.export, path, rows, self.mtime, period.key)
