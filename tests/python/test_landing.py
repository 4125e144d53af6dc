"""The landing (ai_finops.landing): raw files split into records, mirrored into Parquet.

Every figure is written out by hand from the inputs below; the mirror tests land a folder,
change it, and land it again.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import hmac
import json
import os
import re
from pathlib import Path

import duckdb
import pytest

from ai_finops import landing
from ai_finops.privacy import Pseudonymiser
from conftest import ROOT, DbtResult

OPENAI_COSTS = next(e for e in landing.EXPORTS if e.name == "openai/costs")
CURSOR = next(e for e in landing.EXPORTS if e.name == "cursor/usage_events")
COPILOT = next(e for e in landing.EXPORTS if e.name == "github_copilot")


def split(name: str, data: bytes, export: landing.Export = COPILOT) -> landing.Records:
    with duckdb.connect() as con:
        return landing.split_file(Path(name), data, export, con)


def test_csv_records_keep_line_numbers_quotes_and_text() -> None:
    text = ('\ufeffdate, sku ,net_amount\r\n'
            '2026-05-01,"copilot, business",19.00\r\n'
            '\r\n'
            '2026-05-02,"a ""quoted"" sku",1\r\n'
            '2026-05-03,"two\nlines",2\r\n'
            '2026-05-04,x\r\n')
    records = split("report.csv", text.encode())
    assert records.problem is None
    assert records.header == ["date", "sku", "net_amount"]
    assert [(r[0], r[3]) for r in records.rows] == [
        (1, ["2026-05-01", "copilot, business", "19.00"]),
        # line 3 is blank: skipped, but the next record keeps its line's number
        (3, ["2026-05-02", 'a "quoted" sku', "1"]),
        # a quoted field across two lines is one record, numbered by its first line
        (4, ["2026-05-03", "two\nlines", "2"]),
        (6, ["2026-05-04", "x"]),
    ]
    assert records.rows[0][1] == '2026-05-01,"copilot, business",19.00'


def test_unreadable_files_are_one_problem() -> None:
    assert split("a.csv", "café".encode("latin-1")).problem == "file is not UTF-8 text"
    assert split("a.csv", b"   ").problem == "empty file"
    assert split("a.json", b'{"data": [', OPENAI_COSTS).problem == (
        "file is not valid JSON (truncated or malformed)")
    assert split("a.json", b'{"data": {}}', OPENAI_COSTS).problem == 'page has no "data" array'
    assert split("a.json", b'[1, 2]', OPENAI_COSTS).problem == 'page has no "data" array'
    assert split("a.json", b'{"data": [{"results": 5}]}', OPENAI_COSTS).problem == (
        'an entry of "data" has a "results" that is not an array')
    assert split("a.json", b'{"data": []} trailing', OPENAI_COSTS).problem == (
        "file is not valid JSON (truncated or malformed)")
    assert split("a.csv.gz", b"not gzip").problem == "file is not valid gzip data"
    assert split("a.csv.gz", gzip.compress(b"\n\n")).problem == "empty file"


def test_bucketed_page_records_keep_their_exact_text() -> None:
    page = ('{"object": "page", "data": [\n'
            ' {"start_time": 1, "results": [{"amount": {"value": "12.50"}}, {"v": 1.10}],'
            ' "end_time": 2},\n'
            ' {"start_time": 2, "results": null},\n'
            ' 7,\n'
            ' {"start_time": 3, "results": [ {"v": 100000000000000000000.5} ]}\n'
            '], "has_more": false}')
    records = split("costs.json", page.encode(), OPENAI_COSTS)
    assert records.problem is None
    assert [(r[0], r[1], r[2]) for r in records.rows] == [
        (1, '{"amount": {"value": "12.50"}}', '{"start_time":1,"end_time":2}'),
        (2, '{"v": 1.10}', '{"start_time":1,"end_time":2}'),
        # numbered across the page's buckets; the number keeps every digit
        (3, '{"v": 100000000000000000000.5}', '{"start_time":3}'),
    ]


def test_page_of_items() -> None:
    page = '{"usageEvents": [{"a": 1}, {"a": 2}], "totalUsageEventsCount": 2}'
    records = split("events.json", page.encode(), CURSOR)
    assert [(r[0], r[1], r[2]) for r in records.rows] == [
        (1, '{"a": 1}', None), (2, '{"a": 2}', None)]
    assert split("e.json", b'{"totalUsageEventsCount": 0}', CURSOR).problem == (
        'page has no "usageEvents" array')


def test_json_lines_and_gzip() -> None:
    text = b'{"a": 1}\n\nnot json\n{"b": 2}'
    gateway = next(e for e in landing.EXPORTS if e.name == "gateway")
    records = split("log.jsonl", text, gateway)
    assert [(r[0], r[1]) for r in records.rows] == [
        (1, '{"a": 1}'), (3, "not json"), (4, '{"b": 2}')]
    compressed = split("cur.csv.gz", gzip.compress(b"a,b\n1,2\n"))
    assert compressed.header == ["a", "b"] and compressed.rows[0][3] == ["1", "2"]


def manifest_of(raw: Path, landing_dir: Path,
                previous: list[landing.LandedFile] = ()) -> dict[str, landing.LandedFile]:
    return {Path(f.source_file).name: f
            for f in landing.land(str(raw), landing_dir, None, previous)}


def test_the_landing_mirrors_the_raw_folder(tmp_path: Path) -> None:
    raw, landed = tmp_path / "raw", tmp_path / "landing"
    (raw / "github_copilot").mkdir(parents=True)
    (raw / "unknown_vendor").mkdir()
    (raw / "unknown_vendor" / "x.csv").write_text("a\n1\n")
    (raw / "manifest.json").write_text("{}")
    first = raw / "github_copilot" / "2026-05-01_report.csv"
    second = raw / "github_copilot" / "2026-06-01_report.csv"
    first.write_text("date,net_amount\n2026-05-01,1\n2026-05-02,2\n")
    second.write_text("date,net_amount\n2026-06-01,3\n")

    one = manifest_of(raw, landed)
    # only files of known exports are landed
    assert sorted(one) == ["2026-05-01_report.csv", "2026-06-01_report.csv"]
    assert one["2026-05-01_report.csv"].record_count == 2
    assert one["2026-05-01_report.csv"].header == ["date", "net_amount"]
    with duckdb.connect() as con:
        rows = con.execute(
            "select source_row, raw_record, fields from read_parquet(?) order by 1",
            [one["2026-05-01_report.csv"].landed_path]).fetchall()
    assert rows == [(1, "2026-05-01,1", ["2026-05-01", "1"]), (2, "2026-05-02,2", ["2026-05-02", "2"])]

    # an unchanged file keeps its Parquet; a file changed in place gets a new one, the old one
    # goes; a removed file's Parquet goes
    unchanged = Path(one["2026-06-01_report.csv"].landed_path)
    before = unchanged.stat().st_mtime_ns
    first.write_text("date,net_amount\n2026-05-01,10\n")
    second_path = Path(one["2026-05-01_report.csv"].landed_path)
    two = manifest_of(raw, landed, list(one.values()))
    assert Path(two["2026-06-01_report.csv"].landed_path).stat().st_mtime_ns == before
    assert two["2026-05-01_report.csv"].record_count == 1
    assert not second_path.exists()
    second.unlink()
    three = manifest_of(raw, landed, list(two.values()))
    assert sorted(three) == ["2026-05-01_report.csv"]
    assert not unchanged.exists()
    assert sorted(p.name for p in landed.rglob("*.parquet")) == [
        Path(three["2026-05-01_report.csv"].landed_path).name]


def test_landing_in_parallel_gives_the_same_manifest(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(landing, "PARALLEL_BYTES", 0)
    raw = tmp_path / "raw"
    (raw / "github_copilot").mkdir(parents=True)
    for day in range(1, 5):
        (raw / "github_copilot" / f"2026-05-0{day}_report.csv").write_text(
            f"date,net_amount\n2026-05-0{day},{day}\n")
    one = landing.land(str(raw), tmp_path / "one", b"k")
    two = landing.land(str(raw), tmp_path / "two", b"k", workers=2)
    strip = lambda files: [(f.source_file, f.file_md5, f.record_count) for f in files]  # noqa: E731
    assert strip(one) == strip(two)
    # a file touched without a change gets its own Parquet: its modification time is data
    touched = raw / "github_copilot" / "2026-05-01_report.csv"
    os.utime(touched, (1_800_000_000, 1_800_000_000))
    again = {Path(f.source_file).name: f
             for f in landing.land(str(raw), tmp_path / "one", b"k", one)}
    assert again["2026-05-01_report.csv"].landed_path != one[0].landed_path
    assert again["2026-05-02_report.csv"].landed_path == one[1].landed_path


def test_a_problem_file_is_one_record(tmp_path: Path) -> None:
    raw, landed = tmp_path / "raw", tmp_path / "landing"
    (raw / "openai" / "costs").mkdir(parents=True)
    (raw / "openai" / "costs" / "p.json").write_text('{"data": [')
    manifest = manifest_of(raw, landed)["p.json"]
    assert manifest.file_problem == "file is not valid JSON (truncated or malformed)"
    with duckdb.connect() as con:
        assert con.execute("select source_row, raw_record, file_problem from read_parquet(?)",
                           [manifest.landed_path]).fetchall() == [
            (0, None, "file is not valid JSON (truncated or malformed)")]


def test_staging_models_match_the_landing_exports(sample_warehouse: DbtResult) -> None:
    """Every landed export has exactly one staging model (config meta.raw_export), and the
    list in raw_export_models() (macros/ingestion/raw_exports.sql) names exactly those."""
    manifest = json.loads(
        (sample_warehouse.db_path.parent / "target" / "manifest.json").read_text())
    staged = {node["config"]["meta"]["raw_export"]: node["name"]
              for node in manifest["nodes"].values()
              if node["resource_type"] == "model" and node["config"]["meta"].get("raw_export")}
    assert sorted(staged) == sorted(e.name for e in landing.EXPORTS)
    listed = re.findall(r"'(stg_[a-z_]+)'", (
        ROOT / "macros" / "ingestion" / "raw_exports.sql").read_text().split("set names")[1]
        .split("]")[0])
    assert sorted(listed) == sorted(staged.values())


def test_landing_path_rule_is_the_same_in_python_and_dbt() -> None:
    """The landing directory: $AI_FINOPS_LANDING_PATH, or the warehouse path up to '.duckdb'
    plus '.landing' (written twice: the model's config and the sources' location)."""
    rule = ("env_var('AI_FINOPS_LANDING_PATH', env_var('AI_FINOPS_DB_PATH', "
            "'warehouse/ai_finops.duckdb').split('.duckdb')[0] ~ '.landing')")
    places = [ROOT / "models" / "staging" / "raw" / "_raw__models.yml",
              *sorted((ROOT / "models" / "staging").glob("*/_*__sources.yml"))]
    for place in places:
        assert rule in place.read_text(), place
    assert landing.default_landing_path("warehouse/ai_finops.duckdb.building") == (
        "warehouse/ai_finops.landing")


@pytest.mark.parametrize("modified", [dt.datetime(2026, 5, 1, tzinfo=dt.timezone.utc)])
def test_records_carry_the_file(tmp_path: Path, modified: dt.datetime) -> None:
    records = landing.Records(["a"], [(1, "x", None, ["x"])])
    target = tmp_path / "r.parquet"
    with duckdb.connect() as con:
        landing.write_records(records, "raw/a.csv", "abc", modified, target, con)
        assert con.execute(
            "select source_file, file_md5, file_modified_at, file_problem from read_parquet(?)",
            [str(target)]).fetchall() == [("raw/a.csv", "abc", modified, None)]


def test_people_are_pseudonymised_when_landed() -> None:
    """Personal fields whole, addresses and IAM principals anywhere; HMAC-SHA256 recomputed
    here; the rest of the record unchanged."""
    key = b"test-key"
    p = Pseudonymiser(key).pseudonym
    assert p("Ana@Acme.example") == "user_" + hmac.new(
        key, b"ana@acme.example", hashlib.sha256).hexdigest()[:16]
    seats = next(e for e in landing.EXPORTS if e.name == "seats")
    csv_records = landing.Records(
        ["seat_id", "user_email", "team"],
        [(1, "s1,Ana.Ruiz@acme.example,search", None, ["s1", "Ana.Ruiz@acme.example", "search"]),
         (2, "s2,,search", None, ["s2", "", "search"])])
    out = landing.protect(landing.add_aliases(csv_records, seats, Pseudonymiser(key)),
                          seats, Pseudonymiser(key))
    assert out.rows[0][3] == ["s1", p("ana.ruiz@acme.example"), "search"]
    assert out.rows[0][1] == f"s1,{p('ana.ruiz@acme.example')},search"
    assert out.rows[1] == csv_records.rows[1]  # nobody: unchanged
    # the address's local part as a GitHub username may spell it
    assert out.aliases == {1: f"{p('ana.ruiz')}|{p('ana-ruiz')}"}

    cursor = next(e for e in landing.EXPORTS if e.name == "cursor/usage_events")
    event = '{"userEmail": "dev@acme.org", "model": "gpt-5", "note": "cc ops@acme.org"}'
    [row] = landing.protect(landing.Records(None, [(1, event, None, None)]), cursor,
                            Pseudonymiser(key)).rows
    assert row[1] == (f'{{"userEmail": "{p("dev@acme.org")}", "model": "gpt-5",'
                      f' "note": "cc {p("ops@acme.org")}"}}')

    text = Pseudonymiser(key).text
    assert text("arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Dev_ab12/jane@x.org") == (
        f"arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Dev_ab12/{p('jane@x.org')}")
    assert text("arn:aws:iam::123456789012:user/team/bob") == (
        f"arn:aws:iam::123456789012:user/team/{p('bob')}")
    # a role is a workload, not a person
    assert text("arn:aws:iam::123456789012:role/ci") == "arn:aws:iam::123456789012:role/ci"
    # no key (AI_FINOPS_KEEP_EMAILS=true): everything kept
    assert Pseudonymiser(None).text("dev@acme.org") == "dev@acme.org"
