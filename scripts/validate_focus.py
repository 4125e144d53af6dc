"""Runs the official FOCUS validator (focus-validator 2.2.1, FOCUS 1.2) on focus_ai_costs.

The table is exported from the DuckDB warehouse to Parquet (DECIMAL(38,10), TIMESTAMPTZ),
the validator runs in its own Python >= 3.12 environment (`.venv-focus`, or FOCUS_VENV),
and its JUnit report is parsed: the validator always exits 0, so this script decides.
Failures other than the documented rule-model defects (KNOWN_DEFECTS) make it exit 1. A defect
in ROW_SCOPED_DEFECTS is allowed only on the rows it names: the validator is run again on the
other rows, where the rule (and the composite rules over it) must pass.

    python scripts/validate_focus.py [--db PATH] [--out build/focus]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]

CRITERIA = ",".join(
    [
        "USAGE_MEASUREMENT_SUPPORTED",
        "PUBLIC_PRICE_LIST_SUPPORTED",
        "UNIT_PRICING_SUPPORTED",
        "SUB_ACCOUNT_SUPPORTED",
        "TAGGING_SUPPORTED",
        "NEGOTIATED_PRICING_SUPPORTED",
        "MULTIPLE_PRICING_CATEGORIES_SUPPORTED",
    ]
)

# Rule-model defects of model-1.2.0.1 (see README, "FOCUS validation"). Each is allowed only
# for the reason given; everything else must pass.
KNOWN_DEFECTS: dict[str, str] = {
    "InvoiceId-C-004-C": "contradicts InvoiceId-C-005-C (MUST be null vs MUST NOT be null, "
    "neither conditional): one of the two always fails",
    "InvoiceId-C-005-C": "contradicts InvoiceId-C-004-C: one of the two always fails",
    "CommitmentDiscountStatus-C-004-C": "condition inverted (CommitmentDiscountId IS NULL): "
    "every non-commitment Usage row fails",
    "EffectiveCost-C-005-C": "demands EffectiveCost 0 on every Purchase row; the spec's "
    "simple_saas_agreements example keeps EffectiveCost = BilledCost for seats; "
    "tests/python/test_focus.py asserts EffectiveCost 0 on Purchase rows with a "
    "CommitmentDiscountId",
    "ChargeDescription-C-002-M": "checks 'ChargeDescription MUST conform to StringHandling "
    "requirements' as ASCII only ('^[\\x00-\\x7F]*$'), while StringHandling (FOCUS 1.2, "
    "attributes/string_handling.md) sets no character set and requires that 'String values "
    "MUST maintain the original casing, spacing, and other relevant consistency factors as "
    "specified by providers': vendor descriptions are kept as written, such as a GCP SKU "
    "description with a \u2264200K context tier ('Gemini 2.5 Pro Text Input - Predictions "
    "\u2264200K'); allowed only on the rows whose ChargeDescription is not ASCII "
    "(ROW_SCOPED_DEFECTS)",
}


@dataclass(frozen=True)
class RowScope:
    """Where a defect may fail: `rows` (SQL over focus_ai_costs) are the rows it fails on by
    the defect alone; the validator is run again without them on the rules starting with
    `rerun`, and `rule` together with `composites` (the rules that AND it in) must pass."""

    rows: str
    rerun: str
    composites: tuple[str, ...] = ()


# The validator's own test of the defect (FormatStringGenerator), so that the scope is exactly
# the rows it rejects for not being ASCII; a failure on any other row still fails.
NON_ASCII_CHARGE_DESCRIPTION = (
    """"ChargeDescription" is not null and not ("ChargeDescription"::text ~ '^[\\x00-\\x7F]*$')"""
)

ROW_SCOPED_DEFECTS: dict[str, RowScope] = {
    "ChargeDescription-C-002-M": RowScope(
        rows=NON_ASCII_CHARGE_DESCRIPTION,
        rerun="ChargeDescription-C-",
        composites=("ChargeDescription-C-000-M",),
    ),
}


@dataclass
class ValidationResult:
    """Counts and failing rule ids from the validator's JUnit report."""

    total: int = 0
    failures: int = 0
    errors: int = 0
    skipped: int = 0
    failed_rules: dict[str, str] = field(default_factory=dict)
    # per row-scoped defect that failed: how many rows it was allowed on
    scoped_rows: dict[str, int] = field(default_factory=dict)
    # row-scoped defects (and their composites) still failing without their rows
    out_of_scope: dict[str, str] = field(default_factory=dict)

    def allowed(self, rule: str) -> bool:
        """A known defect (a row-scoped one only once check_row_scopes has found it failing on
        its rows alone), or a composite failing only through such a row-scoped defect."""
        if rule in self.out_of_scope:
            return False
        if rule in ROW_SCOPED_DEFECTS:
            return rule in self.scoped_rows
        if rule in KNOWN_DEFECTS:
            return True
        return any(rule in scope.composites and defect in self.scoped_rows
                   for defect, scope in ROW_SCOPED_DEFECTS.items())

    @property
    def unexpected(self) -> dict[str, str]:
        failed = {r: m for r, m in self.failed_rules.items() if not self.allowed(r)}
        return {**failed, **self.out_of_scope}


def focus_python() -> Path:
    """The validator environment's interpreter, with a clear message when it is missing."""
    venv = Path(os.environ.get("FOCUS_VENV", ROOT / ".venv-focus"))
    python = venv / "bin" / "python"
    if not python.exists():
        raise SystemExit(
            f"FOCUS validator environment not found at {venv}. Create it with "
            "`make focus-venv` (needs Python >= 3.12; set FOCUS_PYTHON to choose one)."
        )
    return python


def export_parquet(db: Path, target: Path, where: str = "true") -> int:
    """Writes the rows of focus_ai_costs matching `where` to Parquet; returns their count."""
    target.parent.mkdir(parents=True, exist_ok=True)
    query = f"select * from focus_ai_costs where {where}"
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute(f"copy ({query}) to '{target}' (format parquet)")
        return int(con.execute(f"select count(*) from ({query})").fetchone()[0])


def count_rows(db: Path, where: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return int(con.execute(f"select count(*) from focus_ai_costs where {where}").fetchone()[0])


def parse_junit(path: Path) -> ValidationResult:
    """Reads the validator's JUnit XML: totals and the rule id of each failure or error."""
    root = ET.parse(path).getroot()
    result = ValidationResult(
        total=int(root.get("tests", 0)),
        failures=int(root.get("failures", 0)),
        errors=int(root.get("errors", 0)),
        skipped=int(root.get("skipped", 0)),
    )
    for case in root.iter("testcase"):
        for child in case:
            if child.tag in ("failure", "error"):
                rule = (child.get("name") or case.get("name", "")).split(" :: ")[0].strip()
                result.failed_rules[rule] = (child.get("message") or child.text or "")[:300]
    return result


def run_validator(
    out: Path, parquet: str, junit: str, filter_rules: str | None = None
) -> ValidationResult:
    """Runs the validator in `out` on the Parquet file `parquet` (a name in `out`)."""
    python = focus_python()
    # the validator opens focus_validator/rules/currency_codes.csv by relative path
    package = subprocess.run(
        [str(python), "-c", "import focus_validator, os; print(os.path.dirname(focus_validator.__file__))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    rules = out / "focus_validator" / "rules"
    rules.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(package) / "rules" / "currency_codes.csv", rules / "currency_codes.csv")
    (out / junit).unlink(missing_ok=True)
    subprocess.run(
        [
            str(python), "-m", "focus_validator.main",
            "--data-file", parquet,
            "--validate-version", "1.2",
            "--block-download",
            "--output-type", "unittest",
            "--output-destination", junit,
            "--applicability-criteria", CRITERIA,
            *(["--filter-rules", filter_rules] if filter_rules else []),
        ],
        cwd=out, check=True, capture_output=True, text=True,
    )
    return parse_junit(out / junit)


def check_row_scopes(db: Path, out: Path, result: ValidationResult) -> None:
    """Each row-scoped defect that failed: allowed only if it (and its composites) pass on the
    rows outside its scope, and only if it has rows in scope at all."""
    for rule, scope in ROW_SCOPED_DEFECTS.items():
        if rule not in result.failed_rules:
            continue
        in_scope = count_rows(db, scope.rows)
        if in_scope == 0:
            result.out_of_scope[rule] = "fails with no row in its scope: " + result.failed_rules[rule]
            continue
        name = f"focus_ai_costs.{rule}.outside.parquet"
        export_parquet(db, out / name, f"not coalesce({scope.rows}, false)")
        rerun = run_validator(out, name, f"junit.{rule}.outside.xml", scope.rerun)
        still = {r: m for r, m in rerun.failed_rules.items() if r in (rule, *scope.composites)}
        if still:
            result.out_of_scope.update(
                {r: f"fails without the {in_scope} rows in scope: {m}" for r, m in still.items()})
        else:
            result.scoped_rows[rule] = in_scope


def validate(db: Path, out: Path) -> ValidationResult:
    """Exports, runs the validator in `out`, parses its report, and checks row-scoped defects."""
    out.mkdir(parents=True, exist_ok=True)
    export_parquet(db, out / "focus_ai_costs.parquet")
    result = run_validator(out, "focus_ai_costs.parquet", "junit.xml")
    check_row_scopes(db, out, result)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("AI_FINOPS_DB_PATH", "warehouse/ai_finops.duckdb"))
    parser.add_argument("--out", default="build/focus")
    args = parser.parse_args()
    db = Path(args.db) if Path(args.db).is_absolute() else ROOT / args.db
    result = validate(db, ROOT / args.out if not Path(args.out).is_absolute() else Path(args.out))
    print(
        f"FOCUS 1.2 validator: total {result.total} | failures {result.failures} | "
        f"errors {result.errors} | skipped {result.skipped}"
    )
    for rule in sorted(result.failed_rules.keys() | result.out_of_scope.keys()):
        if not result.allowed(rule):
            tag = "FAIL"
        elif rule in result.scoped_rows:
            tag = f"known defect on {result.scoped_rows[rule]} rows only"
        elif rule in KNOWN_DEFECTS:
            tag = "known defect"
        else:
            tag = "composite of a row-scoped known defect"
        message = result.out_of_scope.get(rule) or result.failed_rules[rule]
        print(f"  {tag}: {rule}: {message[:160]}")
    return 1 if result.unexpected else 0


if __name__ == "__main__":
    raise SystemExit(main())
