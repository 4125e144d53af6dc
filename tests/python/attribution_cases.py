"""Raw files, seeds and recomputations shared by the attribution and forecast tests.

Readers of the shipped sample's raw files (the seats snapshots) and of the project's seeds,
and the plain-Python restatements of seat billing, seat holders and the usage_share basis
that test_attribution.py and test_budgets_and_forecast.py check the models against. Not a
test module: it defines no tests and runs no build.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from conftest import ROOT, DbtResult

CENT = Decimal("0.01")
TINY = Decimal("0.000001")
JUNE = date(2026, 6, 1)


# ---------------------------------------------------------------------------------------
# Raw files and seeds
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seat:
    """One row of the seats CSV."""

    seat_id: str
    product: str
    user_email: str
    team: str
    cost_center: str
    start: date
    end: date | None
    unit_price: Decimal

    def overlaps(self, month: date) -> bool:
        """True when the assignment is billed for `month` (any overlap)."""
        next_month = month_after(month)
        return self.start < next_month and (self.end is None or self.end > month)


def month_after(month: date) -> date:
    """First day of the month after `month`."""
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def read_seats(raw_dir: Path) -> list[Seat]:
    """Rows of the newest seats snapshot (each file is a full snapshot)."""
    newest = sorted((raw_dir / "seats").glob("*.csv"))[-1]
    with newest.open(newline="", encoding="utf-8") as handle:
        return [
            Seat(
                row["seat_id"],
                row["product"],
                row["user_email"].lower(),
                row["team"],
                row["cost_center"],
                date.fromisoformat(row["start_date"]),
                date.fromisoformat(row["end_date"]) if row["end_date"] else None,
                Decimal(row["unit_price"]),
            )
            for row in csv.DictReader(handle)
        ]


def read_csv_seed(name: str) -> list[dict[str, str]]:
    """A seed file of the project as dictionaries."""
    with (ROOT / "seeds" / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def seat_total(seats: list[Seat], product: str, month: date) -> Decimal:
    """Seat-months billed for a product in a month: one per overlapping assignment."""
    billed = (s.unit_price for s in seats if s.product == product and s.overlaps(month))
    return sum(billed, Decimal(0))


def holders_by_team(seats: list[Seat], product: str, month: date) -> dict[str, int]:
    """Distinct people per team holding a seat of `product` in `month`."""
    people: dict[str, set[str]] = defaultdict(set)
    for seat in seats:
        if seat.product == product and seat.overlaps(month) and seat.user_email:
            people[seat.team].add(seat.user_email)
    return {team: len(emails) for team, emails in people.items()}


# ---------------------------------------------------------------------------------------
# Shared costs: the usage_share basis
# ---------------------------------------------------------------------------------------


def usage_weights(result: DbtResult, provider: str, month: date) -> dict[tuple[str, str], Decimal]:
    """usage_share basis from fct rows: list cost (else billed) of the provider's Usage
    charges in the month per named (team, cost centre)."""
    rows = result.query(
        """
        select team, cost_center, sum(coalesce(list_cost, billed_cost, 0))
        from fct_ai_costs
        where provider = ? and billing_period_start_on = ? and charge_category = 'Usage'
            and team != 'unallocated'
        group by 1, 2
        """,
        [provider, month],
    )
    return {(team, cc): w for team, cc, w in rows if w > 0}
