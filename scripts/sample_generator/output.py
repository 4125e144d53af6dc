"""Output plumbing: calendar-month periods, export names and times, the registry of written
files, JSON pages and CSV lines, and the base classes of the export writers.

Raw layout and vendor formats
=============================
Exports are pages or files named ``<export timestamp>_<export>_<period>[_pageNNN].<ext>``, the
export timestamp being ``YYYY-MM-DDTHHMMZ`` (the day after the period's last day in the
window), so later exports sort later. Periods are calendar months. API pages split a month
only at UTC-day boundaries (the period of an API row is its UTC day; of a bill row, its
billing month), never one day across two pages. File modification times are set to the export
timestamp. JSON is compact UTF-8; CSV is RFC 4180 with LF line ends.

Each writer of ``sample_generator.writers`` describes the format it writes.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Sequence, TextIO

from sample_generator.catalogue import JSON_PAGE_RESULTS
from sample_generator.helpers import dec, epoch, jdump, month_end
from sample_generator.organisation import Cell
from sample_generator.world import World


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
