"""Vendor model identifiers reach canonical models by rule (macros/pricing/vendor_model_key.sql).

Every price-book model must be reachable from the identifiers its vendors write: API ids
with and without a dated snapshot, Bedrock model ids, display names as GitHub Copilot and
Cursor report them. The forms are spelled here from each vendor's own conventions, not from
the rule; the rule's SQL and its Python mirror (finops_prices.vendor_model_key) must agree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import duckdb
import pytest
from dbt.cli.main import dbtRunner

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from finops_prices import PriceBook, load_models, resolve_model, vendor_model_key  # noqa: E402

# Identifiers from vendors' current API references and reports, and the model each names.
REAL_IDS: list[tuple[str, str, str | None]] = [
    ("openai", "gpt-4.1-mini-2025-04-14", "gpt-4-1-mini"),
    ("openai", "gpt-4.1-nano-2025-04-14", "gpt-4-1-nano"),
    ("openai", "gpt-5.1-2025-11-13", "gpt-5-1"),
    ("openai", "o3-mini-2025-01-31", "o3-mini"),
    ("openai", "o4-mini-2025-04-16", "o4-mini"),
    ("anthropic", "claude-opus-4-1-20250805", "claude-opus-4-1"),
    ("anthropic", "claude-3-5-haiku-20241022", "claude-haiku-3-5"),
    ("anthropic", "claude-3-5-haiku-latest", "claude-haiku-3-5"),
    ("aws_bedrock", "us.anthropic.claude-opus-4-1-20250805-v1:0", "claude-opus-4-1"),
    ("aws_bedrock", "Claude Sonnet 4.5 (Amazon Bedrock Edition)", "claude-sonnet-4-5"),
    ("azure_openai", "gpt-4o-mini-0718", "gpt-4o-mini"),
    ("github_copilot", "Claude Sonnet 4.5", "claude-sonnet-4-5"),
    ("github_copilot", "GPT-5.4", "gpt-5-4"),
    ("github_copilot", "Auto: GPT-5.4", "gpt-5-4"),
    ("github_copilot", "GPT-5 mini", "gpt-5-mini"),
    ("cursor", "claude-4.1-opus-thinking", "claude-opus-4-1"),
    ("cursor", "claude-4-sonnet", "claude-sonnet-4"),
    ("gcp_vertex", "Gemini 2.5 Pro", "gemini-2-5-pro"),
    ("aws_bedrock", "Claude4.6Sonnet", "claude-sonnet-4-6"),  # a usage-type token: an alias row
    # not in the price book, or not a model at all (Copilot products): no canonical model
    ("github_copilot", "Gemini 3.1 Pro", None),
    ("github_copilot", "Code Review model", None),
    ("github_copilot", "Coding Agent model", None),
    ("openai", "gpt-5-nano-2025-08-07", None),
]


def dotted(model: str) -> str:
    """A canonical id in the spelling of vendors that write versions with dots (gpt-4.1)."""
    return re.sub(r"(?<=\d)-(?=\d)", ".", model)


def display(model: str) -> str:
    """The display name GitHub Copilot and Cursor show (Claude Opus 4.1, GPT-4.1, Gemini 2.5 Pro)."""
    words = dotted(model).split("-")
    if words[0] == "gpt":
        return "GPT-" + " ".join([words[1], *words[2:]])
    return " ".join(w.capitalize() if not w[0].isdigit() else w for w in words)


def vendor_forms(provider: str, model: str) -> list[str]:
    """How the provider's exports write `model` (from each vendor's documented id style)."""
    if provider in ("openai", "azure_openai"):
        forms = [dotted(model), f"{dotted(model)}-2025-04-14", display(model)]
        return forms + ([f"{dotted(model)}-0806"] if provider == "azure_openai" else [])
    if provider in ("anthropic", "aws_bedrock"):
        family, *version = model.split("-")[1:]
        forms = [model, f"{model}-20250805", display(model), f"{display(model)} (Amazon Bedrock Edition)",
                 f"anthropic.{model}-20250805-v1:0", f"global.anthropic.{model}-v1:0",
                 f"claude-{dotted('-'.join(version))}-{family}"]  # Cursor's order
        if version and version[0] == "3":
            forms.append(f"claude-{'-'.join(version)}-{family}-20241022")  # Anthropic's older order
        return forms
    if provider == "gcp_vertex":
        return [dotted(model), display(model), display(model).lower()]
    return [model]


def price_book_forms() -> list[tuple[str, str, str]]:
    book = PriceBook.load()
    token_models = sorted({(r.provider, r.model) for r in book.rows if r.pricing_unit.endswith("Tokens")})
    assert len(token_models) > 60
    return [(provider, form, model) for provider, model in token_models
            for form in vendor_forms(provider, model)]


@pytest.mark.parametrize(("provider", "vendor_id", "expected"), REAL_IDS)
def test_real_vendor_ids_resolve(provider: str, vendor_id: str, expected: str | None) -> None:
    assert resolve_model(provider, vendor_id) == expected


def test_every_price_book_model_is_reachable_from_its_vendors_forms() -> None:
    unreached = [(provider, form, model) for provider, form, model in price_book_forms()
                 if resolve_model(provider, form) != model]
    assert unreached == []


def test_catalogue_keys_are_unambiguous() -> None:
    keys = [vendor_model_key(model) for model in load_models()]
    assert len(keys) == len(set(keys))


def test_sql_rule_equals_its_python_mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AI_FINOPS_DB_PATH", str(tmp_path / "compile.duckdb"))
    forms = sorted({form for _, form, _ in price_book_forms()} | {v for _, v, _ in REAL_IDS})
    result = dbtRunner().invoke([
        "compile", "--quiet", "--project-dir", str(ROOT), "--profiles-dir", str(ROOT),
        "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
        "--inline", "select vendor_model_id, {{ vendor_model_key('vendor_model_id') }} from forms",
    ])
    assert result.success, result.exception
    sql = result.result.results[0].node.compiled_code
    with duckdb.connect() as con:
        con.execute("create table forms (vendor_model_id varchar)")
        con.executemany("insert into forms values (?)", [(form,) for form in forms])
        sql_keys = dict(con.execute(sql).fetchall())
    assert len(forms) > 150
    assert sql_keys == {form: vendor_model_key(form) for form in forms}


def test_people_see_the_developers_spelling() -> None:
    models = load_models()
    shown = {model: row["model_name"] for model, row in models.items()}
    assert shown["gpt-4-1"] == "gpt-4.1" and shown["gpt-5-4-mini"] == "gpt-5.4-mini"
    assert shown["gemini-2-5-pro"] == "gemini-2.5-pro"
    assert shown["claude-opus-4-1"] == "claude-opus-4-1"  # Anthropic writes its versions with hyphens
    assert all(vendor_model_key(name) == vendor_model_key(model) for model, name in shown.items())
