#!/usr/bin/env python3
"""Deterministic generator of AI-vendor billing and usage exports (the shipped ``data/sample``).

Usage::

    python scripts/generate_sample_data.py --out DIR --start 2026-03-01 --days N --seed S \\
        --teams T --users U --scale X [--inject NAME[:DATE[:MAGNITUDE]][@TARGET][,...]] \\
        [--only VENDOR,...] [--aws-format csv|csv.gz] [--jobs N] [--no-progress] [--horizon D]

The shipped sample is exactly (see ``SAMPLE_ARGS``)::

    python scripts/generate_sample_data.py --out data/sample --start 2026-03-01 --days 272 \\
        --seed 42 --teams 5 --users 40 --scale 1 --inject duplicate_export:2026-05-15:1@openai/costs

Everything is a pure function of the options: the same options give byte-identical files.
``--horizon D`` draws the world (people, joiners and leavers, seats, workload schedules) over D
days from ``--start`` while writing only ``--days`` of exports: landings with the same horizon
and consecutive ``--days`` are one organisation exported on consecutive days (the month-to-date
exports grow by a day, the seats snapshot lists what is known that day), as a daily landing
is; without it, a landing of N + 1 days is a different world from one of N days.
Random draws come from ``random.Random`` streams keyed by (seed, stream, day), one stream per
vendor, so ``--only`` writes exactly the files a full run would write for those vendors.
List prices are read from ``seeds/price_book.csv`` (the only place they live): every
vendor-reported cost equals quantity x the list price in force that day (times an injected
``unit_price_change`` factor, if any), so a clean run shows no price drift. Rounding follows
each vendor: OpenAI, Anthropic, AWS, Azure and Google report unrounded amounts (exact decimals,
at most 10 decimal places, so quantity x price reproduces them exactly); GitHub reports whole
cents (quantities are chosen so that gross amounts are exact); Cursor rounds ``totalCents`` to
two decimals (hundredths of a cent). ``--jobs N`` spreads the exports over N processes; the
bytes written do not depend on N.

World
=====
``--teams`` teams (search, support, platform, data-science, finance, marketing, legal, ...),
``--users`` people per business unit (heavy-tailed lognormal activity, joiners and leavers),
API workloads (agents and personal keys) per provider, seats per person. ``--scale X``
replicates the business unit ``ceil(X)`` times (distinct projects, keys, users, orgs) and
multiplies activity by ``X / ceil(X)``; row volume is therefore linear in ``X``. The canary job
exists once. Days are UTC. Weekends are quieter; usage grows a few percent a month.

Agents: ``search-ranker`` and ``search-reindex`` (OpenAI gpt-4o-mini, batch), ``eval-harness``
(OpenAI gpt-5/o3, BURSTY: zero for one to four weeks, then thousands of calls in a day or two),
``support-triage`` (Anthropic Opus, the stable API key), ``code-review-bot`` (Anthropic Sonnet,
prompt caching, priority tier), ``research-assistant`` (Anthropic Sonnet 4.5 + web search),
``doc-summarizer`` and ``catalog-enricher`` (Bedrock), ``helpdesk-bot`` / ``invoice-extractor``
/ ``query-planner`` (Azure OpenAI), ``finance-reconciler`` / ``query-rewriter`` (Vertex AI),
``canary`` (gateway canary job).

Attribution handles (business unit k > 1 appends ``_u000k`` to ids and ``-u000k`` to names):
OpenAI ``project_id`` ``proj_<team without dashes>``; Anthropic ``workspace_id``
``wrkspc_<team without dashes>`` (the finance team uses the default workspace: null); API keys
``key_<agent|user>`` / ``apikey_<agent|user>`` (null = Workbench); AWS ``line_item_iam_principal``
(``role/<agent>``, ``user/<name>``) and ``resource_tags`` (``user_team``, ``iamPrincipal/team``);
Azure ``Tags`` (``team``, ``env``, ``agent``) and ``CostCenter`` ``cc-<team>``; GCP ``labels``
(``team``, ``agent``; none on Gemini API rows) and projects ``acme-<team>-prod``; Copilot
``cost_center_name`` ``cc-<team>``; seats ``team`` and ``cost_center`` ``cc-<team>``; the
gateway's ``agent``/``team`` map API keys to agents and teams.

Real events always present when the window covers them
-------------------------------------------------------
* 2026-04-16: Opus traffic (``support-triage``, the canary, Copilot users) moves from
  ``claude-opus-4-6`` to ``claude-opus-4-7``; the new tokenizer produces 1.35x the tokens for
  the same text (same list price), so the same work costs 1.35x.
* 2026-06-01: GitHub Copilot premium requests ($0.04) are replaced by AI credits ($0.01).
* From 2026-09-15 part of ``code-review-bot`` runs on ``claude-sonnet-5-5``, whose cache-read
  price is cut from 0.20 to 0.10 on 2026-10-07 (an effective-dated price-book change, no drift).

Injectable incidents (``--inject``)
-----------------------------------
Syntax ``NAME[:DATE[:MAGNITUDE]][@TARGET]``, several separated by commas. DATE defaults to the
middle of the window. Every injected incident is listed in ``<out>/manifest.json`` (``incidents``:
type, provider, model, sku, start_date, magnitude, target, spec, details); a clean run lists
none. Usage of the target of a ``unit_price_change`` or ``tokenizer_shift`` always exists on its
start date (the first unit's workloads of that model are made active that day, from a separate
random stream), so a quiet day never hides the onset; everything else keeps the clean run's
values.

* ``tokenizer_shift`` (default ``1.25@gpt-5``): tokens per character x MAGNITUDE for a
  model family (TARGET) from DATE, on every provider and in the gateway canary.
* ``unit_price_change`` (default ``1.08@openai/gpt-4o-mini``): the vendor-reported cost of one
  model (TARGET ``provider/canonical-model``) silently x MAGNITUDE from DATE; quantities and the
  price book are unchanged.
* ``new_billing_unit`` (default ``1@openai``): a charge in a unit never seen before appears from
  DATE: ``openai`` -> cost line item ``Vector storage`` (quantity_unit ``gibibyte_hours``);
  ``azure_openai`` -> meter ``Provisioned Managed Global Unit`` (UnitOfMeasure ``1 Hour``).
  MAGNITUDE scales its daily quantity.
* ``unpriced_model`` (default ``1@openai/gpt-5-nano-2025-08-07``): a model id absent from the
  price book and from the model aliases gets traffic from DATE (usage and vendor cost).
  MAGNITUDE scales its volume.
* ``duplicate_export`` (default ``1.03@openai/costs``): the export file (TARGET, an export
  folder) covering DATE is written a second time, byte-identical, under a name 7 minutes
  later; when MAGNITUDE != 1 a restated file of the same period is also written with an export
  timestamp 3 days later, whose quantities and costs from DATE on are x MAGNITUDE (late usage;
  unit prices unchanged). Restatement is supported for openai/costs, aws_cur, azure_cost and
  gcp_billing.
* ``spend_spike`` (default ``6000@openai/doc-backfill``): a new agent (TARGET
  ``provider/agent``, provider openai or anthropic) goes from zero to MAGNITUDE calls a day on
  DATE and the next day.

Raw layout and vendor formats
=============================
Exports are pages or files named ``<export timestamp>_<export>_<period>[_pageNNN].<ext>``, the
export timestamp being ``YYYY-MM-DDTHHMMZ`` (the day after the period's last day in the
window), so later exports sort later. Periods are calendar months. API pages split a month
only at UTC-day boundaries (the period of an API row is its UTC day; of a bill row, its
billing month), never one day across two pages. File modification times are set to the export
timestamp. JSON is compact UTF-8; CSV is RFC 4180 with LF line ends.

``openai/usage_completions/*.json``
    Pages of ``GET /v1/organization/usage/completions``, ``bucket_width=1d``,
    ``group_by=project_id,user_id,api_key_id,model,batch``: ``{"object":"page","data":[{"object":
    "bucket","start_time","end_time","results":[{"object":"organization.usage.completions.
    result","input_tokens"(includes cached),"output_tokens","num_model_requests","project_id",
    "user_id"(null for service-account keys),"api_key_id","model","batch","input_cached_tokens",
    "input_audio_tokens","output_audio_tokens"}]}],"has_more","next_page"}``. From 2026-07-01
    results also carry ``input_uncached_tokens`` and ``input_cache_write_tokens``.
``openai/costs/*.json``
    Pages of ``GET /v1/organization/costs``, ``group_by=project_id,line_item``: results
    ``{"object":"organization.costs.result","amount":{"value"(dollars, exact decimal),
    "currency":"usd"},"line_item","project_id","quantity","quantity_unit":"tokens"}`` with line
    items ``<model>, input`` / ``<model>, cached input`` / ``<model>, output`` and
    ``batch | <model>, input|output``.
``anthropic/usage_messages/*.json``
    Pages of ``GET /v1/organizations/usage_report/messages``, ``bucket_width=1d``,
    ``group_by[]=api_key_id,workspace_id,model,service_tier,context_window``:
    ``{"data":[{"starting_at","ending_at","results":[{"uncached_input_tokens",
    "cache_creation":{"ephemeral_1h_input_tokens","ephemeral_5m_input_tokens"},
    "cache_read_input_tokens","output_tokens","server_tool_use":{"web_search_requests"},
    "api_key_id"(null = Workbench),"workspace_id"(null = default workspace),"model",
    "service_tier"(standard|batch|priority),"context_window":"0-200k"}]}],"has_more",
    "next_page"}``.
``anthropic/cost_report/*.json``
    Pages of ``GET /v1/organizations/cost_report``, ``group_by[]=workspace_id,description``:
    results ``{"currency":"USD","amount"(decimal STRING in cents),"workspace_id","description",
    "cost_type"(tokens|web_search),"context_window","model","service_tier"(standard|batch),
    "token_type"}``; descriptions ``Claude Opus 4.7 Usage - Output Tokens``, ``... Batch Usage
    - Input Tokens``, ``... Usage - Cache Read Tokens``, ``... Usage - Cache Write Tokens
    (5m|1h)``, ``... Usage - Web Search Requests``. Priority-tier usage never appears here.
``aws_cur/*.csv`` (``.csv.gz`` with ``--aws-format csv.gz``)
    CUR 2.0 rows (columns ``AWS_CUR_COLUMNS``), daily line items, all services. Bedrock
    first-party rows: ``line_item_product_code=AmazonBedrock``, ``product_product_name=Amazon
    Bedrock``, usage type ``<USE1|US>-<Claude4.6Sonnet|Claude4.5Haiku>-<input-tokens|
    output-tokens|cache-read-input-token-count|cache-write-input-token-count>[-batch]``
    (``US-`` = cross-region geo profile), ``pricing_unit=1K tokens`` and usage amount in
    thousands of tokens. Marketplace rows: ``product_product_name=Claude Sonnet 4.5 (Amazon
    Bedrock Edition)``, ``bill_billing_entity=AWS Marketplace``, usage types
    ``USE1-MP:USE1_<InputTokenCount|OutputTokenCount|CacheReadInputTokenCount|
    CacheWriteInputTokenCount>[_Global]-Units``, ``USE1-MP:USE1_cache_write_tokens_global_
    standard-Units``, ``USE1-MP:USE1_MillionBatch<Input|Output>Tokens-Units``,
    ``pricing_unit=Units`` = millions of tokens. ``resource_tags`` is a JSON object
    (``user_team``, ``user_env``, ``iamPrincipal/team``, ``iamPrincipal/agent``). Non-AI rows:
    AmazonEC2, AmazonS3, AmazonSageMaker (not Bedrock, so not AI spend).
``azure_cost/*.csv``
    Cost-details rows (columns ``AZURE_COLUMNS``), ``Date`` as ``MM/DD/YYYY``, USD billing.
    Azure OpenAI rows: ``MeterCategory=Cognitive Services``, ``MeterSubCategory=Azure OpenAI``,
    meter names such as ``gpt-4o-mini-0718-Inp-glbl Tokens`` (UoM ``1M``),
    ``gpt 4o 1120 cached Inp glbl Tokens`` (``1K``), ``GPT 5 Mini Outpt Glbl`` (``1M``),
    ``o3 Inpt DZone 1M Tokens`` (``1M``), ``gpt-4o-mini-0718-Batch-Inp-glbl Tokens`` (``1K``);
    Quantity is in UoM blocks. ``Tags`` without outer braces (EA style, ``"k": "v","k2": "v2"``)
    in months before 2026-07, JSON with braces from 2026-07. Non-AI: Virtual Machines, Storage.
``gcp_billing/*.jsonl``
    Standard billing export rows: ``billing_account_id, service{id,description},
    sku{id,description}, usage_start_time, usage_end_time, project{id,number,name,labels},
    labels, system_labels, location, export_time, cost(gross), cost_at_list, currency,
    currency_conversion_rate, usage{amount,unit:"count",amount_in_pricing_units,pricing_unit},
    credits[{name,amount(negative),full_name,id,type}], invoice{month}, cost_type``. Vertex AI
    SKUs ``Gemini 2.5 Pro Text Input - Predictions ≤200K``, ``Gemini 2.5 Pro Cached Text
    Input - Predictions ≤200K``, ``Gemini 2.5 Pro Thinking Text Output - Predictions ≤200K``
    and, for prompts above 200K tokens, ``Gemini 2.5 Pro Long Text Input|Long Cached Text
    Input|Long Thinking Text Output - Predictions >200K`` (descriptions are written as UTF-8,
    ``≤`` unescaped),
    ``Gemini 2.5 Flash Input Text|Input Cached Text|Thinking Text Output - Predictions``;
    Gemini API SKUs ``Generate content <input|cached input|output> token count gemini 2.5
    <flash|pro> <short|long> input text``. Non-AI: Compute Engine, Cloud Storage, BigQuery.
``github_copilot/*.csv``
    ``date,product,sku,quantity,unit_type,applied_cost_per_quantity,gross_amount,
    discount_amount,net_amount,username,organization,repository,workflow_path,
    cost_center_name,model`` plus ``aic_quantity,aic_gross_amount`` in files of months from
    2026-06. Usage rows: one per user, day and model (``model`` = Copilot's display name such
    as ``Claude Opus 4.7``; blank on seat rows). SKUs: ``copilot_premium_request`` (unit
    ``requests``, quantity = requests x model multiplier, until 2026-05-31; discount = the 300
    included requests per user-month), ``copilot_ai_credit`` (unit ``ai-credits``, from
    2026-06-01; credits = tokens x the model's API list price x 100, whole credits; discount =
    the pooled 1,900 credits per seat-month of the org), ``copilot_for_business`` (unit
    ``user-months``, one row per cost centre per month dated the month's first day in the
    window, quantity = prorated seat-months, 19 USD). gross - discount = net.
``cursor/usage_events/*.json``
    Pages of ``POST /teams/filtered-usage-events``: ``{"usageEvents":[{"timestamp"(epoch-ms
    STRING),"model","kind"("Usage-based"|"Included in Business"),"maxMode","requestsCosts",
    "isTokenBasedCall","tokenUsage":{"inputTokens","outputTokens","cacheWriteTokens",
    "cacheReadTokens","totalCents"(cents, 2 decimals)},"isFreeBugbot","userEmail"}],
    "pagination":{"numPages","currentPage","pageSize","hasNextPage","hasPreviousPage"},
    "totalUsageEventsCount"}``. ``tokenUsage`` only when ``isTokenBasedCall``; included events
    carry their notional cost but are covered by the seat.

Project-own formats
===================
``seats/*.csv``
    Header ``seat_id,provider,product,plan,user_email,team,cost_center,start_date,end_date,
    unit_price,currency,billing_period``. One row per seat assignment period: a seat (licence,
    ``seat_id``) held by one person from ``start_date`` (inclusive, ``YYYY-MM-DD``) to
    ``end_date`` (exclusive; blank = still assigned). A reassigned seat keeps its ``seat_id`` on
    a new row. ``unit_price`` is per seat-month in ``currency``; ``billing_period`` is
    ``monthly`` or ``annual``. Products: ``chatgpt_enterprise`` (provider ``openai``, plan
    ``enterprise``, 60 USD, annual), ``claude_team`` (``anthropic``, ``standard``, 30 USD,
    monthly), ``copilot_business`` (``github_copilot``, ``business``, 19 USD, monthly),
    ``cursor_teams`` (``cursor``, ``teams``, 40 USD, monthly). Each file is a full snapshot; one
    file is written, named after the day after the window.
``activity/*.csv``
    The ChatGPT Enterprise user analytics CSV (monthly cadence), header ``cadence,period_start,
    period_end,account_id,public_id,name,email,role,user_role,department,groups,user_status,
    created_or_invited_date,is_active,first_day_active_in_period,last_day_active_in_period,
    messages,messages_rank,model_to_messages,gpt_messages,gpts_messaged,tool_messages,
    tools_messaged,project_messages,projects_messaged,projects_created,last_day_active``; one
    row per ChatGPT Enterprise seat holder of the month (inactive holders included with
    ``is_active=false`` and 0 messages); ``department`` a JSON array string, ``model_to_messages``
    a JSON object string, one file per month.
``gateway/*.jsonl``
    One JSON object per request: ``{"request_id","timestamp"(RFC 3339 UTC, milliseconds, Z),
    "provider"(canonical),"model"(vendor model id),"api_key_id","agent","team","workload",
    "input_tokens"(all input, cached included),"cached_input_tokens","output_tokens",
    "prompt_chars","completion_chars","status"("ok"|"error")}``, one file per month. It holds
    every request of the canary job (``workload: "canary"``, agent ``canary``, team of the
    platform group): each day at 06:00 UTC the same fixed prompt (5,400 characters) goes to
    one model per family (claude-opus, gpt-5, gemini-flash), so tokens per
    character is constant unless a tokenizer changes; and a deterministic 1-in-200 sample of
    the requests of the agents routed through the gateway (support-triage, code-review-bot,
    eval-harness, finance-reconciler and injected spike agents).
``manifest.json``
    Options, injected incidents, real events in the window (``events``: the Opus 4.7 tokenizer
    switch, the Copilot AI-credit unit, the Sonnet 5.5 cache-read price cut, the bursty agent's
    burst days), row counts per export and per file (path, rows, md5, period). ``--only`` writes
    (and first empties) only the selected export folders and a manifest of what it wrote.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import math
import os
import random
import shutil
import sys
import time
import uuid
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence, TextIO

sys.path.insert(0, str(Path(__file__).resolve().parent))
from finops_prices import PRICE_BOOK_PATH, PriceBook  # noqa: E402

try:  # tqdm is a project dependency; the generator still runs without it.
    from tqdm import tqdm
except ImportError:  # pragma: no cover
    tqdm = None  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parents[1]

SAMPLE_ARGS: tuple[str, ...] = (
    "--start", "2026-03-01",
    "--days", "272",
    "--seed", "42",
    "--teams", "5",
    "--users", "40",
    "--scale", "1",
    "--inject", "duplicate_export:2026-05-15:1@openai/costs",
)

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


# --------------------------------------------------------------------------------------------
# Small helpers: randomness, numbers, JSON, dates
# --------------------------------------------------------------------------------------------


class Rng(random.Random):
    """random.Random with the few distributions the generator needs."""

    def chance(self, p: float) -> bool:
        return self.random() < p

    def lognorm_mean(self, mean: float, sigma: float) -> float:
        """Lognormal draw whose expectation is `mean`."""
        return mean * math.exp(self.gauss(-0.5 * sigma * sigma, sigma))

    def poisson(self, lam: float) -> int:
        if lam <= 0:
            return 0
        if lam > 40:
            return max(0, round(self.gauss(lam, math.sqrt(lam))))
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.random()
            if p <= limit:
                return k
            k += 1

    def binom(self, n: int, p: float) -> int:
        if n <= 0 or p <= 0:
            return 0
        if p >= 1:
            return n
        if n <= 40:  # inversion: one uniform draw
            u = self.random()
            q_ = 1.0 - p
            prob = q_ ** n
            cdf, k, ratio = prob, 0, p / q_
            while u > cdf and k < n:
                prob *= (n - k) / (k + 1) * ratio
                k += 1
                cdf += prob
            return k
        mean = n * p
        if mean < 12:
            return min(n, self.poisson(mean))
        return min(n, max(0, round(self.gauss(mean, math.sqrt(mean * (1 - p))))))

    def hex(self, digits: int) -> str:
        return f"{self.getrandbits(4 * digits):0{digits}x}"


def stream(seed: int, *parts: object) -> Rng:
    """An independent, reproducible random stream for (seed, parts)."""
    return Rng("|".join([str(seed), *map(str, parts)]))


_QUANTUM: dict[int, Decimal] = {places: Decimal(1).scaleb(-places) for places in range(0, 19)}


def dec(value: Decimal, places: int = 10) -> str:
    """Plain decimal text (no exponent, no trailing zeros), rounded half-even to `places` decimals."""
    text = str(value)
    if "E" not in text:  # fast path: already plain; strip trailing zeros if it fits `places`
        dot = text.find(".")
        if dot < 0:
            return "0" if text == "-0" else text
        if len(text) - dot - 1 <= places:
            text = text.rstrip("0")
            if text[-1] == ".":
                text = text[:-1]
            return "0" if text == "-0" else text
    quantized = value.quantize(_QUANTUM[places], rounding=ROUND_HALF_EVEN)
    text = format(quantized.normalize(), "f")
    return "0" if text in ("-0", "0") else text


jstr: Callable[[str], str] = encode_basestring_ascii


def money2(value: Decimal) -> str:
    """Two-decimal money text (GitHub style)."""
    return format(value.quantize(CENT, rounding=ROUND_HALF_UP), "f")


def jdump(obj: Any) -> str:
    """Compact JSON; Decimal values are written as exact plain decimal numbers."""
    kind = type(obj)
    if kind is str:
        return encode_basestring_ascii(obj)
    if kind is bool:
        return "true" if obj else "false"
    if kind is int:
        return str(obj)
    if obj is None:
        return "null"
    if kind is Decimal:
        return dec(obj)
    if kind is dict:
        return "{" + ",".join(encode_basestring_ascii(k) + ":" + jdump(v) for k, v in obj.items()) + "}"
    if kind is list or kind is tuple:
        return "[" + ",".join(jdump(v) for v in obj) + "]"
    if kind is float:
        return repr(obj)
    raise TypeError(f"cannot encode {kind}")


def epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())


def iso_z(day: date, seconds: float = 0.0, millis: bool = False) -> str:
    """RFC 3339 UTC text of `day` + `seconds` (``2026-05-01T06:00:00Z``, optionally with milliseconds)."""
    whole = int(seconds)
    if whole >= 86_400 or whole < 0:
        day = day + timedelta(days=whole // 86_400)
        whole %= 86_400
    hh, rest = divmod(whole, 3600)
    mm, ss = divmod(rest, 60)
    if millis:
        ms = min(999, int(round((seconds - int(seconds)) * 1000)))
        return f"{day.isoformat()}T{hh:02d}:{mm:02d}:{ss:02d}.{ms:03d}Z"
    return f"{day.isoformat()}T{hh:02d}:{mm:02d}:{ss:02d}Z"


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def month_end(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


def stable_uuid(*parts: object) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "ai-finops-sample:" + "|".join(map(str, parts))))


def sku_id(*parts: object) -> str:
    digest = hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest().upper()
    return f"{digest[0:4]}-{digest[4:8]}-{digest[8:12]}"


# --------------------------------------------------------------------------------------------
# Options and incidents
# --------------------------------------------------------------------------------------------

INCIDENT_TYPES: tuple[str, ...] = (
    "tokenizer_shift",
    "unit_price_change",
    "new_billing_unit",
    "unpriced_model",
    "duplicate_export",
    "spend_spike",
)
INCIDENT_DEFAULTS: dict[str, tuple[str, str]] = {
    "tokenizer_shift": ("1.25", "gpt-5"),
    "unit_price_change": ("1.08", "openai/gpt-4o-mini"),
    "new_billing_unit": ("1", "openai"),
    "unpriced_model": ("1", "openai/gpt-5-nano-2025-08-07"),
    "duplicate_export": ("1.03", "openai/costs"),
    "spend_spike": ("6000", "openai/doc-backfill"),
}
# Canonical models each provider's exports carry (targets of unit_price_change).
SERVED_MODELS: dict[str, frozenset[str]] = {
    "openai": frozenset(OPENAI_IDS),
    "anthropic": frozenset(ANTHROPIC_IDS),
    "aws_bedrock": frozenset(BEDROCK_TOKENS) | frozenset(BEDROCK_MARKETPLACE),
    "azure_openai": frozenset({"gpt-4o-mini", "gpt-4o", "gpt-5-mini", "o3"}),
    "gcp_vertex": frozenset({"gemini-2-5-pro", "gemini-2-5-flash"}),
    "cursor": frozenset(CURSOR_IDS),
}
EXPORT_PROVIDER: dict[str, str | None] = {
    "openai/usage_completions": "openai",
    "openai/costs": "openai",
    "anthropic/usage_messages": "anthropic",
    "anthropic/cost_report": "anthropic",
    "aws_cur": "aws_bedrock",
    "azure_cost": "azure_openai",
    "gcp_billing": "gcp_vertex",
    "github_copilot": "github_copilot",
    "cursor/usage_events": "cursor",
    "activity": "openai",
    "gateway": None,
}
RESTATABLE_EXPORTS: frozenset[str] = frozenset({"openai/costs", "aws_cur", "azure_cost", "gcp_billing"})


@dataclass
class Incident:
    """One injected incident, as parsed from ``--inject`` and written to the manifest."""

    type: str
    start: date
    magnitude: Decimal
    target: str
    spec: str
    provider: str | None = None
    model: str | None = None
    sku: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def manifest(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "provider": self.provider,
            "model": self.model,
            "sku": self.sku,
            "start_date": self.start.isoformat(),
            "magnitude": float(self.magnitude),
            "target": self.target,
            "spec": self.spec,
            "details": self.details,
        }


def parse_incident(spec: str, start: date, days: int) -> Incident:
    """Parses ``NAME[:DATE[:MAGNITUDE]][@TARGET]`` with per-type defaults."""
    head, _, target = spec.partition("@")
    parts = head.split(":")
    name = parts[0].strip()
    if name not in INCIDENT_TYPES:
        raise ValueError(f"unknown incident {name!r}; choose from {', '.join(INCIDENT_TYPES)}")
    default_magnitude, default_target = INCIDENT_DEFAULTS[name]
    when = date.fromisoformat(parts[1]) if len(parts) > 1 and parts[1] else start + timedelta(days=days // 2)
    magnitude = Decimal(parts[2]) if len(parts) > 2 and parts[2] else Decimal(default_magnitude)
    if len(parts) > 3:
        raise ValueError(f"too many ':' fields in {spec!r}")
    if not start <= when < start + timedelta(days=days):
        raise ValueError(f"{spec!r}: date {when} is outside the generated window")
    if magnitude <= 0:
        raise ValueError(f"{spec!r}: magnitude must be positive")
    incident = Incident(name, when, magnitude, target or default_target, spec)
    target = incident.target
    if name == "tokenizer_shift":
        families = {m.family for m in MODELS.values()}
        if target not in families:
            raise ValueError(f"{spec!r}: unknown model family {target!r} ({', '.join(sorted(families))})")
        members = [m for m in MODELS.values() if m.family == target]
        incident.provider = LIST_PROVIDER[members[0].developer]
        # The model that carries the family's traffic on that date (Opus moves to 4.7 on 2026-04-16).
        incident.model = ("claude-opus-4-7" if target == "claude-opus" and when >= OPUS_SWITCH
                          else members[0].model)
        incident.details = {"model_family": target, "applies_to": "every provider and the gateway canary"}
    elif name == "unit_price_change":
        provider, _, model = target.partition("/")
        if model not in SERVED_MODELS.get(provider, ()):
            choices = "; ".join(f"{p}: {', '.join(sorted(m))}" for p, m in SERVED_MODELS.items())
            raise ValueError(f"{spec!r}: target must be provider/canonical-model among {choices}")
        incident.provider, incident.model = provider, model
        incident.details = {"cost_factor": float(magnitude)}
    elif name == "new_billing_unit":
        if target == "openai":
            incident.provider, incident.sku = "openai", "Vector storage"
            incident.details = {"quantity_unit": "gibibyte_hours", "project": "data-science"}
        elif target == "azure_openai":
            incident.provider, incident.sku = "azure_openai", "Provisioned Managed Global Unit"
            incident.details = {"unit_of_measure": "1 Hour"}
        else:
            raise ValueError(f"{spec!r}: new_billing_unit target must be openai or azure_openai")
    elif name == "unpriced_model":
        provider, _, vendor_id = target.partition("/")
        if provider not in ("openai", "anthropic") or not vendor_id:
            raise ValueError(f"{spec!r}: target must be openai/<model id> or anthropic/<model id>")
        incident.provider = provider
        incident.model = canonical_from_vendor_id(vendor_id)
        incident.sku = vendor_id
        incident.details = {"vendor_model_id": vendor_id}
    elif name == "duplicate_export":
        if target not in EXPORTS or target in ("seats",):
            raise ValueError(f"{spec!r}: target must be an export folder ({', '.join(EXPORTS)})")
        incident.provider = EXPORT_PROVIDER.get(target)
        incident.sku = None
        incident.details = {"export": target}
    elif name == "spend_spike":
        provider, _, agent = target.partition("/")
        if provider not in ("openai", "anthropic") or not agent:
            raise ValueError(f"{spec!r}: target must be openai/<agent> or anthropic/<agent>")
        incident.provider = provider
        incident.model = "gpt-4-1" if provider == "openai" else "claude-sonnet-4-6"
        incident.details = {"agent": agent, "calls_per_day": int(magnitude), "days": 2}
    return incident


@dataclass
class Options:
    """Parsed command line."""

    out: Path
    start: date
    days: int
    seed: int
    teams: int
    users: int
    scale: float
    exports: tuple[str, ...]
    incidents: list[Incident]
    only: tuple[str, ...]
    inject_specs: tuple[str, ...]
    aws_format: str
    progress: bool
    jobs: int = 1
    horizon: int = 0

    @property
    def end(self) -> date:
        """Last day of the window (inclusive)."""
        return self.start + timedelta(days=self.days - 1)

    @property
    def world_days(self) -> int:
        """Days the simulated world spans (--horizon, at least --days)."""
        return max(self.days, self.horizon)

    @property
    def world_end(self) -> date:
        """Last day of the world's span: people, seats and workload schedules are drawn over
        [start, world_end], so landings of one horizon are one world seen on different days."""
        return self.start + timedelta(days=self.world_days - 1)

    @property
    def units(self) -> int:
        return max(1, math.ceil(self.scale - 1e-9))

    @property
    def activity(self) -> float:
        return self.scale / self.units


def parse_args(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        description="Write deterministic AI-vendor billing exports (see the module docstring).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", type=Path, required=True, help="output root (the raw folder)")
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 3, 1), help="first UTC day")
    parser.add_argument("--days", type=int, default=272, help="number of days (default 272)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--teams", type=int, default=5)
    parser.add_argument("--users", type=int, default=40, help="people per business unit")
    parser.add_argument("--scale", type=float, default=1.0, help="row-volume multiplier")
    parser.add_argument("--inject", action="append", default=[], help="NAME[:DATE[:MAGNITUDE]][@TARGET][,...]")
    parser.add_argument("--only", default="", help="comma-separated vendors/exports to write")
    parser.add_argument("--aws-format", choices=("csv", "csv.gz"), default="csv")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (output is identical for any value)")
    parser.add_argument(
        "--horizon", type=int, default=0,
        help="days the simulated world spans (default --days): landings with the same horizon and"
        " fewer --days are the same world exported on an earlier day, as a daily landing is")
    ns = parser.parse_args(argv)
    if ns.days < 1:
        parser.error("--days must be >= 1")
    if ns.horizon and ns.horizon < ns.days:
        parser.error("--horizon must be >= --days")
    if ns.teams < 1 or ns.users < 0 or ns.scale <= 0:
        parser.error("--teams >= 1, --users >= 0 and --scale > 0 are required")
    specs = tuple(s.strip() for chunk in ns.inject for s in chunk.split(",") if s.strip())
    try:
        incidents = [parse_incident(s, ns.start, ns.days) for s in specs]
    except ValueError as exc:
        parser.error(str(exc))
    only = tuple(s.strip() for s in ns.only.split(",") if s.strip())
    exports: list[str] = []
    for name in only or EXPORTS:
        if name not in ONLY_ALIASES:
            parser.error(f"--only: unknown vendor {name!r} ({', '.join(sorted(ONLY_ALIASES))})")
        exports.extend(e for e in ONLY_ALIASES[name] if e not in exports)
    ordered = tuple(e for e in EXPORTS if e in exports)
    return Options(
        out=ns.out,
        start=ns.start,
        days=ns.days,
        seed=ns.seed,
        teams=ns.teams,
        users=ns.users,
        scale=ns.scale,
        exports=ordered,
        incidents=incidents,
        only=only,
        inject_specs=specs,
        aws_format=ns.aws_format,
        progress=not ns.no_progress,
        jobs=max(1, ns.jobs),
        horizon=ns.horizon,
    )


# --------------------------------------------------------------------------------------------
# The simulated organisation
# --------------------------------------------------------------------------------------------


@dataclass
class Team:
    """A team and its attribution handles in every vendor."""

    slug: str
    unit: int
    suffix_id: str  # "" or "_u0002"
    suffix_name: str  # "" or "-u0002"

    @property
    def title(self) -> str:
        return self.slug.replace("-", " ").title()

    @property
    def cost_center(self) -> str:
        return f"cc-{self.slug}{self.suffix_name}"

    @property
    def openai_project(self) -> str:
        return f"proj_{self.slug.replace('-', '')}{self.suffix_id}"

    @property
    def anthropic_workspace(self) -> str | None:
        # The finance team works in the organisation's default workspace (null workspace_id).
        return None if self.slug == "finance" else f"wrkspc_{self.slug.replace('-', '')}{self.suffix_id}"

    @property
    def gcp_project(self) -> str:
        return f"acme-{self.slug}-prod{self.suffix_name}"

    @property
    def azure_rg(self) -> str:
        return f"rg-{self.slug}-ai{self.suffix_name}"


@dataclass
class Seat:
    """One seat assignment period."""

    seat_id: str
    provider: str
    product: str
    plan: str
    user: "User"
    start: date
    end: date | None
    unit_price: Decimal
    billing_period: str

    def active(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass
class User:
    """A person: employment, team, heavy-tailed intensity, seats."""

    unit: int
    index: int
    name: str
    email: str
    username: str
    team: Team
    intensity: float
    employed_from: date
    employed_to: date | None
    chatgpt_engaged: bool
    power_user: bool
    openai_user_id: str
    public_id: str
    is_admin: bool = False
    seats: dict[str, list[Seat]] = field(default_factory=dict)

    def employed(self, day: date) -> bool:
        return self.employed_from <= day and (self.employed_to is None or day < self.employed_to)

    def seat_on(self, product: str, day: date) -> Seat | None:
        for seat in self.seats.get(product, ()):
            if seat.active(day):
                return seat
        return None


@dataclass(frozen=True)
class MixEntry:
    """Share of a workload's requests that goes to one (model, tier, context, route)."""

    model: str
    share: float
    tier: str = "standard"
    context: str = "standard"
    route: str = "regional"


@dataclass
class Phase:
    """A workload's model mix in force from `start` (inclusive) to `end` (exclusive)."""

    mix: tuple[MixEntry, ...]
    start: date | None = None
    end: date | None = None

    def covers(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day < self.end)


@dataclass
class Workload:
    """An API consumer: an agent or a person's key, on one provider."""

    provider: str
    name: str
    team: Team
    agent: str | None
    key_id: str | None
    owner: User | None
    phases: list[Phase]
    requests: float  # mean requests per active day
    p_weekday: float
    p_weekend: float
    input_tokens: int  # mean input per request, reference tokenizer
    output_tokens: int
    cache_read: float = 0.0
    cache_write_5m: float = 0.0
    cache_write_1h: float = 0.0
    web_search: float = 0.0
    long_input_tokens: int = 260_000
    sigma: float = 0.5
    workload: str = "production"
    gateway: bool = False
    burst_days: dict[date, float] = field(default_factory=dict)
    active_from: date | None = None
    active_to: date | None = None
    canary: bool = False
    month_end_days: int = 0  # > 0: active only on the last N days of each month
    attrs: dict[str, Any] = field(default_factory=dict)

    def mix_on(self, day: date) -> tuple[MixEntry, ...]:
        for phase in self.phases:
            if phase.covers(day):
                return phase.mix
        return ()

    def live(self, day: date) -> bool:
        if self.active_from is not None and day < self.active_from:
            return False
        if self.active_to is not None and day >= self.active_to:
            return False
        if self.month_end_days and (month_end(day) - day).days >= self.month_end_days:
            return False
        return self.owner is None or self.owner.employed(day)


@dataclass(slots=True)
class Cell:
    """One day's usage of a workload on one (model, tier, context, route); token classes are additive."""

    wl: Workload
    model: str
    tier: str
    context: str
    route: str
    requests: int
    input: int  # uncached input
    cached: int
    cw5: int
    cw1h: int
    output: int
    web_search: int

    @property
    def total_input(self) -> int:
        return self.input + self.cached + self.cw5 + self.cw1h


@dataclass
class Unit:
    """One replica of the organisation (``--scale`` > 1 adds more)."""

    index: int
    teams: list[Team]
    users: list[User]
    seats: list[Seat]
    workloads: dict[str, list[Workload]]
    copilot_org: str
    chatgpt_account: str

    def team(self, role: str) -> Team:
        for team in self.teams:
            if team.slug == role:
                return team
        return self.teams[TEAM_NAMES.index(role) % len(self.teams)]


CANARY_FAMILIES: tuple[tuple[str, str], ...] = (
    ("claude-opus", "anthropic"),
    ("gpt-5", "openai"),
    ("gemini-flash", "gcp_vertex"),
)
CANARY_PROMPT_CHARS = 5_400
CANARY_COMPLETION_CHARS = 1_300


class World:
    """Everything the writers share: options, price book, organisation, incident effects."""

    def __init__(self, opts: Options, book: PriceBook) -> None:
        self.opts = opts
        self.book = book
        self.incidents = opts.incidents
        # Per-run copies: injected unknown models are added here, never to the module tables.
        self.models: dict[str, ModelInfo] = dict(MODELS)
        self.openai_ids: dict[str, str] = dict(OPENAI_IDS)
        self.anthropic_ids: dict[str, str] = dict(ANTHROPIC_IDS)
        self.gateway_ids: dict[str, dict[str, str]] = {
            "openai": self.openai_ids,
            "anthropic": self.anthropic_ids,
            "gcp_vertex": dict(GATEWAY_IDS["gcp_vertex"]),
        }
        self.units = [self._build_unit(i) for i in range(opts.units)]
        self.extra_workloads: dict[str, list[tuple[int, Workload]]] = {p: [] for p in API_PROVIDERS}
        self._add_incident_workloads()
        self._price_cache: dict[tuple[str, str, str, str, str], tuple[date, date, Decimal]] = {}
        self._list_cache: dict[tuple[str, str, str], tuple[date, date, Decimal]] = {}
        self._holders: dict[tuple[int, str], list[tuple[User, list[tuple[date, date]]]]] = {}
        self._canary_cache: dict[date, list[dict[str, Any]]] = {}

    # ---- incident effects ------------------------------------------------------------------

    def token_factor(self, model: str, day: date) -> float:
        """Tokens for the same text relative to the family's reference tokenizer on `day`."""
        info = self.models[model]
        factor = info.token_factor
        for inc in self.incidents:
            if inc.type == "tokenizer_shift" and inc.target == info.family and day >= inc.start:
                factor *= float(inc.magnitude)
        return factor

    def cost_factor(self, provider: str, model: str, day: date) -> Decimal:
        factor = Decimal(1)
        for inc in self.incidents:
            if inc.type == "unit_price_change" and inc.provider == provider and inc.model == model and day >= inc.start:
                factor *= inc.magnitude
        return factor

    def unit_price(
        self, provider: str, model: str, token_class: str, day: date, tier: str = "standard", context: str = "standard"
    ) -> Decimal:
        """What the vendor charges per base unit on `day` (list price x injected factor)."""
        key = (provider, model, token_class, tier, context)
        hit = self._price_cache.get(key)
        if hit is not None and hit[0] <= day < hit[1]:
            return hit[2]
        valid_from, valid_to = date.min, date.max
        if self.book.has_model(provider, model):
            row = self.book.require(provider, model, token_class, day, tier, context)
            price = row.unit_price / Decimal(row.block)
            valid_from, valid_to = row.effective_from or date.min, row.effective_to or date.max
        elif model in SHADOW_PRICES:
            price = SHADOW_PRICES[model][token_class] / Decimal(1_000_000) * (Decimal("0.5") if tier == "batch" else 1)
        else:  # a model the price book does not know: the vendor bills it like a reference model
            reference = "gpt-5-mini" if provider in ("openai", "azure_openai") else "claude-haiku-4-5"
            price = self.book.unit_cost(provider, reference, token_class, day, tier, context)
        for inc in self.incidents:  # a price-change date splits the validity range
            if inc.type == "unit_price_change" and inc.provider == provider and inc.model == model:
                if inc.start <= day:
                    valid_from = max(valid_from, inc.start)
                else:
                    valid_to = min(valid_to, inc.start)
        price *= self.cost_factor(provider, model, day)
        self._price_cache[key] = (valid_from, valid_to, price)
        return price

    def list_unit_price(self, provider: str, model: str, token_class: str, day: date) -> Decimal:
        """List price per base unit on `day` (no injected factor)."""
        key = (provider, model, token_class)
        hit = self._list_cache.get(key)
        if hit is not None and hit[0] <= day < hit[1]:
            return hit[2]
        row = self.book.require(provider, model, token_class, day)
        price = row.unit_price / Decimal(row.block)
        self._list_cache[key] = (row.effective_from or date.min, row.effective_to or date.max, price)
        return price

    def holders(self, unit: Unit, product: str) -> list[tuple[User, list[tuple[date, date]]]]:
        """People of `unit` who ever hold `product`, in user order, with their seat periods."""
        key = (unit.index, product)
        hit = self._holders.get(key)
        if hit is None:
            hit = [(user, [(seat.start, seat.end or date.max) for seat in user.seats[product]])
                   for user in unit.users if user.seats.get(product)]
            self._holders[key] = hit
        return hit

    # ---- organisation ----------------------------------------------------------------------

    def _build_unit(self, index: int) -> Unit:
        opts = self.opts
        rng = stream(opts.seed, "world", index)
        sid = "" if index == 0 else f"_u{index + 1:04d}"
        sname = "" if index == 0 else f"-u{index + 1:04d}"
        slugs = [TEAM_NAMES[i] if i < len(TEAM_NAMES) else f"team-{i + 1:02d}" for i in range(opts.teams)]
        teams = [Team(slug, index, sid, sname) for slug in slugs]
        weights = [5, 4, 5, 4, 2, 2, 1, 2, 2, 2, 2, 1] + [2] * max(0, opts.teams - 12)
        window_start, window_end = opts.start, opts.world_end
        users: list[User] = []
        seen: set[str] = set()
        for i in range(opts.users):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            local = f"{first}.{last}".lower()
            n = 2
            while local in seen:
                local = f"{first}.{last}{n}".lower()
                n += 1
            seen.add(local)
            team = rng.choices(teams, weights=weights[: len(teams)])[0]
            if rng.chance(0.88):
                employed_from = date(2025, 1, 1) + timedelta(days=rng.randrange(max(1, (window_start - date(2025, 1, 1)).days)))
            else:
                employed_from = window_start + timedelta(days=rng.randrange(max(1, int(opts.world_days * 0.85))))
            employed_to = None
            if rng.chance(0.08):
                left = employed_from + timedelta(days=30 + rng.randrange(max(1, opts.world_days)))
                if window_start < left <= window_end:
                    employed_to = left
            email_local = local if index == 0 else f"{local}.u{index + 1:04d}"
            users.append(
                User(
                    unit=index,
                    index=i,
                    name=f"{first} {last}",
                    email=f"{email_local}@{DOMAIN}",
                    username=email_local.replace(".", "-"),
                    team=team,
                    intensity=rng.lognorm_mean(1.0, 1.0),
                    employed_from=employed_from,
                    employed_to=employed_to,
                    chatgpt_engaged=rng.chance(0.8),
                    power_user=rng.chance(0.15),
                    openai_user_id=f"user-{rng.hex(24)}",
                    public_id=f"user-{rng.hex(20)}",
                    is_admin=i == 0,
                )
            )
        seats = self._assign_seats(rng, index, users)
        unit = Unit(index, teams, users, seats, {}, f"acme{sname}", f"acc_acme{sid}")
        unit.workloads = self._build_workloads(rng, unit)
        return unit

    def _assign_seats(self, rng: Rng, index: int, users: list[User]) -> list[Seat]:
        """Seat assignment periods, reusing the seat id of people who left."""
        products = (
            # product, provider, plan, price, billing period, share (engineers, others), id prefix
            ("chatgpt_enterprise", "openai", "enterprise", Decimal(60), "annual", (0.65, 0.75), "cgpt"),
            ("claude_team", "anthropic", "standard", Decimal(30), "monthly", (0.25, 0.25), "clt"),
            ("copilot_business", "github_copilot", "business", Decimal(19), "monthly", (0.9, 0.04), "cop"),
            ("cursor_teams", "cursor", "teams", Decimal(40), "monthly", (0.35, 0.0), "cur"),
        )
        seats: list[Seat] = []
        sid = "" if index == 0 else f"-u{index + 1:04d}"
        for product, provider, plan, price, period, (eng_share, other_share), prefix in products:
            holders: list[tuple[date, User]] = []
            for user in users:
                share = eng_share if user.team.slug in ENGINEERING_TEAMS else other_share
                if not rng.chance(share):
                    continue
                start = user.employed_from
                if rng.chance(0.12):  # adopted the product later
                    start = max(start, self.opts.start + timedelta(days=rng.randrange(max(1, self.opts.world_days // 2))))
                if user.employed_to is not None and start >= user.employed_to:
                    continue
                holders.append((start, user))
            holders.sort(key=lambda h: (h[0], h[1].index))
            free: list[tuple[date, str]] = []
            counter = 0
            for start, user in holders:
                reuse = next((f for f in free if f[0] <= start), None)
                if reuse is not None:
                    free.remove(reuse)
                    seat_id = reuse[1]
                else:
                    counter += 1
                    seat_id = f"{prefix}{sid}-{counter:04d}"
                seat = Seat(seat_id, provider, product, plan, user, start, user.employed_to, price, period)
                seats.append(seat)
                user.seats.setdefault(product, []).append(seat)
                if user.employed_to is not None:
                    free.append((user.employed_to, seat_id))
        return seats

    def _build_workloads(self, rng: Rng, unit: Unit) -> dict[str, list[Workload]]:
        sid = "" if unit.index == 0 else f"_u{unit.index + 1:04d}"
        start, end = self.opts.start, self.opts.world_end
        engineers = [u for u in unit.users if u.team.slug in ENGINEERING_TEAMS] or list(unit.users)
        w: dict[str, list[Workload]] = {p: [] for p in API_PROVIDERS}

        def owners(count: int) -> list[User]:
            pool = list(engineers)
            rng.shuffle(pool)
            return pool[:count]

        # OpenAI ---------------------------------------------------------------------------
        search = unit.team("search")
        w["openai"].append(Workload(
            "openai", "search-ranker", search, "search-ranker", f"key_searchranker{sid}", None,
            [Phase((MixEntry("gpt-4o-mini", 1.0),))], 900, 0.6, 0.05, 1_100, 120, cache_read=0.45, sigma=0.25))
        w["openai"].append(Workload(
            "openai", "search-reindex", search, "search-reindex", f"key_searchreindex{sid}", None,
            [Phase((MixEntry("gpt-4o-mini", 1.0, tier="batch"),))], 20_000, 0.12, 0.05, 900, 60, sigma=0.3,
            workload="batch"))
        ds = unit.team("data-science")
        eval_wl = Workload(
            "openai", "eval-harness", ds, "eval-harness", f"key_evalharness{sid}", None,
            [Phase((MixEntry("gpt-5", 0.7), MixEntry("o3", 0.3)))], 0, 0, 0, 1_800, 700,
            cache_read=0.2, sigma=0.2, workload="evaluation", gateway=True)
        day = start + timedelta(days=rng.randrange(4, 14))
        while day <= end:
            eval_wl.burst_days[day] = rng.lognorm_mean(3_200, 0.35)
            if rng.chance(0.4):
                eval_wl.burst_days[day + timedelta(days=1)] = rng.lognorm_mean(2_000, 0.35)
            day += timedelta(days=rng.randrange(9, 29))
        w["openai"].append(eval_wl)
        for user, model in zip(owners(3), ("gpt-4-1", "gpt-5-mini", "gpt-4o")):
            w["openai"].append(Workload(
                "openai", f"dev-{user.username}", user.team, None, f"key_{user.username}{sid}", user,
                [Phase((MixEntry(model, 0.8), MixEntry("gpt-5-mini" if model != "gpt-5-mini" else "gpt-4o", 0.2)))],
                25 * min(user.intensity, 4), 0.15, 0.02, 2_500, 500, cache_read=0.3, sigma=0.6, workload="development"))

        # Anthropic ------------------------------------------------------------------------
        support, platform = unit.team("support"), unit.team("platform")
        w["anthropic"].append(Workload(
            "anthropic", "support-triage", support, "support-triage", f"apikey_supporttriage{sid}", None,
            [Phase((MixEntry("claude-opus-4-6", 1.0),), end=OPUS_SWITCH),
             Phase((MixEntry("claude-opus-4-7", 1.0),), start=OPUS_SWITCH)],
            60, 1.0, 0.6, 2_800, 450, cache_read=0.55, sigma=0.12, gateway=True))
        w["anthropic"].append(Workload(
            "anthropic", "code-review-bot", platform, "code-review-bot", f"apikey_codereview{sid}", None,
            [Phase((MixEntry("claude-sonnet-4-6", 0.85), MixEntry("claude-sonnet-4-6", 0.15, tier="priority")),
                   end=SONNET55_FROM),
             Phase((MixEntry("claude-sonnet-4-6", 0.5), MixEntry("claude-sonnet-4-6", 0.15, tier="priority"),
                    MixEntry("claude-sonnet-5-5", 0.35)), start=SONNET55_FROM)],
            120, 0.35, 0.03, 6_000, 800, cache_read=0.6, cache_write_5m=0.08, cache_write_1h=0.04, sigma=0.35,
            gateway=True))
        research = unit.team("data-science") if "research" not in [t.slug for t in unit.teams] else unit.team("research")
        w["anthropic"].append(Workload(
            "anthropic", "research-assistant", research, "research-assistant", f"apikey_research{sid}", None,
            [Phase((MixEntry("claude-sonnet-4-5", 1.0),))], 40, 0.2, 0.02, 3_500, 900, cache_read=0.2,
            web_search=0.3, sigma=0.5))
        for user, model in zip(owners(2), ("claude-haiku-4-5", "claude-sonnet-4-6")):
            w["anthropic"].append(Workload(
                "anthropic", f"dev-{user.username}", user.team, None, f"apikey_{user.username}{sid}", user,
                [Phase((MixEntry(model, 1.0),))], 30 * min(user.intensity, 4), 0.12, 0.02, 3_000, 600,
                cache_read=0.3, cache_write_5m=0.05, sigma=0.6, workload="development"))
        for user in owners(2):  # Workbench: no API key
            w["anthropic"].append(Workload(
                "anthropic", f"workbench-{user.username}", user.team, None, None, user,
                [Phase((MixEntry("claude-sonnet-4-6", 0.7), MixEntry("claude-haiku-4-5", 0.3)))], 8, 0.06, 0.0,
                2_000, 700, sigma=0.5, workload="development"))
        w["anthropic"].append(Workload(
            "anthropic", "ds-batch", ds, "ds-labeler", f"apikey_dslabeler{sid}", None,
            [Phase((MixEntry("claude-haiku-4-5", 1.0, tier="batch"),))], 6_000, 0.06, 0.0, 1_500, 200, sigma=0.4,
            workload="batch"))
        finance = unit.team("finance")
        w["anthropic"].append(Workload(
            "anthropic", "finance-analyst", finance, None, f"apikey_financeanalyst{sid}", None,
            [Phase((MixEntry("claude-haiku-4-5", 1.0),))], 30, 0.12, 0.0, 2_500, 500, sigma=0.5))

        # AWS Bedrock ----------------------------------------------------------------------
        arn = f"arn:aws:iam::{AWS_ACCOUNT}"
        w["aws_bedrock"].append(Workload(
            "aws_bedrock", "doc-summarizer", platform, "doc-summarizer", None, None,
            [Phase((MixEntry("claude-sonnet-4-6", 1.0),), end=BEDROCK_CROSS_REGION_FROM),
             Phase((MixEntry("claude-sonnet-4-6", 1.0, route="cross_region"),), start=BEDROCK_CROSS_REGION_FROM)],
            150, 0.45, 0.08, 4_000, 500, cache_read=0.5, cache_write_5m=0.06, sigma=0.3,
            attrs={"principal": f"{arn}:role/doc-summarizer{sid}",
                   "tags": {"iamPrincipal/team": platform.slug, "iamPrincipal/agent": "doc-summarizer"}}))
        w["aws_bedrock"].append(Workload(
            "aws_bedrock", "doc-summarizer-batch", platform, "doc-summarizer", None, None,
            [Phase((MixEntry("claude-sonnet-4-6", 1.0, tier="batch"),))], 3_000, 0.08, 0.02, 3_000, 400, sigma=0.3,
            workload="batch",
            attrs={"principal": f"{arn}:role/doc-summarizer{sid}",
                   "tags": {"iamPrincipal/team": platform.slug, "iamPrincipal/agent": "doc-summarizer"}}))
        for user in owners(1):
            w["aws_bedrock"].append(Workload(
                "aws_bedrock", f"dev-{user.username}", user.team, None, None, user,
                [Phase((MixEntry("claude-haiku-4-5", 1.0),))], 40, 0.12, 0.01, 2_000, 400, sigma=0.6,
                workload="development",
                attrs={"principal": f"{arn}:user/{user.username}", "tags": {}}))
        catalog = unit.team("search")
        w["aws_bedrock"].append(Workload(
            "aws_bedrock", "catalog-enricher", catalog, "catalog-enricher", None, None,
            [Phase((MixEntry("claude-sonnet-4-5", 1.0),), end=BEDROCK_GLOBAL_FROM),
             Phase((MixEntry("claude-sonnet-4-5", 1.0, route="global"),), start=BEDROCK_GLOBAL_FROM)],
            200, 0.2, 0.05, 1_800, 350, cache_read=0.3, cache_write_5m=0.05, sigma=0.4,
            attrs={"principal": f"{arn}:role/catalog-enricher{sid}", "marketplace": True,
                   "tags": {"user_team": catalog.slug, "user_env": "prod", "user_agent": "catalog-enricher"}}))
        w["aws_bedrock"].append(Workload(
            "aws_bedrock", "catalog-enricher-batch", catalog, "catalog-enricher", None, None,
            [Phase((MixEntry("claude-sonnet-4-5", 1.0, tier="batch"),))], 4_000, 0.05, 0.0, 1_500, 300, sigma=0.3,
            workload="batch",
            attrs={"principal": f"{arn}:role/catalog-enricher{sid}", "marketplace": True,
                   "tags": {"user_team": catalog.slug, "user_env": "prod", "user_agent": "catalog-enricher"}}))

        # Azure OpenAI ---------------------------------------------------------------------
        sub = stable_uuid("azure-sub", unit.index)
        for team, agent, model, scope, volume, p_wd, p_we, tin, tout, cache, tiers in (
            (support, "helpdesk-bot", "gpt-4o-mini", "glbl", 1_500, 0.35, 0.1, 900, 200, 0.4,
             (("standard", 0.85), ("batch", 0.15))),
            (finance, "invoice-extractor", "gpt-4o", "glbl", 200, 0.25, 0.0, 3_000, 400, 0.2, (("standard", 1.0),)),
            (search, "query-planner", "gpt-5-mini", "glbl", 400, 0.15, 0.05, 1_200, 300, 0.3, (("standard", 1.0),)),
            (ds, "ds-notebooks", "o3", "DZone", 60, 0.1, 0.0, 4_000, 1_500, 0.2, (("standard", 1.0),)),
        ):
            account = f"aoai-{team.slug}-eus2{'' if unit.index == 0 else f'-u{unit.index + 1:04d}'}"
            w["azure_openai"].append(Workload(
                "azure_openai", agent, team, agent, None, None,
                [Phase(tuple(MixEntry(model, share, tier=tier) for tier, share in tiers))],
                volume, p_wd, p_we, tin, tout, cache_read=cache, sigma=0.35,
                attrs={"subscription": sub, "scope": scope, "account": account,
                       "resource_id": f"/subscriptions/{sub}/resourceGroups/{team.azure_rg}/providers/"
                                      f"Microsoft.CognitiveServices/accounts/{account}",
                       "tags": {"team": team.slug, "env": "prod", "agent": agent}}))

        # Google Cloud ---------------------------------------------------------------------
        w["gcp_vertex"].append(Workload(
            "gcp_vertex", "finance-reconciler", finance, "finance-reconciler", f"sa-finance-reconciler{sid}", None,
            [Phase((MixEntry("gemini-2-5-pro", 1.0),))],
            80, 0.3, 0.0, 9_000, 1_500, cache_read=0.25, sigma=0.35, gateway=True,
            attrs={"service": "vertex", "project": finance.gcp_project,
                   "labels": {"team": finance.slug, "agent": "finance-reconciler", "env": "prod"}}))
        # Month-end close: the same agent reads whole ledgers (prompts > 200K tokens, long-context SKUs).
        w["gcp_vertex"].append(Workload(
            "gcp_vertex", "finance-reconciler-close", finance, "finance-reconciler", f"sa-finance-reconciler{sid}", None,
            [Phase((MixEntry("gemini-2-5-pro", 1.0, context="long"),))],
            12, 0.9, 0.0, 9_000, 2_500, cache_read=0.25, sigma=0.3, gateway=True, month_end_days=3,
            attrs={"service": "vertex", "project": finance.gcp_project,
                   "labels": {"team": finance.slug, "agent": "finance-reconciler", "env": "prod"}}))
        w["gcp_vertex"].append(Workload(
            "gcp_vertex", "query-rewriter", search, "query-rewriter", f"sa-query-rewriter{sid}", None,
            [Phase((MixEntry("gemini-2-5-flash", 1.0),))], 2_500, 0.18, 0.04, 600, 80, cache_read=0.3, sigma=0.25,
            attrs={"service": "vertex", "project": search.gcp_project,
                   "labels": {"team": search.slug, "agent": "query-rewriter", "env": "prod"}}))
        w["gcp_vertex"].append(Workload(
            "gcp_vertex", "ai-studio", ds, None, None, None,
            [Phase((MixEntry("gemini-2-5-flash", 0.8), MixEntry("gemini-2-5-pro", 0.15),
                    MixEntry("gemini-2-5-pro", 0.05, context="long")))],
            50, 0.1, 0.02, 3_000, 800, sigma=0.6, workload="development",
            attrs={"service": "gemini_api", "project": f"acme-ds-sandbox{'' if unit.index == 0 else f'-u{unit.index + 1:04d}'}",
                   "labels": {}}))

        # The canary job exists once (unit 0).
        if unit.index == 0:
            for family, provider in CANARY_FAMILIES:
                w[provider].append(Workload(
                    provider, f"canary-{family}", platform, "canary", self._canary_key(provider), None, [], 1, 1, 1,
                    0, 0, workload="canary", canary=True,
                    attrs={"family": family, "service": "vertex", "project": platform.gcp_project,
                           "labels": {"team": platform.slug, "agent": "canary", "workload": "canary"}}))
        return w

    @staticmethod
    def _canary_key(provider: str) -> str:
        return {"anthropic": "apikey_canary", "openai": "key_canary", "gcp_vertex": "sa-canary"}[provider]

    def _add_incident_workloads(self) -> None:
        unit = self.units[0]
        for index, inc in enumerate(self.incidents):
            if inc.type == "spend_spike":
                assert inc.provider is not None and inc.model is not None
                agent = str(inc.details["agent"])
                team = unit.team("data-science")
                wl = Workload(
                    inc.provider, agent, team, agent, f"{'key' if inc.provider == 'openai' else 'apikey'}_{agent.replace('-', '')}",
                    None, [Phase((MixEntry(inc.model, 1.0),))], 0, 0, 0, 2_200, 600, sigma=0.1,
                    workload="backfill", gateway=True)
                wl.burst_days = {inc.start: float(inc.magnitude), inc.start + timedelta(days=1): float(inc.magnitude)}
                self.extra_workloads[inc.provider].append((index, wl))
            elif inc.type == "unpriced_model":
                assert inc.provider is not None and inc.model is not None and inc.sku is not None
                if inc.model not in self.models:
                    base = self.models["gpt-5-mini" if inc.provider == "openai" else "claude-haiku-4-5"]
                    self.models[inc.model] = ModelInfo(inc.model, base.family, base.developer, inc.sku,
                                                       base.chars_per_token)
                ids = self.openai_ids if inc.provider == "openai" else self.anthropic_ids
                ids[inc.model] = inc.sku
                team = unit.team("search")
                wl = Workload(
                    inc.provider, f"trial-{inc.model}", team, None,
                    f"{'key' if inc.provider == 'openai' else 'apikey'}_trial{inc.model.replace('-', '')}", None,
                    [Phase((MixEntry(inc.model, 1.0),))], 300 * float(inc.magnitude), 1.0, 0.6, 1_500, 300,
                    cache_read=0.2, sigma=0.3, active_from=inc.start)
                self.extra_workloads[inc.provider].append((index, wl))

    def _forced_on(self, wl: Workload, day: date) -> bool:
        """True when a unit_price_change or tokenizer_shift injected for `day` targets this workload.

        The first business unit's workloads of the target model are then active on the onset
        day, so that an injected incident is never hidden by a quiet day.
        """
        if wl.team.unit != 0:
            return False
        for inc in self.incidents:
            if inc.start != day:
                continue
            if inc.type == "unit_price_change" and inc.provider == wl.provider:
                if any(entry.model == inc.model for entry in wl.mix_on(day)):
                    return True
            elif inc.type == "tokenizer_shift":
                if any(self.models[entry.model].family == inc.target for entry in wl.mix_on(day)):
                    return True
        return False

    # ---- canary ------------------------------------------------------------------------------

    def canary_model(self, family: str, day: date) -> str:
        return {
            "claude-opus": "claude-opus-4-6" if day < OPUS_SWITCH else "claude-opus-4-7",
            "claude-sonnet": "claude-sonnet-4-6",
            "gpt-5": "gpt-5",
            "gemini-flash": "gemini-2-5-flash",
        }[family]

    def canary_requests(self, day: date) -> list[dict[str, Any]]:
        """The canary job's requests of `day` (same prompt, one request per family)."""
        cached = self._canary_cache.get(day)
        if cached is not None:
            return cached
        rng = stream(self.opts.seed, "canary", day)
        records: list[dict[str, Any]] = []
        platform = self.units[0].team("platform")
        for position, (family, provider) in enumerate(CANARY_FAMILIES):
            model = self.canary_model(family, day)
            info = self.models[model]
            factor = self.token_factor(model, day)
            completion_chars = round(CANARY_COMPLETION_CHARS * rng.uniform(0.96, 1.04))
            input_tokens = round(CANARY_PROMPT_CHARS / info.chars_per_token * factor)
            output_tokens = round(completion_chars / info.chars_per_token * factor * rng.uniform(0.995, 1.005))
            records.append({
                "request_id": f"req_{rng.hex(24)}",
                "timestamp": iso_z(day, 6 * 3600 + position * 7 + rng.random() * 3, millis=True),
                "provider": provider,
                "model": self.gateway_ids[provider][model],
                "api_key_id": self._canary_key(provider),
                "agent": "canary",
                "team": platform.slug,
                "workload": "canary",
                "input_tokens": input_tokens,
                "cached_input_tokens": 0,
                "output_tokens": output_tokens,
                "prompt_chars": CANARY_PROMPT_CHARS,
                "completion_chars": completion_chars,
                "status": "ok",
                "_model": model,
                "_family": family,
            })
        self._canary_cache = {day: records}
        return records

    # ---- daily usage -------------------------------------------------------------------------

    def simulate(self, provider: str, day: date) -> list[Cell]:
        """All cells of `provider` on `day`, in a fixed order."""
        rng = stream(self.opts.seed, "usage", provider, day)
        act = self.opts.activity
        growth = 1.0 + 0.04 * ((day - self.opts.start).days / 30.0)
        weekday = day.weekday() < 5
        cells: list[Cell] = []
        for unit in self.units:
            for wl in unit.workloads[provider]:
                if wl.canary:
                    cells.extend(self._canary_cells(wl, day))
                else:
                    self._simulate_workload(wl, day, rng, act, growth, weekday, cells)
        for index, wl in self.extra_workloads[provider]:
            self._simulate_workload(wl, day, stream(self.opts.seed, "incident", index, day), 1.0, 1.0, weekday, cells)
        return cells

    def _canary_cells(self, wl: Workload, day: date) -> list[Cell]:
        family = wl.attrs["family"]
        out: list[Cell] = []
        for rec in self.canary_requests(day):
            if rec["_family"] == family:
                out.append(Cell(wl, rec["_model"], "standard", "standard", "regional", 1,
                                rec["input_tokens"], 0, 0, 0, rec["output_tokens"], 0))
        return out

    def _simulate_workload(
        self, wl: Workload, day: date, rng: Rng, act: float, growth: float, weekday: bool, cells: list[Cell]
    ) -> None:
        if not wl.live(day):
            return
        if wl.burst_days or wl.requests == 0:
            mean = wl.burst_days.get(day, 0.0)
            if mean <= 0:
                return
            total = max(1, round(rng.lognorm_mean(mean, wl.sigma) * (act if not wl.workload == "backfill" else 1)))
        else:
            p = (wl.p_weekday if weekday else wl.p_weekend) * act
            if rng.random() >= p:
                if not self._forced_on(wl, day):
                    return
                # An incident starts today on a model this workload uses: make the onset observable
                # with a separate stream, so that every other cell keeps the clean run's draws.
                rng = stream(self.opts.seed, "forced", wl.provider, wl.team.unit, wl.name, day)
            total = max(1, round(rng.lognorm_mean(wl.requests * growth, wl.sigma)))
        mix = wl.mix_on(day)
        remaining, share_left = total, 1.0
        for position, entry in enumerate(mix):
            if position == len(mix) - 1:
                count = remaining
            else:
                count = rng.binom(remaining, min(1.0, entry.share / share_left)) if share_left > 0 else 0
            remaining -= count
            share_left -= entry.share
            if count <= 0:
                continue
            factor = self.token_factor(entry.model, day)
            per_request_in = wl.long_input_tokens if entry.context == "long" else wl.input_tokens
            tin = max(count, round(count * per_request_in * factor * rng.lognorm_mean(1.0, 0.12)))
            out = max(1, round(count * wl.output_tokens * factor * rng.lognorm_mean(1.0, 0.12)))
            cached = cw5 = cw1h = 0
            if entry.tier != "batch":
                if wl.cache_read:
                    cached = round(tin * wl.cache_read * rng.uniform(0.9, 1.1))
                if wl.cache_write_5m:
                    cw5 = round(tin * wl.cache_write_5m * rng.uniform(0.8, 1.2))
                if wl.cache_write_1h:
                    cw1h = round(tin * wl.cache_write_1h * rng.uniform(0.8, 1.2))
                if cached + cw5 + cw1h > tin:
                    cached = tin - cw5 - cw1h
            searches = rng.binom(count, wl.web_search) if wl.web_search else 0
            cells.append(Cell(wl, entry.model, entry.tier, entry.context, entry.route, count,
                              tin - cached - cw5 - cw1h, cached, cw5, cw1h, out, searches))


# --------------------------------------------------------------------------------------------
# Output plumbing
# --------------------------------------------------------------------------------------------


@dataclass
class Period:
    """A calendar month clipped to the window."""

    first: date
    last: date

    @property
    def key(self) -> str:
        return self.first.strftime("%Y-%m")

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def periods(start: date, end: date) -> list[Period]:
    result: list[Period] = []
    cursor = start
    while cursor <= end:
        last = min(month_end(cursor), end)
        result.append(Period(cursor, last))
        cursor = last + timedelta(days=1)
    return result


def export_stamp(period: Period, hour: int, minute: int = 0) -> tuple[str, datetime]:
    """Export timestamp of a period: the day after its last day in the window."""
    day = period.last + timedelta(days=1)
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H%MZ"), moment


@dataclass
class FileRecord:
    """A written file, for the manifest."""

    export: str
    path: Path
    rows: int
    mtime: datetime
    period: str


class Output:
    """Registry of written files (relative paths, row counts, modification times)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: list[FileRecord] = []

    def path(self, export: str, name: str) -> Path:
        folder = self.root / export
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name

    def register(self, export: str, path: Path, rows: int, mtime: datetime, period: str) -> None:
        self.files.append(FileRecord(export, path, rows, mtime, period))


def open_text(path: Path) -> TextIO:
    if path.suffix == ".gz":
        # mtime=0 keeps gzip bytes deterministic.
        raw = open(path, "wb")
        gz = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0)
        return io.TextIOWrapper(gz, encoding="utf-8", newline="", write_through=False)  # type: ignore[arg-type]
    return open(path, "w", encoding="utf-8", newline="", buffering=1 << 20)


def q(text: str) -> str:
    """RFC 4180 quoting of one CSV field (only when it contains a comma, quote or line break)."""
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _text(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return value
    if kind is Decimal:
        return dec(value)
    return "" if value is None else str(value)


def csv_line(values: Iterable[Any]) -> str:
    """One RFC 4180 CSV line (LF)."""
    out: list[str] = []
    for value in values:
        kind = type(value)
        if kind is str:
            text = value
        elif kind is Decimal:
            text = dec(value)
        elif value is None:
            text = ""
        else:
            text = str(value)
        if "," in text or '"' in text or "\n" in text or "\r" in text:
            text = '"' + text.replace('"', '""') + '"'
        out.append(text)
    return ",".join(out) + "\n"


class JsonPager:
    """Streams the pages of one period of a bucketed API export (OpenAI or Anthropic envelope)."""

    def __init__(self, out: Output, export: str, stem: str, period: Period, stamp: str, mtime: datetime,
                 style: str, max_results: int = JSON_PAGE_RESULTS) -> None:
        self.out, self.export, self.stem, self.period = out, export, stem, period
        self.stamp, self.mtime, self.style, self.max_results = stamp, mtime, style, max_results
        self.page = 0
        self.handle: TextIO | None = None
        self.page_rows = 0
        self.page_buckets = 0
        self.bucket_rows = 0

    def _open(self) -> None:
        self.page += 1
        name = f"{self.stamp}_{self.stem}_{self.period.key}_page{self.page:03d}.json"
        self.path = self.out.path(self.export, name)
        self.handle = open_text(self.path)
        self.handle.write('{"object":"page","data":[' if self.style == "openai" else '{"data":[')
        self.page_rows = 0
        self.page_buckets = 0

    def _close(self, has_more: bool) -> None:
        assert self.handle is not None
        next_page = jdump(f"page_{self.stamp}_{self.page + 1:03d}") if has_more else "null"
        self.handle.write(f'],"has_more":{"true" if has_more else "false"},"next_page":{next_page}}}')
        self.handle.close()
        self.out.register(self.export, self.path, self.page_rows, self.mtime, self.period.key)
        self.handle = None

    def start_bucket(self, day: date) -> None:
        if self.handle is None:
            self._open()
        elif self.page_rows >= self.max_results:
            self._close(True)
            self._open()
        assert self.handle is not None
        if self.page_buckets:
            self.handle.write(",")
        self.page_buckets += 1
        self.bucket_rows = 0
        nxt = day + timedelta(days=1)
        if self.style == "openai":
            self.handle.write(f'{{"object":"bucket","start_time":{epoch(day)},"end_time":{epoch(nxt)},"results":[')
        else:
            self.handle.write(f'{{"starting_at":"{day.isoformat()}T00:00:00Z","ending_at":"{nxt.isoformat()}T00:00:00Z","results":[')

    def add(self, result_json: str) -> None:
        assert self.handle is not None
        if self.bucket_rows:
            self.handle.write(",")
        self.handle.write(result_json)
        self.bucket_rows += 1
        self.page_rows += 1

    def end_bucket(self) -> None:
        assert self.handle is not None
        self.handle.write("]}")

    def finish(self) -> None:
        if self.handle is not None:
            self._close(False)


class Writer:
    """Base class of an export writer: one period at a time, one day at a time."""

    export: str = ""

    def __init__(self, world: World, out: Output) -> None:
        self.world = world
        self.out = out
        self.seed = world.opts.seed

    def begin_period(self, period: Period) -> None:
        """Called before the first day of a period."""

    def day(self, day: date, cells: dict[str, list[Cell]]) -> None:
        """Called once per day with the usage cells of every simulated provider."""

    def end_period(self, period: Period) -> None:
        """Called after the last day of a period."""

    def finish(self) -> None:
        """Called once at the end."""


# --------------------------------------------------------------------------------------------
# OpenAI
# --------------------------------------------------------------------------------------------

OPENAI_PIECES: tuple[tuple[str, str, str], ...] = (
    ("input", "input", "input"),
    ("cached", "cached_input", "cached input"),
    ("output", "output", "output"),
)


class OpenAIUsageWriter(Writer):
    export = "openai/usage_completions"

    def begin_period(self, period: Period) -> None:
        stamp, mtime = export_stamp(period, 6, 0)
        self.pager = JsonPager(self.out, self.export, "usage_completions", period, stamp, mtime, "openai")

    def day(self, day: date, cells: dict[str, list[Cell]]) -> None:
        self.pager.start_bucket(day)
        newer = day >= OPENAI_UNCACHED_FIELD_FROM
        ids = self.world.openai_ids
        for cell in cells.get("openai", ()):
            wl = cell.wl
            user = jstr(wl.owner.openai_user_id) if wl.owner else "null"
            key = jstr(wl.key_id) if wl.key_id else "null"
            tail = (f',"input_uncached_tokens":{cell.input},"input_cache_write_tokens":0' if newer else "")
            self.pager.add(
                f'{{"object":"organization.usage.completions.result","input_tokens":{cell.total_input},'
                f'"output_tokens":{cell.output},"num_model_requests":{cell.requests},'
                f'"project_id":{jstr(wl.team.openai_project)},"user_id":{user},"api_key_id":{key},'
                f'"model":{jstr(ids[cell.model])},"batch":{"true" if cell.tier == "batch" else "false"},'
                f'"input_cached_tokens":{cell.cached},"input_audio_tokens":0,"output_audio_tokens":0{tail}}}')
        self.pager.end_bucket()

    def end_period(self, period: Period) -> None:
        self.pager.finish()


class OpenAICostWriter(Writer):
    export = "openai/costs"

    def begin_period(self, period: Period) -> None:
        stamp, mtime = export_stamp(period, 6, 5)
        self.pager = JsonPager(self.out, self.export, "costs", period, stamp, mtime, "openai")

    def day(self, day: date, cells: dict[str, list[Cell]]) -> None:
        world = self.world
        totals: dict[tuple[str, str, str, str], int] = {}
        models: dict[tuple[str, str, str, str], str] = {}
        for cell in cells.get("openai", ()):
            project = cell.wl.team.openai_project
            vendor_id = self.world.openai_ids[cell.model]
            for attr, token_class, piece in OPENAI_PIECES:
                qty = getattr(cell, attr)
                if qty <= 0:
                    continue
                key = (project, vendor_id, cell.tier, piece)
                totals[key] = totals.get(key, 0) + qty
                models[key] = cell.model
        self.pager.start_bucket(day)
        class_of = {piece: token_class for _, token_class, piece in OPENAI_PIECES}
        for key in sorted(totals):
            project, vendor_id, tier, piece = key
            qty = totals[key]
            amount = qty * world.unit_price("openai", models[key], class_of[piece], day, tier)
            prefix = "" if tier == "standard" else f"{tier} | "
            self.pager.add(
                f'{{"object":"organization.costs.result","amount":{{"value":{dec(amount)},"currency":"usd"}},'
                f'"line_item":{jstr(f"{prefix}{vendor_id}, {piece}")},"project_id":{jstr(project)},'
                f'"quantity":{qty},"quantity_unit":"tokens"}}')
        for inc in world.incidents:
            if inc.type == "new_billing_unit" and inc.provider == "openai" and day >= inc.start:
                rng = stream(self.seed, "openai-vector-storage", day)
                gib_hours = (Decimal(24) * Decimal(str(round(rng.uniform(40, 44), 2))) * inc.magnitude)
                # $0.10 per GB-day of vector storage, reported per GiB-hour.
                amount = (gib_hours * Decimal("0.10") / Decimal(24)).quantize(TEN_DP)
                self.pager.add(jdump({
                    "object": "organization.costs.result",
                    "amount": {"value": amount, "currency": "usd"},
                    "line_item": "Vector storage",
                    "project_id": self.world.units[0].team("data-science").openai_project,
                    "quantity": gib_hours,
                    "quantity_unit": "gibibyte_hours",
                }))
        self.pager.end_bucket()

    def end_period(self, period: Period) -> None:
        self.pager.finish()


# --------------------------------------------------------------------------------------------
# Anthropic
# --------------------------------------------------------------------------------------------

ANTHROPIC_PIECES: tuple[tuple[str, str, str, str], ...] = (
    # cell attribute, price-book token class, token_type, description label
    ("input", "input", "uncached_input_tokens", "Input Tokens"),
    ("cached", "cached_input", "cache_read_input_tokens", "Cache Read Tokens"),
    ("cw5", "cache_write_5m", "cache_creation.ephemeral_5m_input_tokens", "Cache Write Tokens (5m)"),
    ("cw1h", "cache_write_1h", "cache_creation.ephemeral_1h_input_tokens", "Cache Write Tokens (1h)"),
    ("output", "output", "output_tokens", "Output Tokens"),
)


class AnthropicUsageWriter(Writer):
    export = "anthropic/usage_messages"

    def begin_period(self, period: Period) -> None:
        stamp, mtime = export_stamp(period, 6, 10)
        self.pager = JsonPager(self.out, self.export, "usage_messages", period, stamp, mtime, "anthropic")

    def day(self, day: date, cells: dict[str, list[Cell]]) -> None:
        self.pager.start_bucket(day)
        ids = self.world.anthropic_ids
        for cell in cells.get("anthropic", ()):
            wl = cell.wl
            key = jstr(wl.key_id) if wl.key_id else "null"
            ws = wl.team.anthropic_workspace
            self.pager.add(
                f'{{"uncached_input_tokens":{cell.input},"cache_creation":{{"ephemeral_1h_input_tokens":{cell.cw1h},'
                f'"ephemeral_5m_input_tokens":{cell.cw5}}},"cache_read_input_tokens":{cell.cached},'
                f'"output_tokens":{cell.output},"server_tool_use":{{"web_search_requests":{cell.web_search}}},'
                f'"api_key_id":{key},"workspace_id":{jstr(ws) if ws else "null"},"model":{jstr(ids[cell.model])},'
                f'"service_tier":{jstr(cell.tier)},"context_window":"0-200k"}}')
        self.pager.end_bucket()

    def end_period(self, period: Period) -> None:
        self.pager.finish()


class AnthropicCostWriter(Writer):
    export = "anthropic/cost_report"

    def begin_period(self, period: Period) -> None:
        stamp, mtime = export_stamp(period, 6, 15)
        self.pager = JsonPager(self.out, self.export, "cost_report", period, stamp, mtime, "anthropic")

    def day(self, day: date, cells: dict[str, list[Cell]]) -> None:
        world = self.world
        totals: dict[tuple[str, str, str, int], int] = {}
        for cell in cells.get("anthropic", ()):
            if cell.tier == "priority":  # priority tier never reaches cost_report
                continue
            ws = cell.wl.team.anthropic_workspace or ""
            for position, (attr, _, _, _) in enumerate(ANTHROPIC_PIECES):
                qty = getattr(cell, attr)
                if qty > 0:
                    key = (ws, cell.model, cell.tier, position)
                    totals[key] = totals.get(key, 0) + qty
            if cell.web_search:
                key = (ws, cell.model, cell.tier, 99)
                totals[key] = totals.get(key, 0) + cell.web_search
        self.pager.start_bucket(day)
        for key in sorted(totals):
            ws, model, tier, position = key
            qty = totals[key]
            display = self.world.models[model].display + (" Batch" if tier == "batch" else "")
            if position == 99:
                amount = qty * world.unit_price("anthropic", model, "web_search", day)
                cost_type, token_type, label = "web_search", None, "Web Search Requests"
            else:
                _, token_class, token_type, label = ANTHROPIC_PIECES[position]
                amount = qty * world.unit_price("anthropic", model, token_class, day, tier)
                cost_type = "tokens"
            self.pager.add(
                f'{{"currency":"USD","amount":"{dec(amount * 100)}","workspace_id":{jstr(ws) if ws else "null"},'
                f'"description":{jstr(f"{display} Usage - {label}")},"cost_type":"{cost_type}",'
                f'"context_window":"0-200k","model":{jstr(self.world.anthropic_ids[model])},'
                f'"service_tier":"{tier}","token_type":{jstr(token_type) if token_type else "null"}}}')
        self.pager.end_bucket()

    def end_period(self, period: Period) -> None:
        self.pager.finish()


# --------------------------------------------------------------------------------------------
# AWS CUR 2.0
# --------------------------------------------------------------------------------------------

AWS_CUR_COLUMNS: tuple[str, ...] = (
    "identity_line_item_id",
    "identity_time_interval",
    "bill_invoice_id",
    "bill_invoicing_entity",
    "bill_billing_entity",
    "bill_bill_type",
    "bill_payer_account_id",
    "bill_billing_period_start_date",
    "bill_billing_period_end_date",
    "line_item_usage_account_id",
    "line_item_line_item_type",
    "line_item_usage_start_date",
    "line_item_usage_end_date",
    "line_item_product_code",
    "line_item_usage_type",
    "line_item_operation",
    "line_item_availability_zone",
    "line_item_resource_id",
    "line_item_usage_amount",
    "line_item_currency_code",
    "line_item_unblended_rate",
    "line_item_unblended_cost",
    "line_item_blended_rate",
    "line_item_blended_cost",
    "line_item_line_item_description",
    "line_item_legal_entity",
    "line_item_iam_principal",
    "line_item_user_identifier",
    "product_product_name",
    "product_product_family",
    "product_region_code",
    "product_servicecode",
    "product_sku",
    "pricing_unit",
    "pricing_term",
    "pricing_public_on_demand_rate",
    "pricing_public_on_demand_cost",
    "resource_tags",
)
BEDROCK_SUFFIX: dict[str, str] = {
    "input": "input-tokens",
    "output": "output-tokens",
    "cached_input": "cache-read-input-token-count",
    "cache_write": "cache-write-input-token-count",
}
MARKETPLACE_USAGE: dict[tuple[str, str], str] = {
    ("input", "regional"): "USE1-MP:USE1_InputTokenCount-Units",
    ("output", "regional"): "USE1-MP:USE1_OutputTokenCount-Units",
    ("cached_input", "regional"): "USE1-MP:USE1_CacheReadInputTokenCount-Units",
    ("cache_write", "regional"): "USE1-MP:USE1_CacheWriteInputTokenCount-Units",
    ("input", "global"): "USE1-MP:USE1_InputTokenCount_Global-Units",
    ("output", "global"): "USE1-MP:USE1_OutputTokenCount_Global-Units",
    ("cached_input", "global"): "USE1-MP:USE1_CacheReadInputTokenCount_Global-Units",
    ("cache_write", "global"): "USE1-MP:USE1_cache_write_tokens_global_standard-Units",
    ("input", "batch"): "USE1-MP:USE1_MillionBatchInputTokens-Units",
    ("output", "batch"): "USE1-MP:USE1_MillionBatchOutputTokens-Units",
}
THOUSAND = Decimal(1000)
MILLION = Decimal(1_000_000)


class CsvPeriodWriter(Writer):
    """Base class of the one-file-per-month CSV/JSONL bills."""

    stem = ""
    ext = "csv"
    hour, minute = 8, 0

    def header(self, period: Period) -> Sequence[str] | None:
        return None

    def begin_period(self, period: Period) -> None:
        stamp, self.mtime = export_stamp(period, self.hour, self.minute)
        self.period = period
        self.path = self.out.path(self.export, f"{stamp}_{self.stem}_{period.key}.{self.ext}")
        self.handle = open_text(self.path)
        self.rows = 0
        header = self.header(period)
        if header is not None:
            self.handle.write(",".join(q(h) for h in header) + "\n")

    def write(self, line: str) -> None:
        self.handle.write(line)
        self.rows += 1

    def writerow(self, values: Sequence[str]) -> None:
        """One CSV record of values that are already text AND already quoted with `q`."""
        self.handle.write(",".join(values) + "\n")
        self.rows += 1

    def writerow_q(self, values: Sequence[str]) -> None:
        """One CSV record of text values, quoting each where needed."""
        self.handle.write(",".join([q(v) for v in values]) + "\n")
        self.rows += 1

    def end_period(self, period: Period) -> None:
        self.handle.close()
        self.out.register(self.export, self.path, self.rows, self.mtime, period.key)


class AwsCurWriter(CsvPeriodWriter):
    export = "aws_cur"
    stem = "cur2"
    hour = 8

    def __init__(self, world: World, out: Output) -> None:
        super().__init__(world, out)
        self.ext = "csv.gz" if world.opts.aws_format == "csv.gz" else "csv"
        self._static: dict[Any, list[tuple[int, str]]] = {}
        self._index = {col: i for i, col in enumerate(AWS_CUR_COLUMNS)}
        self._day: tuple[date, list[str]] | None = None
        idx = self._index
        self._i_id = idx["identity_line_item_id"]
        self._i_amount = idx["line_item_usage_amount"]
        self._i_rate, self._i_cost = idx["line_item_unblended_rate"], idx["line_item_unblended_cost"]
        self._i_brate, self._i_bcost = idx["line_item_blended_rate"], idx["line_item_blended_cost"]
        self._i_prate = idx["pricing_public_on_demand_rate"]
        self._i_pcost = idx["pricing_public_on_demand_cost"]

    def header(self, period: Period) -> Sequence[str]:
        return AWS_CUR_COLUMNS

    def _base(self, day: date) -> list[str]:
        """The columns every line of `day` shares (cached for the day)."""
        if self._day is None or self._day[0] != day:
            idx = self._index
            row = [""] * len(AWS_CUR_COLUMNS)
            start, end = iso_z(day), iso_z(day + timedelta(days=1))
            for col, value in (
                ("identity_time_interval", f"{start}/{end}"),
                ("bill_invoicing_entity", "Amazon Web Services, Inc."),
                ("bill_billing_entity", "AWS"),
                ("bill_bill_type", "Anniversary"),
                ("bill_payer_account_id", AWS_ACCOUNT),
                ("bill_billing_period_start_date", iso_z(month_start(day))),
                ("bill_billing_period_end_date", iso_z(next_month(day))),
                ("line_item_usage_account_id", AWS_ACCOUNT),
                ("line_item_line_item_type", "Usage"),
                ("line_item_usage_start_date", start),
                ("line_item_usage_end_date", end),
                ("line_item_currency_code", "USD"),
                ("line_item_legal_entity", "Amazon Web Services, Inc."),
                ("pricing_term", "OnDemand"),
            ):
                row[idx[col]] = q(value)
            self._day = (day, row)
        return self._day[1]

    def _row(self, rng: Rng, day: date, static: list[tuple[int, str]], amount: Decimal, rate: Decimal,
             public_rate: Decimal | None = None) -> None:
        """One CUR line: fixed columns of the day, the charge's static columns and its money."""
        row = list(self._base(day))
        row[self._i_id] = rng.hex(40)
        for index, value in static:
            row[index] = value
        rate_text, cost_text = dec(rate), dec(amount * rate)
        row[self._i_amount] = dec(amount)
        row[self._i_rate] = row[self._i_brate] = rate_text
        row[self._i_cost] = row[self._i_bcost] = cost_text
        if public_rate is None:
            row[self._i_prate], row[self._i_pcost] = rate_text, cost_text
        else:
            row[self._i_prate], row[self._i_pcost] = dec(public_rate), dec(amount * public_rate)
        self.writerow(row)

    def _pairs(self, static: dict[str, str]) -> list[tuple[int, str]]:
        """(column index, quoted text) pairs of the static columns of a charge."""
        return [(self._index[col], q(value)) for col, value in static.items()]

    def _bedrock_static(self, wl: Workload, cell: Cell, token_class: str) -> tuple[list[tuple[int, str]], Decimal]:
        """Columns that only depend on (workload, model, tier, route, token class), and the block size."""
        key = (id(wl), cell.model, cell.tier, cell.route, token_class)
        hit = self._static.get(key)
        if hit is not None:
            return hit, MILLION if wl.attrs.get("marketplace") else THOUSAND
        principal = wl.attrs.get("principal", "")
        common = {
            "line_item_iam_principal": principal,
            "line_item_user_identifier": principal.rsplit("/", 1)[-1],
            "resource_tags": jdump(wl.attrs.get("tags", {})),
            "product_region_code": "us-east-1",
        }
        if wl.attrs.get("marketplace"):
            route = "batch" if cell.tier == "batch" else cell.route
            usage_type = MARKETPLACE_USAGE[(token_class, route)]
            product = BEDROCK_MARKETPLACE[cell.model]
            static = {
                "bill_billing_entity": "AWS Marketplace",
                "line_item_legal_entity": "Anthropic, PBC",
                "line_item_product_code": "c2ahm7wbv2tlpd2w7ycx4b6kq",
                "line_item_usage_type": usage_type,
                "line_item_operation": "Usage",
                "line_item_resource_id": f"arn:aws:bedrock:us-east-1::foundation-model/{BEDROCK_MODEL_IDS[cell.model]}",
                "line_item_line_item_description":
                    f"{product} {usage_type.split('_', 1)[1].replace('-Units', '')} per million units",
                "product_product_name": product,
                "product_servicecode": "c2ahm7wbv2tlpd2w7ycx4b6kq",
                "product_sku": sku_id("aws-mp", cell.model, usage_type),
                "pricing_unit": "Units",
            }
        else:
            prefix = "US" if cell.route == "cross_region" else "USE1"
            usage_type = (f"{prefix}-{BEDROCK_TOKENS[cell.model]}-{BEDROCK_SUFFIX[token_class]}"
                          + ("-batch" if cell.tier == "batch" else ""))
            model_id = BEDROCK_MODEL_IDS[cell.model]
            static = {
                "line_item_product_code": "AmazonBedrock",
                "line_item_usage_type": usage_type,
                "line_item_operation": "CreateModelInvocationJob" if cell.tier == "batch" else "InvokeModelInference",
                "line_item_resource_id": (f"arn:aws:bedrock:us-east-1:{AWS_ACCOUNT}:inference-profile/us.{model_id}"
                                          if cell.route == "cross_region"
                                          else f"arn:aws:bedrock:us-east-1::foundation-model/{model_id}"),
                "line_item_line_item_description":
                    f"Amazon Bedrock {self.world.models[cell.model].display} {BEDROCK_SUFFIX[token_class]} per 1K tokens",
                "product_product_name": "Amazon Bedrock",
                "product_product_family": "Amazon Bedrock",
                "product_servicecode": "AmazonBedrock",
                "product_sku": sku_id("aws-bedrock", usage_type),
                "pricing_unit": "1K tokens",
            }
        static.update(common)
        pairs = self._static[key] = self._pairs(static)
        return pairs, MILLION if wl.attrs.get("marketplace") else THOUSAND

    def day(self, day: date, cells: dict[str, list[Cell]]) -> None:
        world = self.world
        rng = stream(self.seed, "aws-cur", day)
        for cell in cells.get("aws_bedrock", ()):
            wl = cell.wl
            pieces = (("input", cell.input), ("cached_input", cell.cached), ("cache_write", cell.cw5 + cell.cw1h),
                      ("output", cell.output))
            for token_class, qty in pieces:
                if qty <= 0:
                    continue
                static, block = self._bedrock_static(wl, cell, token_class)
                unit = world.unit_price("aws_bedrock", cell.model, token_class, day, cell.tier)
                factor = world.cost_factor("aws_bedrock", cell.model, day)
                public = None if factor == 1 else unit / factor * block
                self._row(rng, day, static, Decimal(qty) / block, unit * block, public)
        self._other_services(rng, day)

    def _other_services(self, rng: Rng, day: date) -> None:
        act = self.world.opts.activity
        for unit in self.world.units:
            if rng.chance(0.25 * act):
                self._row(rng, day, self._other_static("ec2", unit), Decimal(24 * rng.randint(2, 6)), Decimal("0.192"))
            if rng.chance(0.1 * act):
                gb_month = Decimal(str(round(rng.uniform(800, 1200) / 30, 6)))
                self._row(rng, day, self._other_static("s3", unit), gb_month, Decimal("0.023"))
            if rng.chance(0.05 * act):
                self._row(rng, day, self._other_static("sagemaker", unit), Decimal(rng.randint(2, 10)), Decimal("0.05"))

    def _other_static(self, service: str, unit: Unit) -> list[tuple[int, str]]:
        key = (service, unit.index)
        hit = self._static.get(key)
        if hit is not None:
            return hit
        sfx = "" if unit.index == 0 else f"-u{unit.index + 1:04d}"
        if service == "ec2":
            static = {
                "line_item_product_code": "AmazonEC2", "line_item_usage_type": "USE1-BoxUsage:m5.xlarge",
                "line_item_operation": "RunInstances", "line_item_availability_zone": "us-east-1a",
                "line_item_resource_id": f"i-0{sku_id('ec2', unit.index).replace('-', '').lower()}",
                "line_item_line_item_description": "$0.192 per On Demand Linux m5.xlarge Instance Hour",
                "product_product_name": "Amazon Elastic Compute Cloud", "product_product_family": "Compute Instance",
                "product_region_code": "us-east-1", "product_servicecode": "AmazonEC2",
                "product_sku": sku_id("ec2-m5xl"), "pricing_unit": "Hrs",
                "resource_tags": jdump({"user_team": unit.team("search").slug, "user_env": "prod"}),
            }
        elif service == "s3":
            static = {
                "line_item_product_code": "AmazonS3", "line_item_usage_type": "TimedStorage-ByteHrs",
                "line_item_operation": "StandardStorage", "line_item_resource_id": f"acme-search-index{sfx}",
                "line_item_line_item_description": "$0.023 per GB - first 50 TB / month of storage used",
                "product_product_name": "Amazon Simple Storage Service", "product_product_family": "Storage",
                "product_region_code": "us-east-1", "product_servicecode": "AmazonS3",
                "product_sku": sku_id("s3-std"), "pricing_unit": "GB-Mo",
                "resource_tags": jdump({"user_team": unit.team("search").slug}),
            }
        else:
            static = {
                "line_item_product_code": "AmazonSageMaker", "line_item_usage_type": "USE1-Notebk:ml.t3.medium",
                "line_item_operation": "RunInstance:0001",
                "line_item_resource_id": f"arn:aws:sagemaker:us-east-1:{AWS_ACCOUNT}:notebook-instance/ds-notebook{sfx}",
                "line_item_line_item_description": "$0.05 per On-Demand Notebook ml.t3.medium hour",
                "product_product_name": "Amazon SageMaker", "product_product_family": "ML Instance",
                "product_region_code": "us-east-1", "product_servicecode": "AmazonSageMaker",
                "product_sku": sku_id("sm-t3m"), "pricing_unit": "Hrs",
                "resource_tags": jdump({"user_team": unit.team("data-science").slug}),
            }
        pairs = self._static[key] = self._pairs(static)
        return pairs


# --------------------------------------------------------------------------------------------
# Azure cost details
# --------------------------------------------------------------------------------------------

AZURE_COLUMNS: tuple[str, ...] = (
    "BillingAccountId",
    "BillingAccountName",
    "BillingPeriodStartDate",
    "BillingPeriodEndDate",
    "SubscriptionId",
    "SubscriptionName",
    "ResourceGroup",
    "ResourceId",
    "ResourceLocation",
    "Date",
    "ProductName",
    "MeterCategory",
    "MeterSubCategory",
    "MeterName",
    "MeterId",
    "MeterRegion",
    "UnitOfMeasure",
    "Quantity",
    "EffectivePrice",
    "UnitPrice",
    "PayGPrice",
    "CostInBillingCurrency",
    "CostInUsd",
    "PaygCostInUsd",
    "BillingCurrency",
    "ChargeType",
    "PricingModel",
    "Frequency",
    "BenefitId",
    "ConsumedService",
    "CostCenter",
    "Tags",
)


def azure_meter(model: str, token_class: str, tier: str, scope: str) -> tuple[str, str]:
    """(MeterName, UnitOfMeasure) of an Azure OpenAI token meter (inconsistent, as Azure's are)."""
    if model == "gpt-4o-mini":
        piece = {"input": "Inp", "cached_input": "cached-Inp", "output": "Outp"}[token_class]
        if tier == "batch":
            return f"gpt-4o-mini-0718-Batch-{piece}-{scope} Tokens", "1K"
        return f"gpt-4o-mini-0718-{piece}-{scope} Tokens", "1M"
    if model == "gpt-4o":
        piece = {"input": "Inp", "cached_input": "cached Inp", "output": "Outp"}[token_class]
        return f"gpt 4o 1120 {piece} {scope} Tokens", "1K"
    if model == "gpt-5-mini":
        piece = {"input": "Inpt", "cached_input": "cchd Inpt", "output": "Outpt"}[token_class]
        return f"GPT 5 Mini {piece} {scope.title()}", "1M"
    if model == "o3":
        piece = {"input": "Inpt", "cached_input": "cchd Inpt", "output": "Outpt"}[token_class]
        return f"o3 {piece} {scope} 1M Tokens", "1M"
    raise KeyError(model)


def azure_tags(tags: dict[str, str], braces: bool) -> str:
    body = ",".join(f'"{k}": "{v}"' for k, v in tags.items())
    return "{" + body + "}" if braces else body


class AzureWriter(CsvPeriodWriter):
    export = "azure_cost"
    stem = "cost_details"
    hour = 9

    def header(self, period: Period) -> Sequence[str]:
        return AZURE_COLUMNS

    def __init__(self, world: World, out: Output) -> None:
        super().__init__(world, out)
        self._index = {col: i for i, col in enumerate(AZURE_COLUMNS)}
        self._meters: dict[tuple[str, str, str, str], tuple[str, str, Decimal, str]] = {}
        self._tags: dict[tuple[str, bool], str] = {}
        self._static: dict[Any, tuple[list[tuple[int, str]], Decimal]] = {}
        self._day: tuple[date, list[str]] | None = None

    def _ai_static(self, wl: Workload, cell: Cell, token_class: str, braces: bool
                   ) -> tuple[list[tuple[int, str]], Decimal]:
        """Columns of an Azure OpenAI line that only depend on the deployment and the meter."""
        key = (id(wl), cell.model, cell.tier, token_class, braces)
        hit = self._static.get(key)
        if hit is None:
            attrs = wl.attrs
            meter, uom, block, meter_id = self._meter(cell.model, token_class, cell.tier, attrs["scope"])
            values = {
                "SubscriptionId": attrs["subscription"],
                "SubscriptionName": "acme-ai-prod",
                "ResourceGroup": wl.team.azure_rg,
                "ResourceId": attrs["resource_id"],
                "ResourceLocation": "eastus2",
                "ProductName": f"Azure OpenAI - {meter}",
                "MeterCategory": "Cognitive Services",
                "MeterSubCategory": "Azure OpenAI",
                "MeterName": meter,
                "MeterId": meter_id,
                "MeterRegion": "East US 2" if attrs["scope"] != "glbl" else "Global",
                "UnitOfMeasure": uom,
                "ConsumedService": "Microsoft.CognitiveServices",
                "CostCenter": wl.team.cost_center,
                "Tags": azure_tags(attrs["tags"], braces),
            }
            hit = self._static[key] = ([(self._index[c], q(v)) for c, v in values.items()], block)
        return hit

    def _day_base(self, day: date) -> list[str]:
        if self._day is None or self._day[0] != day:
            idx = self._index
            base = [""] * len(AZURE_COLUMNS)
            base[idx["BillingAccountId"]] = "8611537"
            base[idx["BillingAccountName"]] = "Acme Corp"
            base[idx["BillingPeriodStartDate"]] = month_start(day).strftime("%m/%d/%Y")
            base[idx["BillingPeriodEndDate"]] = month_end(day).strftime("%m/%d/%Y")
            base[idx["Date"]] = day.strftime("%m/%d/%Y")
            base[idx["BillingCurrency"]] = "USD"
            base[idx["ChargeType"]] = "Usage"
            base[idx["PricingModel"]] = "OnDemand"
            base[idx["Frequency"]] = "UsageBased"
            self._day = (day, base)
        return self._day[1]

    def _row(self, day: date, values: dict[str, Any]) -> None:
        """One cost-details line: the day's fixed columns plus `values` (``_tags`` = tag dict)."""
        row = list(self._day_base(day))
        idx = self._index
        for col, value in values.items():
            if col == "_tags":
                braces = self.period.first >= AZURE_JSON_TAGS_FROM
                key = (jdump(value), braces)
                text = self._tags.get(key)
                if text is None:
                    text = self._tags[key] = azure_tags(value, braces) if value else ""
                row[idx["Tags"]] = q(text)
            else:
                row[idx[col]] = q(_text(value))
        self.writerow(row)

    def _meter(self, model: str, token_class: str, tier: str, scope: str) -> tuple[str, str, Decimal, str]:
        key = (model, token_class, tier, scope)
        hit = self._meters.get(key)
        if hit is None:
            meter, uom = azure_meter(model, token_class, tier, scope)
            hit = self._meters[key] = (meter, uom, THOUSAND if uom == "1K" else MILLION,
                                       stable_uuid("azure-meter", meter))
        return hit

    def day(self, day: date, cells: dict[str, list[Cell]]) -> None:
        world = self.world
        braces = self.period.first >= AZURE_JSON_TAGS_FROM
        for cell in cells.get("azure_openai", ()):
            wl = cell.wl
            for token_class, qty in (("input", cell.input), ("cached_input", cell.cached), ("output", cell.output)):
                if qty <= 0:
                    continue
                static, block = self._ai_static(wl, cell, token_class, braces)
                unit = world.unit_price("azure_openai", cell.model, token_class, day, cell.tier)
                list_unit = unit / world.cost_factor("azure_openai", cell.model, day)
                quantity = Decimal(qty) / block
                price_text = dec(unit * block)
                cost_text = dec(quantity * unit * block)
                row = list(self._day_base(day))
                for index, value in static:
                    row[index] = value
                idx = self._index
                row[idx["Quantity"]] = dec(quantity)
                row[idx["EffectivePrice"]] = row[idx["UnitPrice"]] = price_text
                row[idx["PayGPrice"]] = dec(list_unit * block)
                row[idx["CostInBillingCurrency"]] = row[idx["CostInUsd"]] = cost_text
                row[idx["PaygCostInUsd"]] = dec(quantity * list_unit * block)
                self.writerow(row)
        for inc in world.incidents:
            if inc.type == "new_billing_unit" and inc.provider == "azure_openai" and day >= inc.start:
                unit0 = world.units[0]
                team = unit0.team("search")
                sub = stable_uuid("azure-sub", 0)
                hours = Decimal(24) * 15 * inc.magnitude
                price = Decimal(1)
                self._row(day, {
                    "SubscriptionId": sub, "SubscriptionName": "acme-ai-prod", "ResourceGroup": team.azure_rg,
                    "ResourceId": f"/subscriptions/{sub}/resourceGroups/{team.azure_rg}/providers/"
                                  f"Microsoft.CognitiveServices/accounts/aoai-{team.slug}-ptu",
                    "ResourceLocation": "eastus2", "ProductName": "Azure OpenAI - Provisioned Managed Global",
                    "MeterCategory": "Cognitive Services", "MeterSubCategory": "Azure OpenAI",
                    "MeterName": "Provisioned Managed Global Unit", "MeterId": stable_uuid("azure-meter", "ptu"),
                    "MeterRegion": "Global", "UnitOfMeasure": "1 Hour", "Quantity": hours, "EffectivePrice": price,
                    "UnitPrice": price, "PayGPrice": price, "CostInBillingCurrency": hours * price,
                    "CostInUsd": hours * price, "PaygCostInUsd": hours * price,
                    "ConsumedService": "Microsoft.CognitiveServices", "CostCenter": team.cost_center,
                    "_tags": {"team": team.slug, "env": "prod"},
                })
        self._other_services(day)

    def _other_services(self, day: date) -> None:
        rng = stream(self.seed, "azure-other", day)
        act = self.world.opts.activity
        for unit in self.world.units:
            team = unit.team("platform")
            sub = stable_uuid("azure-sub-core", unit.index)
            if rng.chance(0.2 * act):
                hours = Decimal(24 * rng.randint(1, 4))
                price = Decimal("0.192")
                self._row(day, {
                    "SubscriptionId": sub, "SubscriptionName": "acme-core", "ResourceGroup": f"rg-{team.slug}-apps",
                    "ResourceId": f"/subscriptions/{sub}/resourceGroups/rg-{team.slug}-apps/providers/"
                                  f"Microsoft.Compute/virtualMachines/vm-build-{unit.index + 1:02d}",
                    "ResourceLocation": "eastus2", "ProductName": "Virtual Machines Dsv5 Series - D4s v5 - US East 2",
                    "MeterCategory": "Virtual Machines", "MeterSubCategory": "Dsv5 Series", "MeterName": "D4s v5",
                    "MeterId": stable_uuid("azure-meter", "D4s v5"), "MeterRegion": "US East 2",
                    "UnitOfMeasure": "1 Hour", "Quantity": hours, "EffectivePrice": price, "UnitPrice": price,
                    "PayGPrice": price, "CostInBillingCurrency": hours * price, "CostInUsd": hours * price,
                    "PaygCostInUsd": hours * price, "ConsumedService": "Microsoft.Compute",
                    "CostCenter": team.cost_center, "_tags": {"team": team.slug, "env": "ci"},
                })
            if rng.chance(0.1 * act):
                gb = Decimal(str(round(rng.uniform(300, 500) / 30, 6)))
                price = Decimal("0.0208")
                self._row(day, {
                    "SubscriptionId": sub, "SubscriptionName": "acme-core", "ResourceGroup": f"rg-{team.slug}-apps",
                    "ResourceId": f"/subscriptions/{sub}/resourceGroups/rg-{team.slug}-apps/providers/"
                                  f"Microsoft.Storage/storageAccounts/stacmelogs{unit.index + 1:02d}",
                    "ResourceLocation": "eastus2", "ProductName": "Blob Storage - Hot LRS",
                    "MeterCategory": "Storage", "MeterSubCategory": "Tiered Block Blob", "MeterName": "Hot LRS Data Stored",
                    "MeterId": stable_uuid("azure-meter", "Hot LRS Data Stored"), "MeterRegion": "US East 2",
                    "UnitOfMeasure": "1 GB/Month", "Quantity": gb, "EffectivePrice": price, "UnitPrice": price,
                    "PayGPrice": price, "CostInBillingCurrency": gb * price, "CostInUsd": gb * price,
                    "PaygCostInUsd": gb * price, "ConsumedService": "Microsoft.Storage",
                    "CostCenter": team.cost_center, "_tags": {"team": team.slug},
                })


# --------------------------------------------------------------------------------------------
# Google Cloud billing export
# --------------------------------------------------------------------------------------------

VERTEX_SERVICE = {"id": "C7E2-9256-1C43", "description": "Vertex AI"}
GEMINI_API_SERVICE = {"id": "AEFD-7695-64FA", "description": "Gemini API"}


def gcp_sku(service: str, model: str, token_class: str, context: str) -> str:
    """SKU description of a Gemini token charge."""
    if service == "gemini_api":
        phrase = "gemini 2.5 pro" if model == "gemini-2-5-pro" else "gemini 2.5 flash"
        piece = {"input": "input", "cached_input": "cached input", "output": "output"}[token_class]
        length = "long" if context == "long" else "short"
        return f"Generate content {piece} token count {phrase} {length} input text"
    if model == "gemini-2-5-pro":
        # the context tier ends the description: ≤200K (U+2264) or >200K prompt tokens
        piece = {"input": "Text Input", "cached_input": "Cached Text Input",
                 "output": "Thinking Text Output"}[token_class]
        if context == "long":
            return f"Gemini 2.5 Pro Long {piece} - Predictions >200K"
        return f"Gemini 2.5 Pro {piece} - Predictions \u2264200K"
    return {
        "input": "Gemini 2.5 Flash Input Text - Predictions",
        "cached_input": "Gemini 2.5 Flash Input Cached Text - Predictions",
        "output": "Gemini 2.5 Flash Thinking Text Output - Predictions",
    }[token_class]


class GcpWriter(CsvPeriodWriter):
    export = "gcp_billing"
    stem = "billing_export"
    ext = "jsonl"
    hour = 4

    def begin_period(self, period: Period) -> None:
        super().begin_period(period)
        self.export_time = iso_z(period.last + timedelta(days=1), 4 * 3600)

    def __init__(self, world: World, out: Output) -> None:
        super().__init__(world, out)
        self.promo_left: dict[int, Decimal] = {u.index: Decimal(25) for u in world.units}
        self._fragments: dict[Any, str] = {}
        self._hours_day: date | None = None
        self._hours: list[str] = []

    def _project(self, project_id: str, team: str) -> str:
        """JSON of the project struct (cached: it repeats on every row)."""
        key = ("project", project_id, team)
        text = self._fragments.get(key)
        if text is None:
            number = str(int(hashlib.sha1(project_id.encode()).hexdigest()[:11], 16))
            text = jdump({"id": project_id, "number": number, "name": project_id,
                          "labels": [{"key": "team", "value": team}], "ancestry_numbers": "/123456789012/"})
            self._fragments[key] = text
        return text

    def _fragment(self, kind: str, value: Any) -> str:
        key = (kind, jdump(value) if isinstance(value, dict) else value)
        text = self._fragments.get(key)
        if text is None:
            if kind == "sku":
                # the export writes UTF-8: a non-ASCII description (≤) is kept as it is, unescaped
                text = json.dumps({"id": sku_id("gcp", value), "description": value},
                                  ensure_ascii=False, separators=(",", ":"))
            elif kind == "labels":
                text = jdump([{"key": k, "value": v} for k, v in value.items()])
            elif kind == "location":
                text = jdump({"location": value, "country": "US" if value != "global" else None,
                              "region": value if value != "global" else None, "zone": None})
            else:
                text = jdump(value)
            self._fragments[key] = text
        return text

    def _emit(self, rng: Rng, day: date, service: dict[str, str], sku: str, project: str,
              labels: dict[str, str], amount: Decimal, unit: str, pricing_unit: str, in_pricing: Decimal,
              cost: Decimal, credits: list[dict[str, Any]], location: str, hour: int | None = None) -> None:
        """One billing-export row (fields in the export's column order)."""
        start_hour = rng.randrange(24) if hour is None else hour
        cost_text = dec(cost)
        if self._hours_day != day:
            self._hours_day = day
            self._hours = [iso_z(day, h * 3600) for h in range(25)]
        self.write(
            f'{{"billing_account_id":"{GCP_BILLING_ACCOUNT}","service":{self._fragment("service", service)},'
            f'"sku":{self._fragment("sku", sku)},"usage_start_time":"{self._hours[start_hour]}",'
            f'"usage_end_time":"{self._hours[start_hour + 1]}","project":{project},'
            f'"labels":{self._fragment("labels", labels)},"system_labels":[],'
            f'"location":{self._fragment("location", location)},"export_time":"{self.export_time}",'
            f'"cost":{cost_text},"currency":"USD","currency_conversion_rate":1,'
            f'"usage":{{"amount":{dec(amount)},"unit":"{unit}","amount_in_pricing_units":{dec(in_pricing)},'
            f'"pricing_unit":"{pricing_unit}"}},"credits":{jdump(credits) if credits else "[]"},'
            f'"invoice":{{"month":"{day.year:04d}{day.month:02d}"}},"cost_type":"regular",'
            f'"cost_at_list":{cost_text}}}\n')

    def day(self, day: date, cells: dict[str, list[Cell]]) -> None:
        world = self.world
        rng = stream(self.seed, "gcp-billing", day)
        for cell in cells.get("gcp_vertex", ()):
            wl = cell.wl
            attrs = wl.attrs
            service = VERTEX_SERVICE if attrs["service"] == "vertex" else GEMINI_API_SERVICE
            project = self._project(attrs["project"], wl.team.slug)
            labels = attrs["labels"] if attrs["service"] == "vertex" else {}
            for token_class, qty in (("input", cell.input), ("cached_input", cell.cached), ("output", cell.output)):
                if qty <= 0:
                    continue
                sku = gcp_sku(attrs["service"], cell.model, token_class, cell.context)
                cost = qty * world.unit_price("gcp_vertex", cell.model, token_class, day, "standard", cell.context)
                credits: list[dict[str, Any]] = []
                if attrs["service"] == "gemini_api" and self.promo_left.get(wl.team.unit, ZERO) > 0:
                    used = min(cost, self.promo_left[wl.team.unit])
                    self.promo_left[wl.team.unit] -= used
                    if used > 0:
                        credits.append({"name": "Gemini API trial credit", "amount": -used,
                                        "full_name": "Gemini API trial credit", "id": "promo-gemini-trial",
                                        "type": "PROMOTION"})
                self._emit(rng, day, service, sku, project, labels, Decimal(qty), "count", "count", Decimal(qty),
                           cost, credits, "us-central1" if attrs["service"] == "vertex" else "global",
                           6 if wl.canary else None)
        self._other_services(rng, day)

    def _other_services(self, rng: Rng, day: date) -> None:
        act = self.world.opts.activity
        for unit in self.world.units:
            team = unit.team("data-science")
            project = self._project(team.gcp_project, team.slug)
            if rng.chance(0.2 * act):
                core_hours = Decimal(rng.randint(4, 16) * 24)
                cost = core_hours * Decimal("0.031611")
                cud = -(cost * Decimal("0.37")).quantize(Decimal("0.000001"))
                self._emit(rng, day, {"id": "6F81-5844-456A", "description": "Compute Engine"},
                           "N2 Instance Core running in Americas", project, {"team": team.slug},
                           core_hours * 3600, "seconds", "hour", core_hours, cost,
                           [{"name": "Committed use discount: CPU", "amount": cud, "full_name": None,
                             "id": "cud-n2-cpu", "type": "COMMITTED_USAGE_DISCOUNT"}], "us-central1")
            if rng.chance(0.1 * act):
                tib = Decimal(str(round(rng.uniform(0.5, 3.0), 4)))
                cost = tib * Decimal("6.25")
                self._emit(rng, day, {"id": "24E6-581D-38E5", "description": "BigQuery"}, "Analysis", project,
                           {"team": team.slug}, tib * Decimal(1099511627776), "bytes", "tebibyte", tib, cost, [], "US")


# --------------------------------------------------------------------------------------------
# GitHub Copilot
# --------------------------------------------------------------------------------------------

COPILOT_BASE_COLUMNS: tuple[str, ...] = (
    "date", "product", "sku", "quantity", "unit_type", "applied_cost_per_quantity", "gross_amount",
    "discount_amount", "net_amount", "username", "organization", "repository", "workflow_path",
    "cost_center_name", "model",
)
COPILOT_AIC_COLUMNS: tuple[str, ...] = ("aic_quantity", "aic_gross_amount")


def qty_text(value: Decimal) -> str:
    return dec(value, 4)


class CopilotWriter(CsvPeriodWriter):
    export = "github_copilot"
    stem = "usage_report"
    hour = 12

    def header(self, period: Period) -> Sequence[str]:
        self.aic = period.last >= COPILOT_CREDITS_FROM
        return COPILOT_BASE_COLUMNS + (COPILOT_AIC_COLUMNS if self.aic else ())

    def begin_period(self, period: Period) -> None:
        super().begin_period(period)
        self.allowance: dict[str, Decimal] = {}
        self.pool: dict[int, Decimal] = {}
        self.month_seen: set[date] = set()

    def _line(self, values: Sequence[str]) -> None:
        """One report line; free-text values must already be quoted with `q`."""
        cols = list(values)
        if self.aic and len(cols) < len(COPILOT_BASE_COLUMNS) + 2:
            cols += [""] * (len(COPILOT_BASE_COLUMNS) + 2 - len(cols))
        self.writerow(cols)

    def _seat_rows(self, day: date) -> None:
        """Monthly seat rows per cost centre, dated the 1st (or the window's first day)."""
        first, last = month_start(day), month_end(day)
        days_in_month = Decimal(last.day)
        for unit in self.world.units:
            per_cc: dict[str, Decimal] = {}
            pool = Decimal(0)
            for seat in unit.seats:
                if seat.product != "copilot_business":
                    continue
                begin = max(seat.start, first)
                end = min(seat.end or last + timedelta(days=1), last + timedelta(days=1))
                if end <= begin:
                    continue
                fraction = Decimal((end - begin).days) / days_in_month
                cc = seat.user.team.cost_center
                per_cc[cc] = per_cc.get(cc, ZERO) + fraction
                pool += fraction
            self.pool[unit.index] = (pool * 1900).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            for cc in sorted(per_cc):
                qty = per_cc[cc].quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
                gross = (qty * 19).quantize(CENT, rounding=ROUND_HALF_UP)
                self._line([day.isoformat(), "copilot", "copilot_for_business", qty_text(qty), "user-months", "19",
                            money2(gross), "0.00", money2(gross), "", q(unit.copilot_org), "", "", q(cc), ""])

    def day(self, day: date, cells: dict[str, list[Cell]]) -> None:
        if month_start(day) not in self.month_seen:
            self.month_seen.add(month_start(day))
            self._seat_rows(day)
        world = self.world
        rng = stream(self.seed, "copilot", day)
        weekday = day.weekday() < 5
        credits_era = day >= COPILOT_CREDITS_FROM
        act = world.opts.activity
        for unit in world.units:
            for user, periods_held in world.holders(unit, "copilot_business"):
                for start, end in periods_held:
                    if start <= day < end:
                        break
                else:
                    continue
                p = (0.045 if weekday else 0.005) * min(3.0, 0.4 + user.intensity) * act * (3 if user.power_user else 1)
                if rng.random() >= p:
                    continue
                # Power users run agent sessions: an order of magnitude more premium requests.
                mean = 6 * math.sqrt(user.intensity) * (12 if user.power_user else 1)
                requests = max(1, round(rng.lognorm_mean(mean, 0.6)))
                opus = "claude-opus-4-6" if day < OPUS_SWITCH else "claude-opus-4-7"
                mix = (("claude-sonnet-4-6", 0.55), ("gemini-2-5-pro", 0.1), (opus, 0.1), ("gpt-5-mini", 0.25))
                for model, share in mix:
                    count = rng.binom(requests, share)
                    if count <= 0:
                        continue
                    if credits_era:
                        self._credit_row(rng, day, unit, user, model, count)
                    else:
                        self._premium_row(day, unit, user, model, count)

    def _premium_row(self, day: date, unit: Unit, user: User, model: str, count: int) -> None:
        """Premium requests (until 2026-05-31): quantity = requests x model multiplier."""
        display, multiplier = COPILOT_MODELS[model]
        qty = Decimal(count) * multiplier
        if qty <= 0:  # 0x models are included in the plan and not reported
            return
        price = self.world.list_unit_price("github_copilot", "copilot-premium-request", "premium_request", day)
        left = self.allowance.get(user.email, Decimal(300))
        covered = min(left, qty)
        self.allowance[user.email] = left - covered
        gross, discount = qty * price, covered * price
        self._line([day.isoformat(), "copilot", "copilot_premium_request", qty_text(qty), "requests", dec(price),
                    money2(gross), money2(discount), money2(gross - discount), q(user.username), q(unit.copilot_org),
                    "", "", q(user.team.cost_center), q(display)])

    def _credit_row(self, rng: Rng, day: date, unit: Unit, user: User, model: str, count: int) -> None:
        """AI credits (from 2026-06-01): tokens x the model's list rates, in whole credits."""
        world = self.world
        display, _ = COPILOT_MODELS[model]
        tin, cache_share, tout = COPILOT_TOKENS[model]
        factor = world.token_factor(model, day)
        total_in = round(count * tin * factor * rng.lognorm_mean(1.0, 0.2))
        cached = round(total_in * cache_share)
        out = round(count * tout * factor * rng.lognorm_mean(1.0, 0.2))
        provider = LIST_PROVIDER[world.models[model].developer]
        dollars = ((total_in - cached) * world.list_unit_price(provider, model, "input", day)
                   + cached * world.list_unit_price(provider, model, "cached_input", day)
                   + out * world.list_unit_price(provider, model, "output", day))
        credits = (dollars * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        if credits <= 0:
            return
        price = world.list_unit_price("github_copilot", "copilot-ai-credit", "ai_credit", day)
        left = self.pool.get(unit.index, ZERO)
        covered = min(left, credits)
        self.pool[unit.index] = left - covered
        gross, discount = credits * price, covered * price
        self._line([day.isoformat(), "copilot", "copilot_ai_credit", qty_text(credits), "ai-credits", dec(price),
                    money2(gross), money2(discount), money2(gross - discount), q(user.username), q(unit.copilot_org),
                    "", "", q(user.team.cost_center), q(display), qty_text(credits), money2(gross)])


# --------------------------------------------------------------------------------------------
# Cursor
# --------------------------------------------------------------------------------------------


class CursorWriter(Writer):
    export = "cursor/usage_events"

    def begin_period(self, period: Period) -> None:
        self.stamp, self.mtime = export_stamp(period, 6, 20)
        self.period = period
        self.pages: list[tuple[Path, int]] = []
        self.handle: TextIO | None = None
        self.page_rows = 0

    def _open(self) -> None:
        name = f"{self.stamp}_usage_events_{self.period.key}_page{len(self.pages) + 1:03d}.json"
        path = self.out.path(self.export, name)
        self.handle = open_text(path)
        self.handle.write('{"usageEvents":[')
        self.pages.append((path, 0))
        self.page_rows = 0

    def _close_page(self) -> None:
        assert self.handle is not None
        self.handle.close()
        path, _ = self.pages[-1]
        self.pages[-1] = (path, self.page_rows)
        self.handle = None

    def day(self, day: date, cells: dict[str, list[Cell]]) -> None:
        world = self.world
        rng = stream(self.seed, "cursor", day)
        weekday = day.weekday() < 5
        act = world.opts.activity
        events: list[tuple[int, str]] = []
        for unit in world.units:
            for user, periods_held in world.holders(unit, "cursor_teams"):
                for start, end in periods_held:
                    if start <= day < end:
                        break
                else:
                    continue
                p = (0.1 if weekday else 0.01) * min(3.0, 0.4 + user.intensity) * act
                if rng.random() >= p:
                    continue
                for _ in range(max(1, rng.poisson(2.0 * math.sqrt(user.intensity)))):
                    events.append(self._event(rng, day, user))
        if not events:
            return
        events.sort()
        if self.handle is None or self.page_rows >= CURSOR_PAGE_SIZE:
            if self.handle is not None:
                self._close_page()
            self._open()
        assert self.handle is not None
        for _, text in events:
            if self.page_rows:
                self.handle.write(",")
            self.handle.write(text)
            self.page_rows += 1

    def _event(self, rng: Rng, day: date, user: User) -> tuple[int, str]:
        world = self.world
        ms = epoch(day) * 1000 + int(rng.uniform(7.5, 20.0) * 3_600_000)
        model = rng.choices(("claude-sonnet-4", "claude-sonnet-4-5", "gpt-5"), weights=(0.35, 0.35, 0.3))[0]
        token_based = rng.chance(0.85)
        max_mode = token_based and rng.chance(0.12)
        kind = "Included in Business"
        usage = ""
        if token_based:
            factor = world.token_factor(model, day)
            tin = round(rng.lognorm_mean(8_000, 0.6) * factor)
            out = round(rng.lognorm_mean(1_200, 0.6) * factor)
            read = round(rng.lognorm_mean(30_000, 0.8) * factor)
            write = round(rng.lognorm_mean(3_000, 0.8) * factor) if model != "gpt-5" else 0
            dollars = (tin * world.unit_price("cursor", model, "input", day)
                       + read * world.unit_price("cursor", model, "cached_input", day)
                       + out * world.unit_price("cursor", model, "output", day))
            if write:
                dollars += write * world.unit_price("cursor", model, "cache_write_5m", day)
            cents = (dollars * 100).quantize(CENT, rounding=ROUND_HALF_UP)
            usage = (f',"tokenUsage":{{"inputTokens":{tin},"outputTokens":{out},"cacheWriteTokens":{write},'
                     f'"cacheReadTokens":{read},"totalCents":{dec(cents)}}}')
            if max_mode or (user.power_user and rng.chance(0.5)):
                kind = "Usage-based"
        return ms, (f'{{"timestamp":"{ms}","model":"{CURSOR_IDS[model]}","kind":"{kind}",'
                    f'"maxMode":{"true" if max_mode else "false"},"requestsCosts":{2 if max_mode else 1},'
                    f'"isTokenBasedCall":{"true" if token_based else "false"}{usage},"isFreeBugbot":false,'
                    f'"userEmail":{jstr(user.email)}}}')

    def end_period(self, period: Period) -> None:
        if not self.pages:  # a month without events is still exported, as an empty page
            self._open()
        if self.handle is not None:
            self._close_page()
        total = sum(rows for _, rows in self.pages)
        count = len(self.pages)
        for number, (path, rows) in enumerate(self.pages, start=1):
            trailer = jdump({
                "numPages": count, "currentPage": number, "pageSize": CURSOR_PAGE_SIZE,
                "hasNextPage": number < count, "hasPreviousPage": number > 1,
            })
            with open(path, "a", encoding="utf-8", newline="") as handle:
                handle.write(f'],"pagination":{trailer},"totalUsageEventsCount":{total}}}')
            self.out.register(self.export, path, rows, self.mtime, period.key)


# --------------------------------------------------------------------------------------------
# Gateway, activity, seats
# --------------------------------------------------------------------------------------------


class GatewayWriter(CsvPeriodWriter):
    export = "gateway"
    stem = "gateway"
    ext = "jsonl"
    hour, minute = 0, 30

    def day(self, day: date, cells: dict[str, list[Cell]]) -> None:
        world = self.world
        rng = stream(self.seed, "gateway", day)
        records = [{k: v for k, v in rec.items() if not k.startswith("_")} for rec in world.canary_requests(day)]
        for provider in ("openai", "anthropic", "gcp_vertex"):
            for cell in cells.get(provider, ()):
                wl = cell.wl
                if not wl.gateway or wl.canary:
                    continue
                for _ in range(rng.binom(cell.requests, 1.0 / GATEWAY_SAMPLE_EVERY)):
                    records.append(self._sample(rng, day, provider, cell))
        records.sort(key=lambda r: (r["timestamp"], r["request_id"]))
        for rec in records:
            self.write(
                f'{{"request_id":"{rec["request_id"]}","timestamp":"{rec["timestamp"]}",'
                f'"provider":"{rec["provider"]}","model":{jstr(rec["model"])},'
                f'"api_key_id":{jstr(rec["api_key_id"]) if rec["api_key_id"] else "null"},'
                f'"agent":{jstr(rec["agent"]) if rec["agent"] else "null"},"team":{jstr(rec["team"])},'
                f'"workload":{jstr(rec["workload"])},"input_tokens":{rec["input_tokens"]},'
                f'"cached_input_tokens":{rec["cached_input_tokens"]},"output_tokens":{rec["output_tokens"]},'
                f'"prompt_chars":{rec["prompt_chars"]},"completion_chars":{rec["completion_chars"]},'
                f'"status":"{rec["status"]}"}}\n')

    def _sample(self, rng: Rng, day: date, provider: str, cell: Cell) -> dict[str, Any]:
        wl = cell.wl
        info = self.world.models[cell.model]
        factor = self.world.token_factor(cell.model, day)
        per_in = cell.total_input / cell.requests
        per_cached = cell.cached / cell.requests
        per_out = cell.output / cell.requests
        scale = rng.lognorm_mean(1.0, 0.3)
        tin = max(1, round(per_in * scale))
        cached = min(tin, round(per_cached * scale))
        error = rng.chance(0.01)
        out = 0 if error else max(1, round(per_out * rng.lognorm_mean(1.0, 0.3)))
        cpt = info.chars_per_token / factor
        seconds = rng.uniform(0, 86_400)
        return {
            "request_id": f"req_{rng.hex(24)}",
            "timestamp": iso_z(day, seconds, millis=True),
            "provider": provider,
            "model": self.world.gateway_ids[provider][cell.model],
            "api_key_id": wl.key_id,
            "agent": wl.agent,
            "team": wl.team.slug,
            "workload": wl.workload,
            "input_tokens": tin,
            "cached_input_tokens": cached,
            "output_tokens": out,
            "prompt_chars": round(tin * cpt * rng.uniform(0.97, 1.03)),
            "completion_chars": round(out * cpt * rng.uniform(0.97, 1.03)),
            "status": "error" if error else "ok",
        }


ACTIVITY_COLUMNS: tuple[str, ...] = (
    "cadence", "period_start", "period_end", "account_id", "public_id", "name", "email", "role", "user_role",
    "department", "groups", "user_status", "created_or_invited_date", "is_active", "first_day_active_in_period",
    "last_day_active_in_period", "messages", "messages_rank", "model_to_messages", "gpt_messages",
    "gpts_messaged", "tool_messages", "tools_messaged", "project_messages", "projects_messaged",
    "projects_created", "last_day_active",
)


class ActivityWriter(Writer):
    export = "activity"

    def __init__(self, world: World, out: Output) -> None:
        super().__init__(world, out)
        self.last_active: dict[str, date] = {}

    def end_period(self, period: Period) -> None:
        world = self.world
        rng = stream(self.seed, "activity", period.key)
        stamp, mtime = export_stamp(period, 7, 0)
        first, last_calendar = month_start(period.first), month_end(period.first)
        rows: list[dict[str, Any]] = []
        for unit in world.units:
            for seat in unit.seats:
                if seat.product != "chatgpt_enterprise":
                    continue
                if seat.start > period.last or (seat.end is not None and seat.end <= period.first):
                    continue
                user = seat.user
                active_days = [d for d in period.days if seat.active(d) and d.weekday() < 5]
                engaged = user.chatgpt_engaged and active_days and rng.random() < 0.95
                messages = round(rng.lognorm_mean(140 * min(user.intensity, 5), 0.5)) if engaged else 0
                days_used = sorted(rng.sample(active_days, min(len(active_days), max(1, messages // 15)))) if messages else []
                if days_used:
                    self.last_active[user.email] = days_used[-1]
                split = {"gpt-5": 0.7, "gpt-4o": 0.2, "o3": 0.1}
                model_to_messages = {m: round(messages * s) for m, s in split.items() if round(messages * s) > 0}
                gpt_messages = round(messages * rng.uniform(0.0, 0.1))
                tool_messages = round(messages * rng.uniform(0.0, 0.08))
                project_messages = round(messages * rng.uniform(0.0, 0.1))
                last_seen = self.last_active.get(user.email)
                rows.append({
                    "cadence": "monthly",
                    "period_start": first.isoformat(),
                    "period_end": last_calendar.isoformat(),
                    "account_id": unit.chatgpt_account,
                    "public_id": user.public_id,
                    "name": user.name,
                    "email": user.email,
                    "role": "account-owner" if user.is_admin else "member",
                    "user_role": "standard",
                    "department": json.dumps([user.team.title]),
                    "groups": "",
                    "user_status": "enabled" if seat.end is None or seat.end > period.last else "disabled",
                    "created_or_invited_date": seat.start.isoformat(),
                    "is_active": "true" if messages > 0 else "false",
                    "first_day_active_in_period": days_used[0].isoformat() if days_used else "",
                    "last_day_active_in_period": days_used[-1].isoformat() if days_used else "",
                    "messages": messages,
                    "messages_rank": 0,
                    "model_to_messages": json.dumps(model_to_messages) if model_to_messages else "",
                    "gpt_messages": gpt_messages,
                    "gpts_messaged": min(gpt_messages, rng.randint(0, 3)) if gpt_messages else 0,
                    "tool_messages": tool_messages,
                    "tools_messaged": min(tool_messages, rng.randint(1, 4)) if tool_messages else 0,
                    "project_messages": project_messages,
                    "projects_messaged": min(project_messages, rng.randint(1, 3)) if project_messages else 0,
                    "projects_created": rng.randint(0, 2) if project_messages else 0,
                    "last_day_active": last_seen.isoformat() if last_seen else "",
                })
        ranked = sorted((r for r in rows if r["messages"] > 0), key=lambda r: (-r["messages"], r["email"]))
        for rank, row in enumerate(ranked, start=1):
            row["messages_rank"] = rank
        for row in rows:
            if row["messages"] == 0:
                row["messages_rank"] = ""
        path = self.out.path(self.export, f"{stamp}_chatgpt_user_analytics_{period.key}.csv")
        with open_text(path) as handle:
            handle.write(csv_line(ACTIVITY_COLUMNS))
            for row in rows:
                handle.write(csv_line(row[c] for c in ACTIVITY_COLUMNS))
        self.out.register(self.export, path, len(rows), mtime, period.key)


SEAT_COLUMNS: tuple[str, ...] = (
    "seat_id", "provider", "product", "plan", "user_email", "team", "cost_center", "start_date", "end_date",
    "unit_price", "currency", "billing_period",
)


class SeatsWriter(Writer):
    export = "seats"

    def finish(self) -> None:
        opts = self.world.opts
        day = opts.end + timedelta(days=1)
        mtime = datetime(day.year, day.month, day.day, 7, 30, tzinfo=timezone.utc)
        path = self.out.path(self.export, f"{mtime.strftime('%Y-%m-%dT%H%MZ')}_seats.csv")
        rows = 0
        order = {"openai": 0, "anthropic": 1, "github_copilot": 2, "cursor": 3}
        with open_text(path) as handle:
            handle.write(csv_line(SEAT_COLUMNS))
            for unit in self.world.units:
                seats = [s for s in unit.seats if s.start <= opts.end and (s.end is None or s.end > opts.start)]
                seats.sort(key=lambda s: (order[s.provider], s.seat_id, s.start))
                for seat in seats:
                    handle.write(csv_line([
                        seat.seat_id, seat.provider, seat.product, seat.plan, seat.user.email, seat.user.team.slug,
                        seat.user.team.cost_center, seat.start.isoformat(),
                        # a leave date after the snapshot's day is not known yet
                        seat.end.isoformat() if seat.end and seat.end <= day else "",
                        dec(seat.unit_price, 2), "USD", seat.billing_period,
                    ]))
                    rows += 1
        self.out.register(self.export, path, rows, mtime, "snapshot")


WRITERS: dict[str, type[Writer]] = {
    "openai/usage_completions": OpenAIUsageWriter,
    "openai/costs": OpenAICostWriter,
    "anthropic/usage_messages": AnthropicUsageWriter,
    "anthropic/cost_report": AnthropicCostWriter,
    "aws_cur": AwsCurWriter,
    "azure_cost": AzureWriter,
    "gcp_billing": GcpWriter,
    "github_copilot": CopilotWriter,
    "cursor/usage_events": CursorWriter,
    "seats": SeatsWriter,
    "activity": ActivityWriter,
    "gateway": GatewayWriter,
}


# --------------------------------------------------------------------------------------------
# Incidents applied after writing: duplicated and restated exports
# --------------------------------------------------------------------------------------------


def _restate_json_costs(text: str, start: date, factor: Decimal) -> str:
    page = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    for bucket in page["data"]:
        day = datetime.fromtimestamp(int(bucket["start_time"]), tz=timezone.utc).date()
        if day < start:
            continue
        for result in bucket["results"]:
            qty = result.get("quantity")
            if qty is None:
                result["amount"]["value"] *= factor
                continue
            unit = result["amount"]["value"] / qty
            new_qty = (qty * factor).to_integral_value(rounding=ROUND_HALF_UP)
            result["quantity"] = new_qty
            result["amount"]["value"] = (new_qty * unit).quantize(TEN_DP)
    return jdump(_ints(page))


def _ints(obj: Any) -> Any:
    """Decimal integers back to int for compact JSON re-encoding."""
    if isinstance(obj, dict):
        return {k: _ints(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_ints(v) for v in obj]
    if isinstance(obj, Decimal) and obj == obj.to_integral_value() and obj.as_tuple().exponent >= 0:
        return int(obj)
    return obj


def _restate_csv(text: str, start: date, factor: Decimal, date_col: str, date_fmt: str, qty_col: str,
                 unit_col: str, blocks: dict[str, Decimal], money: tuple[tuple[str, str], ...]) -> str:
    """Restates a CSV bill: from `start` on, quantities x `factor` (whole tokens) at unchanged rates.

    `money` pairs each cost column with its rate column, so cost = new quantity x rate exactly.
    """
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    di, qi, ui = header.index(date_col), header.index(qty_col), header.index(unit_col)
    pairs = [(header.index(cost), header.index(rate)) for cost, rate in money]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows[1:]:
        if datetime.strptime(row[di][:10], date_fmt).date() >= start:
            qty = Decimal(row[qi])
            block = blocks.get(row[ui])
            new_qty = (qty * block * factor).to_integral_value(rounding=ROUND_HALF_UP) / block if block else qty * factor
            row[qi] = dec(new_qty)
            for cost_index, rate_index in pairs:
                if row[cost_index]:
                    row[cost_index] = dec(new_qty * Decimal(row[rate_index]))
        writer.writerow(row)
    return out.getvalue()


def _restate_gcp(text: str, start: date, factor: Decimal) -> str:
    lines: list[str] = []
    for line in text.splitlines():
        rec = json.loads(line, parse_float=Decimal, parse_int=Decimal)
        if date.fromisoformat(rec["usage_start_time"][:10]) >= start:
            usage = rec["usage"]
            old = usage["amount"]
            new = (old * factor).to_integral_value(rounding=ROUND_HALF_UP) if usage["unit"] == "count" else old * factor
            ratio = new / old if old else Decimal(1)
            usage["amount"] = new
            usage["amount_in_pricing_units"] = usage["amount_in_pricing_units"] * ratio
            rec["cost"] = (rec["cost"] * ratio).quantize(TEN_DP)
            rec["cost_at_list"] = rec["cost"]
            for credit in rec["credits"]:
                credit["amount"] = (credit["amount"] * ratio).quantize(TEN_DP)
        lines.append(jdump(_ints(rec)) + "\n")
    return "".join(lines)


def apply_file_incidents(world: World, out: Output) -> None:
    """duplicate_export: a byte-identical second copy and, optionally, a restated newer export."""
    for inc in world.incidents:
        if inc.type != "duplicate_export" or inc.target not in world.opts.exports:
            continue
        candidates = [f for f in out.files if f.export == inc.target and f.period == inc.start.strftime("%Y-%m")]
        if inc.target == "activity":
            candidates = [f for f in out.files if f.export == "activity" and f.period == inc.start.strftime("%Y-%m")]
        if not candidates:
            raise SystemExit(f"duplicate_export: no {inc.target} file covers {inc.start}")
        original = sorted(candidates, key=lambda f: f.path.name)[0]
        stamp = original.path.name.split("_", 1)
        moment = datetime.strptime(stamp[0], "%Y-%m-%dT%H%MZ").replace(tzinfo=timezone.utc)
        copy_time = moment + timedelta(minutes=7)
        copy_path = original.path.with_name(copy_time.strftime("%Y-%m-%dT%H%MZ") + "_" + stamp[1])
        shutil.copyfile(original.path, copy_path)
        out.register(inc.target, copy_path, original.rows, copy_time, original.period)
        inc.details = {"export": inc.target, "original": f"{inc.target}/{original.path.name}",
                       "duplicate": f"{inc.target}/{copy_path.name}", "restated": None}
        if inc.magnitude != 1:
            if inc.target not in RESTATABLE_EXPORTS:
                raise SystemExit(f"duplicate_export: restatement of {inc.target} is not supported (use magnitude 1)")
            restate_time = moment + timedelta(days=3)
            restated_path = original.path.with_name(restate_time.strftime("%Y-%m-%dT%H%MZ") + "_" + stamp[1])
            if original.path.suffix == ".gz":
                raise SystemExit("duplicate_export: restating a gzipped CUR is not supported")
            text = original.path.read_text(encoding="utf-8")
            if inc.target == "openai/costs":
                new_text = _restate_json_costs(text, inc.start, inc.magnitude)
            elif inc.target == "aws_cur":
                new_text = _restate_csv(
                    text, inc.start, inc.magnitude, "line_item_usage_start_date", "%Y-%m-%d",
                    "line_item_usage_amount", "pricing_unit", {"1K tokens": THOUSAND, "Units": MILLION},
                    (("line_item_unblended_cost", "line_item_unblended_rate"),
                     ("line_item_blended_cost", "line_item_blended_rate"),
                     ("pricing_public_on_demand_cost", "pricing_public_on_demand_rate")))
            elif inc.target == "azure_cost":
                new_text = _restate_csv(
                    text, inc.start, inc.magnitude, "Date", "%m/%d/%Y", "Quantity", "UnitOfMeasure",
                    {"1K": THOUSAND, "1M": MILLION},
                    (("CostInBillingCurrency", "EffectivePrice"), ("CostInUsd", "EffectivePrice"),
                     ("PaygCostInUsd", "PayGPrice")))
            else:
                new_text = _restate_gcp(text, inc.start, inc.magnitude)
            restated_path.write_text(new_text, encoding="utf-8", newline="")
            out.register(inc.target, restated_path, original.rows, restate_time, original.period)
            inc.details["restated"] = f"{inc.target}/{restated_path.name}"


# --------------------------------------------------------------------------------------------
# Manifest and driver
# --------------------------------------------------------------------------------------------


def real_events(world: World) -> list[dict[str, Any]]:
    """The real-world events inside the window (always present, not injected)."""
    opts = world.opts
    events: list[dict[str, Any]] = []
    if opts.start < OPUS_SWITCH <= opts.end:
        events.append({
            "type": "tokenizer_shift", "provider": "anthropic", "model": "claude-opus-4-7", "sku": None,
            "start_date": OPUS_SWITCH.isoformat(), "magnitude": 1.35,
            "details": {"from_model": "claude-opus-4-6", "model_family": "claude-opus",
                        "evidence": "canary tokens per character and support-triage tokens per request x1.35 "
                                    "at an unchanged list price"}})
    if opts.start < COPILOT_CREDITS_FROM <= opts.end:
        events.append({
            "type": "new_billing_unit", "provider": "github_copilot", "model": None, "sku": "copilot_ai_credit",
            "start_date": COPILOT_CREDITS_FROM.isoformat(), "magnitude": None,
            "details": {"replaces": "copilot_premium_request", "unit": "ai-credits", "price": 0.01}})
    if opts.start <= date(2026, 10, 7) <= opts.end:
        events.append({
            "type": "list_price_change", "provider": "anthropic", "model": "claude-sonnet-5-5", "sku": None,
            "start_date": "2026-10-07", "magnitude": 0.5,
            "details": {"token_class": "cached_input", "from": 0.20, "to": 0.10,
                        "note": "effective-dated in the price book: not a pricing incident"}})
    bursts = sorted(d for unit in world.units[:1] for wl in unit.workloads["openai"]
                    if wl.agent == "eval-harness" for d in wl.burst_days)
    if bursts:
        events.append({
            "type": "bursty_agent", "provider": "openai", "model": "gpt-5", "sku": None,
            "start_date": bursts[0].isoformat(), "magnitude": None,
            "details": {"agent": "eval-harness", "burst_days": [d.isoformat() for d in bursts]}})
    return events


def write_manifest(world: World, out: Output) -> dict[str, Any]:
    opts = world.opts
    files = []
    counts: dict[str, int] = {}
    for record in sorted(out.files, key=lambda f: f.path.as_posix()):
        digest = hashlib.md5(record.path.read_bytes()).hexdigest()
        rel = record.path.relative_to(out.root).as_posix()
        files.append({"path": rel, "rows": record.rows, "md5": digest, "period": record.period})
        counts[record.export] = counts.get(record.export, 0) + record.rows
    manifest = {
        "generator": "scripts/generate_sample_data.py",
        "format_version": 1,
        "options": {
            "start": opts.start.isoformat(),
            "end": opts.end.isoformat(),
            "days": opts.days,
            "horizon": opts.world_days,
            "seed": opts.seed,
            "teams": opts.teams,
            "users": opts.users,
            "scale": opts.scale,
            "only": list(opts.only),
            "inject": list(opts.inject_specs),
            "aws_format": opts.aws_format,
        },
        "incidents": [inc.manifest() for inc in world.incidents],
        "events": real_events(world),
        "row_counts": {e: counts.get(e, 0) for e in opts.exports},
        "total_rows": sum(counts.values()),
        "files": files,
    }
    (out.root / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def clean_output(root: Path, exports: Iterable[str]) -> None:
    """Removes files of a previous run from the export folders about to be written."""
    for export in exports:
        folder = root / export
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.is_file() and path.name.endswith((".json", ".jsonl", ".csv", ".csv.gz", ".parquet")):
                path.unlink()


# Relative CPU cost of each export group's writers and of each provider's daily simulation
# (measured at --scale 60), used to balance ``--jobs`` workers.
EXPORT_GROUPS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("openai/usage_completions", "openai/costs"), 0.85),
    (("anthropic/usage_messages", "anthropic/cost_report"), 1.5),
    (("aws_cur",), 0.6),
    (("azure_cost",), 1.2),
    (("gcp_billing",), 1.0),
    (("github_copilot",), 2.6),
    (("cursor/usage_events",), 1.2),
    (("seats",), 0.3),
    (("activity",), 1.5),
    (("gateway",), 0.6),
)
SIMULATION_COST: dict[str, float] = {
    "openai": 0.46, "anthropic": 0.51, "aws_bedrock": 0.29, "azure_openai": 0.23, "gcp_vertex": 0.23,
}


def providers_needed(exports: Iterable[str]) -> list[str]:
    """Providers whose daily usage must be simulated to write `exports`."""
    chosen = set(exports)
    return [p for p in API_PROVIDERS
            if chosen & set(PROVIDER_EXPORTS[p])
            or ("gateway" in chosen and p in ("openai", "anthropic", "gcp_vertex"))]


def plan_jobs(exports: Sequence[str], jobs: int) -> list[tuple[str, ...]]:
    """Splits the exports into at most `jobs` groups of similar cost (greedy, deterministic).

    A group's cost is its writers' cost plus one simulation per provider it needs, so exports that
    share a provider's simulation (its usage and cost exports, the gateway) tend to stay together.
    """
    groups = [(tuple(e for e in names if e in exports), weight) for names, weight in EXPORT_GROUPS]
    groups = [(names, weight) for names, weight in groups if names]
    bins: list[list[str]] = [[] for _ in range(max(1, min(jobs, len(groups))))]

    def cost(names: Sequence[str]) -> float:
        writers = sum(w for g, w in groups if set(g) <= set(names))
        return writers + sum(SIMULATION_COST[p] for p in providers_needed(names))

    for names, _ in sorted(groups, key=lambda g: -(g[1] + sum(SIMULATION_COST[p] for p in providers_needed(g[0])))):
        def outcome(i: int) -> tuple[float, float, int]:
            loads = [cost(b + list(names)) if j == i else cost(b) for j, b in enumerate(bins)]
            return (max(loads), loads[i], i)

        bins[min(range(len(bins)), key=outcome)].extend(names)
    return [tuple(e for e in exports if e in group) for group in bins if group]


def run_exports(opts: Options, exports: tuple[str, ...], position: int = 0,
                book: PriceBook | None = None) -> list[tuple[str, str, int, str, str]]:
    """Writes `exports` (streaming, one day at a time); returns (export, path, rows, mtime, period)."""
    book = book or PriceBook.load(PRICE_BOOK_PATH)
    world = World(opts, book)
    out = Output(opts.out)
    writers = [WRITERS[e](world, out) for e in exports]
    needed = providers_needed(exports)
    bar = None
    if opts.progress and tqdm is not None and opts.days * opts.scale >= 2000:
        label = exports[0].split("/")[0] + ("+" if len(exports) > 1 else "")
        bar = tqdm(total=opts.days, unit="day", desc=label, position=position, leave=True)
    for period in periods(opts.start, opts.end):
        for writer in writers:
            writer.begin_period(period)
        for day in period.days:
            cells = {provider: world.simulate(provider, day) for provider in needed}
            for writer in writers:
                writer.day(day, cells)
            if bar is not None:
                bar.update(1)
        for writer in writers:
            writer.end_period(period)
    for writer in writers:
        writer.finish()
    if bar is not None:
        bar.close()
    return [(f.export, str(f.path), f.rows, f.mtime.isoformat(), f.period) for f in out.files]


def _run_job(args: tuple[Options, tuple[str, ...], int]) -> list[tuple[str, str, int, str, str]]:
    opts, exports, position = args
    return run_exports(opts, exports, position)


def generate(opts: Options, book: PriceBook | None = None) -> dict[str, Any]:
    """Writes every selected export under ``opts.out`` and returns the manifest.

    With ``opts.jobs > 1`` the exports are split over worker processes; every export only
    depends on its own random streams, so the bytes are the same whatever the number of jobs.
    """
    book = book or PriceBook.load(PRICE_BOOK_PATH)
    problems = book.problems()
    if problems:
        raise SystemExit("price book problems:\n  " + "\n  ".join(problems[:20]))
    started = time.perf_counter()
    opts.out.mkdir(parents=True, exist_ok=True)
    clean_output(opts.out, opts.exports)
    plan = plan_jobs(opts.exports, opts.jobs)
    if len(plan) > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(len(plan)) as pool:
            results = pool.map(_run_job, [(opts, group, i) for i, group in enumerate(plan)])
    else:
        results = [run_exports(opts, plan[0] if plan else (), 0, book)]
    world = World(opts, book)
    out = Output(opts.out)
    for export, path, rows, mtime, period in (r for result in results for r in result):
        out.register(export, Path(path), rows, datetime.fromisoformat(mtime), period)
    apply_file_incidents(world, out)
    for record in out.files:
        stamp = record.mtime.timestamp()
        os.utime(record.path, (stamp, stamp))
    manifest = write_manifest(world, out)
    manifest["_elapsed_seconds"] = time.perf_counter() - started
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    opts = parse_args(argv)
    manifest = generate(opts)
    elapsed = manifest.pop("_elapsed_seconds")
    total = manifest["total_rows"]
    for export, rows in manifest["row_counts"].items():
        print(f"{export:28s} {rows:>12,d} rows")
    print(f"{'total':28s} {total:>12,d} rows in {elapsed:.1f} s ({total / max(elapsed, 1e-9):,.0f} rows/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
