"""The landing: every raw export file, split into its records, as one Parquet file each.

The landing is the one step that reads the vendors' files. For every file under the raw root
(`AI_FINOPS_RAW_PATH`) that belongs to a known export it writes one Parquet file of the
file's records, unchanged: a CSV data line, a JSON line, or one element of a JSON page (with
its bucket, for the bucketed Admin API pages), numbered as the staging contract says, with the
file's MD5, size and modification time. A file that cannot be read at all (not UTF-8, empty,
not valid JSON, a page without its array) becomes one record with `source_row` 0 and the reason
in `file_problem`. Staging models parse the records' fields; nothing here knows a vendor's
columns.

A landing directory mirrors one raw root: `land()` writes the files that are new or changed
(by content), keeps the Parquet of unchanged files, and deletes the Parquet of files that left
the raw root. The result is the manifest, one `LandedFile` per raw file, which the dbt model
`stg_raw__files` returns as its table; staging compares it with the MD5s it holds to know
which files to parse again. Memory is bounded by the largest single raw file.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import multiprocessing
import os
import re
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import duckdb
import pandas

from ai_finops.privacy import Pseudonymiser
from ai_finops.readers import (
    PageError,
    Records,
    decode_text,
    split_csv,
    split_json_page,
    split_jsonl,
    split_otlp_traces,
    split_parquet,
    text_problem,
)

LANDING_VERSION = "1"
# below this many bytes to split, processes cost more to start than they save
PARALLEL_BYTES = 64 << 20


@dataclass(frozen=True)
class Export:
    """One raw export folder: its file patterns and, for JSON pages, where the records are."""

    name: str
    patterns: tuple[str, ...]
    # JSON pages: the top-level array of records, and for bucketed pages the array of
    # each bucket that holds the records
    items_key: str | None = None
    nested_key: str | None = None
    # CSV columns or JSON keys whose values identify a person (pseudonymised whole; e-mail
    # addresses and the person part of IAM principals are pseudonymised in every field of
    # every export, so a principal column is not listed here)
    personal: tuple[str, ...] = ()
    # CSV columns of e-mail addresses that other exports name by a username: each record
    # gets `aliases`, the (pseudonymised) local part of the address, as it is and with '.'
    # and '_' written as '-', '|'-separated (GitHub usernames of seat holders)
    aliases: tuple[str, ...] = ()
    # CSV columns holding a JSON object whose personal keys are pseudonymised (LiteLLM metadata)
    json_columns: tuple[str, ...] = ()
    # OTLP span attributes ({"key": ..., "value": {"stringValue": ...}}) that identify a person
    personal_attributes: tuple[str, ...] = ()
    # "otlp_traces": spans of OpenTelemetry trace exports (readers.split_otlp_traces)
    reader: str | None = None


EXPORTS: tuple[Export, ...] = (
    Export("openai/usage_completions", ("*.json",), "data", "results", personal=("user_id",)),
    Export("openai/costs", ("*.json",), "data", "results"),
    Export("anthropic/usage_messages", ("*.json",), "data", "results"),
    Export("anthropic/cost_report", ("*.json",), "data", "results"),
    # the principal column is free text to privacy.py (a role is kept, a person is not); the
    # user identifier is the principal's last segment, a person's name for an IAM user
    Export("aws_cur", ("*.csv", "*.csv.gz", "*.parquet"),
           personal=("line_item_user_identifier",)),
    Export("azure_cost", ("*.csv",)),
    Export("gcp_billing", ("*.jsonl",)),
    Export("github_copilot", ("*.csv",), personal=("username", "User")),
    Export("cursor/usage_events", ("*.json",), "usageEvents", personal=("userEmail",)),
    Export("seats", ("*.csv",), personal=("user_email",), aliases=("user_email",)),
    Export("activity", ("*.csv",), personal=("public_id", "name", "email")),
    Export("gateway", ("*.jsonl",), personal=("user",)),
    # gateway and tracing tools (docs/vendors.md#gateways-and-tracing)
    Export("litellm/spend_logs", ("*.csv", "*.jsonl"),
           personal=("user", "end_user", "requester_ip_address", "user_api_key_user_id",
                     "user_api_key_user_email"), json_columns=("metadata",)),
    Export("litellm/daily_spend", ("*.csv", "*.jsonl"), personal=("user_id", "end_user")),
    Export("langfuse/observations", ("*.json", "*.jsonl"), "data",
           personal=("userId", "user_id")),
    # the traces of the observations: their name (the agent or workflow), tags and user
    Export("langfuse/traces", ("*.json", "*.jsonl"), "data", personal=("userId", "user_id")),
    Export("otel/genai_spans", ("*.jsonl", "*.json"), reader="otlp_traces",
           personal_attributes=("user.id", "user.email", "user.name", "enduser.id",
                                "user_id", "langfuse.user.id")),
)


@dataclass(frozen=True)
class LandedFile:
    """One raw file as landed: a row of the manifest (`stg_raw__files`)."""

    source_file: str
    export: str
    file_md5: str
    file_size_bytes: int
    file_modified_at: dt.datetime
    header: list[str] | None
    record_count: int
    file_problem: str | None
    landed_path: str


def split_file(path: Path, data: bytes, export: Export,
               con: duckdb.DuckDBPyConnection) -> Records:
    """The records of one raw file, or its problem."""
    name = path.name.lower()
    if name.endswith(".parquet"):
        if not data:
            return Records(None, [], "empty file")
        try:
            return split_parquet(path, con)
        except duckdb.Error:
            return Records(None, [], "file is not valid Parquet")
    if name.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            return Records(None, [], "file is not valid gzip data")
        text = decode_text(data)
        if text is not None and text.strip(" \n") == "":
            return Records(None, [], "empty file")
    else:
        text = decode_text(data)
    problem = text_problem(text)
    if problem is not None or text is None:
        return Records(None, [], problem)
    if export.reader == "otlp_traces":
        return split_otlp_traces(text, json_lines=name.endswith(".jsonl"))
    if name.endswith(".jsonl"):
        return split_jsonl(text)
    if name.endswith(".json"):
        assert export.items_key is not None
        try:
            return split_json_page(text, export.items_key, export.nested_key)
        except PageError as error:
            return Records(None, [], str(error))
    return split_csv(text)


def add_aliases(records: Records, export: Export, pseudonymiser: Pseudonymiser) -> Records:
    """The records of a CSV file with their identity aliases (Export.aliases): the local
    part of the address in each alias column, as it is and with '.' and '_' written as '-',
    pseudonymised (or kept with AI_FINOPS_KEEP_EMAILS), '|'-separated."""
    header = records.header or []
    positions = [header.index(name) for name in export.aliases if name in header]
    if not positions or records.problem is not None:
        return records
    aliases: dict[int, str] = {}
    for source_row, _, _, fields in records.rows:
        forms: dict[str, None] = {}
        for position in positions:
            value = (fields or [])[position] if position < len(fields or []) else ""
            local = value.strip().lower().split("@")[0] if "@" in value else ""
            if local:
                forms.update(dict.fromkeys([local, re.sub(r"[._]", "-", local)]))
        if forms:
            aliases[source_row] = "|".join(pseudonymiser.pseudonym(form) for form in forms)
    return Records(records.header, records.rows, records.problem, aliases)


def protect(records: Records, export: Export, pseudonymiser: Pseudonymiser) -> Records:
    """The records with people's identifiers pseudonymised (privacy.py): the export's personal
    fields whole, e-mail addresses and IAM principals anywhere. A CSV line that changed is
    written again from its fields; a JSON record keeps its text but for the values replaced.
    Only the text that may hold an address or a principal is searched (may_name_a_person)."""
    if pseudonymiser.key is None or records.problem is not None:
        return records
    header = records.header or []
    personal = [i for i, name in enumerate(header) if name in export.personal]
    json_columns = [i for i, name in enumerate(header) if name in export.json_columns]
    rows: list[tuple[int, str | None, str | None, list[str] | None]] = []
    for source_row, raw_record, bucket, fields in records.rows:
        if fields is not None:
            protected = list(fields)
            for i in personal:
                if i < len(protected):
                    protected[i] = pseudonymiser.value(protected[i]) or ""
            if may_name_a_person(raw_record or ""):
                protected = [value if i in personal or not may_name_a_person(value)
                             else pseudonymiser.text(value)
                             for i, value in enumerate(protected)]
            for i in json_columns:  # a JSON column's own personal keys
                if i < len(protected):
                    protected[i] = protect_json(protected[i], export, pseudonymiser)
            if protected != fields:
                raw_record = (protect_json(raw_record, export, pseudonymiser)
                              if raw_record and raw_record[:1] == "{"
                              else replace_fields(raw_record or "", fields, protected))
            rows.append((source_row, raw_record, bucket, protected))
        else:
            rows.append((source_row, protect_json(raw_record or "", export, pseudonymiser),
                         protect_json(bucket, export, pseudonymiser) if bucket else bucket,
                         None))
    return Records(records.header, rows, records.problem, records.aliases)


def may_name_a_person(text: str) -> bool:
    """Whether a text can hold an e-mail address or an IAM principal's person part."""
    return "@" in text or ":user/" in text or "assumed-role/" in text or "federated-user/" in text


def protect_json(text: str, export: Export, pseudonymiser: Pseudonymiser) -> str:
    """A JSON record's text with the values of its personal keys and every address or
    principal pseudonymised; the rest of the text unchanged."""
    for key in export.personal:
        if f'"{key}"' not in text:
            continue
        text = re.sub(
            r'("' + re.escape(key) + r'"\s*:\s*")((?:[^"\\]|\\.)*)(")',
            lambda m: m.group(1) + (pseudonymiser.value(json.loads(f'"{m.group(2)}"')) or "")
            + m.group(3),
            text)
    for key in export.personal_attributes:
        if f'"{key}"' not in text:
            continue
        text = re.sub(
            r'("key"\s*:\s*"' + re.escape(key)
            + r'"\s*,\s*"value"\s*:\s*\{\s*"stringValue"\s*:\s*")((?:[^"\\]|\\.)*)(")',
            lambda m: m.group(1) + (pseudonymiser.value(json.loads(f'"{m.group(2)}"')) or "")
            + m.group(3),
            text)
    return pseudonymiser.text(text) if may_name_a_person(text) else text


def replace_fields(line: str, fields: list[str], protected: list[str]) -> str:
    """A CSV line with the values that changed replaced in place when each old value stands
    once in the line, bare; else the line written again from the protected fields."""
    for old, new in zip(fields, protected):
        if old == new:
            continue
        if not old or line.count(old) != 1 or any(c in old + new for c in '",\r\n'):
            return csv_line(protected)
        line = line.replace(old, new)
    return line


_LINE = io.StringIO()
_LINE_WRITER = csv.writer(_LINE, lineterminator="")


def csv_line(fields: list[str]) -> str:
    """One CSV line (RFC 4180 quoting) of a record's fields."""
    _LINE.seek(0)
    _LINE.truncate()
    _LINE_WRITER.writerow(fields)
    return _LINE.getvalue()


# ---------------------------------------------------------------------------------------------
# The landing directory
# ---------------------------------------------------------------------------------------------


def default_landing_path(db_path: str) -> str:
    """The landing directory of a warehouse file when AI_FINOPS_LANDING_PATH is not set: its
    path up to '.duckdb', plus '.landing' (the building copy of `scripts/refresh`,
    `<db>.building`, shares the published file's landing). dbt's configuration states the
    same rule (models/staging/raw/_raw__models.yml)."""
    return db_path.split(".duckdb")[0] + ".landing"


def raw_files(raw_root: Path) -> Iterator[tuple[Export, Path]]:
    """Every file of a known export under the raw root, in name order per export."""
    for export in EXPORTS:
        folder = raw_root / export.name
        if not folder.is_dir():
            continue
        paths: set[Path] = set()
        for pattern in export.patterns:
            paths.update(p for p in folder.glob(pattern) if p.is_file())
        for path in sorted(paths):
            yield export, path


def source_file_name(raw_root: str, path: Path, root: Path) -> str:
    """The file as staging names it: the raw root as configured, '/', the relative path."""
    return raw_root.rstrip("/") + "/" + path.relative_to(root).as_posix()


def landed_path(landing_dir: Path, export: Export, source_file: str, md5: str,
                modified: dt.datetime, key_id: str) -> Path:
    """Where the records of one version of one raw file are written: its name is the file's
    landing key, the digest of the landing's version, the file's path, content and
    modification time and the pseudonym key's id."""
    key = landing_key(source_file, md5, modified, key_id)
    return landing_dir / "records" / export.name.replace("/", "__") / f"{key}.parquet"


def landing_key(source_file: str, md5: str, modified: dt.datetime, key_id: str) -> str:
    """What staging compares to know whether a raw file must be parsed again."""
    return hashlib.md5(f"{LANDING_VERSION}\0{source_file}\0{md5}\0{modified.isoformat()}"
                       f"\0{key_id}".encode()).hexdigest()


def write_records(records: Records, source_file: str, md5: str, modified: dt.datetime,
                  target: Path, con: duckdb.DuckDBPyConnection) -> None:
    """Writes the records (or the file's one problem record) to `target`, atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = records.rows if records.problem is None else [(0, None, None, None)]
    frame = pandas.DataFrame({
        "source_row": pandas.Series([row[0] for row in rows], dtype="int64"),
        "raw_record": pandas.Series([row[1] for row in rows], dtype="object"),
        "bucket": pandas.Series([row[2] for row in rows], dtype="object"),
        "fields": pandas.Series([row[3] for row in rows], dtype="object"),
        "aliases": pandas.Series([records.aliases.get(row[0]) for row in rows], dtype="object"),
    })
    partial = target.with_name(target.name + ".partial")
    name = f"landing_rows_{os.getpid()}"
    con.register(name, frame)
    try:
        con.execute(
            f"""
            copy (
                select
                    cast(? as varchar) as source_file,
                    source_row,
                    cast(raw_record as varchar) as raw_record,
                    cast(bucket as varchar) as bucket,
                    cast(fields as varchar[]) as fields,
                    cast(aliases as varchar) as aliases,
                    cast(? as varchar) as file_problem,
                    cast(? as varchar) as file_md5,
                    cast(? as timestamptz) as file_modified_at,
                    cast(? as varchar) as landing_key
                from {name}
            ) to '{partial}' (format parquet)
            """,
            [source_file, records.problem, md5, modified, target.stem],
        )
        os.replace(partial, target)
    finally:
        con.unregister(name)
        partial.unlink(missing_ok=True)


@dataclass(frozen=True)
class Task:
    """One raw file to split and write (new, changed or touched)."""

    export: Export
    path: Path
    source_file: str
    md5: str
    size: int
    modified: dt.datetime
    target: Path
    key: bytes | None


def land_file(task: Task) -> LandedFile:
    """Splits one raw file, pseudonymises its records and writes them to its Parquet file."""
    data = task.path.read_bytes()
    with duckdb.connect() as con:
        pseudonymiser = Pseudonymiser(task.key)
        records = protect(add_aliases(split_file(task.path, data, task.export, con),
                                      task.export, pseudonymiser),
                          task.export, pseudonymiser)
        del data
        write_records(records, task.source_file, task.md5, task.modified, task.target, con)
    return LandedFile(task.source_file, task.export.name, task.md5, task.size, task.modified,
                      records.header, len(records.rows), records.problem, str(task.target))


def land(raw_root: str, landing_dir: str | Path, key: bytes | None,
         previous: Iterable[LandedFile] = (), workers: int = 1) -> list[LandedFile]:
    """Mirrors the raw root into `landing_dir`; returns the manifest of every raw file.

    `key` is the pseudonym key (privacy.py; None keeps people's identifiers). `previous` is
    the manifest of the last landing (the table `stg_raw__files`): a file whose path, MD5 and
    modification time it lists, landed with the same key, and whose Parquet is still there,
    is not split again. The files to split are split `workers` at a time in processes of their own when
    they weigh more than PARALLEL_BYTES together (each process holds one file at a time).
    Parquet files that no raw file needs any more are deleted last.
    """
    root = Path(raw_root)
    landing = Path(landing_dir)
    known = {entry.landed_path: entry for entry in previous}
    landed: dict[str, LandedFile] = {}
    tasks: list[Task] = []
    for export, path in raw_files(root):
        stat = path.stat()
        md5 = file_md5(path)
        source_file = source_file_name(raw_root, path, root)
        modified = dt.datetime.fromtimestamp(stat.st_mtime_ns / 1e9, dt.timezone.utc)
        target = landed_path(landing, export, source_file, md5, modified,
                             Pseudonymiser(key).key_id)
        earlier = known.get(str(target))
        if earlier is not None and target.exists():
            landed[source_file] = LandedFile(
                source_file, export.name, md5, stat.st_size, modified, earlier.header,
                earlier.record_count, earlier.file_problem, str(target))
        else:
            tasks.append(Task(export, path, source_file, md5, stat.st_size, modified, target,
                              key))
    if workers > 1 and len(tasks) > 1 and sum(t.size for t in tasks) > PARALLEL_BYTES:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            done = list(pool.map(land_file, tasks))
    else:
        done = [land_file(task) for task in tasks]
    landed.update((entry.source_file, entry) for entry in done)
    manifest = sorted(landed.values(), key=lambda entry: entry.source_file)
    keep = {Path(entry.landed_path) for entry in manifest}
    for stale in (landing / "records").glob("*/*.parquet") if landing.exists() else ():
        if stale not in keep:
            stale.unlink(missing_ok=True)
    return manifest


def file_md5(path: Path) -> str:
    """MD5 of a file's bytes, read in blocks."""
    digest = hashlib.md5()
    with open(path, "rb") as source:
        while block := source.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()
