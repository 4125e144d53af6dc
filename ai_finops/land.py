"""The landing as a step of its own, for engines that run no Python model (Spark).

`python -m ai_finops.land` lands the raw root into `<landing>/records/` exactly as the
DuckDB build's Python model stg_raw__files does (ai_finops.landing, the same pseudonym key
rules) and writes the manifest beside it, `<landing>/manifest.parquet`, which the Spark
version of stg_raw__files reads. The previous manifest is read from the same file, so an
unchanged raw file is not split again.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ai_finops.landing import LandedFile, land
from ai_finops.privacy import load_key

MANIFEST = "manifest.parquet"
SCHEMA = pa.schema([
    ("source_file", pa.string()), ("export_name", pa.string()), ("file_md5", pa.string()),
    ("file_size_bytes", pa.int64()), ("file_modified_at", pa.timestamp("us", tz="UTC")),
    ("header", pa.list_(pa.string())), ("record_count", pa.int64()),
    ("file_problem", pa.string()), ("landed_path", pa.string()), ("landing_key", pa.string()),
])


def read_manifest(landing: Path) -> list[LandedFile]:
    """The manifest the last landing wrote (empty before the first one)."""
    path = landing / MANIFEST
    if not path.exists():
        return []
    return [LandedFile(source_file=r["source_file"], export=r["export_name"],
                       file_md5=r["file_md5"], file_size_bytes=r["file_size_bytes"],
                       file_modified_at=r["file_modified_at"], header=r["header"],
                       record_count=r["record_count"], file_problem=r["file_problem"],
                       landed_path=r["landed_path"])
            for r in pq.read_table(path).to_pylist()]


def write_manifest(landing: Path, manifest: list[LandedFile]) -> Path:
    """Writes the manifest atomically (a new file renamed over the old one)."""
    table = pa.Table.from_pylist([{
        "source_file": f.source_file, "export_name": f.export, "file_md5": f.file_md5,
        "file_size_bytes": f.file_size_bytes, "file_modified_at": f.file_modified_at,
        "header": f.header, "record_count": f.record_count, "file_problem": f.file_problem,
        "landed_path": f.landed_path, "landing_key": Path(f.landed_path).stem,
    } for f in manifest], schema=SCHEMA)
    landing.mkdir(parents=True, exist_ok=True)
    temporary = landing / (MANIFEST + ".new")
    pq.write_table(table, temporary)
    os.replace(temporary, landing / MANIFEST)
    return landing / MANIFEST


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", default=os.environ.get("AI_FINOPS_RAW_PATH", "data/sample"))
    warehouse = os.environ.get("AI_FINOPS_SPARK_WAREHOUSE", "warehouse/spark")
    parser.add_argument("--landing", default=f"{warehouse}/landing")
    parser.add_argument("--key-file", default=os.environ.get("AI_FINOPS_PSEUDONYM_KEY_FILE", "")
                        or f"{warehouse}/ai_finops.key")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("AI_FINOPS_THREADS", "2")))
    args = parser.parse_args(argv)
    keep = os.environ.get("AI_FINOPS_KEEP_EMAILS", "false").lower() == "true"
    key = None if keep else load_key("", args.key_file)[0]
    landing = Path(args.landing).resolve()
    manifest = land(args.raw, landing, key, read_manifest(landing), workers=args.workers)
    path = write_manifest(landing, manifest)
    print(f"[landing] {len(manifest)} raw files landed; manifest {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
