"""A refresh equals a full build, whatever sequence of landing changes comes (Hypothesis).

Hypothesis draws sequences of changes over a generated organisation with months of history and
monthly seat charges (new days, a file re-delivered in place, deleted, restated late,
duplicated byte for byte, delivered again with a new modification time, a bad file, a
price-book change); after each change the warehouse is refreshed in place and compared with a
build from scratch of the same folder (refresh_check.compare_warehouses). `make test` draws
AI_FINOPS_PROPERTY_EXAMPLES sequences (default 1, a new one each run, about 3 minutes and a
half beside the other tests: the bound of `make test`); `make test-refresh`
draws 25.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from refresh_check import (Project, change_a_price, compare_warehouses, copy_project,
                           export_files, full_build, generate, later_copy, rewrite_in_place)

EXAMPLES = int(os.environ.get("AI_FINOPS_PROPERTY_EXAMPLES", "1"))

HORIZON = 120
START_DAYS = 50

EXPORTS = ["openai/costs", "openai/usage_completions", "anthropic/cost_report",
           "anthropic/usage_messages", "aws_cur", "azure_cost", "gcp_billing",
           "github_copilot", "cursor/usage_events", "seats", "gateway", "activity"]

actions = st.one_of(
    st.tuples(st.just("new_days"), st.integers(min_value=1, max_value=35)),
    st.tuples(st.just("rewrite"), st.sampled_from(EXPORTS)),
    st.tuples(st.just("delete"), st.sampled_from(EXPORTS)),
    st.tuples(st.just("restate"), st.sampled_from(EXPORTS)),
    st.tuples(st.just("duplicate"), st.sampled_from(EXPORTS)),
    st.tuples(st.just("touch"), st.sampled_from(EXPORTS)),
    st.tuples(st.just("bad_file"), st.sampled_from(["openai/costs", "gateway", "azure_cost"])),
    st.tuples(st.just("price_change"), st.just("")),
)


class Landing:
    """One raw folder that changes the way a user's landing does."""

    def __init__(self, cache: Path, raw: Path, project: Project) -> None:
        self.cache, self.raw, self.project = cache, raw, project
        self.days = START_DAYS
        shutil.copytree(self.day_folder(self.days), raw, ignore=shutil.ignore_patterns(".*"))
        self.stamp = 0

    def day_folder(self, days: int) -> Path:
        return generate(self.cache / f"days-{days}", days, HORIZON)

    def files_of(self, export: str) -> list[Path]:
        folder = self.raw / export
        return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []

    def next_stamp(self) -> str:
        """An export timestamp later than any landed file's (a newer export)."""
        self.stamp += 1
        return f"2027-12-{self.stamp:02d}T0000Z"

    def apply(self, action: str, argument: object) -> str:
        if action == "new_days":
            self.days = min(self.days + int(argument), HORIZON)
            day = self.day_folder(self.days)
            for path in export_files(day):
                target = self.raw / path.relative_to(day)
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target)
            return f"land day {self.days}"
        if action == "price_change":
            change_a_price(self.project)
            return "raise the token prices"
        export = str(argument)
        files = self.files_of(export)
        if action == "bad_file":
            # a truncated page, a line that is not JSON, a file that is not UTF-8: each is
            # a rejected row, and the build goes on
            suffix = {"openai/costs": ".json", "gateway": ".jsonl"}.get(export, ".csv")
            bad = self.raw / export / f"{self.next_stamp()}_bad{suffix}"
            bad.parent.mkdir(parents=True, exist_ok=True)
            bad.write_bytes({".json": b'{"object": "page", "data": [{"start_time": 17',
                             ".jsonl": b'{"request_id": "r1"\nnot json\n'}.get(
                                 suffix, b"Date,SubscriptionId\n\xff\xfe2026-05-01,s\n"))
            return f"a bad file in {export}"
        if not files:
            return f"nothing to change in {export}"
        # the oldest file: changes to history, not only to the newest month
        target = files[0]
        if action == "rewrite":
            rewrite_in_place(target)
        elif action == "delete":
            target.unlink()
        elif action == "restate":
            later_copy(target, self.next_stamp(), restate=True)
        elif action == "duplicate":
            later_copy(target, self.next_stamp(), restate=False)
        elif action == "touch":
            # the same bytes delivered again: a new modification time only
            stamp = target.stat().st_mtime + 3600
            os.utime(target, (stamp, stamp))
        return f"{action} {target.relative_to(self.raw)}"


# no shrinking: every example costs minutes of builds; a failure reports its whole sequence
@settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(changes=st.lists(actions, min_size=3, max_size=4))
def test_any_sequence_of_landing_changes(
        changes: list[tuple[str, object]], tmp_path_factory: pytest.TempPathFactory) -> None:
    work = tmp_path_factory.mktemp("property")
    cache = tmp_path_factory.getbasetemp() / "property-landings"
    project = copy_project(work / "project")
    landing = Landing(cache, work / "raw", project)
    db = work / "warehouse.duckdb"
    project.build(landing.raw, db, work / "refresh-work")
    done: list[str] = []
    for action, argument in changes:
        done.append(landing.apply(action, argument))
        project.build(landing.raw, db, work / "refresh-work")
        problems = compare_warehouses(db, full_build(project, landing.raw, work))
        assert not problems, f"after {done}:\n" + "\n".join(problems[:20])
