"""No personal data or secrets in the public tables.

Every table of schema ``main`` whose name starts with ``fct_``, ``dim_``, ``mart_`` or
``focus_`` is scanned, every text-like column (lists, structs and JSON cast to text), for
e-mail addresses and API-key-shaped strings. With pseudonymisation on (the default) the
sample warehouse has none; with ``AI_FINOPS_KEEP_EMAILS=true`` the addresses come back,
which shows the scan finds them.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from ai_finops.privacy import default_key_file
from conftest import ROOT, DbtResult, build_warehouse

PUBLIC_PREFIXES = ("fct_", "dim_", "mart_", "focus_")
PATTERNS: dict[str, str] = {
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
    "openai_key": r"sk-(proj-)?[A-Za-z0-9_-]{20,}",
    "anthropic_key": r"sk-ant-[A-Za-z0-9_-]{20,}",
    "aws_access_key": r"(AKIA|ASIA)[0-9A-Z]{16}",
}
# DuckDB types that can hold text: plain text, JSON, and nested types cast to text
NUMERIC_OR_TEMPORAL = (
    "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER", "DOUBLE",
    "FLOAT", "DECIMAL", "BOOLEAN", "DATE", "TIME", "TIMESTAMP", "INTERVAL", "UUID",
)


def text_columns(result: DbtResult) -> list[tuple[str, str]]:
    """(table, column) of every text-like column of the public tables."""
    rows = result.query(
        """
        select table_name, column_name, data_type
        from information_schema.columns
        where table_schema = 'main'
        order by table_name, ordinal_position
        """
    )
    return [
        (table, column)
        for table, column, data_type in rows
        if table.startswith(PUBLIC_PREFIXES)
        and not data_type.upper().startswith(NUMERIC_OR_TEMPORAL)
    ]


def scan(result: DbtResult) -> dict[tuple[str, str, str], tuple[int, str]]:
    """(table, column, pattern) -> (matching rows, one example) for every hit.

    One query per table: a count and an example per (column, pattern).
    """
    hits: dict[tuple[str, str, str], tuple[int, str]] = {}
    columns = text_columns(result)
    with result.connect() as con:
        for table in sorted({table for table, _ in columns}):
            checks = [(column, name, pattern) for t, column in columns if t == table
                      for name, pattern in PATTERNS.items()]
            select, params = [], []
            for column, _, pattern in checks:
                text = f'cast("{column}" as varchar)'
                select.append(f"count(*) filter (where regexp_matches({text}, ?))")
                select.append(
                    f"any_value(regexp_extract({text}, ?)) filter (where regexp_matches({text}, ?))"
                )
                params += [pattern, pattern, pattern]
            row = con.execute(f'select {", ".join(select)} from main."{table}"', params).fetchone()
            for number, (column, name, _) in enumerate(checks):
                count, example = row[2 * number], row[2 * number + 1]
                if count:
                    hits[(table, column, name)] = (count, example)
    return hits


def test_public_tables_are_scanned(sample_warehouse: DbtResult) -> None:
    tables = {table for table, _ in text_columns(sample_warehouse)}
    assert {"fct_ai_costs", "focus_ai_costs", "mart_rejected_rows"} <= tables
    assert {"mart_chargeback_monthly", "mart_ai_system_inventory"} <= tables


def test_no_email_or_key_in_public_tables(sample_warehouse: DbtResult) -> None:
    # the sample is full of addresses (seats, activity, Cursor events) ...
    raw_addresses = sum(
        len(re.findall(PATTERNS["email"], path.read_text(errors="replace")))
        for path in sample_warehouse.raw_dir.rglob("*") if path.is_file())
    assert raw_addresses > 500
    # ... and none of them reaches a public table
    assert scan(sample_warehouse) == {}


def test_pattern_catches_what_it_should() -> None:
    samples = {
        "email": "ana.ruiz@acme.example",
        "openai_key": "sk-proj-" + "a1B2" * 8,
        "anthropic_key": "sk-ant-api03-" + "x9Y8" * 8,
        "aws_access_key": "AKIA" + "ABCDEFGHIJKLMNOP",
    }
    for name, text in samples.items():
        assert re.search(PATTERNS[name], text), name
    for text in ("key_searchranker", "apikey_supporttriage", "user_3f2a9c0d1e2b4a5c", "sa-canary"):
        assert not any(re.search(p, text) for p in PATTERNS.values()), text


@pytest.fixture(scope="module")
def kept_emails_warehouse(tmp_path_factory: pytest.TempPathFactory) -> DbtResult:
    """A small folder (the sample's seats, activity and Cursor events) built with
    AI_FINOPS_KEEP_EMAILS=true."""
    base = tmp_path_factory.mktemp("keep_emails")
    raw = base / "raw"
    for folder in ("seats", "activity", "cursor"):
        shutil.copytree(ROOT / "data" / "sample" / folder, raw / folder)
    result = build_warehouse(
        raw, base / "work", extra_env={"AI_FINOPS_KEEP_EMAILS": "true"}, unit_tests=False
    )
    assert result.returncode == 0, result.output[-5000:]
    return result


def test_keep_emails_brings_the_addresses_back(kept_emails_warehouse: DbtResult) -> None:
    hits = scan(kept_emails_warehouse)
    emails = {(table, column) for table, column, name in hits if name == "email"}
    assert ("fct_ai_costs", "user_name") in emails
    assert ("focus_ai_costs", "x_UserName") in emails
    seat_holders = {
        row["user_email"].lower()
        for path in (kept_emails_warehouse.raw_dir / "seats").glob("*.csv")
        for row in csv_rows(path)
    }
    in_fct = {
        name for (name,) in kept_emails_warehouse.query(
            "select distinct lower(user_name) from fct_ai_costs where user_name like '%@%'"
        )
    }
    assert in_fct and in_fct <= seat_holders
    # the finance and inventory marts never carry people, even then
    finance_marts = (
        "mart_chargeback",
        "mart_showback",
        "mart_budget",
        "mart_seat",
        "mart_unit",
        "mart_ai_system",
    )
    assert not [table for table, _ in emails if table.startswith(finance_marts)]


def csv_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file as dictionaries."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# ---------------------------------------------------------------------------------------------
# The key, and what is written to disk (docs/privacy.md)
# ---------------------------------------------------------------------------------------------

SSO_PRINCIPALS = {
    # assumed SSO role named after the person (the session is the person's address)
    "arn:aws:sts::999999999999:assumed-role/AWSReservedSSO_DataScience_0123456789abcdef/"
    "ines.moreau@acme.example": "assumed-role/AWSReservedSSO_DataScience_0123456789abcdef/",
    # assumed role with a username session
    "arn:aws:sts::999999999999:assumed-role/Developer/jdoe": "assumed-role/Developer/",
    # an IAM user
    "arn:aws:iam::999999999999:user/engineering/ana.ruiz": "user/engineering/",
}


def privacy_landing(raw: Path) -> set[str]:
    """A raw folder with people in it (the sample's seats, activity, Cursor events, Copilot
    report, OpenAI usage, and a CUR file whose principals are assumed SSO roles, a role
    session and an IAM user); returns every e-mail address written in its files."""
    for folder in ("seats", "activity", "cursor", "github_copilot", "openai"):
        shutil.copytree(ROOT / "data" / "sample" / folder, raw / folder)
    sample_cur = sorted((ROOT / "data" / "sample" / "aws_cur").glob("*.csv"))[0]
    rows = csv_rows(sample_cur)
    ai_rows = [row for row in rows if row["line_item_product_code"] != "AmazonEC2"][:3]
    for row, principal in zip(ai_rows, SSO_PRINCIPALS):
        row["bill_payer_account_id"] = row["line_item_usage_account_id"] = "999999999999"
        row["line_item_iam_principal"] = principal
        row["line_item_user_identifier"] = principal.rsplit("/", 1)[1]
    (raw / "aws_cur").mkdir()
    with open(raw / "aws_cur" / "2026-04-02T0800Z_cur2_sso.csv", "w", newline="") as sink:
        writer = csv.DictWriter(sink, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(ai_rows)
    return {match.group(0).lower() for path in raw.rglob("*") if path.is_file()
            for match in re.finditer(PATTERNS["email"], path.read_text(errors="replace"))}


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtResult, set[str], Path]:
    """The privacy landing built with no key set (a key file appears), then refreshed by
    scripts/refresh with a new export landed."""
    base = tmp_path_factory.mktemp("privacy")
    raw = base / "raw"
    emails = privacy_landing(raw)
    env = {"AI_FINOPS_PSEUDONYM_KEY": "", "AI_FINOPS_PSEUDONYM_KEY_FILE": ""}
    result = build_warehouse(raw, base / "work", extra_env=env, unit_tests=False)
    assert result.returncode == 0, result.output[-5000:]
    copilot = sorted((raw / "github_copilot").glob("*.csv"))[-1]
    shutil.copy2(copilot, copilot.with_name("2026-12-01T1200Z_usage_report_2026-11.csv"))
    refresh_env = dict(os.environ, AI_FINOPS_RAW_PATH=str(raw),
                       AI_FINOPS_DB_PATH=str(result.db_path),
                       AI_FINOPS_LOG_DIR=str(base / "refresh-logs"),
                       AI_FINOPS_REFRESH_WORK_DIR=str(base / "refresh-work"),
                       AI_FINOPS_GX_DOCS_DIR=str(base / "gx_docs"), **env)
    refresh = subprocess.run([str(ROOT / "scripts" / "refresh"), "--skip-freshness"],
                             cwd=ROOT, env=refresh_env, capture_output=True, text=True)
    assert refresh.returncode == 0, (refresh.stdout + refresh.stderr)[-5000:]
    return result, emails, base


def test_a_build_without_a_key_writes_one_beside_the_warehouse(refreshed) -> None:
    result, emails, _ = refreshed
    key_file = default_key_file(str(result.db_path))
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_bytes().strip()
    assert re.fullmatch(rb"[0-9a-f]{64}", key)
    # the pseudonyms are HMAC-SHA256(key, address), recomputed here
    seat_holders = {row["user_email"].lower()
                    for path in (result.raw_dir / "seats").glob("*.csv")
                    for row in csv_rows(path) if row["user_email"]}
    expected = {"user_" + hmac.new(key, email.encode(), hashlib.sha256).hexdigest()[:16]
                for email in seat_holders}
    in_fct = {name for (name,) in result.query(
        "select distinct user_name from fct_ai_costs where cost_grain = 'seat'"
        " and user_name is not null")}
    assert in_fct and in_fct <= expected


def test_person_part_of_every_principal_is_pseudonymised(refreshed) -> None:
    result, _, _ = refreshed
    key = default_key_file(str(result.db_path)).read_bytes().strip()
    principals = {p for (p,) in result.query(
        "select distinct iam_principal from fct_ai_costs where sub_account_id = '999999999999'")}
    expected = set()
    for principal, kept in SSO_PRINCIPALS.items():
        person = principal.rsplit("/", 1)[1]
        pseudonym = "user_" + hmac.new(key, person.lower().encode(),
                                       hashlib.sha256).hexdigest()[:16]
        expected.add(principal.split(kept)[0] + kept + pseudonym)
    assert principals == expected


def test_neither_the_key_nor_an_address_is_written_anywhere(refreshed) -> None:
    """target/, logs/, the refresh log and work folder, the Great Expectations output, the
    landing and the warehouse file: no byte sequence of the key, no address of the landing."""
    result, emails, base = refreshed
    key = default_key_file(str(result.db_path)).read_bytes().strip()
    assert emails  # the landing is full of addresses
    places = [result.db_path.parent / "target", result.db_path.parent / "logs",
              base / "refresh-logs", base / "refresh-work", base / "gx_docs",
              Path(str(result.db_path).split(".duckdb")[0] + ".landing"), result.db_path]
    found: list[str] = []
    for place in places:
        assert place.exists(), place
        for path in ([place] if place.is_file() else place.rglob("*")):
            if not path.is_file():
                continue
            data = path.read_bytes().lower()
            if key in data:
                found.append(f"key in {path}")
            found += [f"{email} in {path}" for email in emails if email.encode() in data]
    assert not found, found[:10]
    # and no text column of any table or view holds an address (stored compressed, the
    # file's bytes alone would not show one)
    with result.connect() as con:
        columns = con.execute(
            "select table_name, column_name from information_schema.columns"
            " where table_schema = 'main' and data_type in ('VARCHAR', 'JSON')").fetchall()
        for table, column in columns:
            hit = con.execute(
                f'select "{column}" from main."{table}" where regexp_matches("{column}", ?)'
                " limit 1", [PATTERNS["email"]]).fetchall()
            assert not hit, (table, column, hit)


def test_no_key_is_in_the_repository() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    assert not [name for name in tracked if name.endswith(".key")]
    for name in tracked:
        path = ROOT / name
        if path.is_file() and path.suffix in {".sql", ".py", ".yml", ".md", ".csv", ""}:
            assert b"ai-finops-default-key" not in path.read_bytes() or name.endswith(
                "test_privacy.py"), name


def test_a_dictionary_attack_reverses_nothing(refreshed) -> None:
    """The seats file's addresses, hashed with every key-like string of the repository (the
    old built-in default, the documented examples) by the old and the new scheme, match no
    pseudonym of the warehouse."""
    result, emails, _ = refreshed
    pseudonyms = {name for (name,) in result.query(
        "select distinct user_name from fct_ai_costs where user_name like 'user_%'")}
    assert pseudonyms
    candidates = [b"ai-finops-default-key", b"", b"sample", b"changeme", b"secret"]
    guesses = set()
    for key in candidates:
        for email in emails:
            guesses.add("user_" + hmac.new(key, email.encode(), hashlib.sha256).hexdigest()[:16])
            guesses.add("user_" + hashlib.sha256(key + b"|" + email.encode()).hexdigest()[:16])
    assert not pseudonyms & guesses
