"""Benchmark of the warehouse: full build, one-day refresh on 90 and 365 days, and the floor.

    python scripts/bench.py [--rows 1e6] [--rows 1e7] [--cache build/bench] [--skip-incremental]

For each size (raw records over 365 days; the generator's --scale is calibrated to hit it):

* full build    `dbt build` (models, seeds and data tests, as `scripts/refresh` runs it: unit
                tests, which check the code on fixed inputs, run in `make test`) of 365 days
                into an empty DuckDB file: wall time and peak resident memory of the dbt
                process;
* dbt start-up  the same `dbt build` over a landing with no export file: dbt's fixed cost per
                run and node (parse excluded), subtracted in (build - start-up) / floor;
* refresh +1 day on top of 90 and of 365 days of history: the warehouse is built from N days,
                the export of day N+1 lands (the month's export, re-issued, supersedes the
                previous one) and `dbt build` runs again on the same file: an incremental
                refresh (the landing and staging read the new files, the charges and the
                fact rebuild the months whose inputs changed, the other models and the data
                tests run over the whole history). Every landing is generated with
                `--horizon 366`, so the N- and N+1-day landings are one organisation
                exported on consecutive days, as a real daily landing is. Correctness is
                not traded: each refresh is compared with a full build of the same N+1-day
                folder (untimed), every table and view and the money per provider, month and
                cost source (ai_finops.compare);
* floor         one hand-written DuckDB query over the same raw files computing the daily
                vendor-reported cost per provider and vendor model (what the warehouse's
                fct_ai_costs holds for those rows), with the profile's DuckDB settings; its
                daily totals per provider are compared with fct_ai_costs'.

Generated landings are cached under --cache/raw and reused between runs (build/ is ignored by
git); each measured build first runs an untimed `dbt parse` so that timings exclude dbt's
one-off full parse, and the raw files are read once beforehand so that build and floor both
start with a warm page cache. Prints the ratios build/floor, refresh/full and growth 90 -> 365
days, and writes them, with dbt's time per resource type and slowest nodes of each build, to
--cache/results.json and results.md. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ai_finops.compare import compare_warehouses  # noqa: E402
from ai_finops.landing import default_landing_path  # noqa: E402

BIN = Path(sys.executable).parent
GENERATOR = ROOT / "scripts" / "generate_sample_data.py"
FULL_DAYS = 365
HISTORIES = (90, 365)
# every measured landing is a day of one world spanning the longest landing (365 + 1 days)
HORIZON = FULL_DAYS + 1
DUCKDB_THREADS = os.environ.get("AI_FINOPS_DUCKDB_THREADS", "2")


@dataclass
class Measure:
    """Wall time and peak RSS of one child process; `error` when it failed.

    `completed` is true when every node ran: a dbt build whose only failures are data tests
    still measures the whole build (its time counts), one that stopped early does not.
    """

    seconds: float
    peak_rss_mb: float
    returncode: int
    error: str | None = None
    completed: bool = True
    # dbt's own execution time per resource type and of the slowest nodes (run_results.json)
    node_seconds: dict[str, float] = field(default_factory=dict)
    slowest_nodes: list[tuple[str, float]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.completed


@dataclass
class SizeResult:
    """Everything measured for one size."""

    target_rows: int
    scale: float
    rows: int = 0
    raw_mb: float = 0.0
    full_build: Measure | None = None
    startup: Measure | None = None
    floor: Measure | None = None
    floor_check: dict[str, Any] = field(default_factory=dict)
    history: dict[str, Measure] = field(default_factory=dict)
    refresh: dict[str, Measure] = field(default_factory=dict)
    # per history: the differences between the refresh and a full build (empty: equal)
    refresh_equals_full: dict[str, list[str]] = field(default_factory=dict)
    ratios: dict[str, float | None] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------


def measure(cmd: list[str], env: dict[str, str], log: Path) -> Measure:
    """Runs a command with output to `log`; wall time and the child's peak RSS (ru_maxrss)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as sink:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - started
    code = os.waitstatus_to_exitcode(status)
    text = log.read_text(errors="replace")
    error = None if code == 0 else first_error(text)
    return Measure(round(seconds, 2), round(usage.ru_maxrss / 1024, 1), code, error,
                   code == 0 or all_nodes_ran(text))


ANSI = re.compile(r"\x1b\[[0-9;]*m")
DONE = re.compile(r"Done\. PASS=(\d+) WARN=(\d+) ERROR=(\d+) SKIP=(\d+)")


def all_nodes_ran(log_text: str) -> bool:
    """True when dbt's summary line says that no node was skipped (failures were tests)."""
    done = DONE.search(ANSI.sub("", log_text))
    return bool(done) and done.group(4) == "0" and "Runtime Error" not in log_text


def first_error(log_text: str) -> str:
    """The line of a failed run's log that says what went wrong."""
    lines = [ANSI.sub("", line).strip() for line in log_text.splitlines()]
    for marker in ("Out of Memory", "Runtime Error", "Database Error", " FAIL ", " ERROR ",
                   "Traceback", "Error"):
        for line in lines:
            if marker in line:
                return line[:300]
    return (lines[-1] if lines else "")[:300]


def dbt_env(raw: Path, db: Path, memory_limit: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "AI_FINOPS_RAW_PATH": str(raw),
            "AI_FINOPS_DB_PATH": str(db),
            "AI_FINOPS_MEMORY_LIMIT": memory_limit,
            # every build of a run pseudonymises with one key (a refresh is compared with
            # a full build of its own)
            "AI_FINOPS_PSEUDONYM_KEY_FILE": str(db.parent / "pseudonym.key"),
            "DBT_PROFILES_DIR": str(ROOT),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            # builds run as scripts/refresh runs them: unit tests check code, not data
            "DBT_EXCLUDE_RESOURCE_TYPES": "unit_test",
        }
    )
    return env


def dbt(
    args: list[str], raw: Path, db: Path, work: Path, log_name: str, memory_limit: str
) -> Measure:
    """One dbt command against `db`, with its own target folder under `work`."""
    cmd = [str(BIN / "dbt"), *args, "--project-dir", str(ROOT),
           "--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    results = work / "target" / "run_results.json"
    results.unlink(missing_ok=True)
    measured = measure(cmd, dbt_env(raw, db, memory_limit), work / f"{log_name}.log")
    if results.exists():
        measured.node_seconds, measured.slowest_nodes = node_times(results)
        # every node's time, kept beside the log for a closer look
        shutil.copyfile(results, work / f"{log_name}.run_results.json")
    return measured


def node_times(run_results: Path) -> tuple[dict[str, float], list[tuple[str, float]]]:
    """dbt's execution time summed per resource type, and the five slowest nodes."""
    nodes = json.loads(run_results.read_text())["results"]
    per_type: dict[str, float] = {}
    for node in nodes:
        kind = node["unique_id"].split(".")[0]
        per_type[kind] = round(per_type.get(kind, 0.0) + node["execution_time"], 2)
    slowest = sorted(nodes, key=lambda node: -node["execution_time"])[:5]
    return per_type, [(n["unique_id"].split(".")[-1], round(n["execution_time"], 2))
                      for n in slowest]


def timed_build(raw: Path, db: Path, work: Path, label: str, memory_limit: str) -> Measure:
    """`dbt parse` (untimed warm-up for this database path), then the timed `dbt build`."""
    parsed = dbt(["parse"], raw, db, work, f"{label}-parse", memory_limit)
    if not parsed.ok:
        raise SystemExit(f"dbt parse failed: {parsed.error} (log in {work})")
    warm_page_cache(raw)
    return dbt(["build"], raw, db, work, label, memory_limit)


def warm_page_cache(raw: Path) -> None:
    """Reads every raw file once, so that each measurement starts with a warm page cache."""
    for path in raw.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                while handle.read(1 << 24):
                    pass


# ---------------------------------------------------------------------------------------------
# Raw landings
# ---------------------------------------------------------------------------------------------


def generate(out: Path, days: int, scale: float, horizon: int = 0) -> dict[str, Any]:
    """Generates (once) a landing of `days` days at `scale`; returns its manifest."""
    marker = out / ".complete"
    if not marker.exists():
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run(
            [sys.executable, str(GENERATOR), "--out", str(out), "--days", str(days),
             "--scale", f"{scale:g}", "--jobs", str(os.cpu_count() or 1), "--no-progress",
             *(["--horizon", str(horizon)] if horizon else [])],
            check=True, stdout=subprocess.DEVNULL,
        )
        marker.write_text(dt.datetime.now(dt.timezone.utc).isoformat() + "\n")
    return json.loads((out / "manifest.json").read_text())


def calibrate(cache: Path) -> tuple[float, float]:
    """Raw records over 365 days = a + b * scale, from two small generator runs."""
    totals = [
        generate(cache / "calibration" / f"scale-{s}", FULL_DAYS, s)["total_rows"] for s in (1, 2)
    ]
    return totals[0] - (totals[1] - totals[0]), totals[1] - totals[0]


def scale_for(rows: int, fixed: float, per_scale: float) -> float:
    return max(round((rows - fixed) / per_scale, 2), 0.01)


def landing(cache: Path, scale: float, days: int) -> Path:
    """The landing of `days` days of the world that spans HORIZON days."""
    path = cache / "raw" / f"scale-{scale:g}" / f"horizon-{HORIZON}" / f"days-{days}"
    generate(path, days, scale, HORIZON)
    return path


def raw_megabytes(raw: Path) -> float:
    return round(sum(p.stat().st_size for p in raw.rglob("*") if p.is_file()) / 2**20, 1)


def link_tree(src: Path, dest: Path) -> None:
    """A copy of a landing made of hard links (instant; the cached files are never written)."""
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(src, dest, copy_function=os.link)


def land_next_day(history: Path, next_landing: Path) -> int:
    """Links the files of the N+1-day landing that the N-day landing lacks; returns how many."""
    added = 0
    for path in next_landing.rglob("*"):
        target = history / path.relative_to(next_landing)
        if path.is_file() and path.name != "manifest.json" and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)
            added += 1
    return added


# ---------------------------------------------------------------------------------------------
# The floor
# ---------------------------------------------------------------------------------------------

# Daily vendor-reported cost per provider and vendor model, straight from the raw files.
FLOOR_SQL = """
with
openai as (
    select
        cast(to_timestamp(bucket.start_time) at time zone 'UTC' as date) as day,
        'openai' as provider,
        regexp_extract(result.line_item, '^(?:batch \\| )?([^,]+)', 1) as model,
        result.amount.value as cost
    from (
        select unnest(data) as bucket
        from read_json('{raw}/openai/costs/*.json', maximum_object_size = 67108864,
            columns = {{data: 'STRUCT(start_time BIGINT, results STRUCT(
                amount STRUCT(value DECIMAL(38, 10)), line_item VARCHAR)[])[]'}})
    ), unnest(bucket.results) as r(result)
),
anthropic as (
    select
        cast(bucket.starting_at as date) as day,
        'anthropic' as provider,
        result.model,
        cast(result.amount as decimal(38, 10)) * 0.01 as cost
    from (
        select unnest(data) as bucket
        from read_json('{raw}/anthropic/cost_report/*.json', maximum_object_size = 67108864,
            columns = {{data: 'STRUCT(starting_at TIMESTAMP,
                results STRUCT(amount VARCHAR, model VARCHAR)[])[]'}})
    ), unnest(bucket.results) as r(result)
),
aws as (
    select
        cast(line_item_usage_start_date as date) as day,
        'aws_bedrock' as provider,
        line_item_usage_type as model,
        line_item_unblended_cost as cost
    from read_csv('{raw}/aws_cur/*.csv', header = true, union_by_name = true,
        types = {{'line_item_unblended_cost': 'DECIMAL(38, 10)',
                  'line_item_usage_start_date': 'TIMESTAMP'}})
    where line_item_product_code = 'AmazonBedrock'
        or product_product_name like '%(Amazon Bedrock Edition)'
),
azure as (
    select
        cast(strptime("Date", '%m/%d/%Y') as date) as day,
        'azure_openai' as provider,
        "MeterName" as model,
        "CostInBillingCurrency" as cost
    from read_csv('{raw}/azure_cost/*.csv', header = true, union_by_name = true,
        types = {{'CostInBillingCurrency': 'DECIMAL(38, 10)', 'Date': 'VARCHAR'}})
    where "MeterSubCategory" = 'Azure OpenAI'
),
gcp as (
    select
        cast(usage_start_time as date) as day,
        'gcp_vertex' as provider,
        sku.description as model,
        cost + coalesce(list_sum(list_transform(credits, lambda c: c.amount)), 0) as cost
    from read_json('{raw}/gcp_billing/*.jsonl', format = 'newline_delimited',
        columns = {{usage_start_time: 'TIMESTAMP', service: 'STRUCT(description VARCHAR)',
                    sku: 'STRUCT(description VARCHAR)', cost: 'DECIMAL(38, 10)',
                    credits: 'STRUCT(amount DECIMAL(38, 10))[]'}})
    where service.description in
        ('Vertex AI', 'Vertex AI API', 'Gemini API', 'Generative Language API')
),
copilot as (
    select
        cast("date" as date) as day,
        'github_copilot' as provider,
        coalesce(nullif(model, ''), sku) as model,
        net_amount as cost
    from read_csv('{raw}/github_copilot/*.csv', header = true, union_by_name = true,
        types = {{'net_amount': 'DECIMAL(38, 10)', 'model': 'VARCHAR'}})
),
cursor as (
    select
        cast(epoch_ms(cast(event.timestamp as bigint)) as date) as day,
        'cursor' as provider,
        event.model,
        case when event.kind like 'Included%' then 0
            else coalesce(event.tokenUsage.totalCents, 0) * 0.01 end as cost
    from (
        select unnest(usageEvents) as event
        from read_json('{raw}/cursor/usage_events/*.json', maximum_object_size = 67108864,
            columns = {{usageEvents: 'STRUCT("timestamp" VARCHAR, model VARCHAR, kind VARCHAR,
                tokenUsage STRUCT(totalCents DECIMAL(38, 10)))[]'}})
    )
),
unioned as (
    select * from openai union all select * from anthropic union all select * from aws
    union all select * from azure union all select * from gcp union all select * from copilot
    union all select * from cursor
)
select day, provider, model, sum(cost) as cost
from unioned
group by all
"""

FLOOR_RUNNER = textwrap.dedent(
    """
    import sys, duckdb
    sql, out, threads, memory = sys.argv[1:5]
    con = duckdb.connect(config={"threads": int(threads), "memory_limit": memory})
    con.execute("set enable_progress_bar = false")
    con.execute(f"copy ({sql}) to '{out}' (format parquet)")
    """
)

WAREHOUSE_DAILY_SQL = """
    select charge_on as day, provider, sum(billed_cost) as cost
    from fct_ai_costs
    where cost_source = 'vendor_reported' and staging_model != 'stg_seats__assignments'
    group by all
"""


def run_floor(raw: Path, work: Path, memory_limit: str) -> tuple[Measure, Path]:
    """The floor query in its own process (same DuckDB threads and memory limit as dbt)."""
    out = work / "floor.parquet"
    sql = FLOOR_SQL.format(raw=str(raw))
    cmd = [sys.executable, "-c", FLOOR_RUNNER, sql, str(out), DUCKDB_THREADS, memory_limit]
    warm_page_cache(raw)
    return measure(cmd, dict(os.environ), work / "floor.log"), out


def compare_floor(floor: Path, db: Path) -> dict[str, Any]:
    """Daily cost per provider: floor vs fct_ai_costs (vendor-reported rows)."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            f"""
            with floor as (
                select day, provider, sum(cost) as cost from read_parquet('{floor}') group by all
            ),
            warehouse as ({WAREHOUSE_DAILY_SQL})
            select
                count(*) as groups,
                count(*) filter (where coalesce(floor.cost, 0) != coalesce(warehouse.cost, 0))
                    as mismatched_groups,
                cast(max(abs(coalesce(floor.cost, 0) - coalesce(warehouse.cost, 0))) as double)
                    as max_abs_difference,
                cast(sum(floor.cost) as double) as floor_total,
                cast(sum(warehouse.cost) as double) as warehouse_total,
                (select count(*) from read_parquet('{floor}')) as floor_rows
            from floor
            full outer join warehouse using (day, provider)
            """
        ).fetchone()
    keys = ["day_provider_groups", "mismatched_groups", "max_abs_difference", "floor_total",
            "warehouse_total", "floor_rows_day_provider_model"]
    return dict(zip(keys, row))


# ---------------------------------------------------------------------------------------------
# One size
# ---------------------------------------------------------------------------------------------


def bench_size(rows: int, cache: Path, calibration: tuple[float, float], incremental: bool,
               memory_limit: str) -> SizeResult:
    """Full build, floor and (optionally) the +1 day refreshes for one size."""
    scale = scale_for(rows, *calibration)
    result = SizeResult(target_rows=rows, scale=scale)
    full_raw = landing(cache, scale, FULL_DAYS)
    result.rows = json.loads((full_raw / "manifest.json").read_text())["total_rows"]
    result.raw_mb = raw_megabytes(full_raw)
    log(f"{rows:,} rows: scale {scale:g}, {result.rows:,} records, {result.raw_mb:,.0f} MB")

    work = cache / "work" / f"rows-{rows}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    result.startup = measure_startup(work, memory_limit)
    log(f"  dbt start-up (build of an empty landing): {describe(result.startup)}")
    for days in HISTORIES if incremental else (FULL_DAYS,):
        raw = work / f"raw-{days}"
        link_tree(landing(cache, scale, days), raw)
        db = work / f"history-{days}.duckdb"
        built = timed_build(raw, db, work, f"build-{days}d", memory_limit)
        log(f"  build of {days} days: {describe(built)}")
        if days == FULL_DAYS:
            result.full_build = built
            result.floor, floor_out = run_floor(raw, work, memory_limit)
            if result.floor.ok and built.ok:
                result.floor_check = compare_floor(floor_out, db)
            log(f"  floor query: {describe(result.floor)} {result.floor_check}")
        if incremental:
            result.history[str(days)] = built
            if built.ok:
                added = land_next_day(raw, landing(cache, scale, days + 1))
                warm_page_cache(raw)
                refreshed = dbt(["build"], raw, db, work, f"refresh-{days}+1d", memory_limit)
                result.refresh[str(days)] = refreshed
                log(f"  +1 day on {days} days ({added} files landed): {describe(refreshed)}")
                if refreshed.ok:
                    result.refresh_equals_full[str(days)] = check_refresh(
                        raw, db, work, days, memory_limit)
        remove_warehouse(db)
        shutil.rmtree(raw)
    result.ratios = ratios(result)
    return result


def remove_warehouse(db: Path) -> None:
    """Deletes a warehouse file, its side files and its landing directory."""
    for path in db.parent.glob(db.name + "*"):
        path.unlink()
    shutil.rmtree(default_landing_path(str(db)), ignore_errors=True)


def check_refresh(raw: Path, db: Path, work: Path, days: int, memory_limit: str) -> list[str]:
    """Builds the refreshed folder from scratch (untimed) and compares the two warehouses."""
    full = work / f"full-{days}+1d.duckdb"
    built = dbt(["build"], raw, full, work, f"full-{days}+1d", memory_limit)
    problems = (compare_warehouses(db, full) if built.ok
                else [f"the full build failed: {built.error}"])
    remove_warehouse(full)
    log(f"  refresh = full build of {days + 1} days: "
        + ("yes" if not problems else f"NO, {len(problems)} differences: {problems[:3]}"))
    return problems


def measure_startup(work: Path, memory_limit: str) -> Measure:
    """dbt's fixed cost: the same `dbt build` over a landing with no export file at all."""
    empty = work / "raw-empty"
    empty.mkdir()
    db = work / "startup.duckdb"
    built = timed_build(empty, db, work, "startup", memory_limit)
    remove_warehouse(db)
    empty.rmdir()
    return built


def describe(m: Measure) -> str:
    text = f"{m.seconds:.1f} s, peak {m.peak_rss_mb:,.0f} MB"
    if m.node_seconds:
        text += " (" + ", ".join(f"{k} {v:,.1f} s" for k, v in m.node_seconds.items()) + ")"
    if m.returncode == 0:
        return text
    if m.completed:
        return f"{text} (completed; failing tests: {m.error})"
    return f"FAILED after {text}: {m.error}"


def ratio(numerator: Measure | None, denominator: Measure | None) -> float | None:
    if numerator is None or denominator is None or not numerator.ok or not denominator.ok:
        return None
    return round(numerator.seconds / denominator.seconds, 2)


def net_ratio(build: Measure | None, startup: Measure | None,
              floor: Measure | None) -> float | None:
    """(build - dbt's fixed start-up) / floor: the data-dependent part of the build."""
    if build is None or startup is None or floor is None:
        return None
    if not (build.ok and startup.ok and floor.ok):
        return None
    return round((build.seconds - startup.seconds) / floor.seconds, 2)


def ratios(result: SizeResult) -> dict[str, float | None]:
    return {
        "build_over_floor": ratio(result.full_build, result.floor),
        "build_net_of_startup_over_floor": net_ratio(
            result.full_build, result.startup, result.floor),
        "refresh_365_over_full": ratio(result.refresh.get("365"), result.full_build),
        "growth_90_to_365": ratio(result.refresh.get("365"), result.refresh.get("90")),
    }


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def first_line_value(text: str, prefix: str, default: str = "") -> str:
    """The value after ':' on the first line of `text` that starts with `prefix`."""
    for line in text.splitlines():
        if line.strip().startswith(prefix):
            return line.split(":", 1)[1].strip()
    return default


def machine() -> dict[str, Any]:
    """The machine and software the numbers come from."""
    import duckdb

    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    dbt_version = subprocess.run(
        [str(BIN / "dbt"), "--version"], capture_output=True, text=True, check=False
    ).stdout
    mem_kb = int(first_line_value(meminfo, "MemTotal", "0 kB").split()[0])
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kb / 2**20, 1),
        "cpu": first_line_value(cpuinfo, "model name", platform.processor()),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "dbt": first_line_value(dbt_version, "- installed"),
    }


def run_settings(memory_limit: str) -> dict[str, Any]:
    """What varies between runs: DuckDB settings, date and how busy the machine was."""
    return {
        "duckdb_threads": DUCKDB_THREADS,
        "duckdb_memory_limit": memory_limit,
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%MZ"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.1f}" if isinstance(value, float) else str(value)


def fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def seconds(m: dict[str, Any] | None) -> str:
    """A measured time for the table; a failed run shows how long it ran before failing."""
    if not m:
        return "n/a"
    if not m["completed"]:
        return f"failed ({m['seconds']:,.0f} s, {m['peak_rss_mb']:,.0f} MB)"
    return f"{m['seconds']:,.1f}" + ("" if m["returncode"] == 0 else " *")


def equal_to_full(checks: dict[str, list[str]]) -> str:
    """'yes' when every refresh equalled its full build; else the differences per history."""
    if not checks:
        return "n/a"
    if not any(checks.values()):
        return "yes"
    return "NO: " + "; ".join(f"{days} d: {len(p)}" for days, p in checks.items() if p)


def markdown(info: dict[str, Any], runs: list[dict[str, Any]]) -> str:
    """results.md: the machine, then one table row per (size, DuckDB settings) run."""
    lines = [
        "# Warehouse benchmark",
        "",
        f"Machine: {info['nproc']} cores ({info['cpu']}), {info['memory_gib']} GiB RAM; "
        f"DuckDB {info['duckdb']}, dbt {info['dbt']}, Python {info['python']}.",
        "",
        "| raw records (365 d) | raw MB | DuckDB threads / limit | full build s | peak RSS MB "
        "| dbt start-up s | floor s | build/floor | (build - start-up)/floor | +1 day on 90 d s "
        "| +1 day on 365 d s | refresh/full | growth 90->365 | refresh = full build "
        "| run (UTC), load |",
        "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | --- | --- |",
    ]
    for r in runs:
        build, ratios, settings = r.get("full_build"), r["ratios"], r["settings"]
        lines.append(
            f"| {r['rows']:,} | {r['raw_mb']:,.0f} "
            f"| {settings['duckdb_threads']} / {settings['duckdb_memory_limit']} "
            f"| {seconds(build)} | {fmt(build['peak_rss_mb'] if build else None)} "
            f"| {seconds(r.get('startup'))} "
            f"| {seconds(r.get('floor'))} | {fmt_ratio(ratios.get('build_over_floor'))} "
            f"| {fmt_ratio(ratios.get('build_net_of_startup_over_floor'))} "
            f"| {seconds(r['refresh'].get('90'))} | {seconds(r['refresh'].get('365'))} "
            f"| {fmt_ratio(ratios.get('refresh_365_over_full'))} "
            f"| {fmt_ratio(ratios.get('growth_90_to_365'))} "
            f"| {equal_to_full(r.get('refresh_equals_full', {}))} "
            f"| {settings['date']}, {settings['load_average_at_start'][0]} |"
        )
    lines += [
        "",
        "Full build: `dbt build` (models, seeds, data tests; unit tests run in `make test`) of "
        "365 days into an empty file, after an untimed `dbt parse`. dbt start-up: the same "
        "build over a landing with no export file (dbt's fixed cost per run and node). +1 day: `dbt build` again on the warehouse of N days after the "
        "export of day N+1 landed (incremental models; marts and tests over all days). Floor: "
        "one DuckDB query over the same raw files (daily vendor-reported cost per provider and "
        "vendor model); its daily totals per provider are compared with fct_ai_costs in "
        "results.json (`floor_check`). * = every node ran but some data tests failed; failed = "
        "the build stopped (the error is in results.json).",
        "",
        "Where dbt spends the time (seconds of node execution per resource type; slowest nodes):",
        "",
    ]
    for r in runs:
        builds = [("full build", r.get("full_build"))] + [
            (f"+1 day on {days} d", r["refresh"].get(days)) for days in ("90", "365")]
        for label, m in builds:
            if m and m.get("node_seconds"):
                split = ", ".join(f"{kind} {sec:,.1f}" for kind, sec in m["node_seconds"].items())
                slow = ", ".join(f"{name} {sec:,.1f}" for name, sec in m["slowest_nodes"])
                lines.append(f"- {r['rows']:,} records, {label}: {split}; slowest: {slow}")
    return "\n".join(lines) + "\n"


def save(cache: Path, info: dict[str, Any], run: dict[str, Any]) -> list[dict[str, Any]]:
    """Adds a run to results.json (replacing an earlier run of the same size and settings)."""
    path = cache / "results.json"
    runs = json.loads(path.read_text()).get("runs", []) if path.exists() else []

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        settings = r["settings"]
        return r["target_rows"], settings["duckdb_threads"], settings["duckdb_memory_limit"]

    runs = sorted([r for r in runs if key(r) != key(run)] + [run], key=key)
    path.write_text(json.dumps({"machine": info, "runs": runs}, indent=2) + "\n")
    (cache / "results.md").write_text(markdown(info, runs))
    return runs


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", action="append", type=float,
                        help="raw records over 365 days (repeatable; default 1e6)")
    parser.add_argument("--cache", default="build/bench",
                        help="cache and output folder (default build/bench)")
    parser.add_argument("--skip-incremental", action="store_true",
                        help="full build and floor only")
    parser.add_argument("--memory-limit", default=os.environ.get("AI_FINOPS_MEMORY_LIMIT", "3GB"),
                        help="DuckDB memory limit of dbt and the floor"
                        " (default $AI_FINOPS_MEMORY_LIMIT or 3GB)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cache = Path(args.cache) if Path(args.cache).is_absolute() else ROOT / args.cache
    cache.mkdir(parents=True, exist_ok=True)
    info = machine()
    log(f"machine: {info['nproc']} cores, {info['memory_gib']} GiB; load {os.getloadavg()[0]:.2f}")
    calibration = calibrate(cache)
    runs: list[dict[str, Any]] = []
    for rows in sorted(int(r) for r in (args.rows or [1e6])):
        settings = run_settings(args.memory_limit)
        result = bench_size(rows, cache, calibration, not args.skip_incremental, args.memory_limit)
        runs = save(cache, info, {"settings": settings, **asdict(result)})
    print(markdown(info, runs), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
