import dagster as dg
import pyarrow as pa

from media_pipelines.core.annotations import parse_annotations
from media_pipelines.core.media_types import MediaKind
from media_pipelines.core.provenance import short_digest
from media_pipelines.defs import groups
from media_pipelines.defs.automation import STAGE_AUTOMATION
from media_pipelines.defs.file_checks import files_parse_check, files_parse_check_spec, parse_delivered
from media_pipelines.defs.ingest.assets import raw_media
from media_pipelines.defs.metadata import ROW_COUNT, SUMMARY, tables_metadata, titled
from media_pipelines.defs.partitions import title_id_of, titles_partitions
from media_pipelines.defs.resources import StorageRoot
from media_pipelines.defs.retries import LAKE_IO_RETRY
from media_pipelines.lake.annotations import ANNOTATIONS, ANNOTATIONS_SCHEMA, ANNOTATIONS_SPEC, annotation_rows
from media_pipelines.lake.raw_files import delivered_files
from media_pipelines.lake.tables import write_title_table

ANNOTATIONS_PARSE_CHECK = "annotation_files_parse"
ANNOTATIONS_CODE_VERSION = short_digest("annotations-1", length=12)


@dg.asset(
    metadata=tables_metadata(ANNOTATIONS_SPEC),
    partitions_def=titles_partitions,
    deps=[raw_media],
    automation_condition=STAGE_AUTOMATION,
    retry_policy=LAKE_IO_RETRY,
    code_version=ANNOTATIONS_CODE_VERSION,
    kinds={"lance"},
    group_name=groups.ANALYSIS,
    check_specs=[files_parse_check_spec(ANNOTATIONS_PARSE_CHECK, "annotations", "annotation")],
)
def annotations(context: dg.AssetExecutionContext, lake: StorageRoot) -> dg.MaterializeResult:
    """Expert labels on time ranges, from annotations.csv / annotations.json delivered with the title."""
    title_id = title_id_of(context)
    store = lake.store()
    files = delivered_files(store, title_id, MediaKind.ANNOTATIONS)
    parsed, errors = parse_delivered(context, store, files, parse_annotations)
    rows = [
        row
        for f, labels in parsed
        for row in annotation_rows(f["file_name"], f["sha256"], labels, ANNOTATIONS_CODE_VERSION)
    ]
    write_title_table(store, ANNOTATIONS, title_id, pa.Table.from_pylist(rows, schema=ANNOTATIONS_SCHEMA))
    labels = sorted({r["label"] for r in rows})
    return dg.MaterializeResult(
        metadata={
            SUMMARY: f"{len(rows)} annotations, {len(labels)} labels"
            + (f", {len(errors)} unreadable files" if errors else ""),
            "annotations": len(rows),
            ROW_COUNT: len(rows),
            "labels": ", ".join(labels[:50]) or "none",
        },
        data_version=dg.DataVersion(short_digest(*sorted(f["sha256"] for f in files))),
        check_results=titled(
            title_id,
            [
                files_parse_check(ANNOTATIONS_PARSE_CHECK, errors),
            ],
        ),
    )
