"""The media_table (one row per shot, every modality) and title_summary (one row per title) tables."""

import pyarrow as pa

from media_pipelines.lake.audio_features import AUDIO_FEATURE_FIELDS
from media_pipelines.lake.tables import TableSpec

MEDIA_TABLE = "media_table"
TITLE_SUMMARY = "title_summary"

MEDIA_TABLE_SCHEMA = pa.schema(
    [
        ("source_id", pa.string()),
        ("shot_index", pa.int32()),
        ("start_s", pa.float64()),
        ("end_s", pa.float64()),
        ("duration_s", pa.float64()),
        ("start_frame", pa.int64()),
        ("end_frame", pa.int64()),
        ("transition_in", pa.string()),
        ("transition_confidence", pa.float64()),
        ("keyframe_uri", pa.string()),
        ("duplicate_group", pa.string()),
        ("sampled_frames", pa.int64()),
        ("brightness", pa.float64()),
        ("contrast", pa.float64()),
        ("colorfulness", pa.float64()),
        ("sharpness", pa.float64()),
        ("motion", pa.float64()),
        ("max_motion", pa.float64()),
        ("keyframe_phash", pa.string()),
        ("dominant_colors", pa.list_(pa.string())),
        ("audio_source_id", pa.string()),
        ("transcript_text", pa.string()),
        ("word_count", pa.int64()),
        ("speech_ratio", pa.float64()),
        ("language", pa.string()),
        ("subtitle_text", pa.string()),
        ("subtitle_cues", pa.int64()),
        ("subtitle_file", pa.string()),
        *AUDIO_FEATURE_FIELDS,
        ("annotation_labels", pa.list_(pa.string())),
        ("annotations_json", pa.string()),
        ("source_sha256", pa.string()),
        ("shots_code_version", pa.string()),
        ("asr_model", pa.string()),
        ("transcripts_code_version", pa.string()),
        ("audio_code_version", pa.string()),
        ("code_version", pa.string()),
    ]
)
MEDIA_TABLE_SPEC = TableSpec(
    MEDIA_TABLE,
    MEDIA_TABLE_SCHEMA,
    row_key=("source_id", "shot_index"),
    description="one row per shot, every modality joined on title time",
    media_columns=("keyframe_uri",),
)

TITLE_SUMMARY_SCHEMA = pa.schema(
    [
        ("duration_s", pa.float64()),
        ("video_sources", pa.int32()),
        ("audio_sources", pa.int32()),
        ("main_audio_source_id", pa.string()),
        ("shot_count", pa.int32()),
        ("average_shot_s", pa.float64()),
        ("cuts_per_minute", pa.float64()),
        ("fades", pa.int32()),
        ("dissolves", pa.int32()),
        ("speech_s", pa.float64()),
        ("speech_ratio", pa.float64()),
        ("word_count", pa.int32()),
        ("words_per_minute", pa.float64()),
        ("language", pa.string()),
        ("language_probability", pa.float64()),
        ("integrated_lufs", pa.float64()),
        ("loudness_range_lu", pa.float64()),
        ("true_peak_dbtp", pa.float64()),
        ("black_total_s", pa.float64()),
        ("freeze_total_s", pa.float64()),
        ("subtitle_files", pa.int32()),
        ("max_subtitle_drift_ms", pa.float64()),
        ("annotation_count", pa.int32()),
        ("annotation_labels", pa.list_(pa.string())),
        ("qc_status", pa.string()),
        ("qc_findings", pa.list_(pa.string())),
        ("timeline_uri", pa.string()),
        ("source_sha256s", pa.list_(pa.string())),  # every usable delivered file, in name order
        ("code_version", pa.string()),
    ]
)
TITLE_SUMMARY_SPEC = TableSpec(
    TITLE_SUMMARY,
    TITLE_SUMMARY_SCHEMA,
    row_key=(),
    description="one row per title: shots, speech, loudness, subtitles, labels and the QC verdict",
)
