"""The raw_files table: one row per delivered file, the join key (source_id) for every later table."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pyarrow as pa

from media_pipelines.core.media_types import FileStatus, MediaKind
from media_pipelines.lake.store import ObjectStore
from media_pipelines.lake.tables import TableSpec, read_title_table

if TYPE_CHECKING:  # the media types, not their libraries: the query path loads this table module
    from media_pipelines.core.inspect import FileInspection


RAW_FILES = "raw_files"

RAW_FILES_SCHEMA = pa.schema(
    [
        ("source_id", pa.string()),
        ("file_name", pa.string()),
        ("kind", pa.string()),
        ("size_bytes", pa.int64()),
        ("sha256", pa.string()),
        ("original_uri", pa.string()),
        ("container", pa.string()),
        ("duration_s", pa.float64()),
        ("streams_json", pa.string()),
        ("status", pa.string()),
        ("error_type", pa.string()),
        ("error_message", pa.string()),
        ("tool_versions", pa.string()),
        ("code_version", pa.string()),
    ]
)
RAW_FILES_SPEC = TableSpec(
    RAW_FILES,
    RAW_FILES_SCHEMA,
    row_key=("source_id",),
    description="one row per delivered file: kind, checksum, streams, status",
)


def raw_files_table(
    inspections: Sequence["FileInspection"],
    original_uris: dict[str, str],
    tool_versions: str,
    code_version: str,
) -> pa.Table:
    """Rows in source_id order so a re-run over the same files writes identical content."""
    rows = [
        {
            "source_id": i.source_id,
            "file_name": i.file_name,
            "kind": str(i.kind),
            "size_bytes": i.size_bytes,
            "sha256": i.sha256,
            "original_uri": original_uris.get(i.sha256),
            "container": i.probe.container if i.probe else None,
            "duration_s": i.probe.duration_s if i.probe else None,
            "streams_json": i.streams_json(),
            "status": str(i.status),
            "error_type": str(i.error.error_type) if i.error else None,
            "error_message": i.error.message if i.error else None,
            "tool_versions": tool_versions,
            "code_version": code_version,
        }
        for i in sorted(inspections, key=lambda i: i.source_id)
    ]
    return pa.Table.from_pylist(rows, schema=RAW_FILES_SCHEMA)


def delivered_files(store: ObjectStore, title_id: str, kind: MediaKind) -> list[dict]:
    """The title's files of one kind that ingest could read, as raw_files rows."""
    rows = read_title_table(store, RAW_FILES, title_id).to_pylist()
    return [r for r in rows if r["kind"] == kind and r["status"] == FileStatus.OK]
