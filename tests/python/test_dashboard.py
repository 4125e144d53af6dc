"""The dashboard (dashboard/, docs/dashboard.md) on the built sample.

Fast checks run the pages in-process with Streamlit's AppTest; the browser test serves the
app with `streamlit run` and drives Debian's Chromium (/usr/bin/chromium) headless with
Playwright. Every headline is compared with SQL written here, on the same file (never with
dashboard/data.py): on each page with the default filters and after one filter change. The
browser test also checks that every chart drew its series (legend entries, SVG marks), that no
page shows an exception or error box, and that no request leaves 127.0.0.1; it saves a
screenshot per page under build/dashboard/.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlparse

import duckdb
import pytest

from conftest import ROOT, DbtResult

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "build" / "dashboard"
NONE = "—"
Filters = dict[str, Any]  # start, end (first days of months), team, provider (None = all)
Expected = tuple[dict[str, str], dict[str, set[str] | None]]  # metrics, chart title -> legend


# -- the expected figures, from SQL on the file ---------------------------------------------


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[tuple]:
    return con.execute(sql, params).fetchall()


def money(pairs: list[tuple]) -> str:
    parts = [f"{float(a):,.2f} {c}" for c, a in sorted(pairs) if a is not None]
    return " + ".join(parts) if parts else NONE


def count(value: Any) -> str:
    return NONE if value is None else f"{int(value):,}"


def where(f: Filters, team: str | None = "team", provider: str | None = "provider") -> tuple[str, list[Any]]:
    sql, params = "", []
    if team and f["team"]:
        sql, params = sql + f" and {team} = ?", params + [f["team"]]
    if provider and f["provider"]:
        sql, params = sql + f" and {provider} = ?", params + [f["provider"]]
    return sql, params


def default_filters(con: duckdb.DuckDBPyConnection) -> Filters:
    months = [r[0] for r in rows(con, "select distinct billing_period_start_on from fct_ai_costs order by 1", [])]
    return {"start": months[max(0, len(months) - 12)], "end": months[-1], "team": None,
            "provider": None, "months": months}


def overview(con: duckdb.DuckDBPyConnection, f: Filters) -> Expected:
    m, label = f["end"], f["end"].strftime("%Y-%m")
    extra, p = where(f)
    fct = "from fct_ai_costs where billing_period_start_on = ?" + extra
    spend = lambda cond: money(rows(con, f"select reporting_currency, round(sum(billed_cost_reporting), 2) {fct} {cond} group by 1", [m, *p]))  # noqa: E731
    bextra, bp = where(f, team="scope_value", provider=None)
    budget = rows(con, "select budget_currency, round(sum(budget_amount), 2), round(sum(forecast_month_end), 2) "
                       "from mart_budget_status where scope_type = 'team' and budget_month_on = ?" + bextra + " group by 1", [m, *bp])
    in_range = "from fct_ai_costs where billing_period_start_on between ? and ?" + extra
    series = lambda col: {r[0] for r in rows(con, f"select distinct {col} {in_range}", [f["start"], m, *p])}  # noqa: E731
    return (
        {f"Spend in {label}": spend(""), f"Budget {label}": money([(c, b) for c, b, _ in budget]),
         f"Forecast {label}": money([(c, fc) for c, _, fc in budget]),
         "Vendor-reported": spend("and cost_source = 'vendor_reported'"),
         "Estimated (price book)": spend("and cost_source = 'estimated_from_price_book'"),
         "Unpriced charges": count(rows(con, f"select count(*) {fct} and billed_cost_reporting is null", [m, *p])[0][0])},
        {"Spend vs budget and forecast per team": {"actual to date", "forecast", "budget"},
         "Spend by provider per month": series("provider"), "Spend by model per month": None,
         "Vendor-reported vs estimated per month": series("cost_source")},
    )


def unit_economics(con: duckdb.DuckDBPyConnection, f: Filters) -> Expected:
    extra, p = where(f, team=None)
    src = "from mart_unit_economics where billing_period_start_on = ?" + extra
    head = rows(con, f"""select reporting_currency, sum(total_tokens),
        round(sum(effective_cost_per_1m_tokens * total_tokens) filter (where effective_cost_per_1m_tokens is not null)
              / sum(total_tokens) filter (where effective_cost_per_1m_tokens is not null), 2),
        round(100.0 * sum(cached_input_tokens) / sum(input_tokens), 1) {src} group by 1""", [f["end"], *p])
    saved = rows(con, f"select price_currency, round(sum(cache_savings), 2), round(sum(cheapest_model_savings), 2) "
                      f"{src} and price_currency is not null group by 1", [f["end"], *p])
    providers = lambda sql, args: {r[0] for r in rows(con, sql, args)}  # noqa: E731
    return (
        {"Tokens": count(sum(r[1] for r in head) if head else None),
         "Cost per 1M tokens": money([(c, v) for c, _, v, _ in head]),
         "Cache hit rate": f"{head[0][3]:.1f}%" if head and head[0][3] is not None else NONE,
         "Cache savings": money([(c, v) for c, v, _ in saved]),
         "Cheaper-model what-if": money([(c, v) for c, _, v in saved])},
        {"Cost per 1M tokens by model": providers(f"select distinct provider {src} and effective_cost_per_1m_tokens is not null", [f["end"], *p]),
         "Cache hit rate per month": providers("select distinct provider from mart_unit_economics where billing_period_start_on "
                                               "between ? and ? and input_tokens > 0" + extra, [f["start"], f["end"], *p])},
    )


def seats(con: duckdb.DuckDBPyConnection, f: Filters) -> Expected:
    extra, p = where(f, team=None)
    label = f["end"].strftime("%Y-%m")
    src = "from mart_seat_utilisation where seat_month_on = ?" + extra
    paid, active, idle = rows(con, f"select sum(paid_seats), sum(active_users) filter (where is_activity_known), "
                                   f"sum(idle_seats) filter (where is_activity_known) {src}", [f["end"], *p])[0]
    cost = rows(con, f"select billing_currency, round(sum(idle_seat_cost), 2) {src} and is_activity_known group by 1", [f["end"], *p])
    known = {r[0] for r in rows(con, "select distinct product from mart_seat_utilisation where is_activity_known "
                                     "and seat_month_on between ? and ?" + extra, [f["start"], f["end"], *p])}
    measures = {"paid seats"} | ({"active users", "idle seats"} if active is not None else set())
    return (
        {f"Paid seats {label}": count(paid), f"Active users {label}": count(active),
         f"Idle seats {label}": count(idle), f"Idle seat cost {label}": money(cost)},
        {f"Seats per product, {label}": measures, "Idle seat cost per month": known},
    )


def incidents(con: duckdb.DuckDBPyConnection, f: Filters) -> Expected:
    extra, p = where(f, team=None)
    found = rows(con, "select incident_type, severity, provider, magnitude from mart_pricing_incidents "
                      "where started_on >= ? and started_on < ? + interval 1 month" + extra, [f["start"], f["end"], *p])
    sizes = [r[3] for r in found if r[3] is not None]
    return (
        {"Incidents": count(len(found)), "Errors": count(sum(r[1] == "error" for r in found)),
         "Incident types": count(len({r[0] for r in found})),
         "Largest magnitude": f"×{max(sizes):.2f}" if sizes else NONE},
        {"Incidents by start day": {r[2] for r in found}} if found else {},
    )


def data_health(con: duckdb.DuckDBPyConnection, f: Filters, db_path: Path) -> Expected:
    exports = "select export_name from stg_raw__files"
    params: list[Any] = []
    if f["provider"]:
        exports = ("select distinct r.export_name from stg_raw__files r join fct_ai_costs c "
                   "on r.source_file = c.source_file or r.source_file = c.billed_source_file where c.provider = ?")
        params = [f["provider"]]
    files, records = rows(con, f"select count(*), sum(record_count) from stg_raw__files where export_name in ({exports})", params)[0]
    statuses = dict(rows(con, f"select record_status, count(*) from mart_rejected_rows where export_name in ({exports}) group by 1", params))
    extra, p = where(f, team=None)
    as_of = rows(con, "select max(charge_on) from fct_ai_costs where true" + extra, p)[0][0]
    written = dt.datetime.fromtimestamp(db_path.stat().st_mtime, tz=dt.timezone.utc)
    used = int(records or 0) - sum(statuses.values())
    return (
        {"Last refresh (UTC)": f"{written:%Y-%m-%d %H:%M}", "Data up to": as_of.isoformat() if as_of else NONE,
         "Raw files": count(files), "Rows read": count(records),
         "Rejected rows": count(statuses.get("rejected", 0)), "Superseded rows": count(statuses.get("superseded", 0))},
        {"Raw records per export": ({"used"} if used else set()) | set(statuses),
         **({"Rows not used, by reason": set(statuses)} if statuses else {})},
    )


def inventory(con: duckdb.DuckDBPyConnection, f: Filters) -> Expected:
    sql = ("from mart_ai_system_inventory where first_seen_on < ? + interval 1 month and last_seen_on >= ?")
    params: list[Any] = [f["end"], f["start"]]
    for column in ("team", "provider"):
        if f[column]:
            sql += f" and list_contains(string_split({column}s, ', '), ?)"
            params.append(f[column])
    systems = rows(con, f"select count(*) {sql}", params)[0][0]
    models = rows(con, f"select count(distinct m) from (select unnest(string_split(models, ', ')) as m {sql})", params)[0][0]
    spend = rows(con, f"select reporting_currency, round(sum(spend_to_date_reporting), 2), "
                      f"round(sum(spend_last_30_days_reporting), 2) {sql} group by 1", params)
    types = {r[0] for r in rows(con, f"select distinct ai_system_type {sql}", params)}
    return (
        {"AI systems": count(systems), "Models in use": count(models),
         "Spend to date": money([(c, s) for c, s, _ in spend]), "Spend last 30 days": money([(c, s) for c, _, s in spend])},
        {"Spend to date per AI system": types} if systems else {},
    )


# page: (url path, view module, expectations, filter change as a Filters update)
PAGES: list[tuple[str, str, str, Callable[..., Expected], dict[str, Any]]] = [
    ("overview", "", "overview", overview, {"team": "platform"}),
    ("unit-economics", "unit-economics", "unit_economics", unit_economics, {"provider": "anthropic"}),
    ("seats", "seats", "seats", seats, {"end": "previous month"}),
    ("pricing-incidents", "pricing-incidents", "incidents", incidents, {"provider": "anthropic"}),
    ("data-health", "data-health", "data_health", data_health, {"provider": "anthropic"}),
    ("ai-system-inventory", "ai-system-inventory", "inventory", inventory, {"team": "finance"}),
]


def expected(name: str, con: duckdb.DuckDBPyConnection, f: Filters, db_path: Path) -> Expected:
    fn = {p[0]: p[3] for p in PAGES}[name]
    return fn(con, f, db_path) if fn is data_health else fn(con, f)


def changed(f: Filters, change: dict[str, Any]) -> Filters:
    out = dict(f)
    for key, value in change.items():
        out[key] = f["months"][-2] if value == "previous month" else value
    return out


# -- fast: the pages in-process (AppTest) ---------------------------------------------------


def _page_script(view: str) -> None:
    import importlib

    from dashboard import ui

    ui.sidebar_filters()
    importlib.import_module(f"dashboard.views.{view}").render()


@pytest.mark.parametrize("name,view", [(p[0], p[2]) for p in PAGES])
def test_page_headlines_in_apptest(sample_warehouse: DbtResult, monkeypatch: pytest.MonkeyPatch, name: str, view: str) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("AI_FINOPS_DB_PATH", str(sample_warehouse.db_path))
    at = AppTest.from_function(_page_script, args=(view,), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    with sample_warehouse.connect() as con:
        metrics, _ = expected(name, con, default_filters(con), sample_warehouse.db_path)
    assert {m.label: m.value for m in at.metric} == metrics


def test_app_team_filter_in_apptest(sample_warehouse: DbtResult, monkeypatch: pytest.MonkeyPatch) -> None:
    """The entry point (navigation, default page Overview) and a team filter change."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("AI_FINOPS_DB_PATH", str(sample_warehouse.db_path))
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    assert not at.exception and not at.error
    at.multiselect(key="teams").select("search").run()
    assert not at.exception and not at.error
    with sample_warehouse.connect() as con:
        metrics, _ = overview(con, changed(default_filters(con), {"team": "search"}))
    assert {m.label: m.value for m in at.metric} == metrics


def test_cache_follows_the_file_and_opens_it_read_only(sample_warehouse: DbtResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard import data

    db = tmp_path / "copy.duckdb"
    shutil.copy(sample_warehouse.db_path, db)
    monkeypatch.setenv("AI_FINOPS_DB_PATH", str(db))
    opened: list[dict[str, Any]] = []
    real_connect = duckdb.connect
    monkeypatch.setattr(data.duckdb, "connect", lambda *a, **k: opened.append(k) or real_connect(*a, **k))
    with real_connect(str(db), read_only=True) as con:
        f = default_filters(con)
    filters = data.Filters(f["end"], f["end"])
    before = data.spend_by_cost_source(filters)
    assert opened and all(k.get("read_only") is True for k in opened)
    version = data.file_version(db)
    with real_connect(str(db)) as con:  # a rebuild that changes the month's spend
        con.execute("delete from fct_ai_costs where billing_period_start_on = ? and provider = 'openai'", [f["end"]])
        want = con.execute("select round(sum(billed_cost_reporting), 2) from fct_ai_costs where billing_period_start_on = ?",
                           [f["end"]]).fetchone()[0]
    assert data.file_version(db) != version
    after = data.spend_by_cost_source(filters)
    total = lambda frame: float(frame[frame["cost_source"].isna()]["billed"].iloc[0])  # noqa: E731
    assert total(after) == pytest.approx(float(want)) and total(after) < total(before)


# -- the browser test ---------------------------------------------------------------------

READ_PAGE = """() => ({
  metrics: Object.fromEntries(Array.from(document.querySelectorAll('[data-testid="stMetric"]')).map(m => [
    m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
    m.querySelector('[data-testid="stMetricValue"]').innerText.trim()])),
  charts: Array.from(document.querySelectorAll('[data-testid="stVegaLiteChart"]')).map(c => ({
    title: Array.from(c.querySelectorAll('g.role-title-text text')).map(t => t.textContent).join(' '),
    legend: Array.from(c.querySelectorAll('g.role-legend-label text')).map(t => t.textContent),
    marks: c.querySelectorAll('svg g.role-mark path, svg g.role-mark line').length})),
  errors: document.querySelectorAll('[data-testid="stException"], [data-testid="stAlertContentError"], [role="dialog"]').length,
  busy: document.querySelectorAll('[data-stale="true"], [data-testid="stStatusWidgetRunningIcon"], '
        + '[data-testid="stStatusWidgetRunningManIcon"], [data-testid="stSkeleton"]').length,
})"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def drawn(state: dict[str, Any], charts: dict[str, set[str] | None]) -> list[str]:
    """What is missing: charts not found, without marks, or whose legend is not the expected series."""
    problems = []
    for title, series in charts.items():
        found = [c for c in state["charts"] if c["title"].startswith(title)]
        if not found or found[0]["marks"] == 0:
            problems.append(f"chart {title!r} not drawn")
        elif series is not None and set(found[0]["legend"]) != series:
            problems.append(f"chart {title!r}: series {sorted(found[0]['legend'])} != {sorted(series)}")
        elif series is None and not found[0]["legend"]:
            problems.append(f"chart {title!r} has no series")
    return problems


def settle(page: Any, want: Expected, timeout: float = 30.0) -> dict[str, Any]:
    """Waits until the page shows `want` (headlines equal, charts drawn) and is idle."""
    deadline = time.monotonic() + timeout
    while True:
        state = page.evaluate(READ_PAGE)
        ok = (state["metrics"] == want[0] and not drawn(state, want[1]) and state["busy"] == 0)
        if ok or state["errors"] or time.monotonic() > deadline:
            return state
        page.wait_for_timeout(150)


def check(state: dict[str, Any], want: Expected, where: str) -> None:
    assert state["errors"] == 0, f"{where}: an exception, error box or dialog is shown"
    assert state["metrics"] == want[0], where
    assert not drawn(state, want[1]), (where, drawn(state, want[1]))


def change_filter(page: Any, change: dict[str, Any]) -> None:
    for key, value in change.items():
        if key == "end":  # the month range's end thumb, one month back
            page.locator('.st-key-months input[type="range"]').nth(1).focus()
            page.keyboard.press("ArrowLeft")
        else:
            page.locator(f".st-key-{key}s input").click()
            page.keyboard.type(value)
            page.keyboard.press("Enter")
            page.keyboard.press("Escape")


def test_dashboard_in_chromium(sample_warehouse: DbtResult, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing (`make test` installs it: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "AI_FINOPS_DB_PATH": str(sample_warehouse.db_path)}
    log = (tmp_path / "streamlit.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    requests: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "streamlit.log").read_text()
            time.sleep(0.3)
        SHOTS.mkdir(parents=True, exist_ok=True)
        with sample_warehouse.connect() as con, sync_playwright() as pw:
            defaults = default_filters(con)
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("request", lambda r: requests.append(r.url))
            page.on("websocket", lambda ws: requests.append(ws.url))
            for name, path, _, _, change in PAGES:
                page.goto(f"{base}/{path}")
                want = expected(name, con, defaults, sample_warehouse.db_path)
                check(settle(page, want), want, f"{name}, default filters")
                page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
                filtered = expected(name, con, changed(defaults, change), sample_warehouse.db_path)
                assert filtered[0] != want[0], f"{name}: the filter change {change} changes no headline"
                change_filter(page, change)
                check(settle(page, filtered), filtered, f"{name}, filter {change}")
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    outside = sorted({u for u in requests if urlparse(u).hostname not in {"127.0.0.1", "localhost"}})
    assert requests and not outside, outside
