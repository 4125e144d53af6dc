"""Price book and model alias helpers shared by the sample-data generator and its tests.

The list prices live in exactly one place, ``seeds/price_book.csv``; this module only reads
it. ``PriceBook.price()`` answers "what was the list price of this (provider, model,
token_class, service_tier, context_tier) on this day" using the effective-dated ranges of the
seed (``effective_from`` inclusive, ``effective_to`` exclusive, blank = open), and
``PriceBook.cost()`` turns a quantity in base units (tokens, requests, credits, seat-months)
into money with exact ``Decimal`` arithmetic.

Only the standard library is used.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRICE_BOOK_PATH = ROOT / "seeds" / "price_book.csv"
MODEL_ALIASES_PATH = ROOT / "seeds" / "model_aliases.csv"
MODELS_PATH = ROOT / "seeds" / "models.csv"

PRICE_BOOK_COLUMNS: tuple[str, ...] = (
    "provider",
    "model",
    "token_class",
    "service_tier",
    "context_tier",
    "unit_price",
    "currency",
    "pricing_unit",
    "effective_from",
    "effective_to",
    "source_url",
    "notes",
)
MODEL_ALIAS_COLUMNS: tuple[str, ...] = ("provider", "vendor_model_id", "model")
MODEL_COLUMNS: tuple[str, ...] = ("model", "model_name", "model_family", "model_developer",
                                 "model_version")

PROVIDERS: frozenset[str] = frozenset(
    {
        "openai",
        "anthropic",
        "aws_bedrock",
        "azure_openai",
        "gcp_vertex",
        "github_copilot",
        "cursor",
    }
)
TOKEN_CLASSES: frozenset[str] = frozenset(
    {"input", "cached_input", "cache_write_5m", "cache_write_1h", "cache_write", "output",
     "audio_input", "audio_output", "image_input", "image_output"}
)
NON_TOKEN_CLASSES: frozenset[str] = frozenset(
    {
        "request",
        "premium_request",
        "ai_credit",
        "ai_unit",
        "ptu_hour",
        "seat",
        "web_search",
        "code_execution",
        "storage",
        "other",
    }
)
SERVICE_TIERS: frozenset[str] = frozenset({"standard", "batch", "priority", "flex"})
CONTEXT_TIERS: frozenset[str] = frozenset({"standard", "long"})

# FOCUS Unit Format: an optional whole-number block size followed by a capitalised unit.
_UNIT_RE = re.compile(r"^(?:(?P<block>[1-9][0-9]*) )?(?P<unit>[A-Z][A-Za-z]*(?:-[A-Z][A-Za-z]*)?)$")

PriceKey = tuple[str, str, str, str, str]


def block_size(pricing_unit: str) -> int:
    """Number of base units in one pricing block: ``'1000000 Tokens'`` -> 1000000, ``'Requests'`` -> 1."""
    match = _UNIT_RE.match(pricing_unit)
    if match is None:
        raise ValueError(f"pricing_unit is not in FOCUS unit format: {pricing_unit!r}")
    return int(match.group("block") or 1)


def _parse_date(value: str) -> date | None:
    return date.fromisoformat(value) if value.strip() else None


@dataclass(frozen=True)
class PriceRow:
    """One effective-dated list price of the price book."""

    provider: str
    model: str
    token_class: str
    service_tier: str
    context_tier: str
    unit_price: Decimal
    currency: str
    pricing_unit: str
    effective_from: date | None
    effective_to: date | None
    source_url: str
    notes: str

    @property
    def key(self) -> PriceKey:
        return (self.provider, self.model, self.token_class, self.service_tier, self.context_tier)

    @property
    def block(self) -> int:
        return block_size(self.pricing_unit)

    def covers(self, day: date) -> bool:
        """True when the price is in force on `day` (from inclusive, to exclusive)."""
        if self.effective_from is not None and day < self.effective_from:
            return False
        return self.effective_to is None or day < self.effective_to


class PriceBook:
    """The effective-dated list prices of ``seeds/price_book.csv``."""

    def __init__(self, rows: list[PriceRow]) -> None:
        self.rows: list[PriceRow] = rows
        self._by_key: dict[PriceKey, list[PriceRow]] = {}
        for row in rows:
            self._by_key.setdefault(row.key, []).append(row)
        for versions in self._by_key.values():
            versions.sort(key=lambda r: r.effective_from or date.min)
        self._models: set[tuple[str, str]] = {(key[0], key[1]) for key in self._by_key}

    @classmethod
    def load(cls, path: Path = PRICE_BOOK_PATH) -> "PriceBook":
        """Reads the CSV seed (exact column list required)."""
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if tuple(reader.fieldnames or ()) != PRICE_BOOK_COLUMNS:
                raise ValueError(f"{path}: columns must be {','.join(PRICE_BOOK_COLUMNS)}")
            rows = [
                PriceRow(
                    provider=rec["provider"],
                    model=rec["model"],
                    token_class=rec["token_class"],
                    service_tier=rec["service_tier"],
                    context_tier=rec["context_tier"],
                    unit_price=Decimal(rec["unit_price"]),
                    currency=rec["currency"],
                    pricing_unit=rec["pricing_unit"],
                    effective_from=_parse_date(rec["effective_from"]),
                    effective_to=_parse_date(rec["effective_to"]),
                    source_url=rec["source_url"],
                    notes=rec["notes"],
                )
                for rec in reader
            ]
        return cls(rows)

    def has_model(self, provider: str, model: str) -> bool:
        """True when the book lists any price for (provider, model)."""
        return (provider, model) in self._models

    def price(
        self,
        provider: str,
        model: str,
        token_class: str,
        on: date,
        service_tier: str = "standard",
        context_tier: str = "standard",
    ) -> PriceRow | None:
        """The price row in force on `on`, or None when the book has no such price."""
        for row in self._by_key.get((provider, model, token_class, service_tier, context_tier), ()):
            if row.covers(on):
                return row
        return None

    def require(
        self,
        provider: str,
        model: str,
        token_class: str,
        on: date,
        service_tier: str = "standard",
        context_tier: str = "standard",
    ) -> PriceRow:
        """Like `price` but raises a clear error when the book has no price."""
        row = self.price(provider, model, token_class, on, service_tier, context_tier)
        if row is None:
            raise KeyError(
                f"price book has no price for {provider}/{model}/{token_class}/"
                f"{service_tier}/{context_tier} on {on.isoformat()}"
            )
        return row

    def unit_cost(
        self,
        provider: str,
        model: str,
        token_class: str,
        on: date,
        service_tier: str = "standard",
        context_tier: str = "standard",
    ) -> Decimal:
        """Exact price of ONE base unit (one token, one request, ...)."""
        row = self.require(provider, model, token_class, on, service_tier, context_tier)
        return row.unit_price / Decimal(row.block)

    def cost(
        self,
        provider: str,
        model: str,
        token_class: str,
        quantity: int | Decimal,
        on: date,
        service_tier: str = "standard",
        context_tier: str = "standard",
    ) -> Decimal:
        """Exact list cost of `quantity` base units: quantity / block × unit_price."""
        row = self.require(provider, model, token_class, on, service_tier, context_tier)
        return Decimal(quantity) * row.unit_price / Decimal(row.block)

    def problems(self) -> list[str]:
        """Validation messages: vocabulary, unit format, empty ranges and overlapping ranges."""
        issues: list[str] = []
        for row in self.rows:
            where = "/".join(row.key)
            if row.provider not in PROVIDERS:
                issues.append(f"{where}: unknown provider")
            if row.token_class not in TOKEN_CLASSES | NON_TOKEN_CLASSES:
                issues.append(f"{where}: unknown token_class")
            if row.service_tier not in SERVICE_TIERS:
                issues.append(f"{where}: unknown service_tier")
            if row.context_tier not in CONTEXT_TIERS:
                issues.append(f"{where}: unknown context_tier")
            if row.model != row.model.lower() or " " in row.model or "." in row.model:
                issues.append(f"{where}: model id is not canonical")
            if not row.source_url.startswith("https://"):
                issues.append(f"{where}: source_url missing")
            if row.unit_price < 0:
                issues.append(f"{where}: negative price")
            try:
                block_size(row.pricing_unit)
            except ValueError as exc:
                issues.append(f"{where}: {exc}")
            if row.token_class in TOKEN_CLASSES and row.pricing_unit != "1000000 Tokens":
                issues.append(f"{where}: token prices must be per '1000000 Tokens'")
            if row.effective_from and row.effective_to and row.effective_to <= row.effective_from:
                issues.append(f"{where}: empty effective range")
        for key, versions in self._by_key.items():
            for earlier, later in zip(versions, versions[1:]):
                if earlier.effective_to is None or (
                    later.effective_from is not None and later.effective_from < earlier.effective_to
                ):
                    issues.append(f"{'/'.join(key)}: overlapping effective ranges")
        return issues


@dataclass(frozen=True)
class ModelAlias:
    """One row of ``seeds/model_aliases.csv``: a vendor identifier no rule resolves."""

    provider: str
    vendor_model_id: str
    model: str


def _read_rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != columns:
            raise ValueError(f"{path}: columns must be {','.join(columns)}")
        return list(reader)


def load_model_aliases(path: Path = MODEL_ALIASES_PATH) -> dict[tuple[str, str], ModelAlias]:
    """(provider, vendor_model_id) -> alias row."""
    aliases: dict[tuple[str, str], ModelAlias] = {}
    for rec in _read_rows(path, MODEL_ALIAS_COLUMNS):
        alias = ModelAlias(**rec)
        key = (alias.provider, alias.vendor_model_id)
        if key in aliases:
            raise ValueError(f"{path}: duplicate alias {key}")
        aliases[key] = alias
    return aliases


def load_models(path: Path = MODELS_PATH) -> dict[str, dict[str, str]]:
    """Canonical model -> its row of ``seeds/models.csv`` (family, developer, version)."""
    return {rec["model"]: rec for rec in _read_rows(path, MODEL_COLUMNS)}


# The rule of macros/pricing/vendor_model_key.sql, step by step (see there for why).
_KEY_STEPS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^auto:\s*"), ""),
    (re.compile(r"\s*\([^)]*\)$"), ""),
    (re.compile(r"^([a-z]{2,6}\.)?(anthropic|openai|google|meta|amazon)\.|-v\d+(:\d+)?$"), ""),
    (re.compile(r"[^a-z0-9]+"), "-"),
)
_SNAPSHOT = re.compile(r"(-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|latest))?(-thinking)?$")
_OLD_ORDER = re.compile(r"^claude-(\d+(-\d+)?)-([a-z]+)")


def vendor_model_key(vendor_model_id: str) -> str:
    """The key under which a vendor's model identifier names a canonical model."""
    key = vendor_model_id.strip().lower()
    for pattern, replacement in _KEY_STEPS:
        key = pattern.sub(replacement, key)
    key = _SNAPSHOT.sub("", key.strip("-"), count=1)
    return _OLD_ORDER.sub(r"claude-\3-\1", key, count=1)


def resolve_model(provider: str, vendor_model_id: str,
                  aliases: dict[tuple[str, str], ModelAlias] | None = None,
                  models: dict[str, dict[str, str]] | None = None) -> str | None:
    """The canonical model a vendor identifier names: an alias row, else the rule; None if neither."""
    aliases = load_model_aliases() if aliases is None else aliases
    models = load_models() if models is None else models
    lowered = {(p, v.lower()): a.model for (p, v), a in aliases.items()}
    hit = lowered.get((provider, vendor_model_id.lower()))
    if hit is not None:
        return hit
    by_key = {vendor_model_key(model): model for model in models}
    return by_key.get(vendor_model_key(vendor_model_id))
