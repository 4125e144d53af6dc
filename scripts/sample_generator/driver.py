"""The run: the writers day by day (over ``--jobs`` processes), the file incidents, the manifest.

``manifest.json``
    Options, injected incidents, real events in the window (``events``: the Opus 4.7 tokenizer
    switch, the Copilot AI-credit unit, the Sonnet 5.5 cache-read price cut, the bursty agent's
    burst days), row counts per export and per file (path, rows, md5, period). ``--only`` writes
    (and first empties) only the selected export folders and a manifest of what it wrote.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Sequence

from finops_prices import PRICE_BOOK_PATH, PriceBook
from sample_generator.catalogue import API_PROVIDERS, COPILOT_CREDITS_FROM, OPUS_SWITCH, PROVIDER_EXPORTS
from sample_generator.incidents import apply_file_incidents
from sample_generator.options import Options
from sample_generator.output import Output, periods
from sample_generator.world import World
from sample_generator.writers import WRITERS

try:  # tqdm is a project dependency; the generator still runs without it.
    from tqdm import tqdm
except ImportError:  # pragma: no cover
    tqdm = None  # type: ignore[assignment]


def real_events(world: World) -> list[dict[str, Any]]:
    """The real-world events inside the window (always present, not injected)."""
    opts = world.opts
    events: list[dict[str, Any]] = []
    if opts.start < OPUS_SWITCH <= opts.end:
        events.append({
            "type": "tokenizer_shift", "provider": "anthropic", "model": "claude-opus-4-7", "sku": None,
            "start_date": OPUS_SWITCH.isoformat(), "magnitude": 1.35,
            "details": {"from_model": "claude-opus-4-6", "model_family": "claude-opus",
                        "evidence": "canary tokens per character and support-triage tokens per request x1.35 "
                                    "at an unchanged list price"}})
    if opts.start < COPILOT_CREDITS_FROM <= opts.end:
        events.append({
            "type": "new_billing_unit", "provider": "github_copilot", "model": None, "sku": "copilot_ai_credit",
            "start_date": COPILOT_CREDITS_FROM.isoformat(), "magnitude": None,
            "details": {"replaces": "copilot_premium_request", "unit": "ai-credits", "price": 0.01}})
    if opts.start <= date(2026, 10, 7) <= opts.end:
        events.append({
            "type": "list_price_change", "provider": "anthropic", "model": "claude-sonnet-5-5", "sku": None,
            "start_date": "2026-10-07", "magnitude": 0.5,
            "details": {"token_class": "cached_input", "from": 0.20, "to": 0.10,
                        "note": "effective-dated in the price book: not a pricing incident"}})
    bursts = sorted(d for unit in world.units[:1] for wl in unit.workloads["openai"]
                    if wl.agent == "eval-harness" for d in wl.burst_days)
    if bursts:
        events.append({
            "type": "bursty_agent", "provider": "openai", "model": "gpt-5", "sku": None,
            "start_date": bursts[0].isoformat(), "magnitude": None,
            "details": {"agent": "eval-harness", "burst_days": [d.isoformat() for d in bursts]}})
    return events


def write_manifest(world: World, out: Output) -> dict[str, Any]:
    opts = world.opts
    files = []
    counts: dict[str, int] = {}
    for record in sorted(out.files, key=lambda f: f.path.as_posix()):
        digest = hashlib.md5(record.path.read_bytes()).hexdigest()
        rel = record.path.relative_to(out.root).as_posix()
        files.append({"path": rel, "rows": record.rows, "md5": digest, "period": record.period})
        counts[record.export] = counts.get(record.export, 0) + record.rows
    manifest = {
        "generator": "scripts/generate_sample_data.py",
        "format_version": 1,
        "options": {
            "start": opts.start.isoformat(),
            "end": opts.end.isoformat(),
            "days": opts.days,
            "horizon": opts.world_days,
            "seed": opts.seed,
            "teams": opts.teams,
            "users": opts.users,
            "scale": opts.scale,
            "only": list(opts.only),
            "inject": list(opts.inject_specs),
            "aws_format": opts.aws_format,
        },
        "incidents": [inc.manifest() for inc in world.incidents],
        "events": real_events(world),
        "row_counts": {e: counts.get(e, 0) for e in opts.exports},
        "total_rows": sum(counts.values()),
        "files": files,
    }
    (out.root / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def clean_output(root: Path, exports: Iterable[str]) -> None:
    """Removes files of a previous run from the export folders about to be written."""
    for export in exports:
        folder = root / export
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.is_file() and path.name.endswith((".json", ".jsonl", ".csv", ".csv.gz", ".parquet")):
                path.unlink()


# Relative CPU cost of each export group's writers and of each provider's daily simulation
# (measured at --scale 60), used to balance ``--jobs`` workers.
EXPORT_GROUPS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("openai/usage_completions", "openai/costs"), 0.85),
    (("anthropic/usage_messages", "anthropic/cost_report"), 1.5),
    (("aws_cur",), 0.6),
    (("azure_cost",), 1.2),
    (("gcp_billing",), 1.0),
    (("github_copilot",), 2.6),
    (("cursor/usage_events",), 1.2),
    (("seats",), 0.3),
    (("activity",), 1.5),
    (("gateway",), 0.6),
)
SIMULATION_COST: dict[str, float] = {
    "openai": 0.46, "anthropic": 0.51, "aws_bedrock": 0.29, "azure_openai": 0.23, "gcp_vertex": 0.23,
}


def providers_needed(exports: Iterable[str]) -> list[str]:
    """Providers whose daily usage must be simulated to write `exports`."""
    chosen = set(exports)
    return [p for p in API_PROVIDERS
            if chosen & set(PROVIDER_EXPORTS[p])
            or ("gateway" in chosen and p in ("openai", "anthropic", "gcp_vertex"))]


def plan_jobs(exports: Sequence[str], jobs: int) -> list[tuple[str, ...]]:
    """Splits the exports into at most `jobs` groups of similar cost (greedy, deterministic).

    A group's cost is its writers' cost plus one simulation per provider it needs, so exports that
    share a provider's simulation (its usage and cost exports, the gateway) tend to stay together.
    """
    groups = [(tuple(e for e in names if e in exports), weight) for names, weight in EXPORT_GROUPS]
    groups = [(names, weight) for names, weight in groups if names]
    bins: list[list[str]] = [[] for _ in range(max(1, min(jobs, len(groups))))]

    def cost(names: Sequence[str]) -> float:
        writers = sum(w for g, w in groups if set(g) <= set(names))
        return writers + sum(SIMULATION_COST[p] for p in providers_needed(names))

    for names, _ in sorted(groups, key=lambda g: -(g[1] + sum(SIMULATION_COST[p] for p in providers_needed(g[0])))):
        def outcome(i: int) -> tuple[float, float, int]:
            loads = [cost(b + list(names)) if j == i else cost(b) for j, b in enumerate(bins)]
            return (max(loads), loads[i], i)

        bins[min(range(len(bins)), key=outcome)].extend(names)
    return [tuple(e for e in exports if e in group) for group in bins if group]


def run_exports(opts: Options, exports: tuple[str, ...], position: int = 0,
                book: PriceBook | None = None) -> list[tuple[str, str, int, str, str]]:
    """Writes `exports` (streaming, one day at a time); returns (export, path, rows, mtime, period)."""
    book = book or PriceBook.load(PRICE_BOOK_PATH)
    world = World(opts, book)
    out = Output(opts.out)
    writers = [WRITERS[e](world, out) for e in exports]
    needed = providers_needed(exports)
    bar = None
    if opts.progress and tqdm is not None and opts.days * opts.scale >= 2000:
        label = exports[0].split("/")[0] + ("+" if len(exports) > 1 else "")
        bar = tqdm(total=opts.days, unit="day", desc=label, position=position, leave=True)
    for period in periods(opts.start, opts.end):
        for writer in writers:
            writer.begin_period(period)
        for day in period.days:
            cells = {provider: world.simulate(provider, day) for provider in needed}
            for writer in writers:
                writer.day(day, cells)
            if bar is not None:
                bar.update(1)
        for writer in writers:
            writer.end_period(period)
    for writer in writers:
        writer.finish()
    if bar is not None:
        bar.close()
    return [(f.export, str(f.path), f.rows, f.mtime.isoformat(), f.period) for f in out.files]


def _run_job(args: tuple[Options, tuple[str, ...], int]) -> list[tuple[str, str, int, str, str]]:
    opts, exports, position = args
    return run_exports(opts, exports, position)


def generate(opts: Options, book: PriceBook | None = None) -> dict[str, Any]:
    """Writes every selected export under ``opts.out`` and returns the manifest.

    With ``opts.jobs > 1`` the exports are split over worker processes; every export only
    depends on its own random streams, so the bytes are the same whatever the number of jobs.
    """
    book = book or PriceBook.load(PRICE_BOOK_PATH)
    problems = book.problems()
    if problems:
        raise SystemExit("price book problems:\n  " + "\n  ".join(problems[:20]))
    started = time.perf_counter()
    opts.out.mkdir(parents=True, exist_ok=True)
    clean_output(opts.out, opts.exports)
    plan = plan_jobs(opts.exports, opts.jobs)
    if len(plan) > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(len(plan)) as pool:
            results = pool.map(_run_job, [(opts, group, i) for i, group in enumerate(plan)])
    else:
        results = [run_exports(opts, plan[0] if plan else (), 0, book)]
    world = World(opts, book)
    out = Output(opts.out)
    for export, path, rows, mtime, period in (r for result in results for r in result):
        out.register(export, Path(path), rows, datetime.fromisoformat(mtime), period)
    apply_file_incidents(world, out)
    for record in out.files:
        stamp = record.mtime.timestamp()
        os.utime(record.path, (stamp, stamp))
    manifest = write_manifest(world, out)
    manifest["_elapsed_seconds"] = time.perf_counter() - started
    return manifest
