"""Matching ``tokenizer_shift`` incidents to replicates, and the detection-limit table.

An incident belongs to the replicate whose family it names (``incident_key`` ``openai:<family>``)
and whose 60 days hold its ``started_on``. A replicate with a shift is *found* when one of its
incidents starts within ``MAX_DAYS`` of the switch (the nearest one is the match; *dated on the
switch* when it starts on the switch day); every other incident of a replicate, and every
incident of a clean replicate or of no replicate, is a *false positive*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Sequence

from tokenizer_limits.scenarios import Scenario

MAX_DAYS = 3


@dataclass(frozen=True)
class Incident:
    """One row of int_incidents__tokenizer_shift."""

    model_family: str
    model: str | None
    started_on: date
    magnitude: float | None
    evidence: str

    @classmethod
    def from_row(cls, incident_key: str, model: str | None, started_on: date,
                 magnitude: float | None, evidence: str) -> Incident:
        return cls(incident_key.split(":", 1)[-1], model, started_on, magnitude, evidence)


@dataclass
class Outcome:
    """A replicate, the incident that found its switch (if any) and its false positives."""

    scenario: Scenario
    found: Incident | None = None
    false_positives: list[Incident] = field(default_factory=list)

    @property
    def days_to_detect(self) -> int | None:
        if self.found is None:
            return None
        return (self.found.started_on - self.scenario.switch_on).days


def score(
    scenarios: Sequence[Scenario], incidents: Sequence[Incident], max_days: int = MAX_DAYS
) -> tuple[list[Outcome], list[Incident]]:
    """Each replicate's outcome, and the incidents that belong to no replicate."""
    outcomes: list[Outcome] = []
    claimed: set[int] = set()
    for scenario in scenarios:
        outcome = Outcome(scenario)
        own = [
            (index, incident) for index, incident in enumerate(incidents)
            if incident.model_family == scenario.family.name
            and scenario.start_on <= incident.started_on <= scenario.end_on
        ]
        claimed.update(index for index, _ in own)
        timely = sorted(
            (abs((incident.started_on - scenario.switch_on).days), index)
            for index, incident in own
            if abs((incident.started_on - scenario.switch_on).days) <= max_days
        )
        match = timely[0][1] if timely and not scenario.is_clean else None
        for index, incident in own:
            if index == match:
                outcome.found = incident
            else:
                outcome.false_positives.append(incident)
        outcomes.append(outcome)
    stray = [incident for index, incident in enumerate(incidents) if index not in claimed]
    return outcomes, stray


@dataclass(frozen=True)
class Cell:
    """Recall of the replicates of one noise level and shift."""

    replicates: int
    found: int
    on_switch: int
    days: tuple[int, ...]

    @property
    def recall(self) -> float:
        return self.found / self.replicates if self.replicates else 0.0


def cell(outcomes: Sequence[Outcome], noise: float, shift: float) -> Cell:
    """The outcomes of one (noise, shift) cell."""
    chosen = [o for o in outcomes if o.scenario.noise == noise and o.scenario.shift == shift]
    days = tuple(o.days_to_detect for o in chosen if o.days_to_detect is not None)
    return Cell(len(chosen), len(days), sum(d == 0 for d in days), days)


def false_positives(outcomes: Sequence[Outcome], noise: float, clean: bool) -> tuple[int, int]:
    """(false incidents, replicates) of the clean runs or of the shifted runs of a noise level."""
    chosen = [o for o in outcomes if o.scenario.noise == noise and o.scenario.is_clean == clean]
    return sum(len(o.false_positives) for o in chosen), len(chosen)


def markdown_table(outcomes: Sequence[Outcome], stray: Sequence[Incident],
                   noises: Sequence[float], shifts: Sequence[float]) -> str:
    """Rows: noise levels; columns: recall within MAX_DAYS per shift (found/replicates, and how
    many dated on the switch), days to detect, false positives of the clean and shifted runs."""
    header = (["day-to-day noise"] + [f"shift {shift - 1:.0%}" for shift in shifts]
              + ["days to detect (max)", "false positives, clean runs",
                 "false positives, shifted runs"])
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for noise in noises:
        cells = [cell(outcomes, noise, shift) for shift in shifts]
        row = [f"±{noise:.0%}"]
        row += [f"{c.recall:.0%} ({c.found}/{c.replicates}, {c.on_switch} on the switch)"
                if c.replicates else "-" for c in cells]
        days = [d for c in cells for d in c.days]
        row.append(str(max(days, key=abs)) if days else "-")
        for clean in (True, False):
            count, runs = false_positives(outcomes, noise, clean)
            row.append(f"{count} in {runs} runs" if runs else "-")
        lines.append("| " + " | ".join(row) + " |")
    text = "\n".join(lines) + "\n"
    if stray:
        text += f"\nIncidents in no replicate's window (false positives): {len(stray)}\n"
    return text


def misses_and_false_positives(outcomes: Sequence[Outcome], stray: Sequence[Incident]) -> list[str]:
    """One line per missed switch and per false incident, for the report."""
    lines = []
    for outcome in outcomes:
        s = outcome.scenario
        if not s.is_clean and outcome.found is None:
            lines.append(f"- missed {s.name} ({s.family.name}, switch {s.switch_on}, x{s.shift:g})")
        elif outcome.found is not None and outcome.days_to_detect:
            lines.append(f"- late {s.name}: {outcome.found.started_on} for a switch on {s.switch_on}")
        for incident in outcome.false_positives:
            lines.append(f"- false {s.name} ({s.family.name}, switch {s.switch_on}, x{s.shift:g}): "
                         f"{incident.started_on} x{incident.magnitude or 0:.3f} {incident.evidence}")
    lines += [f"- false, no replicate: {i.model_family} {i.started_on} {i.evidence}" for i in stray]
    return lines


def targets_met(outcomes: Sequence[Outcome], stray: Sequence[Incident],
                target_noise: float = 0.12, min_shift: float = 1.15) -> bool:
    """At `target_noise`, every switch of `min_shift` or more found and dated on the switch; no
    false incident in any clean run nor outside the replicates."""
    at_target = [o for o in outcomes if o.scenario.noise == target_noise
                 and o.scenario.shift >= min_shift and not o.scenario.is_clean]
    recall = all(o.days_to_detect == 0 for o in at_target)
    clean = all(not o.false_positives for o in outcomes if o.scenario.is_clean)
    return recall and clean and not stray
