import tempfile
from pathlib import Path

import dagster as dg
import pyarrow as pa

from media_pipelines.core.enrich.pairing import main_audio
from media_pipelines.core.enrich.summary import summarize_title
from media_pipelines.core.enrich.timeline import TimelineData, draw_timeline
from media_pipelines.core.provenance import short_digest
from media_pipelines.defs import groups
from media_pipelines.defs.annotations.assets import annotations
from media_pipelines.defs.audio.assets import audio_features
from media_pipelines.defs.automation import STAGE_AUTOMATION
from media_pipelines.defs.enrich.assets import media_table
from media_pipelines.defs.enrich.title_view import title_view
from media_pipelines.defs.ingest.assets import raw_media
from media_pipelines.defs.metadata import ROW_COUNT, SUMMARY, tables_metadata
from media_pipelines.defs.partitions import title_id_of, titles_partitions
from media_pipelines.defs.renditions.assets import renditions
from media_pipelines.defs.resources import QcSettings, StorageRoot
from media_pipelines.defs.retries import LAKE_IO_RETRY
from media_pipelines.defs.shots.assets import shots
from media_pipelines.defs.timed_text.alignment import subtitle_alignment
from media_pipelines.defs.timed_text.assets import timed_text
from media_pipelines.defs.transcripts.assets import transcripts
from media_pipelines.lake.annotations import ANNOTATIONS
from media_pipelines.lake.audio_features import AUDIO_TIMELINE
from media_pipelines.lake.media import publish_stage_media
from media_pipelines.lake.media_table import MEDIA_TABLE, TITLE_SUMMARY, TITLE_SUMMARY_SCHEMA, TITLE_SUMMARY_SPEC
from media_pipelines.lake.raw_files import RAW_FILES
from media_pipelines.lake.renditions import RENDITION_QC, RENDITIONS
from media_pipelines.lake.tables import read_title_table, write_title_table
from media_pipelines.lake.timed_text import TIMED_TEXT_ALIGNMENT, TIMED_TEXT_CUES
from media_pipelines.lake.transcripts import SPEECH_REGIONS, TRANSCRIPT_SEGMENTS, TRANSCRIPT_WORDS

# Every stage below the summary, in pipeline order, for the per-title view (test_definitions checks it).
STAGES_SHOWN = (raw_media, renditions, shots, transcripts, timed_text, subtitle_alignment, audio_features,
                annotations, media_table)  # fmt: skip
STAGE = "summary"
TIMELINE = "timeline.png"
# The default windows; a deployment's own (the qc resource) does not mark titles stale: re-judging them
# is a backfill the operator decides on.
SUMMARY_CODE_VERSION = short_digest("title-summary-2", str(QcSettings().loudness_window()), length=12)
SHOWN = ("duration_s", "shot_count", "average_shot_s", "cuts_per_minute", "speech_ratio", "words_per_minute",
         "language", "integrated_lufs", "true_peak_dbtp", "max_subtitle_drift_ms", "annotation_count", "qc_status")  # fmt: skip


class SummaryConfig(dg.Config):
    # None: the deployment's `qc` resource decides (see QcSettings).
    loudness_target_lufs: float | None = None
    loudness_tolerance_lu: float | None = None
    true_peak_max_dbtp: float | None = None
    max_drift_ms: float | None = None


@dg.asset(
    metadata=tables_metadata(TITLE_SUMMARY_SPEC),
    partitions_def=titles_partitions,
    deps=[media_table, renditions, subtitle_alignment],
    automation_condition=STAGE_AUTOMATION,
    retry_policy=LAKE_IO_RETRY,
    code_version=SUMMARY_CODE_VERSION,
    kinds={"lance"},
    group_name=groups.MEDIA_TABLE,
)
def title_summary(
    context: dg.AssetExecutionContext, config: SummaryConfig, lake: StorageRoot, qc: QcSettings
) -> dg.MaterializeResult:
    """One row per title: duration, cutting rate, speech, loudness and QC status, with a timeline image."""
    title_id = title_id_of(context)
    store, windows = lake.store(), qc.overridden_by(config)

    def rows(table: str) -> list[dict]:
        return read_title_table(store, table, title_id).to_pylist()

    shots, rendition_rows, speech = rows(MEDIA_TABLE), rows(RENDITIONS), rows(SPEECH_REGIONS)
    main = main_audio({r["source_id"]: r["duration_s"] for r in rendition_rows if r["kind"] == "audio"})
    drifts = {r["file_name"]: r["file_drift_ms"] for r in rows(TIMED_TEXT_ALIGNMENT)}
    drifts.update({c["file_name"]: drifts.get(c["file_name"]) for c in rows(TIMED_TEXT_CUES)})
    labelled, raw_files = rows(ANNOTATIONS), rows(RAW_FILES)
    summary = summarize_title(
        media_rows=shots,
        renditions=rendition_rows,
        qc_rows=rows(RENDITION_QC),
        main_audio_id=main,
        speech=speech,
        segments=rows(TRANSCRIPT_SEGMENTS),
        words=rows(TRANSCRIPT_WORDS),
        quarantined_files=sum(r["status"] != "ok" for r in raw_files),
        subtitle_drifts_ms=drifts,
        max_drift_ms=windows.max_drift_ms,
        annotation_labels=[a["label"] for a in labelled],
        window=windows.loudness_window(),
    )
    first_video = shots[0]["source_id"] if shots else None
    subtitle_file = shots[0]["subtitle_file"] if shots else None
    timeline = TimelineData(
        duration_s=summary["duration_s"],
        shots=[(r["start_s"], r["end_s"], r["transition_in"]) for r in shots if r["source_id"] == first_video],
        speech=[(r["start_s"], r["end_s"]) for r in speech if r["source_id"] == main],
        subtitles=[(c["start_s"], c["end_s"]) for c in rows(TIMED_TEXT_CUES) if c["file_name"] == subtitle_file],
        annotations=[(a["start_s"], a["end_s"], a["label"]) for a in labelled],
        loudness=[(r["second"], r["rms_dbfs"]) for r in rows(AUDIO_TIMELINE) if r["source_id"] == main],
    )
    with tempfile.TemporaryDirectory(prefix="summary-") as tmp:
        image = draw_timeline(timeline, Path(tmp) / TIMELINE)
        uris = publish_stage_media(store, title_id, STAGE, {TIMELINE: image})
    row = {
        **summary,
        "timeline_uri": uris[TIMELINE],
        "source_sha256s": [f["sha256"] for f in sorted(raw_files, key=lambda f: f["file_name"]) if f["status"] == "ok"],
        "code_version": SUMMARY_CODE_VERSION,
    }
    write_title_table(store, TITLE_SUMMARY, title_id, pa.Table.from_pylist([row], schema=TITLE_SUMMARY_SCHEMA))
    view = title_view(context.instance, [a.key for a in STAGES_SHOWN], title_id, context.run_id)
    table = "| field | value |\n|---|---|\n" + "\n".join(f"| {k} | {summary[k]} |" for k in SHOWN)
    findings = "\n".join(f"- {f}" for f in summary["qc_findings"]) or "none"
    return dg.MaterializeResult(
        metadata={
            SUMMARY: f"{summary['qc_status']}: {summary['shot_count']} shots, {summary['duration_s']:.1f} s, "
            f"speech {summary['speech_ratio'] or 0:.0%}, {summary['language'] or 'no language'}",
            "summary_table": dg.MetadataValue.md(table),
            "timeline": dg.MetadataValue.path(store.uri_for(uris[TIMELINE])),
            "qc_findings": dg.MetadataValue.md(findings),
            # The per-title view: every stage of this title as built for this summary, and its previews.
            "stages": dg.MetadataValue.md(view.stages),
            **view.previews,
            "qc_status": summary["qc_status"],
            ROW_COUNT: 1,
        }
    )
