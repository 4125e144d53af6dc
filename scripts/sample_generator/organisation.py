"""The simulated organisation: teams, people, seats, API workloads and their daily usage cells.

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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sample_generator.catalogue import TEAM_NAMES
from sample_generator.helpers import month_end


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
