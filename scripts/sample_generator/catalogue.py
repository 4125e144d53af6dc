"""Constants, vocabulary and model catalogue of the sample-data generator.

The dates below are those of the events the organisation lives through:

Real events always present when the window covers them
-------------------------------------------------------
* 2026-04-16: Opus traffic (``support-triage``, the canary, Copilot users) moves from
  ``claude-opus-4-6`` to ``claude-opus-4-7``; the new tokenizer produces 1.35x the tokens for
  the same text (same list price), so the same work costs 1.35x.
* 2026-06-01: GitHub Copilot premium requests ($0.04) are replaced by AI credits ($0.01).
* From 2026-09-15 part of ``code-review-bot`` runs on ``claude-sonnet-5-5``, whose cache-read
  price is cut from 0.20 to 0.10 on 2026-10-07 (an effective-dated price-book change, no drift).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


OPUS_SWITCH = date(2026, 4, 16)
COPILOT_CREDITS_FROM = date(2026, 6, 1)
SONNET55_FROM = date(2026, 9, 15)
BEDROCK_CROSS_REGION_FROM = date(2026, 7, 1)  # doc-summarizer moves to the US cross-region profile
BEDROCK_GLOBAL_FROM = date(2026, 8, 1)  # catalog-enricher moves to the global profile
OPENAI_UNCACHED_FIELD_FROM = date(2026, 7, 1)
AZURE_JSON_TAGS_FROM = date(2026, 7, 1)
GATEWAY_SAMPLE_EVERY = 200
JSON_PAGE_RESULTS = 20_000
CURSOR_PAGE_SIZE = 5_000
DOMAIN = "acme.example"
AWS_ACCOUNT = "123456789012"
GCP_BILLING_ACCOUNT = "01AB23-CD45EF-6789GH"
ZERO = Decimal(0)
CENT = Decimal("0.01")
TEN_DP = Decimal("1E-10")
THOUSAND = Decimal(1000)
MILLION = Decimal(1_000_000)


# --------------------------------------------------------------------------------------------
# Vocabulary and model catalogue
# --------------------------------------------------------------------------------------------

EXPORTS: tuple[str, ...] = (
    "openai/usage_completions",
    "openai/costs",
    "anthropic/usage_messages",
    "anthropic/cost_report",
    "aws_cur",
    "azure_cost",
    "gcp_billing",
    "github_copilot",
    "cursor/usage_events",
    "seats",
    "activity",
    "gateway",
)

ONLY_ALIASES: dict[str, tuple[str, ...]] = {
    "openai": ("openai/usage_completions", "openai/costs"),
    "anthropic": ("anthropic/usage_messages", "anthropic/cost_report"),
    "aws_bedrock": ("aws_cur",),
    "aws": ("aws_cur",),
    "aws_cur": ("aws_cur",),
    "azure_openai": ("azure_cost",),
    "azure": ("azure_cost",),
    "azure_cost": ("azure_cost",),
    "gcp_vertex": ("gcp_billing",),
    "gcp": ("gcp_billing",),
    "gcp_billing": ("gcp_billing",),
    "github_copilot": ("github_copilot",),
    "copilot": ("github_copilot",),
    "cursor": ("cursor/usage_events",),
    "seats": ("seats",),
    "activity": ("activity",),
    "gateway": ("gateway",),
}
for _export in EXPORTS:
    ONLY_ALIASES.setdefault(_export, (_export,))

API_PROVIDERS: tuple[str, ...] = ("openai", "anthropic", "aws_bedrock", "azure_openai", "gcp_vertex")
PROVIDER_EXPORTS: dict[str, tuple[str, ...]] = {
    "openai": ("openai/usage_completions", "openai/costs"),
    "anthropic": ("anthropic/usage_messages", "anthropic/cost_report"),
    "aws_bedrock": ("aws_cur",),
    "azure_openai": ("azure_cost",),
    "gcp_vertex": ("gcp_billing",),
}

TEAM_NAMES: tuple[str, ...] = (
    "search", "support", "platform", "data-science", "finance", "marketing", "legal",
    "security", "sales", "growth", "research", "operations",
)
ENGINEERING_TEAMS: frozenset[str] = frozenset(
    {"search", "platform", "data-science", "security", "growth", "research"}
)
FIRST_NAMES: tuple[str, ...] = (
    "Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kai",
    "Lena", "Marco", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tara", "Umar", "Vera",
    "Wei", "Xena", "Yusuf", "Zoe", "Aiko", "Bruno", "Carla", "Diego", "Emma", "Felix",
)
LAST_NAMES: tuple[str, ...] = (
    "Ruiz", "Okafor", "Martin", "Patel", "Novak", "Haddad", "Kim", "Laurent", "Silva", "Berg",
    "Tanaka", "Fischer", "Rossi", "Ali", "Nguyen", "Sharma", "Murphy", "Costa", "Cohen", "Singh",
    "Meyer", "Dubois", "Chen", "Ivanova", "Yilmaz", "Moreau", "Sato", "Almeida", "Garcia", "Lund",
)


@dataclass(frozen=True)
class ModelInfo:
    """A canonical model: family, developer, display name and tokenizer behaviour."""

    model: str
    family: str
    developer: str
    display: str
    chars_per_token: float  # characters per token of the family's reference tokenizer
    token_factor: float = 1.0  # tokens for the same text relative to the reference tokenizer


MODELS: dict[str, ModelInfo] = {
    m.model: m
    for m in (
        ModelInfo("claude-opus-4-6", "claude-opus", "anthropic", "Claude Opus 4.6", 3.6),
        ModelInfo("claude-opus-4-7", "claude-opus", "anthropic", "Claude Opus 4.7", 3.6, 1.35),
        ModelInfo("claude-sonnet-4", "claude-sonnet", "anthropic", "Claude Sonnet 4", 3.6),
        ModelInfo("claude-sonnet-4-5", "claude-sonnet", "anthropic", "Claude Sonnet 4.5", 3.6),
        ModelInfo("claude-sonnet-4-6", "claude-sonnet", "anthropic", "Claude Sonnet 4.6", 3.6),
        ModelInfo("claude-sonnet-5-5", "claude-sonnet", "anthropic", "Claude Sonnet 5.5", 3.6),
        ModelInfo("claude-haiku-4-5", "claude-haiku", "anthropic", "Claude Haiku 4.5", 3.6),
        ModelInfo("gpt-4o", "gpt-4o", "openai", "GPT-4o", 4.0),
        ModelInfo("gpt-4o-mini", "gpt-4o", "openai", "GPT-4o mini", 4.0),
        ModelInfo("gpt-4-1", "gpt-4-1", "openai", "GPT-4.1", 4.0),
        ModelInfo("gpt-5", "gpt-5", "openai", "GPT-5", 4.0),
        ModelInfo("gpt-5-mini", "gpt-5", "openai", "GPT-5 mini", 4.0),
        ModelInfo("gpt-5-nano", "gpt-5", "openai", "GPT-5 nano", 4.0),
        ModelInfo("o3", "o-series", "openai", "o3", 4.0),
        ModelInfo("gemini-2-5-pro", "gemini-pro", "google", "Gemini 2.5 Pro", 4.2),
        ModelInfo("gemini-2-5-flash", "gemini-flash", "google", "Gemini 2.5 Flash", 4.2),
    )
}

OPENAI_IDS: dict[str, str] = {
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-4-1": "gpt-4.1-2025-04-14",
    "gpt-5": "gpt-5-2025-08-07",
    "gpt-5-mini": "gpt-5-mini-2025-08-07",
    "o3": "o3-2025-04-16",
}
ANTHROPIC_IDS: dict[str, str] = {
    "claude-opus-4-6": "claude-opus-4-6",
    "claude-opus-4-7": "claude-opus-4-7",
    "claude-sonnet-4-6": "claude-sonnet-4-6",
    "claude-sonnet-4-5": "claude-sonnet-4-5-20250929",
    "claude-haiku-4-5": "claude-haiku-4-5-20251001",
    "claude-sonnet-5-5": "claude-sonnet-5-5",
}
BEDROCK_TOKENS: dict[str, str] = {"claude-sonnet-4-6": "Claude4.6Sonnet", "claude-haiku-4-5": "Claude4.5Haiku"}
BEDROCK_MODEL_IDS: dict[str, str] = {
    "claude-sonnet-4-6": "anthropic.claude-sonnet-4-6-v1:0",
    "claude-haiku-4-5": "anthropic.claude-haiku-4-5-20251001-v1:0",
    "claude-sonnet-4-5": "anthropic.claude-sonnet-4-5-20250929-v1:0",
}
BEDROCK_MARKETPLACE: dict[str, str] = {"claude-sonnet-4-5": "Claude Sonnet 4.5 (Amazon Bedrock Edition)"}
GATEWAY_IDS: dict[str, dict[str, str]] = {
    "openai": OPENAI_IDS,
    "anthropic": ANTHROPIC_IDS,
    "gcp_vertex": {"gemini-2-5-pro": "gemini-2.5-pro", "gemini-2-5-flash": "gemini-2.5-flash"},
}
CURSOR_IDS: dict[str, str] = {
    "claude-sonnet-4": "claude-4-sonnet",
    "claude-sonnet-4-5": "claude-4.5-sonnet",
    "gpt-5": "gpt-5",
}
# Copilot: model display name (report `model` column), multiplier, token profile per request
# (input, share of input read from cache, output) used for AI credits.
COPILOT_MODELS: dict[str, tuple[str, Decimal]] = {
    "claude-sonnet-4-6": ("Claude Sonnet 4.6", Decimal(1)),
    "gemini-2-5-pro": ("Gemini 2.5 Pro", Decimal(1)),
    "claude-opus-4-6": ("Claude Opus 4.6", Decimal(3)),
    "claude-opus-4-7": ("Claude Opus 4.7", Decimal("7.5")),
    "gpt-5-mini": ("GPT-5 mini", Decimal(0)),
}
COPILOT_TOKENS: dict[str, tuple[int, float, int]] = {
    "claude-sonnet-4-6": (24_000, 0.6, 1_200),
    "gemini-2-5-pro": (20_000, 0.0, 1_000),
    "claude-opus-4-6": (30_000, 0.6, 1_500),
    "claude-opus-4-7": (30_000, 0.6, 1_500),
    "gpt-5-mini": (15_000, 0.5, 800),
}
LIST_PROVIDER: dict[str, str] = {"anthropic": "anthropic", "openai": "openai", "google": "gcp_vertex"}

# Prices the vendor bills for models that the price book deliberately lacks (unpriced_model).
SHADOW_PRICES: dict[str, dict[str, Decimal]] = {
    "gpt-5-nano": {"input": Decimal("0.05"), "cached_input": Decimal("0.005"), "output": Decimal("0.40")},
}


def canonical_from_vendor_id(vendor_id: str) -> str:
    """Best-effort canonical id for an injected unknown model id (dates and dots removed)."""
    parts = vendor_id.lower().replace(".", "-").split("-")
    while parts and parts[-1].isdigit() and len(parts[-1]) >= 2 and len(parts) > 2:
        parts.pop()
    return "-".join(parts)
