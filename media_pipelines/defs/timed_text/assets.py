import dagster as dg
import pyarrow as pa

from media_pipelines.core.media_types import MediaKind
from media_pipelines.core.provenance import short_digest
from media_pipelines.core.timed_text.parse import parse_timed_text
from media_pipelines.core.tools import code_version
from media_pipelines.defs import groups
from media_pipelines.defs.automation import STAGE_AUTOMATION
from media_pipelines.defs.file_checks import files_parse_check, files_parse_check_spec, parse_delivered
from media_pipelines.defs.ingest.assets import raw_media
from media_pipelines.defs.metadata import ROW_COUNT, SUMMARY, tables_metadata, titled
from media_pipelines.defs.partitions import title_id_of, titles_partitions
from media_pipelines.defs.resources import StorageRoot
from media_pipelines.defs.retries import LAKE_IO_RETRY
from media_pipelines.lake.raw_files import delivered_files
from media_pipelines.lake.tables import write_title_table
from media_pipelines.lake.timed_text import CUES_SCHEMA, CUES_SPEC, TIMED_TEXT_CUES, cue_rows

PARSES_CHECK = "timed_text_files_parse"
# Parsing reads no media: the outputs depend on this code and on charset-normalizer (the encoding rule's
# mess ratio), not on the FFmpeg build.
TIMED_TEXT_CODE_VERSION = code_version("timed-text-2", libraries=("charset-normalizer",))


@dg.asset(
    metadata=tables_metadata(CUES_SPEC),
    partitions_def=titles_partitions,
    deps=[raw_media],
    automation_condition=STAGE_AUTOMATION,
    retry_policy=LAKE_IO_RETRY,
    code_version=TIMED_TEXT_CODE_VERSION,
    kinds={"lance"},
    group_name=groups.ANALYSIS,
    check_specs=[files_parse_check_spec(PARSES_CHECK, "timed_text", "subtitle or caption")],
)
def timed_text(context: dg.AssetExecutionContext, lake: StorageRoot) -> dg.MaterializeResult:
    """Subtitle and caption cues of every timed-text file delivered with a title (SRT, WebVTT, TTML)."""
    title_id = title_id_of(context)
    store = lake.store()
    files = delivered_files(store, title_id, MediaKind.TIMED_TEXT)
    rows, summary_lines = [], []
    loaded, errors = parse_delivered(context, store, files, parse_timed_text)
    for f, parsed in loaded:
        rows += cue_rows(f["source_id"], f["file_name"], f["sha256"], parsed, TIMED_TEXT_CODE_VERSION)
        summary_lines.append(
            f"| {f['file_name']} | {parsed.format} | {parsed.encoding} ({parsed.encoding_confidence:.2f})"
            f" | {parsed.language or ''} | {len(parsed.cues)} |"
        )
    write_title_table(store, TIMED_TEXT_CUES, title_id, pa.Table.from_pylist(rows, schema=CUES_SCHEMA))
    table = "| file | format | encoding | language | cues |\n|---|---|---|---|---|\n" + "\n".join(summary_lines)
    return dg.MaterializeResult(
        metadata={
            SUMMARY: f"{len(rows)} cues in {len(files) - len(errors)} files"
            + (f", {len(errors)} unreadable" if errors else ""),
            "files": dg.MetadataValue.md(table),
            "cues": len(rows),
            ROW_COUNT: len(rows),
        },
        data_version=dg.DataVersion(short_digest(*sorted(f["sha256"] for f in files))),
        check_results=titled(
            title_id,
            [
                files_parse_check(PARSES_CHECK, errors),
            ],
        ),
    )
