"""The media_table (one row per shot, every modality) and title_summary (one row per title) tables."""

import pyarrow as pa

MEDIA_TABLE = "media_table"
TITLE_SUMMARY = "title_summary"

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
