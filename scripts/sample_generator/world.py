"""The world the writers share: the organisation built from the options (people, seats,
workloads), prices, incident effects, the canary job and each day's simulated usage."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from finops_prices import PriceBook
from sample_generator.catalogue import (
    ANTHROPIC_IDS,
    API_PROVIDERS,
    AWS_ACCOUNT,
    BEDROCK_CROSS_REGION_FROM,
    BEDROCK_GLOBAL_FROM,
    DOMAIN,
    ENGINEERING_TEAMS,
    FIRST_NAMES,
    GATEWAY_IDS,
    LAST_NAMES,
    MODELS,
    OPENAI_IDS,
    OPUS_SWITCH,
    SHADOW_PRICES,
    SONNET55_FROM,
    TEAM_NAMES,
    ModelInfo,
)
from sample_generator.helpers import Rng, iso_z, stable_uuid, stream
from sample_generator.options import Options
from sample_generator.organisation import (
    CANARY_COMPLETION_CHARS,
    CANARY_FAMILIES,
    CANARY_PROMPT_CHARS,
    Cell,
    MixEntry,
    Phase,
    Seat,
    Team,
    Unit,
    User,
    Workload,
)


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
