#!/usr/bin/env python3
"""Compares the current token prices of ``seeds/price_book.csv`` with LiteLLM's price map.

LiteLLM (MIT licence) ships a machine-readable price map,
``litellm/model_prices_and_context_window_backup.json``, inside its PyPI wheel. The script
downloads the wheel of the pinned version once (``pip download --no-deps`` into
``build/cache/litellm/``), reads the JSON out of it with ``zipfile`` (litellm is never
installed) and compares, in exact ``Decimal`` per the price book's ``pricing_unit``, every
price point in force on the comparison day (today unless ``--on``) whose token class is a
token class (input, cached input, cache writes, output), in each service tier (standard,
batch, flex, priority) and context tier (standard, long) that LiteLLM also prices.

Mapping (``litellm_candidates``, ``litellm_field``):

* a model's LiteLLM names are its canonical id, the id with dots between version digits
  (``gpt-4-1`` -> ``gpt-4.1``), the Claude 3 order (``claude-haiku-3-5`` ->
  ``claude-3-5-haiku``) and its vendor ids in ``seeds/model_aliases.csv``;
* the provider picks the key shape and LiteLLM's ``litellm_provider``: OpenAI ``<name>``,
  Azure OpenAI ``azure/<name>``, Anthropic ``<name>`` (or a dated ``<name>-YYYYMMDD``),
  Bedrock ``anthropic.<name>`` then ``global.anthropic.<name>`` (any date or ``-vN:M``
  suffix; the global profile, never a geography's +10% one), Vertex ``<name>`` then
  ``gemini/<name>``; Cursor, which the book prices at the model developer's list price, is
  compared with the keys of the first-party provider listing the same model;
* token class -> field: input ``input_cost_per_token``, output ``output_cost_per_token``,
  cached_input ``cache_read_input_token_cost``, cache_write_5m and cache_write (Bedrock's one
  cache-write count, priced as the 5-minute write) ``cache_creation_input_token_cost``,
  cache_write_1h ``cache_creation_input_token_cost_above_1hr``; the long context tier adds
  ``_above_<N>k_tokens`` (the one threshold the entry has), a service tier ``_batches``,
  ``_flex`` or ``_priority``.

Output: the differences (ours vs LiteLLM, with the LiteLLM key), each marked ``allowed`` when
``tests/fixtures/price_comparison_allowlist.csv`` accepts it with the same two prices; the
stale allow-list entries; the models that could not be mapped; and the price points LiteLLM has
no field for. Exit code 0 when every difference is allowed and no entry is stale, 1 when not,
2 when the wheel or a file cannot be read.

Usage::

    .venv/bin/python scripts/compare_prices.py [--on YYYY-MM-DD] [--wheel PATH]
        [--price-book PATH] [--aliases PATH] [--allowlist PATH] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from finops_prices import PRICE_BOOK_PATH, TOKEN_CLASSES, PriceBook, PriceRow  # noqa: E402

LITELLM_VERSION = "1.110.2"
PRICE_MAP_MEMBER = "litellm/model_prices_and_context_window_backup.json"
CACHE_DIR = ROOT / "build" / "cache" / "litellm"
MODEL_ALIASES_PATH = ROOT / "seeds" / "model_aliases.csv"
ALLOWLIST_PATH = ROOT / "tests" / "fixtures" / "price_comparison_allowlist.csv"
ALLOWLIST_COLUMNS: tuple[str, ...] = (
    "provider",
    "model",
    "token_class",
    "service_tier",
    "context_tier",
    "our_price",
    "litellm_price",
    "reason",
)

TOKEN_CLASS_FIELDS: dict[str, str] = {
    "input": "input_cost_per_token",
    "output": "output_cost_per_token",
    "cached_input": "cache_read_input_token_cost",
    "cache_write_5m": "cache_creation_input_token_cost",
    "cache_write": "cache_creation_input_token_cost",
    "cache_write_1h": "cache_creation_input_token_cost_above_1hr",
    "audio_input": "input_cost_per_audio_token",
    "audio_output": "output_cost_per_audio_token",
    "image_input": "input_cost_per_image_token",
    "image_output": "output_cost_per_image_token",
}
SERVICE_TIER_SUFFIXES: dict[str, str] = {
    "standard": "",
    "batch": "_batches",
    "flex": "_flex",
    "priority": "_priority",
}
# provider -> (key templates in order of preference, LiteLLM providers accepted)
PROVIDER_KEYS: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "openai": (("{name}",), frozenset({"openai"})),
    "azure_openai": (("azure/{name}",), frozenset({"azure"})),
    "anthropic": (("{name}",), frozenset({"anthropic"})),
    "aws_bedrock": (
        ("anthropic.{name}", "global.anthropic.{name}"),
        frozenset({"bedrock", "bedrock_converse"}),
    ),
    "gcp_vertex": (("{name}", "gemini/{name}"), frozenset({"vertex_ai-language-models", "gemini"})),
}
# Providers that resell a developer's models at the developer's list price (an assumption of
# the price book, see its notes): compared with the keys of the first-party provider that
# lists the same model in the book.
RESELLERS: frozenset[str] = frozenset({"cursor"})
FIRST_PARTY: tuple[str, ...] = ("openai", "anthropic", "gcp_vertex")

_THRESHOLD_RE = re.compile(r"_above_(\d+)k_tokens")
_SNAPSHOT_RE = re.compile(r"(?:[-@]\d{8}|-\d{4}-\d{2}-\d{2})?(?:-v\d+(?::\d+)?)?$")
_BEDROCK_ID_RE = re.compile(r"^(?:[a-z]{2,6}\.)?anthropic\.")
_CLAUDE3_RE = re.compile(r"^claude-(haiku|sonnet|opus)-([0-3])(?:-(\d+))?$")
_SAFE_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")

PriceMap = Mapping[str, Mapping[str, Any]]
PointKey = tuple[str, str, str, str, str]
VendorIds = Mapping[str, Sequence[str]]  # canonical model -> vendor model ids


class PriceMapUnavailable(RuntimeError):
    """The pinned LiteLLM wheel could not be downloaded or read."""


# --------------------------------------------------------------------------- the price map


def ensure_wheel(cache_dir: Path = CACHE_DIR, version: str = LITELLM_VERSION) -> Path:
    """The cached wheel of litellm==`version`, downloaded with pip on first use."""
    pattern = f"litellm-{version}-*.whl"
    found = sorted(cache_dir.glob(pattern))
    if found:
        return found[0]
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Downloaded into a folder of its own, then renamed: a reader never sees half a wheel.
    staging = Path(tempfile.mkdtemp(prefix="download-", dir=cache_dir))
    command = [
        sys.executable, "-m", "pip", "download", f"litellm=={version}", "--no-deps",
        "--only-binary=:all:", "--disable-pip-version-check", "--quiet", "-d", str(staging),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
        downloaded = sorted(staging.glob(pattern))
        if done.returncode != 0 or not downloaded:
            raise PriceMapUnavailable(
                f"cannot download litellm=={version} ({' '.join(command)} exited {done.returncode}): "
                f"{(done.stderr or done.stdout).strip()[-2000:]}"
            )
        target = cache_dir / downloaded[0].name
        os.replace(downloaded[0], target)
        return target
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PriceMapUnavailable(f"cannot download litellm=={version} with pip: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load_price_map(wheel: Path) -> tuple[dict[str, dict[str, Any]], str]:
    """LiteLLM's price map read from the wheel (numbers as exact Decimal) and its SHA-256."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            raw = archive.read(PRICE_MAP_MEMBER)
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise PriceMapUnavailable(
            f"cannot read {PRICE_MAP_MEMBER} from {wheel} ({exc}); delete the file to download it again"
        ) from exc
    data = json.loads(raw, parse_float=Decimal)
    entries = {key: value for key, value in data.items() if isinstance(value, dict) and key != "sample_spec"}
    return entries, hashlib.sha256(raw).hexdigest()


def per_token(value: Any) -> Decimal | None:
    """A price-map number as Decimal (ints and Decimals; anything else is no price)."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return None
    return Decimal(value)


# --------------------------------------------------------------------------- mapping


def dotted(model: str) -> str:
    """Version digits joined by dots, the vendors' spelling: ``gpt-5-4-mini`` -> ``gpt-5.4-mini``."""
    return re.sub(r"(?<=\d)-(?=\d)", ".", model)


def claude3_order(model: str) -> str | None:
    """Claude 3.x ids put the version first: ``claude-haiku-3-5`` -> ``claude-3-5-haiku``."""
    match = _CLAUDE3_RE.match(model)
    if match is None:
        return None
    family, major, minor = match.groups()
    return f"claude-{major}-{minor}-{family}" if minor else f"claude-{major}-{family}"


def bare_vendor_id(vendor_id: str) -> str | None:
    """A vendor model id without Bedrock's region/vendor prefix and version suffix, or None."""
    name = _BEDROCK_ID_RE.sub("", vendor_id.strip().lower())
    name = re.sub(r"-v\d+(?::\d+)?$", "", name)
    return name if _SAFE_NAME_RE.match(name) else None


def load_vendor_ids(path: Path = MODEL_ALIASES_PATH) -> dict[str, list[str]]:
    """Canonical model -> the vendor model ids ``seeds/model_aliases.csv`` maps to it (none if absent)."""
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not {"vendor_model_id", "model"} <= set(reader.fieldnames or ()):
            raise ValueError(f"{path}: columns vendor_model_id and model are required")
        ids: dict[str, list[str]] = {}
        for rec in reader:
            ids.setdefault(rec["model"], []).append(rec["vendor_model_id"])
    return ids


def model_names(model: str, vendor_ids: VendorIds) -> list[str]:
    """The names LiteLLM may use for a canonical model, the canonical spellings first."""
    names = [model, dotted(model)]
    legacy = claude3_order(model)
    if legacy:
        names.append(legacy)
    for vendor_id in sorted(vendor_ids.get(model, ())):
        bare = bare_vendor_id(vendor_id)
        if bare:
            names.append(bare)
    return list(dict.fromkeys(names))


def snapshot_base(key: str) -> str:
    """A key without its snapshot date or version suffix (``-20250805-v1:0``, ``@20251001``)."""
    return _SNAPSHOT_RE.sub("", key)


@dataclass(frozen=True)
class KeyIndex:
    """The price map's keys by their snapshot-free form, for dated and versioned ids."""

    by_base: dict[str, list[str]]

    @classmethod
    def build(cls, price_map: PriceMap) -> KeyIndex:
        by_base: dict[str, list[str]] = {}
        for key in sorted(price_map):
            by_base.setdefault(snapshot_base(key), []).append(key)
        return cls(by_base)


def mapping_provider(provider: str, model: str, book: PriceBook) -> str | None:
    """Whose LiteLLM keys price (provider, model): itself, or for a reseller the first-party
    provider that lists the same model in the book."""
    if provider in PROVIDER_KEYS:
        return provider
    if provider in RESELLERS:
        return next((p for p in FIRST_PARTY if book.has_model(p, model)), None)
    return None


def litellm_candidates(
    provider: str, model: str, book: PriceBook, vendor_ids: VendorIds
) -> tuple[list[str], frozenset[str]]:
    """LiteLLM keys tried for (provider, model) in order, and the litellm_provider values accepted."""
    target = mapping_provider(provider, model, book)
    if target is None:
        return [], frozenset()
    templates, accepted = PROVIDER_KEYS[target]
    keys = [template.format(name=name) for template in templates for name in model_names(model, vendor_ids)]
    return list(dict.fromkeys(keys)), accepted


def resolve_key(
    provider: str,
    model: str,
    book: PriceBook,
    vendor_ids: VendorIds,
    price_map: PriceMap,
    index: KeyIndex | None = None,
) -> tuple[str | None, list[str]]:
    """The LiteLLM key of (provider, model), or None, and the keys tried.

    An exact key wins; else a dated or versioned snapshot of a tried key (first in sort order).
    """
    candidates, accepted = litellm_candidates(provider, model, book, vendor_ids)
    index = index or KeyIndex.build(price_map)

    def usable(key: str) -> bool:
        return key in price_map and price_map[key].get("litellm_provider") in accepted

    for key in candidates:
        if usable(key):
            return key, candidates
    for key in candidates:
        for snapshot in index.by_base.get(key, []):
            if usable(snapshot):
                return snapshot, candidates
    return None, candidates


def litellm_field(token_class: str, service_tier: str, context_tier: str, entry: Mapping[str, Any]) -> str | None:
    """The price-map field of a price point in `entry`, or None when LiteLLM has no such field."""
    base = TOKEN_CLASS_FIELDS.get(token_class)
    suffix = SERVICE_TIER_SUFFIXES.get(service_tier)
    if base is None or suffix is None:
        return None
    context = ""
    if context_tier == "long":
        thresholds = {m.group(1) for name in entry for m in [_THRESHOLD_RE.search(name)] if m}
        if len(thresholds) != 1:
            return None  # no long-context price, or several thresholds: not comparable
        context = f"_above_{thresholds.pop()}k_tokens"
    elif context_tier != "standard":
        return None
    name = f"{base}{context}{suffix}"
    return name if per_token(entry.get(name)) is not None else None


# --------------------------------------------------------------------------- comparison


@dataclass(frozen=True)
class Difference:
    """A current price point whose price differs from LiteLLM's (both per the book's pricing unit)."""

    provider: str
    model: str
    token_class: str
    service_tier: str
    context_tier: str
    ours: Decimal
    litellm: Decimal
    pricing_unit: str
    litellm_key: str
    litellm_field: str

    @property
    def key(self) -> PointKey:
        return (self.provider, self.model, self.token_class, self.service_tier, self.context_tier)


@dataclass(frozen=True)
class AllowEntry:
    """One accepted difference of the allow-list."""

    provider: str
    model: str
    token_class: str
    service_tier: str
    context_tier: str
    our_price: Decimal
    litellm_price: Decimal
    reason: str

    @property
    def key(self) -> PointKey:
        return (self.provider, self.model, self.token_class, self.service_tier, self.context_tier)

    def accepts(self, difference: Difference) -> bool:
        return (
            self.key == difference.key
            and self.our_price == difference.ours
            and self.litellm_price == difference.litellm
        )


@dataclass
class Comparison:
    """Everything one run found."""

    on: date
    compared: list[PointKey] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    allowed: list[Difference] = field(default_factory=list)
    not_allowed: list[Difference] = field(default_factory=list)
    stale: list[AllowEntry] = field(default_factory=list)
    unmapped: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    no_field: list[tuple[PointKey, str]] = field(default_factory=list)
    not_token_priced: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.not_allowed and not self.stale


def fmt(value: Decimal) -> str:
    """A price without exponent or trailing zeros: Decimal('2.50E+0') -> '2.5'."""
    return format(value.normalize(), "f")


def current_token_rows(book: PriceBook, on: date) -> list[PriceRow]:
    """Price points in force on `on` that price tokens."""
    return [
        row for row in book.rows
        if row.covers(on) and row.token_class in TOKEN_CLASSES and row.pricing_unit.endswith(" Tokens")
    ]


def load_allowlist(path: Path) -> list[AllowEntry]:
    """The allow-list CSV (exact columns, a reason on every row, no duplicate price point)."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != ALLOWLIST_COLUMNS:
            raise ValueError(f"{path}: columns must be {','.join(ALLOWLIST_COLUMNS)}")
        entries: list[AllowEntry] = []
        seen: set[PointKey] = set()
        for number, rec in enumerate(reader, start=2):
            entry = AllowEntry(
                provider=rec["provider"], model=rec["model"], token_class=rec["token_class"],
                service_tier=rec["service_tier"], context_tier=rec["context_tier"],
                our_price=Decimal(rec["our_price"]), litellm_price=Decimal(rec["litellm_price"]),
                reason=rec["reason"].strip(),
            )
            if not entry.reason:
                raise ValueError(f"{path}:{number}: every accepted difference needs a reason")
            if entry.key in seen:
                raise ValueError(f"{path}:{number}: duplicate entry {'/'.join(entry.key)}")
            seen.add(entry.key)
            entries.append(entry)
    return entries


def compare(
    book: PriceBook,
    vendor_ids: VendorIds,
    price_map: PriceMap,
    allowlist: Sequence[AllowEntry],
    on: date,
) -> Comparison:
    """Compares the book's current token prices with the price map and applies the allow-list."""
    result = Comparison(on=on)
    index = KeyIndex.build(price_map)
    token_models: set[tuple[str, str]] = set()
    for row in current_token_rows(book, on):
        token_models.add((row.provider, row.model))
        key, tried = resolve_key(row.provider, row.model, book, vendor_ids, price_map, index)
        if key is None:
            result.unmapped[(row.provider, row.model)] = tried
            continue
        entry = price_map[key]
        name = litellm_field(row.token_class, row.service_tier, row.context_tier, entry)
        if name is None or row.currency != "USD":
            result.no_field.append((row.key, key))
            continue
        unit_price = per_token(entry[name])
        assert unit_price is not None
        theirs = unit_price * row.block
        result.compared.append(row.key)
        if theirs != row.unit_price:
            result.differences.append(Difference(
                provider=row.provider, model=row.model, token_class=row.token_class,
                service_tier=row.service_tier, context_tier=row.context_tier, ours=row.unit_price,
                litellm=theirs, pricing_unit=row.pricing_unit, litellm_key=key, litellm_field=name,
            ))
    result.not_token_priced = sorted(
        {(r.provider, r.model) for r in book.rows if r.covers(on)} - token_models
    )
    for difference in result.differences:
        if any(entry.accepts(difference) for entry in allowlist):
            result.allowed.append(difference)
        else:
            result.not_allowed.append(difference)
    result.stale = [e for e in allowlist if not any(e.accepts(d) for d in result.differences)]
    return result


# --------------------------------------------------------------------------- report


def report(result: Comparison, source: str) -> str:
    """The run as plain text."""
    compared, different = len(result.compared), len(result.differences)
    lines = [
        f"Price book on {result.on.isoformat()} vs {source}",
        (
            f"{compared} current token price points compared: {compared - different} equal, "
            f"{different} different ({len(result.allowed)} allowed, {len(result.not_allowed)} not allowed); "
            f"{len(result.stale)} stale allow-list entries; {len(result.unmapped)} models not mapped; "
            f"{len(result.no_field)} price points without a LiteLLM field"
        ),
        "",
        "Differences (ours vs LiteLLM, per the price book's pricing unit):",
    ]
    for d in sorted(result.differences, key=lambda d: d.key):
        status = "allowed" if d in result.allowed else "NOT ALLOWED"
        lines.append(
            f"  {status:<11} {'/'.join(d.key)}: ours {fmt(d.ours)} vs LiteLLM {fmt(d.litellm)} "
            f"USD per {d.pricing_unit} [{d.litellm_key} {d.litellm_field}]"
        )
    if not result.differences:
        lines.append("  none")
    lines += ["", "Stale allow-list entries (no longer a difference with these two prices):"]
    for e in result.stale:
        lines.append(f"  {'/'.join(e.key)}: ours {fmt(e.our_price)} vs LiteLLM {fmt(e.litellm_price)}")
    if not result.stale:
        lines.append("  none")
    lines += ["", "Price-book models not mapped to a LiteLLM key (not compared):"]
    for (provider, model), tried in sorted(result.unmapped.items()):
        lines.append(f"  {provider}/{model} (tried {', '.join(tried) or 'no key shape for this provider'})")
    if not result.unmapped:
        lines.append("  none")
    lines += ["", "Price points LiteLLM has no field for (not compared):"]
    for point, key in sorted(result.no_field):
        lines.append(f"  {'/'.join(point)} [{key}]")
    if not result.no_field:
        lines.append("  none")
    if result.not_token_priced:
        lines += ["", "Not token-priced (out of scope): "
                  + ", ".join(f"{p}/{m}" for p, m in result.not_token_priced)]
    lines += ["", "OK" if result.ok else "FAILED: reconcile each difference (docs/pricing.md)"]
    return "\n".join(lines)


def run(
    on: date,
    wheel: Path | None = None,
    price_book: Path = PRICE_BOOK_PATH,
    aliases_path: Path = MODEL_ALIASES_PATH,
    allowlist_path: Path = ALLOWLIST_PATH,
    cache_dir: Path = CACHE_DIR,
) -> tuple[Comparison, str]:
    """Loads everything, compares, and returns the result and a description of the source."""
    wheel = wheel or ensure_wheel(cache_dir)
    price_map, digest = load_price_map(wheel)
    result = compare(
        PriceBook.load(price_book), load_vendor_ids(aliases_path), price_map,
        load_allowlist(allowlist_path), on,
    )
    try:
        shown = wheel.resolve().relative_to(ROOT)
    except ValueError:
        shown = wheel
    return result, f"LiteLLM {LITELLM_VERSION} price map ({shown}, {PRICE_MAP_MEMBER} sha256 {digest[:12]})"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--on", type=date.fromisoformat, default=date.today(),
                        help="compare the prices in force on this day (default today)")
    parser.add_argument("--wheel", type=Path, help=f"a litellm {LITELLM_VERSION} wheel (default: cached download)")
    parser.add_argument("--price-book", type=Path, default=PRICE_BOOK_PATH)
    parser.add_argument("--aliases", type=Path, default=MODEL_ALIASES_PATH)
    parser.add_argument("--allowlist", type=Path, default=ALLOWLIST_PATH)
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    args = parser.parse_args(argv)
    try:
        result, source = run(args.on, args.wheel, args.price_book, args.aliases, args.allowlist, args.cache_dir)
    except (PriceMapUnavailable, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report(result, source))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
