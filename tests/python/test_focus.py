"""focus_ai_costs passes the official FOCUS 1.2 validator and the checks it does not make."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import ROOT, DbtResult

sys.path.insert(0, str(ROOT / "scripts"))
import validate_focus  # noqa: E402

FOCUS_1_2_COLUMNS = {
    "BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "PricingQuantity",
    "PricingUnit", "BillingAccountId", "BillingAccountName", "BillingCurrency",
    "BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd",
    "ChargeCategory", "ChargeClass", "ChargeDescription", "InvoiceIssuerName", "ProviderName",
    "PublisherName", "ServiceName", "ServiceCategory", "ChargeFrequency", "InvoiceId",
    "ServiceSubcategory", "AvailabilityZone", "BillingAccountType", "SubAccountId",
    "SubAccountName", "SubAccountType", "CapacityReservationId", "CapacityReservationStatus",
    "CommitmentDiscountCategory", "CommitmentDiscountId", "CommitmentDiscountName",
    "CommitmentDiscountQuantity", "CommitmentDiscountStatus", "CommitmentDiscountType",
    "CommitmentDiscountUnit", "ConsumedQuantity", "ConsumedUnit", "ListUnitPrice",
    "ContractedUnitPrice", "PricingCategory", "PricingCurrency",
    "PricingCurrencyEffectiveCost", "PricingCurrencyListUnitPrice",
    "PricingCurrencyContractedUnitPrice", "RegionId", "RegionName", "ResourceId",
    "ResourceName", "ResourceType", "SkuId", "SkuPriceId", "SkuMeter", "SkuPriceDetails",
    "Tags",
}


@pytest.fixture(scope="module")
def validation(sample_warehouse: DbtResult, tmp_path_factory: pytest.TempPathFactory):
    return validate_focus.validate(sample_warehouse.db_path, tmp_path_factory.mktemp("focus"))


def test_validator_reports_only_documented_defects(validation) -> None:
    assert validation.total == 578
    assert validation.errors == 0
    assert validation.unexpected == {}, validation.unexpected
    # the contradictory InvoiceId pair: exactly one of them fails
    assert len({"InvoiceId-C-004-C", "InvoiceId-C-005-C"} & set(validation.failed_rules)) == 1
    assert validation.total - validation.skipped - validation.failures >= 240


def test_all_57_columns_and_the_1_3_provider_columns(sample_warehouse: DbtResult) -> None:
    columns = {
        name
        for (name,) in sample_warehouse.query(
            "select column_name from information_schema.columns where table_name = 'focus_ai_costs'"
        )
    }
    assert len(FOCUS_1_2_COLUMNS) == 57
    assert FOCUS_1_2_COLUMNS <= columns
    assert {"ServiceProviderName", "HostProviderName"} <= columns
    assert all(c in FOCUS_1_2_COLUMNS | {"ServiceProviderName", "HostProviderName"}
               or c.startswith("x_") for c in columns)


def test_checks_the_validator_does_not_make(sample_warehouse: DbtResult) -> None:
    q = sample_warehouse.query
    categories = set(q('select distinct "ServiceName", "ServiceCategory", "ServiceSubcategory" from focus_ai_costs'))
    for service, category, subcategory in categories:
        if service in ("GitHub Copilot", "Cursor") or service.startswith(("copilot", "cursor")):
            assert (category, subcategory) == ("Developer Tools", "Development Environments")
        else:
            assert (category, subcategory) == ("AI and Machine Learning", "Generative AI")
    units = {u for (u,) in q('select distinct "PricingUnit" from focus_ai_costs where "PricingUnit" is not null')}
    assert "1000000 Tokens" in units
    assert not any("1M" in u or "1K" in u or u[0].islower() for u in units), units
    assert {u for (u,) in q('select distinct "ConsumedUnit" from focus_ai_costs')} >= {"Tokens"}
    # seats are Purchase rows, recurring, on no host
    seats = q(
        """select distinct "ChargeCategory", "ChargeFrequency", "HostProviderName", "ConsumedQuantity"
           from focus_ai_costs where "SkuMeter" = 'Seats' and x_Provider != 'github_copilot'"""
    )
    assert seats == [("Purchase", "Recurring", "Not Applicable", None)]
    # EffectiveCost-C-005-C is allowed only while no commitment purchase has a non-zero cost
    assert q(
        """select count(*) from focus_ai_costs where "ChargeCategory" = 'Purchase'
           and "CommitmentDiscountId" is not null and "EffectiveCost" != 0"""
    ) == [(0,)]
    # one SKU per model and token class: cached tokens never share input's SkuId
    assert q(
        """select count(*) from (select "SkuId" from focus_ai_costs
           group by 1 having count(distinct x_TokenClass) > 1)"""
    ) == [(0,)]


def test_billed_cost_matches_fct_per_provider(sample_warehouse: DbtResult) -> None:
    focus = dict(sample_warehouse.query(
        'select x_Provider, sum("BilledCost") from focus_ai_costs group by 1'))
    fct = dict(sample_warehouse.query(
        "select provider, sum(billed_cost) from fct_ai_costs where billed_cost is not null group by 1"))
    assert focus == fct
    assert all(isinstance(v, Decimal) for v in focus.values())
