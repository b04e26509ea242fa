import dagster as dg
import pyarrow as pa

from media_pipelines.core.enrich.media_table import MEDIA_TABLE_SQL, join_media_table
from media_pipelines.core.enrich.pairing import pair_audio
from media_pipelines.core.provenance import short_digest
from media_pipelines.defs import groups
from media_pipelines.defs.annotations.assets import annotations
from media_pipelines.defs.audio.assets import audio_features
from media_pipelines.defs.automation import STAGE_AUTOMATION
from media_pipelines.defs.metadata import ROW_COUNT, SUMMARY, tables_metadata
from media_pipelines.defs.partitions import title_id_of, titles_partitions
from media_pipelines.defs.resources import StorageRoot
from media_pipelines.defs.retries import LAKE_IO_RETRY
from media_pipelines.defs.shots.assets import shots
from media_pipelines.defs.timed_text.assets import timed_text
from media_pipelines.defs.transcripts.assets import transcripts
from media_pipelines.lake.annotations import ANNOTATIONS
from media_pipelines.lake.audio_features import SHOT_AUDIO
from media_pipelines.lake.media_table import MEDIA_TABLE, MEDIA_TABLE_SPEC
from media_pipelines.lake.renditions import RENDITIONS
from media_pipelines.lake.shots import FRAMES, SHOTS
from media_pipelines.lake.tables import read_title_table, write_title_table
from media_pipelines.lake.timed_text import TIMED_TEXT_CUES
from media_pipelines.lake.transcripts import SPEECH_REGIONS, TRANSCRIPT_SEGMENTS, TRANSCRIPT_WORDS

MEDIA_TABLE_CODE_VERSION = short_digest("media-table-1", MEDIA_TABLE_SQL, length=12)
_TABLES = {
    "shots": SHOTS,
    "frames": FRAMES,
    "words": TRANSCRIPT_WORDS,
    "segments": TRANSCRIPT_SEGMENTS,
    "speech": SPEECH_REGIONS,
    "cues": TIMED_TEXT_CUES,
    "shot_audio": SHOT_AUDIO,
    "annotations": ANNOTATIONS,
}
PREVIEW_COLUMNS = ("shot_index", "start_s", "duration_s", "transition_in", "word_count", "speech_ratio", "music_share")


@dg.asset(
    metadata=tables_metadata(MEDIA_TABLE_SPEC),
    partitions_def=titles_partitions,
    deps=[shots, transcripts, timed_text, audio_features, annotations],
    automation_condition=STAGE_AUTOMATION,
    retry_policy=LAKE_IO_RETRY,
    code_version=MEDIA_TABLE_CODE_VERSION,
    kinds={"duckdb", "lance"},
    group_name=groups.MEDIA_TABLE,
)
def media_table(context: dg.AssetExecutionContext, lake: StorageRoot) -> dg.MaterializeResult:
    """One row per shot joining every modality: picture features, words spoken, subtitles, audio, labels."""
    title_id = title_id_of(context)
    store = lake.store()
    tables = {name: read_title_table(store, table, title_id) for name, table in _TABLES.items()}
    audio = {
        r["source_id"]: r["duration_s"]
        for r in read_title_table(store, RENDITIONS, title_id).to_pylist()
        if r["kind"] == "audio"
    }
    pairs = pair_audio(sorted(set(tables["shots"].column("source_id").to_pylist())), audio)
    tables["pairs"] = pa.table(
        {"source_id": list(pairs), "audio_source_id": list(pairs.values())},
        schema=pa.schema([("source_id", pa.string()), ("audio_source_id", pa.string())]),
    )
    joined = join_media_table(tables)
    joined = joined.append_column("code_version", pa.array([MEDIA_TABLE_CODE_VERSION] * joined.num_rows, pa.string()))
    uri = write_title_table(store, MEDIA_TABLE, title_id, joined)
    rows = joined.to_pylist()
    spoken = sum(r["word_count"] > 0 for r in rows)
    return dg.MaterializeResult(
        metadata={
            SUMMARY: f"{len(rows)} shots, {spoken} with speech, {sum(bool(r['annotation_labels']) for r in rows)} labelled",
            "rows": len(rows),
            ROW_COUNT: len(rows),
            "table": dg.MetadataValue.path(uri),
            "preview": dg.MetadataValue.md(_preview(rows[:20])),
        }
    )


def _preview(rows: list[dict]) -> str:
    def cell(value) -> str:
        return f"{value:.2f}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(PREVIEW_COLUMNS) + " | transcript |", "|" + "---|" * (len(PREVIEW_COLUMNS) + 1)]
    for r in rows:
        text = r["transcript_text"][:60].replace("|", "\\|")
        lines.append("| " + " | ".join(cell(r[c]) for c in PREVIEW_COLUMNS) + f" | {text} |")
    return "\n".join(lines)
