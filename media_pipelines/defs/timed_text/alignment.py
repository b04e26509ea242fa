from collections import Counter, defaultdict

import dagster as dg
import pyarrow as pa

from media_pipelines.core.provenance import short_digest
from media_pipelines.core.timed_text.align import MIN_AGREEMENT, TimedWord, align_cues, median_drift_ms
from media_pipelines.defs import groups
from media_pipelines.defs.automation import STAGE_AUTOMATION
from media_pipelines.defs.metadata import ROW_COUNT, SUMMARY, tables_metadata, titled
from media_pipelines.defs.partitions import title_id_of, titles_partitions
from media_pipelines.defs.resources import QcSettings, StorageRoot
from media_pipelines.defs.retries import LAKE_IO_RETRY
from media_pipelines.defs.timed_text.assets import timed_text
from media_pipelines.defs.transcripts.assets import transcripts
from media_pipelines.lake.tables import read_title_table, write_title_table
from media_pipelines.lake.timed_text import (
    ALIGNMENT_SCHEMA,
    ALIGNMENT_SPEC,
    TIMED_TEXT_ALIGNMENT,
    TIMED_TEXT_CUES,
    alignment_rows,
)
from media_pipelines.lake.transcripts import TRANSCRIPT_WORDS

DRIFT_CHECK = "subtitle_drift_within_limit"
ALIGNMENT_CODE_VERSION = short_digest("alignment-1", str(MIN_AGREEMENT), length=12)


class AlignmentConfig(dg.Config):
    max_drift_ms: float | None = None  # None: the deployment's `qc` resource decides (see QcSettings)


@dg.asset(
    metadata=tables_metadata(ALIGNMENT_SPEC),
    partitions_def=titles_partitions,
    deps=[timed_text, transcripts],
    automation_condition=STAGE_AUTOMATION,
    retry_policy=LAKE_IO_RETRY,
    code_version=ALIGNMENT_CODE_VERSION,
    kinds={"lance"},
    group_name=groups.ANALYSIS,
    check_specs=[
        dg.AssetCheckSpec(
            DRIFT_CHECK,
            asset="subtitle_alignment",
            description="Each subtitle file's median offset from the speech is within max_drift_ms.",
        )
    ],
)
def subtitle_alignment(
    context: dg.AssetExecutionContext, config: AlignmentConfig, lake: StorageRoot, qc: QcSettings
) -> dg.MaterializeResult:
    """Each subtitle cue matched to the transcript's words: text agreement and timing offset, drift per file."""
    title_id = title_id_of(context)
    store, max_drift_ms = lake.store(), qc.overridden_by(config).max_drift_ms
    words = read_title_table(store, TRANSCRIPT_WORDS, title_id).to_pylist()
    # Subtitles belong to the title; they are checked against the source with the most dialogue.
    source = Counter(w["source_id"] for w in words).most_common(1)
    source_id = source[0][0] if source else None
    spoken = [TimedWord(w["word"], w["start_s"]) for w in words if w["source_id"] == source_id]
    transcript_sha = next((w["source_sha256"] for w in words if w["source_id"] == source_id), None)
    by_file, file_sha = defaultdict(list), {}
    for cue in read_title_table(store, TIMED_TEXT_CUES, title_id).sort_by("start_s").to_pylist():
        by_file[cue["file_name"]].append((cue["cue_index"], cue["start_s"], cue["text"]))
        file_sha[cue["file_name"]] = cue["source_sha256"]
    rows, drifts = [], {}
    for file_name, cues in sorted(by_file.items()):
        alignments = align_cues(cues, spoken) if spoken else []
        drifts[file_name] = median_drift_ms(alignments)
        rows += alignment_rows(
            file_name,
            file_sha[file_name],
            source_id,
            transcript_sha,
            alignments,
            drifts[file_name],
            ALIGNMENT_CODE_VERSION,
        )
    write_title_table(store, TIMED_TEXT_ALIGNMENT, title_id, pa.Table.from_pylist(rows, schema=ALIGNMENT_SCHEMA))
    measured = {f: d for f, d in drifts.items() if d is not None}
    drifting = {f: d for f, d in measured.items() if abs(d) > max_drift_ms}
    lines = "\n".join(f"| {f} | {d if d is not None else 'not measured'} |" for f, d in drifts.items())
    return dg.MaterializeResult(
        metadata={
            SUMMARY: _summary(drifts, measured, drifting),
            "drift_ms_by_file": dg.MetadataValue.md("| file | median drift (ms) |\n|---|---|\n" + lines),
            "aligned_cues": sum(r["agreement"] >= MIN_AGREEMENT for r in rows),
            ROW_COUNT: len(rows),
        },
        check_results=titled(
            title_id,
            [
                dg.AssetCheckResult(
                    check_name=DRIFT_CHECK,
                    passed=not drifting,
                    severity=dg.AssetCheckSeverity.WARN,
                    metadata={"max_drift_ms": max_drift_ms, "drifting": str(drifting or "none")},
                )
            ],
        ),
    )


def _summary(drifts: dict, measured: dict, drifting: dict) -> str:
    if not drifts:
        return "no subtitles"
    if not measured:
        return f"{len(drifts)} subtitle files, none matched to speech"
    worst = max(measured.values(), key=abs)
    return f"{len(measured)} of {len(drifts)} subtitle files aligned, worst drift {worst:+.0f} ms" + (
        f", {len(drifting)} over the limit" if drifting else ""
    )
