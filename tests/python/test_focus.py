"""focus_ai_costs passes the official FOCUS 1.2 validator and the checks it does not make."""

from __future__ import annotations

import json
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import duckdb
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
    assert validation.out_of_scope == {}
    # the contradictory InvoiceId pair: exactly one of them fails
    assert len({"InvoiceId-C-004-C", "InvoiceId-C-005-C"} & set(validation.failed_rules)) == 1
    assert validation.total - validation.skipped - validation.failures >= 240


NON_ASCII = "\u2264"  # '≤', in the sample's GCP Gemini 2.5 Pro SKU descriptions ('≤200K' tier)


def raw_gcp_rows_with(text: str, raw_dir: Path) -> dict[tuple[str, int], str]:
    """(file name, line number) -> sku.description of the raw GCP rows whose bytes hold `text`."""
    rows = {}
    for path in sorted((raw_dir / "gcp_billing").glob("*.jsonl")):
        for number, line in enumerate(path.read_bytes().split(b"\n"), start=1):
            if text.encode("utf-8") in line:
                rows[(path.name, number)] = json.loads(line)["sku"]["description"]
    return rows


def test_charge_description_keeps_the_vendor_string(sample_warehouse: DbtResult) -> None:
    """The raw file writes '≤' as UTF-8; staging, fct_ai_costs and ChargeDescription keep it."""
    raw = raw_gcp_rows_with(NON_ASCII, sample_warehouse.raw_dir)
    assert raw and all(NON_ASCII in d for d in raw.values())
    assert "Gemini 2.5 Pro Text Input - Predictions \u2264200K" in raw.values()
    focus = sample_warehouse.query(
        """select x_SourceFile, x_SourceRow, "ChargeDescription" from focus_ai_costs
           where not ("ChargeDescription" ~ '^[\\x00-\\x7F]*$')"""
    )
    # every raw row with the character is one charge, its description exactly the raw one
    assert {(Path(f).name, r): d for f, r, d in focus} == raw
    fct = sample_warehouse.query(
        "select vendor_sku, count(*) from fct_ai_costs where vendor_sku like ? group by 1",
        [f"%{NON_ASCII}%"])
    assert sum(n for _, n in fct) == len(raw)
    assert {d for d, _ in fct} == set(raw.values())


def test_ascii_rule_fails_only_on_the_non_ascii_descriptions(
    validation, sample_warehouse: DbtResult
) -> None:
    """ChargeDescription-C-002-M (ASCII only) is the documented defect on those rows alone."""
    non_ascii = len(raw_gcp_rows_with(NON_ASCII, sample_warehouse.raw_dir))
    assert set(validation.failed_rules) >= {"ChargeDescription-C-002-M", "ChargeDescription-C-000-M"}
    assert validation.scoped_rows == {"ChargeDescription-C-002-M": non_ascii}
    assert all(validation.allowed(rule) for rule in validation.failed_rules)


def scoped_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, descriptions: list[str],
                 fails_outside: bool) -> validate_focus.ValidationResult:
    """check_row_scopes on a focus_ai_costs of `descriptions`, the validator stubbed: the full
    run fails ChargeDescription-C-002-M and its composite; the run without the non-ASCII rows
    fails them again when `fails_outside`."""
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    db = work / "focus.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute('create table focus_ai_costs ("ChargeDescription" varchar)')
        con.executemany("insert into focus_ai_costs values (?)", [[d] for d in descriptions])
    failing = {"ChargeDescription-C-002-M": "Format check", "ChargeDescription-C-000-M": "Composite"}
    reruns: list[int] = []

    def rerun(out: Path, parquet: str, junit: str, filter_rules: str | None = None):
        assert filter_rules == "ChargeDescription-C-"
        with duckdb.connect() as con:
            reruns.append(con.execute(f"select count(*) from '{out / parquet}'").fetchone()[0])
        return validate_focus.ValidationResult(failed_rules=dict(failing) if fails_outside else {})

    monkeypatch.setattr(validate_focus, "run_validator", rerun)
    result = validate_focus.ValidationResult(failed_rules=dict(failing))
    validate_focus.check_row_scopes(db, work, result)
    result.reruns = reruns  # type: ignore[attr-defined]
    return result


def test_ascii_rule_failing_on_ascii_descriptions_still_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # only ASCII descriptions: nothing is in scope, the failure is unexpected
    result = scoped_check(tmp_path, monkeypatch, ["Gemini 2.5 Pro Thinking Text Output"], False)
    assert set(result.unexpected) == {"ChargeDescription-C-002-M", "ChargeDescription-C-000-M"}
    # a non-ASCII row, but the rule still fails on the ASCII rows: unexpected
    result = scoped_check(tmp_path, monkeypatch, ["a - Predictions \u2264200K", "b"], True)
    assert result.reruns == [1]  # type: ignore[attr-defined]
    assert set(result.unexpected) == {"ChargeDescription-C-002-M", "ChargeDescription-C-000-M"}
    # failing only because of the non-ASCII row: allowed, with its composite
    result = scoped_check(tmp_path, monkeypatch, ["a - Predictions \u2264200K", "b", None], False)
    assert result.reruns == [2]  # type: ignore[attr-defined]
    assert result.unexpected == {} and result.scoped_rows == {"ChargeDescription-C-002-M": 1}


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
