"""Azure cost-details exports in every documented schema (tests/fixtures/real/azure), built end to end.

The folder holds one file per schema (PROVENANCE.md): two real Enterprise Agreement exports of
Microsoft's FinOps toolkit, actual and amortized, with the older names (`Cost`,
`BillingCurrency`), and files constructed from the documented headers of EA 2024-08-01, MCA
2023-12-01-preview (amortized), MCA 2019-10-01 (PascalCase, `SubscriptionGuid`,
`InstanceName`) and pay-as-you-go 2019-11-01 (`UsageDateTime`, `UsageQuantity`,
`PreTaxCost`, `Currency`). They are copied into a raw folder as `azure_cost/` and built once.

Every figure is recomputed here with Python's csv module and Decimal from the files themselves:
the cost column of each file is the first of CostInBillingCurrency, Cost, PreTaxCost its header
has; a row is AI spend when its MeterSubCategory is `Azure OpenAI` or its MeterCategory names
Foundry; money is kept to 10 decimal places, half away from zero, as the warehouse keeps it.
A second build checks that a header no documented schema fits still stops with schema_drift.
"""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from conftest import FIXTURES, DbtResult, build_warehouse

AZURE = FIXTURES / "real" / "azure"
STAGING = "stg_azure__cost_details"
TEN_PLACES = Decimal("0.0000000001")

FTK_ACTUAL = "20231002T0600Z_ea_payg_legacy_actual_finops_toolkit.csv"
FTK_AMORTIZED = "20231002T0601Z_ea_payg_legacy_amortized_finops_toolkit.csv"
EA = "20260601T0600Z_ea_2024-08-01_actual_constructed.csv"
MCA_2019 = "20260601T0600Z_mca_2019-10-01_actual_constructed.csv"
MCA = "20260601T0600Z_mca_2023-12-01-preview_amortized_constructed.csv"
PAYG = "20260601T0600Z_payg_2019-11-01_constructed.csv"
FILES = (FTK_ACTUAL, FTK_AMORTIZED, EA, MCA_2019, MCA, PAYG)

COST_COLUMNS = ("costinbillingcurrency", "cost", "pretaxcost")
CURRENCY_COLUMNS = ("billingcurrency", "billingcurrencycode", "currency")

# A header of Cost Management's FOCUS export, which is not a cost-details schema
UNKNOWN_HEADER = (
    "BilledCost,BillingAccountId,BillingCurrency,ChargeCategory,ChargePeriodStart,"
    "ConsumedQuantity,ConsumedUnit,EffectiveCost,SubAccountId,x_SkuMeterCategory,"
    "x_SkuMeterSubcategory,x_SkuMeterName\n"
    "12.5,8611537,USD,Usage,2026-05-01T00:00:00Z,12.5,1M Tokens,12.5,sub-1,"
    "Cognitive Services,Azure OpenAI,gpt-4o-0806-Inp-glbl Tokens\n"
)
UNKNOWN_FILE = "20260601T0700Z_focus_1.0_export.csv"


def records(name: str) -> list[dict[str, str]]:
    """The data rows of a fixture, keyed by lower-case column name, in file order.

    No fixture has a blank line or a line break inside a field, so a row's position after
    the header is its source_row.
    """
    text = (AZURE / name).read_text(encoding="utf-8-sig")
    return [{key.lower(): value for key, value in row.items()}
            for row in csv.DictReader(text.splitlines())]


def cost_column(name: str) -> str:
    header = records(name)[0].keys()
    return next(column for column in COST_COLUMNS if column in header)


def currency(record: dict[str, str]) -> str:
    return next(record[c] for c in CURRENCY_COLUMNS if c in record).upper()


def money(text: str) -> Decimal:
    """A file's amount as the warehouse keeps money: 10 places, half away from zero."""
    return Decimal(text).quantize(TEN_PLACES, rounding=ROUND_HALF_UP)


def is_ai(record: dict[str, str]) -> bool:
    return (record["metersubcategory"] == "Azure OpenAI"
            or "Foundry" in record["metercategory"])


def subscription(record: dict[str, str]) -> str:
    return record.get("subscriptionid") or record["subscriptionguid"]


def month(record: dict[str, str]) -> str:
    text = record.get("date") or record["usagedatetime"]
    if "/" in text:  # MM/DD/YYYY
        return f"{text[6:10]}-{text[0:2]}"
    return text[0:7]


def superseded() -> set[tuple[str, int]]:
    """Rows whose subscription and month a newer file (by name) also covers: the newest
    export of a period wins it, so these must never count."""
    periods: dict[tuple[str, str], str] = {}
    for name in sorted(FILES):
        for record in records(name):
            periods[(subscription(record), month(record))] = name
    return {(name, row) for name in FILES
            for row, record in enumerate(records(name), start=1)
            if periods[(subscription(record), month(record))] != name}


@pytest.fixture(scope="module")
def azure(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    base = tmp_path_factory.mktemp("real_azure")
    landing = base / "raw" / "azure_cost"
    landing.mkdir(parents=True)
    for name in FILES:
        shutil.copyfile(AZURE / name, landing / name)
    result = build_warehouse(base / "raw", base / "work", unit_tests=False)
    assert result.returncode == 0, result.output[-5000:]
    return result


@pytest.fixture(scope="module")
def unknown_header(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    base = tmp_path_factory.mktemp("real_azure_unknown")
    landing = base / "raw" / "azure_cost"
    landing.mkdir(parents=True)
    shutil.copyfile(AZURE / FTK_ACTUAL, landing / FTK_ACTUAL)
    (landing / UNKNOWN_FILE).write_text(UNKNOWN_HEADER)
    return build_warehouse(
        base / "raw", base / "work", select=f"stg_raw__files {STAGING}",
        extra_env={"DBT_INDIRECT_SELECTION": "empty"})


def staged(azure: DbtResult, columns: str, where: str = "true") -> dict:
    return {(name, row): tuple(rest) for name, row, *rest in azure.query(
        f"select regexp_extract(source_file, '[^/]+$'), source_row, {columns}"
        f" from {STAGING} where {where}")}


def test_every_row_is_read_and_nothing_is_rejected(azure: DbtResult) -> None:
    rows = staged(azure, "rejected_reason")
    python_rows = {(name, row) for name in FILES
                   for row, _ in enumerate(records(name), start=1)}
    # by hand: 11 + 6 real rows, 6 + 5 + 5 + 3 constructed
    assert len(python_rows) == 36
    assert set(rows) == python_rows
    assert {reason for (reason,) in rows.values()} == {None}
    assert azure.query("select count(*) from mart_rejected_rows"
                       " where record_status = 'rejected'") == [(0,)]


def test_each_schema_is_recognised_from_its_header(azure: DbtResult) -> None:
    variants = {name: (variant, basis) for name, variant, basis in azure.query(
        f"select distinct regexp_extract(source_file, '[^/]+$'), schema_variant, cost_basis"
        f" from {STAGING}")}
    # by hand from each header (PROVENANCE.md) and, for the basis, its rows: the toolkit's
    # amortized file has usage under a reservation and a savings plan with a cost, the
    # constructed MCA file a PTU reservation's used and unused hours; the other files have
    # no covered usage with a cost and no Unused* row
    assert variants == {
        FTK_ACTUAL: ("ea_payg_legacy", "actual"),
        FTK_AMORTIZED: ("ea_payg_legacy", "amortized"),
        EA: ("ea", "actual"),
        MCA_2019: ("mca", "actual"),
        MCA: ("mca", "amortized"),
        PAYG: ("payg_2019_11", "actual"),
    }
    assert {name: cost_column(name) for name in FILES} == {
        FTK_ACTUAL: "cost", FTK_AMORTIZED: "cost", EA: "costinbillingcurrency",
        MCA_2019: "costinbillingcurrency", MCA: "costinbillingcurrency", PAYG: "pretaxcost",
    }


def test_staged_cost_per_file_equals_the_files_cost_column(azure: DbtResult) -> None:
    python_cost: dict[str, Decimal] = defaultdict(Decimal)
    python_currency: dict[str, set[str]] = defaultdict(set)
    for name in FILES:
        for record in records(name):
            python_cost[name] += money(record[cost_column(name)])
            python_currency[name].add(currency(record))
    # by hand, each row to 10 places:
    # toolkit actual: 3.25 + 0.00004 + 0.000011139 + 2.64 + 0 + 0 + 0.000002 + 0.21268368
    #   + 0 + 1.9584 + 0.4838709677 (0.4838709677419368 in the file)
    # toolkit amortized: 0.493152 + 0.0060000005 (0.006000000468) + 0.00006755
    #   + 0.0001188669 (0.0001188669167459011366) + 0.0000000073 (7.29e-9) + 0.65705256
    # EA: 3.801 + 3.1025 + 1 + 45.6 + 10.8 + 2.4; MCA 2019-10-01: 260 + 0 + 3.3 + 1.65 + 2.4
    # MCA 2023-12-01-preview: 12 + 1 + 1.12 + 1.024 + 0.5; pay-as-you-go: 0.99 + 0.135 + 0.1
    assert dict(python_cost) == {
        FTK_ACTUAL: Decimal("8.5450077867"),
        FTK_AMORTIZED: Decimal("1.1563909847"),
        EA: Decimal("66.7035"),
        MCA_2019: Decimal("267.35"),
        MCA: Decimal("15.644"),
        PAYG: Decimal("1.225"),
    }
    totals = {name: (cost, currencies) for name, cost, currencies in azure.query(
        f"select regexp_extract(source_file, '[^/]+$'), sum(cost_in_billing_currency),"
        f" list(distinct billing_currency) from {STAGING} group by 1")}
    assert totals == {name: (python_cost[name], sorted(python_currency[name]))
                      for name in FILES}
    assert {name: sorted(c) for name, c in python_currency.items()} == {
        FTK_ACTUAL: ["USD"], FTK_AMORTIZED: ["USD"], EA: ["EUR"], MCA_2019: ["USD"],
        MCA: ["GBP"], PAYG: ["EUR"],
    }


def test_billed_cost_per_file_equals_the_files_ai_cost(azure: DbtResult) -> None:
    out = superseded()
    python_rows = {}
    python_billed: dict[str, tuple[Decimal, str]] = {}
    for name in FILES:
        for row, record in enumerate(records(name), start=1):
            if is_ai(record) and (name, row) not in out:
                python_rows[(name, row)] = (money(record[cost_column(name)]),
                                            currency(record))
    for (name, _), (cost, code) in python_rows.items():
        total, _ = python_billed.get(name, (Decimal(0), code))
        python_billed[name] = (total + cost, code)
    # by hand: the toolkit's rows are virtual machines, storage, SQL, networking: no AI
    # EA: 3.801 + 3.1025 + 1 (gpt-4o input, output, cached) + 45.6 (48 PTU hours) EUR
    # MCA 2019-10-01: 260 (PTU reservation purchase) + 0 (its covered hours) + 3.3 + 1.65 USD
    # MCA 2023-12-01-preview: 12 + 1 (amortized PTU hours, used and unused) + 1.12 + 1.024 GBP
    # pay-as-you-go: 0.99 (gpt-4o-mini) + 0.135 (DeepSeek-R1, Foundry) EUR
    assert python_billed == {
        EA: (Decimal("53.5035"), "EUR"),
        MCA_2019: (Decimal("264.95"), "USD"),
        MCA: (Decimal("15.144"), "GBP"),
        PAYG: (Decimal("1.125"), "EUR"),
    }
    charges = azure.query(
        "select regexp_extract(source_file, '[^/]+$'), source_row, billed_cost,"
        " billing_currency, cost_source from fct_ai_costs where provider = 'azure_openai'")
    assert {(name, row): (cost, code) for name, row, cost, code, _ in charges} == python_rows
    assert {source for *_, source in charges} == {"vendor_reported"}
    billed = {name: (cost, code) for name, cost, code in azure.query(
        "select regexp_extract(billed_source_file, '[^/]+$'), sum(billed_cost),"
        " any_value(billing_currency) from fct_ai_costs where provider = 'azure_openai'"
        " group by 1")}
    assert billed == python_billed
    assert azure.scalar("select count(*) from fct_ai_costs") == len(python_rows)


def test_actual_and_amortized_of_one_month_never_both_count(azure: DbtResult) -> None:
    # The toolkit's two files are the same enrollment's September 2023, actual and amortized.
    # The amortized file is named later: it wins every subscription-month it has (9ec51cfd,
    # 64e355d7, 73c0021f), so the actual file's rows 6, 7, 10, 11 of those subscriptions
    # are superseded and its rows of 1caaa5a3 and ed570627 still count.
    assert superseded() == {(FTK_ACTUAL, row) for row in (6, 7, 10, 11)}
    listed = {(name, row) for name, row in azure.query(
        "select regexp_extract(source_file, '[^/]+$'), source_row from mart_rejected_rows"
        " where record_status = 'superseded'")}
    assert listed == superseded()
    assert azure.query(
        "select incident_type, provider from mart_pricing_incidents"
        " where incident_type = 'duplicate_export'") == [("duplicate_export", "azure_openai")]


def test_reservations_are_counted_once_per_basis(azure: DbtResult) -> None:
    rows = staged(azure, "charge_type, pricing_model, cost_in_billing_currency,"
                         " is_commitment_purchase, is_ai_spend, token_class")
    # actual: the reservation purchases are charges (the toolkit's VM reservation, 3.25
    # USD, and the constructed PTU reservation, 260 USD) and the hours they cover cost 0
    assert rows[(FTK_ACTUAL, 1)] == (
        "Purchase", "Reservation", Decimal("3.25"), True, False, None)
    assert rows[(MCA_2019, 1)][2:] == (Decimal(260), True, True, "other")
    assert rows[(MCA_2019, 2)][2:] == (Decimal(0), False, True, "ptu_hour")
    # amortized: the usage carries the reservation's and the savings plan's share, unused
    # reservation hours are a row of their own, and no purchase is there to count twice
    assert rows[(FTK_AMORTIZED, 1)][:3] == ("Usage", "Reservation", Decimal("0.493152"))
    assert rows[(FTK_AMORTIZED, 2)][:3] == ("Usage", "SavingsPlan", Decimal("0.0060000005"))
    assert rows[(MCA, 1)] == ("Usage", "Reservation", Decimal(12), False, True, "ptu_hour")
    assert rows[(MCA, 2)] == (
        "UnusedReservation", "Reservation", Decimal(1), False, True, "ptu_hour")
    assert [key for key, value in rows.items()
            if key[0] in (FTK_AMORTIZED, MCA) and value[3]] == []
    # by hand: one purchase (260); usage 53.5035 (EA) + 0 + 3.3 + 1.65 (MCA 2019-10-01)
    # + 15.144 (MCA amortized) + 1.125 (pay-as-you-go) = 74.7225
    assert azure.query(
        "select charge_category, sum(billed_cost) from fct_ai_costs"
        " where provider = 'azure_openai' group by 1 order by 1"
    ) == [("Purchase", Decimal(260)), ("Usage", Decimal("74.7225"))]


def test_columns_are_read_under_each_schemas_names(azure: DbtResult) -> None:
    rows = staged(azure, "subscription_id, resource_id, usage_on::varchar, quantity,"
                         " effective_price, payg_price, tokens")
    for name, row in [(EA, 1), (MCA_2019, 3), (MCA, 3), (PAYG, 1)]:
        record = records(name)[row - 1]
        resource = (record.get("resourceid") or record.get("instancename")
                    or record.get("instanceid"))
        quantity = Decimal(record.get("quantity") or record["usagequantity"])
        price = Decimal(record.get("effectiveprice") or record["resourcerate"])
        assert rows[(name, row)][:2] == (subscription(record), resource), name
        assert rows[(name, row)][3:5] == (quantity, price), name
    # by hand: dates as written (MM/DD/YYYY, ISO, ISO with a time); list prices from
    # PayGPrice (MCA 2023 in the pricing currency, USD), MarketPrice (MCA 2019-10-01), none
    # (pay-as-you-go); tokens = quantity x block: 1520.4 x 1K, 20000 x 1K, 3.5 x 1M, 1500 x 1K
    assert {key: value[2:3] + value[5:] for key, value in rows.items()
            if key in [(EA, 1), (MCA_2019, 3), (MCA, 3), (PAYG, 1)]} == {
        (EA, 1): ("2026-05-04", Decimal("0.0025"), 1520400),
        (MCA_2019, 3): ("2026-05-07", Decimal("0.000165"), 20000000),
        (MCA, 3): ("2026-05-06", Decimal("0.4"), 3500000),
        (PAYG, 1): ("2026-05-08", None, 1500000),
    }


def test_an_unknown_header_stops_with_schema_drift(unknown_header: DbtResult) -> None:
    result = unknown_header
    assert result.returncode != 0
    path = result.raw_dir / "azure_cost" / UNKNOWN_FILE
    assert (f"schema_drift in azure.cost_details: {path} is missing required column"
            " 'CostInBillingCurrency'") in result.output
    # only the file no schema fits is named: the real EA file with `Cost` passes
    logged = result.query(
        "select regexp_extract(source_file, '[^/]+$'), missing_column"
        " from main.raw_schema_drift_log where table_name = 'cost_details'")
    # BillingCurrency is there (FOCUS keeps the name); every other required column is not
    assert sorted(logged) == sorted((UNKNOWN_FILE, column) for column in (
        "CostInBillingCurrency", "Date", "MeterCategory", "MeterName", "MeterSubCategory",
        "Quantity", "SubscriptionId", "UnitOfMeasure"))
