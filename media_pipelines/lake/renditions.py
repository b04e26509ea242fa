"""The renditions and rendition_qc tables."""

import json

import pyarrow as pa

from media_pipelines.lake.tables import TableSpec

RENDITIONS = "renditions"
RENDITION_QC = "rendition_qc"

RENDITIONS_SCHEMA = pa.schema(
    [
        ("source_id", pa.string()),
        ("kind", pa.string()),
        ("uri", pa.string()),
        ("codec", pa.string()),
        ("width", pa.int32()),
        ("height", pa.int32()),
        ("fps", pa.float64()),
        ("frame_count", pa.int64()),
        ("sample_rate", pa.int32()),
        ("channels", pa.int32()),
        ("duration_s", pa.float64()),
        ("size_bytes", pa.int64()),
        ("source_sha256", pa.string()),
        ("params_json", pa.string()),
        ("tool_versions", pa.string()),
        ("code_version", pa.string()),
    ]
)
RENDITIONS_SPEC = TableSpec(
    RENDITIONS,
    RENDITIONS_SCHEMA,
    row_key=("source_id", "kind"),
    description="the standardized renditions of each source (mezzanine, proxy, audio)",
    media_columns=("uri",),
)

RENDITION_QC_SCHEMA = pa.schema(
    [
        ("source_id", pa.string()),
        ("status", pa.string()),
        ("error_type", pa.string()),
        ("error_message", pa.string()),
        # Every rendition is on the title timeline: t = source presentation time - source_start_s. A stream
        # that starts later (its *_start_s) is padded with black or silence up to there.
        ("source_start_s", pa.float64()),
        ("video_start_s", pa.float64()),
        ("source_video_s", pa.float64()),
        ("audio_start_s", pa.float64()),
        ("source_audio_s", pa.float64()),
        # Damage ffmpeg skipped or concealed while rendering: packets refused plus frames concealed, per stream.
        ("video_decode_errors", pa.int64()),
        ("audio_decode_errors", pa.int64()),
        ("first_decode_error_s", pa.float64()),
        ("integrated_lufs", pa.float64()),
        ("loudness_range_lu", pa.float64()),
        ("true_peak_dbtp", pa.float64()),
        ("black_segments_json", pa.string()),
        ("black_total_s", pa.float64()),
        ("freeze_segments_json", pa.string()),
        ("freeze_total_s", pa.float64()),
        ("notes_json", pa.string()),
        ("source_sha256", pa.string()),
        ("code_version", pa.string()),
    ]
)
RENDITION_QC_SPEC = TableSpec(
    RENDITION_QC,
    RENDITION_QC_SCHEMA,
    row_key=("source_id",),
    description="per source: alignment to title time, decode errors, loudness, black and frozen segments",
)


def segments_json(segments) -> str:
    return json.dumps([[s.start_s, s.end_s] for s in segments])


def rendition_rows(
    source_id: str,
    source_sha256: str,
    renditions,
    uris: dict[str, str],
    params_json: str,
    tool_versions: str,
    code_version: str,
) -> list[dict]:
    return [
        {
            "source_id": source_id,
            "kind": str(r.kind),
            "uri": uris[str(r.kind)],
            "codec": r.codec,
            "width": r.width,
            "height": r.height,
            "fps": r.fps,
            "frame_count": r.frame_count,
            "sample_rate": r.sample_rate,
            "channels": r.channels,
            "duration_s": r.duration_s,
            "size_bytes": r.size_bytes,
            "source_sha256": source_sha256,
            "params_json": params_json,
            "tool_versions": tool_versions,
            "code_version": code_version,
        }
        for r in renditions
    ]


def qc_row(source_id: str, source_sha256: str, code_version: str, result=None, error=None) -> dict:
    """One QC row per source: the figures of a successful pass, or the typed error (error_type, message) of a
    failed one."""
    row = {name: None for name in RENDITION_QC_SCHEMA.names}
    row.update(source_id=source_id, source_sha256=source_sha256, code_version=code_version)
    if error is not None:
        row.update(status="failed", error_type=str(error.error_type), error_message=error.message)
        return row
    loudness = result.qc.loudness
    damage = {d.stream_type: d for d in result.damage}
    first_errors = [d.first_error_s for d in result.damage if d.first_error_s is not None]
    row.update(
        status="ok",
        source_start_s=result.source_start_s,
        video_start_s=result.video_start_s,
        source_video_s=result.source_video_s,
        audio_start_s=result.audio_start_s,
        source_audio_s=result.source_audio_s,
        video_decode_errors=damage["video"].decode_errors if "video" in damage else 0,
        audio_decode_errors=damage["audio"].decode_errors if "audio" in damage else 0,
        first_decode_error_s=min(first_errors) if first_errors else None,
        integrated_lufs=loudness.integrated_lufs if loudness else None,
        loudness_range_lu=loudness.loudness_range_lu if loudness else None,
        true_peak_dbtp=loudness.true_peak_dbtp if loudness else None,
        black_segments_json=segments_json(result.qc.black),
        black_total_s=round(sum(s.duration_s for s in result.qc.black), 3),
        freeze_segments_json=segments_json(result.qc.freezes),
        freeze_total_s=round(sum(s.duration_s for s in result.qc.freezes), 3),
        notes_json=json.dumps(list(result.notes)),
    )
    return row
