"""dbt's partial parsing shared between the test suite's builds.

A full parse of the project takes about 12 s, a partial parse of an unchanged project about
4 s, and the suite runs dozens of builds, each into its own target folder. dbt parses partially
only when the connection settings match those of the saved parse, and the DuckDB path is one of
them: so every build runs in the folder of its warehouse file with the bare file name as
AI_FINOPS_DB_PATH (the same text for every build), and its target folder starts from the parse
the previous build of the same project saved. dbt checks every file's hash and every env var a
file reads (the raw folder differs per build) and parses again what changed, so a saved parse
is never trusted blindly.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from pathlib import Path

CACHE = Path(tempfile.gettempdir()) / "ai_finops_parse_cache"
PARSE_FILE = "partial_parse.msgpack"


def dbt_location(db_path: Path) -> tuple[Path, str]:
    """(working folder, AI_FINOPS_DB_PATH) for a build into `db_path`."""
    db_path = db_path.resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    return db_path.parent, db_path.name


def _cached(project_root: Path, db_name: str) -> Path:
    key = hashlib.sha256(f"{project_root.resolve()}|{db_name}".encode()).hexdigest()[:16]
    return CACHE / key / PARSE_FILE


def start_from_saved_parse(target: Path, project_root: Path, db_name: str) -> None:
    """Copies the project's last saved parse into a target folder that has none."""
    cached = _cached(project_root, db_name)
    if (target / PARSE_FILE).exists() or not cached.exists():
        return
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, target / PARSE_FILE)


def save_parse(target: Path, project_root: Path, db_name: str) -> None:
    """Saves the parse a build wrote (atomically: test workers, and threads of one worker,
    build at the same time)."""
    produced = target / PARSE_FILE
    if not produced.exists():
        return
    cached = _cached(project_root, db_name)
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_name(f"{PARSE_FILE}.{os.getpid()}.{threading.get_ident()}.tmp")
    shutil.copyfile(produced, partial)
    os.replace(partial, cached)
