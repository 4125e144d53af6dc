"""Replicates of a synthetic OpenAI organisation and the usage export they write.

A replicate is one 60-day organisation of its own (an OpenAI project with its own API keys) on
one model family: two keys (``sw0``, ``sw1``) that switch on the switch day from the family's old
snapshot to a newer one, whose input tokens per request are then ``shift`` times higher (1.0: a
clean switch); a key that stays on the old snapshot (``st0``); a key that joins mid-way
(``join``, on the snapshot in use that day, switching with the others when it is already there);
weekends at ``weekend_factor`` of the weekday requests; day-to-day noise: ln(input tokens per
request) of each key and day is its key's level plus a normal draw of standard deviation
``noise``; one agent burst: on ``burst_day`` one key sends ``burst_requests`` times its requests
with ``burst_ratio`` times the tokens per request.

Replicates never meet in the detector: each has its own keys, and replicates of one family lie
``STRIDE_DAYS`` apart (more than the detector's 28-day merge of candidates after the 60 days), so
that many of them fit in one raw folder and one build. The noise draws of a replicate depend on
its seed only, not on its shift: the same organisation is measured at every shift (common random
numbers).
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Iterable, Sequence

DAYS = 60
STRIDE_DAYS = 84  # 12 weeks: a slot starts on a Monday, 24 days after the end of the previous one
ORIGIN = date(2001, 1, 1)  # a Monday; far from the sample so nothing else shares the dates
EXPORT = "openai/usage_completions"


@dataclass(frozen=True)
class Family:
    """A model family of seed models and the two vendor snapshots a replicate switches between."""

    name: str
    old_model: str
    new_model: str


# Dated snapshots resolve to their canonical model (int_vendor_models strips the date), so a
# snapshot switch keeps the canonical model; gpt-5 -> gpt-5.1 is a version switch in the family.
FAMILIES: tuple[Family, ...] = (
    Family("gpt-4-1", "gpt-4.1-2025-04-14", "gpt-4.1-2026-03-05"),
    Family("gpt-4o", "gpt-4o-2024-08-06", "gpt-4o-2024-11-20"),
    Family("o-series", "o3-2025-04-16", "o3-2026-01-22"),
    Family("gpt-5", "gpt-5-2025-08-07", "gpt-5.1-2025-11-13"),
)


@dataclass(frozen=True)
class Scenario:
    """One replicate: a synthetic organisation with a model switch on `switch_day`."""

    name: str
    family: Family
    start_on: date
    noise: float
    shift: float
    switch_day: int
    seed: str
    days: int = DAYS
    weekend_factor: float = 0.3
    burst_day: int | None = None
    burst_key: str = "st0"
    burst_requests: float = 10.0
    burst_ratio: float = 1.5
    join_day: int | None = None
    switching_keys: int = 2
    steady_keys: int = 1

    @property
    def switch_on(self) -> date:
        return self.start_on + timedelta(days=self.switch_day)

    @property
    def end_on(self) -> date:
        """Last day with usage."""
        return self.start_on + timedelta(days=self.days - 1)

    @property
    def is_clean(self) -> bool:
        return self.shift == 1.0

    def keys(self) -> list[tuple[str, int, bool]]:
        """(key suffix, first day, switches with the organisation) of each API key."""
        keys = [(f"sw{i}", 0, True) for i in range(self.switching_keys)]
        keys += [(f"st{i}", 0, False) for i in range(self.steady_keys)]
        if self.join_day is not None:
            keys.append(("join", self.join_day, True))
        return keys


@dataclass(frozen=True)
class UsageRow:
    """One result of the usage export: a key's requests of one model on one day."""

    day: date
    project_id: str
    api_key_id: str
    model: str
    requests: int
    input_tokens: int
    output_tokens: int


def usage_rows(scenario: Scenario) -> list[UsageRow]:
    """The daily usage of every key of a replicate (drawn from its seed; shift applied last)."""
    rng = random.Random(scenario.seed)
    project = f"proj_{scenario.name}"
    rows: list[UsageRow] = []
    for suffix, first_day, switches in scenario.keys():
        level = math.log(1500) + rng.gauss(0, 0.7)  # ln input tokens per request of the key
        volume = rng.uniform(150, 1500)  # weekday requests
        for offset in range(scenario.days):
            # every draw is made whether or not the key is active, so that shapes do not
            # change the noise of the other days
            noise = rng.gauss(0, scenario.noise)
            jitter = rng.gauss(0, 0.15)
            output_jitter = rng.gauss(0, 0.2)
            if offset < first_day:
                continue
            day = scenario.start_on + timedelta(days=offset)
            weekday_share = scenario.weekend_factor if day.weekday() >= 5 else 1.0
            requests = max(1, round(volume * weekday_share * math.exp(jitter)))
            per_request = math.exp(level + noise)
            switched = switches and offset >= scenario.switch_day
            if switched:
                per_request *= scenario.shift
            if offset == scenario.burst_day and suffix == scenario.burst_key:
                requests = round(requests * scenario.burst_requests)
                per_request *= scenario.burst_ratio
            rows.append(UsageRow(
                day=day,
                project_id=project,
                api_key_id=f"key_{scenario.name}_{suffix}",
                model=scenario.family.new_model if switched else scenario.family.old_model,
                requests=requests,
                input_tokens=max(1, round(requests * per_request)),
                output_tokens=max(1, round(requests * 250 * math.exp(output_jitter))),
            ))
    return rows


def draw_shape(rng: random.Random, days: int = DAYS) -> dict[str, object]:
    """Switch day (a weekday from day 28 to 38 of a slot starting on a Monday), burst day and
    key, joining day: the shape of a replicate, shared by its shifted and clean runs."""
    switch_day = rng.choice([d for d in range(28, 39) if d % 7 < 5])
    burst_day = rng.choice([d for d in range(3, days - 3) if d != switch_day])
    return {
        "switch_day": switch_day,
        "burst_day": burst_day,
        "burst_key": rng.choice(["sw0", "sw1", "st0"]),
        "join_day": rng.randint(20, 40),
    }


def make_grid(
    noises: Sequence[float],
    shifts: Sequence[float],
    replicates: int,
    clean_replicates: int,
    seed: int = 42,
    families: Sequence[Family] = FAMILIES,
    origin: date = ORIGIN,
    **options: object,
) -> list[Scenario]:
    """Every replicate of the grid: for each noise level, `replicates` organisations measured at
    each shift and `clean_replicates` (the first ones of the same shapes) with a clean switch.
    Replicate i of a noise level uses family i mod len(families); each replicate gets its own
    slot of time in its family. `options`: Scenario fields set on every replicate (for
    example ``burst_day=None`` or ``weekend_factor=1.0``)."""
    scenarios: list[Scenario] = []
    slots = {family.name: 0 for family in families}
    for noise in noises:
        for index in range(max(replicates, clean_replicates)):
            seed_text = f"{seed}:{noise:g}:{index}"
            shape = draw_shape(random.Random(f"shape:{seed_text}"))
            shape.update(options)
            family = families[index % len(families)]
            runs = [s for s in shifts if index < replicates]
            runs += [1.0] if index < clean_replicates else []
            for shift in runs:
                start_on = origin + timedelta(days=STRIDE_DAYS * slots[family.name])
                slots[family.name] += 1
                name = f"n{round(noise * 100):02d}x{round(shift * 100):03d}r{index:02d}"
                scenarios.append(Scenario(
                    name=name, family=family, start_on=start_on, noise=noise, shift=shift,
                    seed=seed_text, **shape,  # type: ignore[arg-type]
                ))
    return scenarios


def page_json(buckets: Sequence[tuple[date, Sequence[UsageRow]]], next_page: str | None) -> str:
    """One page of GET /v1/organization/usage/completions (bucket_width 1d)."""
    data = []
    for day, rows in buckets:
        start = int((day - date(1970, 1, 1)).total_seconds())
        data.append({
            "object": "bucket",
            "start_time": start,
            "end_time": start + 86400,
            "results": [{
                "object": "organization.usage.completions.result",
                "input_tokens": row.input_tokens,
                "output_tokens": row.output_tokens,
                "num_model_requests": row.requests,
                "project_id": row.project_id,
                "user_id": None,
                "api_key_id": row.api_key_id,
                "model": row.model,
                "batch": False,
                "input_cached_tokens": 0,
                "input_audio_tokens": 0,
                "output_audio_tokens": 0,
            } for row in rows],
        })
    page = {"object": "page", "data": data, "has_more": next_page is not None, "next_page": next_page}
    return json.dumps(page, separators=(",", ":"))


def write_usage_export(raw_dir: Path, rows: Iterable[UsageRow], page_results: int = 5000) -> list[Path]:
    """Writes the rows as monthly exports of pages (as the sample generator names them:
    ``<export time>_usage_completions_<yyyy-mm>_page<nnn>.json``, the export time the first day
    of the next month); a page ends at a bucket boundary after `page_results` results."""
    by_day: dict[date, list[UsageRow]] = {}
    for row in rows:
        by_day.setdefault(row.day, []).append(row)
    months: dict[str, list[date]] = {}
    for day in sorted(by_day):
        months.setdefault(day.strftime("%Y-%m"), []).append(day)
    folder = raw_dir / EXPORT
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for month, days in months.items():
        first = date.fromisoformat(f"{month}-01")
        stamp = (first + timedelta(days=32)).replace(day=1).strftime("%Y-%m-%dT0600Z")
        pages: list[list[tuple[date, list[UsageRow]]]] = [[]]
        count = 0
        for day in days:
            if count >= page_results:
                pages.append([])
                count = 0
            pages[-1].append((day, by_day[day]))
            count += len(by_day[day])
        for number, buckets in enumerate(pages, start=1):
            more = f"page_{stamp}_{number + 1:03d}" if number < len(pages) else None
            path = folder / f"{stamp}_usage_completions_{month}_page{number:03d}.json"
            path.write_text(page_json(buckets, more), encoding="utf-8")
            written.append(path)
    return written
