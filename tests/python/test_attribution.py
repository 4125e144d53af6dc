"""Attribute every dollar: rule priority, shared costs, seats, the user directory, unit
economics and the AI-system inventory.

Checked on the shipped sample (session fixture ``sample_warehouse``), except the user
directory, built here over two hand-written seats snapshots. Expected figures are
recomputed from the raw files (seats and activity CSVs, OpenAI usage pages, the gateway
log), from the seeds, or from ``fct_ai_costs`` rows with plain Python (helpers in
attribution_cases.py), never read back from the model under test. Budgets and the
forecast are checked in test_budgets_and_forecast.py.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

from attribution_cases import (
    CENT,
    JUNE,
    TINY,
    holders_by_team,
    read_csv_seed,
    read_seats,
    seat_total,
    usage_weights,
)
from conftest import DbtResult, build_warehouse

UNIT = Decimal("0.0000000001")  # the 1e-10 units of the exact splits


# ---------------------------------------------------------------------------------------
# Attribution by rule priority, every dollar somewhere
# ---------------------------------------------------------------------------------------


def test_rule_priority_picks_the_lowest_number_per_dimension(sample_warehouse: DbtResult) -> None:
    """eval-harness rows are hit by the project rule (10), the gateway key directory (70)
    and the default-environment rule (90): team from 10, agent from 70, environment from 90."""
    rules = read_csv_seed("attribution_rules")
    project_rule = next(
        r
        for r in rules
        if r["match_key"] == "sub_account_id" and r["match_value"] == "proj_datascience"
    )
    assert project_rule["priority"] == "10" and project_rule["agent"] == ""
    # the gateway log is the only source naming the key's agent: the last request wins
    requests = [
        json.loads(line)
        for path in sorted((sample_warehouse.raw_dir / "gateway").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    latest = max(
        (r for r in requests if r["api_key_id"] == "key_evalharness"),
        key=lambda r: r["timestamp"],
    )
    directory_agent, directory_team = latest["agent"], latest["team"]
    assert (directory_agent, directory_team) == ("eval-harness", "data-science")

    rows = sample_warehouse.query(
        """
        select distinct team, cost_center, agent, environment, attribution_rule_id
        from fct_ai_costs
        where provider = 'openai' and api_key_id = 'key_evalharness'
        """
    )
    assert rows == [
        (
            project_rule["team"],
            project_rule["cost_center"],
            directory_agent,
            "prod",
            project_rule["rule_id"],
        )
    ]


def test_seat_rows_take_the_cost_centre_rule_over_the_user_directory(
    sample_warehouse: DbtResult,
) -> None:
    """A Cursor seat-month matches cost-centre-code (50, its cc-<team>) and the seat
    holders' directory (80): the rule with 50 wins and names the seat's team."""
    seats = read_seats(sample_warehouse.raw_dir)
    expected = {(s.team, s.cost_center) for s in seats if s.product == "cursor_teams"}
    rows = sample_warehouse.query(
        """
        select distinct team, cost_center, attribution_rule_id
        from fct_ai_costs where provider = 'cursor' and cost_grain = 'seat'
        """
    )
    assert {(team, cc) for team, cc, _ in rows} == expected
    assert {rule for _, _, rule in rows} == {"cost-centre-code"}


def test_every_dollar_is_attributed_or_unallocated_per_day_and_provider(
    sample_warehouse: DbtResult,
) -> None:
    by_team = sample_warehouse.query(
        """
        select charge_on, provider, team, coalesce(sum(billed_cost), 0)
        from fct_ai_costs group by 1, 2, 3
        """
    )
    totals = dict(
        ((day, provider), total)
        for day, provider, total in sample_warehouse.query(
            """
            select charge_on, provider, coalesce(sum(billed_cost), 0)
            from fct_ai_costs group by 1, 2
            """
        )
    )
    summed: dict[tuple[date, str], Decimal] = defaultdict(Decimal)
    teams = set()
    for day, provider, team, total in by_team:
        summed[(day, provider)] += total
        teams.add(team)
    assert None not in teams
    assert teams == {"search", "support", "platform", "data-science", "finance", "unallocated"}
    assert summed == totals
    # the chargeback lines (shared costs split) keep every day and provider whole
    charged = dict(
        ((day, provider), total)
        for day, provider, total in sample_warehouse.query(
            """
            select charge_on, provider, coalesce(sum(billed_cost), 0)
            from int_ai_costs_charged_back group by 1, 2
            """
        )
    )
    assert charged.keys() == totals.keys()
    assert all(abs(charged[key] - totals[key]) < CENT for key in totals)
    # and what stays unallocated is explicit, never a null team
    unallocated = sample_warehouse.scalar(
        "select sum(billed_cost) from fct_ai_costs where team = 'unallocated'"
    )
    assert unallocated is not None


# ---------------------------------------------------------------------------------------
# Shared costs: one example per method
# ---------------------------------------------------------------------------------------


def chargeback_by_team(result: DbtResult, rule_id: str, month: date) -> dict[str, Decimal]:
    """A rule's allocated billed cost per receiving team in a month."""
    return dict(
        result.query(
            """
            select team, sum(billed_cost) from int_ai_costs_charged_back
            where allocation_rule_id = ? and billing_period_start_on = ?
            group by 1
            """,
            [rule_id, month],
        )
    )


def exact_split(
    cost: Decimal, weights: dict[tuple[str, str], Decimal]
) -> dict[tuple[str, str], Decimal]:
    """The documented split: floor(cost x w / W) in 1e-10 units, residue to the largest w."""
    units = int(cost / UNIT)
    weight_units = {key: int(w / UNIT) for key, w in weights.items()}
    total = sum(weight_units.values())
    shares = {key: units * w // total for key, w in weight_units.items()}
    largest = sorted(weights, key=lambda key: (-weights[key], key))[0]
    shares[largest] += units - sum(shares.values())
    return {key: Decimal(n) * UNIT for key, n in shares.items()}


def test_usage_share_splits_the_canary_by_the_providers_usage(sample_warehouse: DbtResult) -> None:
    """June 2026, Anthropic: the canary's cost goes to the teams by their Anthropic usage."""
    weights = usage_weights(sample_warehouse, "anthropic", JUNE)
    assert {team for team, _ in weights} == {"platform", "support", "data-science", "finance"}
    canary = sample_warehouse.query(
        """
        select charge_id, billed_cost from fct_ai_costs
        where provider = 'anthropic' and agent = 'canary' and billing_period_start_on = ?
        order by billed_cost desc, charge_id
        """,
        [JUNE],
    )
    assert len(canary) == 60  # 30 days x input and output rows
    total = sum(cost for _, cost in canary)
    weight_total = sum(weights.values())
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for (team, _), w in weights.items():
        expected[team] += total * w / weight_total
    anthropic_only = dict(
        sample_warehouse.query(
            """
            select team, sum(billed_cost) from int_ai_costs_charged_back
            where allocation_rule_id = 'canary-monitoring' and provider = 'anthropic'
                and billing_period_start_on = ?
            group by 1
            """,
            [JUNE],
        )
    )
    assert anthropic_only.keys() == expected.keys()
    for team, value in expected.items():
        assert abs(anthropic_only[team] - value) < TINY, team
    # one pool (the largest charge's), to the last 1e-10: floors plus the residue on the
    # largest weight, of the sum of the pool's charges
    charge_id, _ = canary[0]
    pool_key, pool_cost = sample_warehouse.query(
        """
        select shared.allocation_pool_key, sum(fct_ai_costs.billed_cost)
        from int_ai_costs_shared as shared
        inner join fct_ai_costs using (charge_id)
        where shared.allocation_pool_key = (
            select allocation_pool_key from int_ai_costs_shared where charge_id = ?
        )
        group by 1
        """,
        [charge_id],
    )[0]
    split = dict(
        ((team, cc), value)
        for team, cc, value in sample_warehouse.query(
            """
            select team, cost_center, billed_cost from int_ai_costs_charged_back
            where allocation_pool_key = ?
            """,
            [pool_key],
        )
    )
    # the canary books one charge per day and token class, so its pool is that charge alone
    assert pool_cost == canary[0][1]
    assert split == exact_split(pool_cost, weights)
    assert sum(split.values()) == pool_cost


def test_headcount_splits_chatgpt_seats_by_seat_holders(sample_warehouse: DbtResult) -> None:
    seats = read_seats(sample_warehouse.raw_dir)
    total = seat_total(seats, "chatgpt_enterprise", JUNE)
    holders = holders_by_team(seats, "chatgpt_enterprise", JUNE)
    assert total == Decimal(60) * sum(
        1 for s in seats if s.product == "chatgpt_enterprise" and s.overlaps(JUNE)
    )
    people = sum(holders.values())
    got = chargeback_by_team(sample_warehouse, "chatgpt-enterprise-seats", JUNE)
    assert got.keys() == holders.keys()
    for team, count in holders.items():
        assert abs(got[team] - total * count / people) < TINY, team
    assert abs(sum(got.values()) - total) < TINY


def test_fixed_percent_splits_claude_team_by_the_table(sample_warehouse: DbtResult) -> None:
    seats = read_seats(sample_warehouse.raw_dir)
    total = seat_total(seats, "claude_team", JUNE)
    table = {
        r["target_team"]: Decimal(r["percent"])
        for r in read_csv_seed("shared_cost_rules")
        if r["rule_id"] == "claude-team-seats"
    }
    assert sum(table.values()) == 100
    got = chargeback_by_team(sample_warehouse, "claude-team-seats", JUNE)
    assert got.keys() == table.keys()
    for team, percent in table.items():
        assert abs(got[team] - total * percent / 100) < TINY, team


def test_each_charge_and_pool_adds_up_exactly(sample_warehouse: DbtResult) -> None:
    """A direct row carries its charge's cost; a pool's rows add up to its charges' cost."""
    direct_broken = sample_warehouse.scalar(
        """
        select count(*) from int_ai_costs_charged_back as lines
        inner join fct_ai_costs using (charge_id)
        where lines.allocation_method = 'direct'
            and fct_ai_costs.billed_cost is distinct from lines.billed_cost
        """
    )
    assert direct_broken == 0
    pools = sample_warehouse.query(
        """
        with pool_charges as (
            select shared.allocation_pool_key, count(*) as charges,
                sum(fct_ai_costs.billed_cost) as billed_cost
            from int_ai_costs_shared as shared
            inner join fct_ai_costs using (charge_id)
            group by 1
        ),
        pool_lines as (
            select allocation_pool_key, max(charge_count) as charges,
                sum(billed_cost) as billed_cost
            from int_ai_costs_charged_back
            where allocation_pool_key is not null
            group by 1
        )
        select pool_charges.charges, pool_lines.charges,
            pool_charges.billed_cost, pool_lines.billed_cost
        from pool_charges full outer join pool_lines using (allocation_pool_key)
        """
    )
    assert pools, "the sample has shared charges"
    assert all(row[0] == row[1] and row[2] == row[3] for row in pools)
    # which charges are shared, and by which rule, restated from the seed in Python: every
    # filter '*' or equal to the charge's value; the lowest priority, then rule_id, wins
    rules = read_csv_seed("shared_cost_rules")
    filters = ("provider", "cost_grain", "token_class", "charge_category", "agent")
    expected: dict[str, str] = {}
    for charge_id, *values, team in sample_warehouse.query(
        f"select charge_id, {', '.join(filters)}, team from fct_ai_costs"
    ):
        charge = dict(zip(filters, values), attributed_team=team)
        matching = sorted(
            (int(rule["priority"]), rule["rule_id"]) for rule in rules
            if all(rule[key] in ("*", charge[key]) for key in (*filters, "attributed_team"))
        )
        if matching:
            expected[charge_id] = matching[0][1]
    got = dict(sample_warehouse.query(
        "select charge_id, allocation_rule_id from int_ai_costs_shared"))
    assert expected and got == expected
    # every shared charge is in int_ai_costs_shared once, every other one is direct
    shared, direct, charges = sample_warehouse.query(
        """
        select
            (select count(distinct charge_id) from int_ai_costs_shared),
            (select count(*) from int_ai_costs_charged_back where allocation_method = 'direct'),
            (select count(*) from fct_ai_costs)
        """
    )[0]
    assert shared + direct == charges


SEATS_HEADER = ("seat_id,provider,product,plan,user_email,team,cost_center,start_date,end_date,"
                "unit_price,currency,billing_period")


def test_user_directory_keeps_leavers_and_takes_the_newest_assignment(
    tmp_path: Path,
) -> None:
    """Two seats snapshots: bob left (absent from the newer one), alice moved team, dave
    joined. Every person of either snapshot stays in the directory with the team of the
    newest snapshot listing them (within it, the latest start)."""
    seats = tmp_path / "raw" / "seats"
    seats.mkdir(parents=True)
    (seats / "2026-05-01T0730Z_seats.csv").write_text("\n".join([
        SEATS_HEADER,
        "s1,openai,chatgpt_enterprise,enterprise,Alice@acme.example,platform,cc-platform,"
        "2025-01-01,,60,USD,annual",
        "s2,openai,chatgpt_enterprise,enterprise,bob@acme.example,search,cc-search,"
        "2025-02-01,,60,USD,annual",
        "s3,openai,chatgpt_enterprise,enterprise,carol@acme.example,support,cc-support,"
        "2025-03-01,,60,USD,annual",
    ]) + "\n")
    (seats / "2026-06-01T0730Z_seats.csv").write_text("\n".join([
        SEATS_HEADER,
        "s1,openai,chatgpt_enterprise,enterprise,alice@acme.example,platform,cc-platform,"
        "2025-01-01,2026-05-14,60,USD,annual",
        "s4,cursor,cursor_teams,teams,alice@acme.example,data-science,cc-data-science,"
        "2026-05-15,,40,USD,monthly",
        "s3,openai,chatgpt_enterprise,enterprise,carol@acme.example,support,cc-support,"
        "2025-03-01,,60,USD,annual",
        "s5,openai,chatgpt_enterprise,enterprise,dave@acme.example,finance,cc-finance,"
        "2026-05-20,,60,USD,annual",
    ]) + "\n")
    result = build_warehouse(tmp_path / "raw", tmp_path / "work",
                             select="stg_raw__files stg_seats__assignments int_user_directory",
                             unit_tests=False)
    assert result.returncode == 0, result.output[-3000:]
    directory = {
        email: (team, cost_center, assignments)
        for email, team, cost_center, assignments in result.query(
            "select user_email, team, cost_center, seat_assignments from int_user_directory"
        )
    }
    p = result.pseudonym  # people arrive pseudonymised (docs/privacy.md)
    assert directory == {
        p("alice@acme.example"): ("data-science", "cc-data-science", 2),
        p("bob@acme.example"): ("search", "cc-search", 0),  # left: keeps the last team
        p("carol@acme.example"): ("support", "cc-support", 1),
        p("dave@acme.example"): ("finance", "cc-finance", 1),
    }


# ---------------------------------------------------------------------------------------
# Seat utilisation
# ---------------------------------------------------------------------------------------


def test_chatgpt_seat_utilisation_for_may(sample_warehouse: DbtResult) -> None:
    month = date(2026, 5, 1)
    seats = [s for s in read_seats(sample_warehouse.raw_dir) if s.product == "chatgpt_enterprise"]
    billed = [s for s in seats if s.overlaps(month)]
    activity_file = next((sample_warehouse.raw_dir / "activity").glob("*_2026-05.csv"))
    with activity_file.open(newline="", encoding="utf-8") as handle:
        active_emails = {
            row["email"].lower() for row in csv.DictReader(handle) if row["is_active"] == "true"
        }
    holders = {s.user_email for s in billed}
    active = holders & active_emails
    idle_seats = {s.seat_id for s in billed} - {s.seat_id for s in billed if s.user_email in active}
    idle_cost = sum((s.unit_price for s in billed if s.seat_id in idle_seats), Decimal(0))
    seat_cost = sum((s.unit_price for s in billed), Decimal(0))

    row = sample_warehouse.query(
        """
        select paid_seats, seat_holders, active_users, idle_seats, seat_cost,
            idle_seat_cost, cost_per_active_user
        from mart_seat_utilisation
        where product = 'chatgpt_enterprise' and seat_month_on = ?
        """,
        [month],
    )[0]
    assert row[:4] == (len({s.seat_id for s in billed}), len(holders), len(active), len(idle_seats))
    assert (row[0], row[2], row[3]) == (27, 22, 5)
    assert row[4] == seat_cost == Decimal(1620)
    assert row[5] == idle_cost == Decimal(300)
    assert abs(row[6] - seat_cost / len(active)) < TINY
    # Claude Team has no activity export: unknown, never idle
    claude = sample_warehouse.query(
        """
        select active_users, idle_seats, cost_per_active_user, is_activity_known
        from mart_seat_utilisation where product = 'claude_team' and seat_month_on = ?
        """,
        [month],
    )
    assert claude == [(None, None, None, False)]


# ---------------------------------------------------------------------------------------
# Unit economics and the inventory
# ---------------------------------------------------------------------------------------


def test_unit_economics_cache_figures_from_the_raw_usage(sample_warehouse: DbtResult) -> None:
    """gpt-4o-mini on OpenAI, October 2026, from the usage pages: input_tokens includes
    the cached tokens; caching saves cached x (0.15 - 0.075) USD per 1M at list price."""
    start, end = date(2026, 10, 1), date(2026, 11, 1)
    inputs = cached = 0
    cached_batch = 0
    pages = sample_warehouse.raw_dir / "openai" / "usage_completions"
    for path in sorted(pages.glob("*2026-10*.json")):
        for bucket in json.loads(path.read_text(encoding="utf-8"))["data"]:
            day = datetime.fromtimestamp(bucket["start_time"], tz=timezone.utc).date()
            if not start <= day < end:
                continue
            for result in bucket["results"]:
                if result["model"] == "gpt-4o-mini-2024-07-18":
                    inputs += result["input_tokens"]
                    cached += result["input_cached_tokens"]
                    if result["batch"]:
                        cached_batch += result["input_cached_tokens"]
    assert cached_batch == 0  # the batch tier has no cached price to compare
    row = sample_warehouse.query(
        """
        select input_tokens, cached_input_tokens, cache_hit_rate, cache_savings
        from mart_unit_economics
        where provider = 'openai' and model = 'gpt-4o-mini' and billing_period_start_on = ?
        """,
        [start],
    )[0]
    assert (row[0], row[1]) == (inputs, cached)
    assert row[2] == round(Decimal(cached) / Decimal(inputs), 6)
    assert abs(row[3] - Decimal(cached) * (Decimal("0.15") - Decimal("0.075")) / 1_000_000) < TINY


def test_inventory_lists_the_bursty_agent(sample_warehouse: DbtResult) -> None:
    manifest = json.loads((sample_warehouse.raw_dir / "manifest.json").read_text(encoding="utf-8"))
    bursty = next(e for e in manifest["events"] if e["type"] == "bursty_agent")
    spend = sample_warehouse.scalar(
        "select sum(billed_cost_reporting) from fct_ai_costs where agent = 'eval-harness'"
    )
    row = sample_warehouse.query(
        """
        select ai_system_type, providers, teams, spend_to_date_reporting, first_seen_on
        from mart_ai_system_inventory where ai_system_name = 'eval-harness'
        """
    )[0]
    assert row[:3] == ("agent", "openai", "data-science")
    assert row[3] == spend
    assert row[4] == date.fromisoformat(bursty["details"]["burst_days"][0])
