from collections import Counter

import dagster as dg

from media_pipelines.core.inspect import FileInspection, inspect_file, refused_file
from media_pipelines.core.media_types import USABLE_KINDS, FileStatus
from media_pipelines.core.provenance import short_digest
from media_pipelines.core.tools import code_version, tool_versions_json
from media_pipelines.defs import groups
from media_pipelines.defs.ingest.sizing import DELIVERED_BYTES
from media_pipelines.defs.metadata import ROW_COUNT, SUMMARY, tables_metadata
from media_pipelines.defs.partitions import title_id_of, titles_partitions
from media_pipelines.defs.resources import StorageRoot
from media_pipelines.defs.retries import LAKE_IO_RETRY
from media_pipelines.lake.landing import snapshot_title
from media_pipelines.lake.originals import store_original
from media_pipelines.lake.raw_files import RAW_FILES, RAW_FILES_SPEC, raw_files_table
from media_pipelines.lake.tables import write_title_table

LANDING_FINGERPRINT = "landing_fingerprint"
INGEST_CODE_VERSION = code_version("ingest-3", media_tools=True)


@dg.asset(
    metadata=tables_metadata(RAW_FILES_SPEC),
    partitions_def=titles_partitions,
    code_version=INGEST_CODE_VERSION,
    kinds={"lance", "video"},
    group_name=groups.INGEST,
    retry_policy=LAKE_IO_RETRY,
)
def raw_media(context: dg.AssetExecutionContext, landing: StorageRoot, lake: StorageRoot) -> dg.MaterializeResult:
    """Every file delivered for a title: checksum, content kind, full probe, original copied into the lake."""
    title_id = title_id_of(context)
    landing_store, lake_store = landing.store(), lake.store()
    snapshot = snapshot_title(landing_store, title_id)
    if not snapshot.files:
        raise dg.Failure(f"landing folder {landing_store.uri_for(title_id)} is empty", allow_retries=False)

    inspections: list[FileInspection] = []
    original_uris: dict[str, str] = {}
    for info in snapshot.files:
        if info.refused:
            inspection = refused_file(snapshot.relative_path(info), info.refused)
        else:
            with landing_store.local_copy(info.key) as path:
                inspection = inspect_file(path, snapshot.relative_path(info))
                if inspection.size_bytes:
                    original_uris[inspection.sha256] = store_original(lake_store, path, inspection.sha256)
        if inspection.error:
            context.log.warning(f"quarantined {inspection.file_name}: {inspection.error}")
        inspections.append(inspection)

    table = raw_files_table(inspections, original_uris, tool_versions_json(), INGEST_CODE_VERSION)
    table_uri = write_title_table(lake_store, RAW_FILES, title_id, table)
    metadata = _metadata(inspections, table_uri, snapshot.fingerprint, sum(f.size for f in snapshot.files))
    if not any(i.status == FileStatus.OK and i.kind in USABLE_KINDS for i in inspections):
        raise dg.Failure(f"title {title_id} has no usable video or audio", metadata=metadata, allow_retries=False)
    return dg.MaterializeResult(metadata=metadata, data_version=_data_version(inspections))


def _data_version(inspections: list[FileInspection]) -> dg.DataVersion:
    """Source checksums, so a replaced file makes this title's downstream assets stale."""
    return dg.DataVersion(short_digest(*sorted(f"{i.source_id}:{i.sha256}" for i in inspections)))


def _metadata(inspections: list[FileInspection], table_uri: str, fingerprint: str, delivered_bytes: int) -> dict:
    kinds = Counter(str(i.kind) for i in inspections if i.status == FileStatus.OK)
    durations = [i.probe.duration_s for i in inspections if i.probe and i.probe.duration_s and i.kind in USABLE_KINDS]
    quarantined = sum(i.status == FileStatus.QUARANTINED for i in inspections)
    by_kind = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    return {
        SUMMARY: f"{len(inspections)} files ({by_kind}), {quarantined} quarantined, {sum(durations):.1f} s of media",
        "files": len(inspections),
        ROW_COUNT: len(inspections),
        "files_by_kind": dg.MetadataValue.json(dict(sorted(kinds.items()))),
        "quarantined": quarantined,
        "total_duration_s": round(sum(durations), 3),
        "table": dg.MetadataValue.path(table_uri),
        "files_table": dg.MetadataValue.md(_markdown(inspections)),
        LANDING_FINGERPRINT: fingerprint,
        DELIVERED_BYTES: delivered_bytes,  # sizes every later run of the title (defs/ingest/sizing.py)
    }


def _markdown(inspections: list[FileInspection]) -> str:
    lines = [
        "| file | kind | status | container | duration (s) | size (bytes) | error |",
        "|---|---|---|---|---|---|---|",
    ]
    for i in sorted(inspections, key=lambda i: i.file_name):
        duration = f"{i.probe.duration_s:.2f}" if i.probe and i.probe.duration_s else ""
        error = f"{i.error.error_type}: {i.error.message}" if i.error else ""
        container = i.probe.container if i.probe else ""
        cells = [i.file_name, i.kind, i.status, container, duration, i.size_bytes, error]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)
