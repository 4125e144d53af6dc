"""The landing manifest: one row per raw export file, after landing it (ai_finops.landing).

Lands every file under the raw root (config raw_path) whose records are new or changed into
the landing directory (config landing_path: one Parquet file of records per raw file), with
people's identifiers pseudonymised by the key of ai_finops.privacy (never rendered into SQL),
and returns the manifest that staging reads to know which files to parse again.
"""

from __future__ import annotations

import pandas

from pathlib import Path

from ai_finops.landing import LandedFile, land
from ai_finops.privacy import load_key

COLUMNS = (
    "source_file", "export_name", "file_md5", "file_size_bytes", "file_modified_at",
    "header", "record_count", "file_problem", "landed_path",
)


def previous_manifest(dbt, session) -> list[LandedFile]:  # type: ignore[no-untyped-def]
    """The manifest of the last build (empty on the first one)."""
    exists = session.execute(
        "select count(*) from duckdb_tables() where database_name = current_database()"
        " and schema_name = ? and table_name = ?",
        [dbt.this.schema, dbt.this.identifier]).fetchall()[0][0]
    if not exists:
        return []
    rows = session.execute(f"select {', '.join(COLUMNS)} from {dbt.this}").fetchall()
    return [LandedFile(source_file=r[0], export=r[1], file_md5=r[2], file_size_bytes=r[3],
                       file_modified_at=r[4], header=r[5], record_count=r[6],
                       file_problem=r[7], landed_path=r[8]) for r in rows]


def model(dbt, session):  # type: ignore[no-untyped-def]
    dbt.config(materialized="table")
    keep = str(dbt.config.get("keep_emails")).lower() == "true"
    key = None if keep else load_key(dbt.config.get("db_path"),
                                     dbt.config.get("pseudonym_key_file"))[0]
    manifest = land(dbt.config.get("raw_path"), dbt.config.get("landing_path"), key,
                    previous_manifest(dbt, session),
                    workers=int(dbt.config.get("landing_workers")))
    frame = pandas.DataFrame({
        "source_file": pandas.Series([f.source_file for f in manifest], dtype="object"),
        "export_name": pandas.Series([f.export for f in manifest], dtype="object"),
        "file_md5": pandas.Series([f.file_md5 for f in manifest], dtype="object"),
        "file_size_bytes": pandas.Series([f.file_size_bytes for f in manifest], dtype="int64"),
        "file_modified_at": pandas.Series(
            [f.file_modified_at for f in manifest], dtype="datetime64[us, UTC]"),
        "header": pandas.Series([f.header for f in manifest], dtype="object"),
        "record_count": pandas.Series([f.record_count for f in manifest], dtype="int64"),
        "file_problem": pandas.Series([f.file_problem for f in manifest], dtype="object"),
        "landed_path": pandas.Series([f.landed_path for f in manifest], dtype="object"),
        "landing_key": pandas.Series([Path(f.landed_path).stem for f in manifest],
                                     dtype="object"),
    })
    session.register("landing_manifest", frame)
    return session.sql(
        """
        select
            cast(source_file as varchar) as source_file,
            cast(export_name as varchar) as export_name,
            cast(file_md5 as varchar) as file_md5,
            cast(file_size_bytes as bigint) as file_size_bytes,
            cast(file_modified_at as timestamptz) as file_modified_at,
            cast(header as varchar[]) as header,
            cast(record_count as bigint) as record_count,
            cast(file_problem as varchar) as file_problem,
            cast(landed_path as varchar) as landed_path,
            cast(landing_key as varchar) as landing_key
        from landing_manifest
        order by source_file
        """
    )
