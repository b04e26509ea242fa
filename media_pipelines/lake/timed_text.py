"""The timed_text_cues table: one row per subtitle or caption cue."""

from typing import TYPE_CHECKING

import pyarrow as pa

from media_pipelines.lake.tables import TableSpec

if TYPE_CHECKING:  # the media types, not their libraries: the query path loads this table module
    from media_pipelines.core.timed_text.model import TimedText


TIMED_TEXT_CUES = "timed_text_cues"

CUES_SCHEMA = pa.schema(
    [
        ("source_id", pa.string()),
        ("file_name", pa.string()),
        ("cue_index", pa.int32()),
        ("start_s", pa.float64()),
        ("end_s", pa.float64()),
        ("text", pa.string()),
        ("language", pa.string()),
        ("raw_settings", pa.string()),
        ("identifier", pa.string()),
        ("italic", pa.bool_()),
        ("speakers", pa.list_(pa.string())),
        ("word_times", pa.list_(pa.float64())),
        ("format", pa.string()),
        ("encoding", pa.string()),
        ("encoding_confidence", pa.float64()),
        ("source_sha256", pa.string()),
        ("code_version", pa.string()),
    ]
)
CUES_SPEC = TableSpec(
    TIMED_TEXT_CUES,
    CUES_SCHEMA,
    row_key=("source_id", "cue_index"),
    description="subtitle and caption cues on title time",
)


def cue_rows(source_id: str, file_name: str, sha256: str, parsed: "TimedText", code_version: str) -> list[dict]:
    return [
        {
            "source_id": source_id,
            "file_name": file_name,
            "cue_index": cue.index,
            "start_s": cue.start_s,
            "end_s": cue.end_s,
            "text": cue.text,
            "language": parsed.language,
            "raw_settings": cue.raw_settings,
            "identifier": cue.identifier,
            "italic": cue.italic,
            "speakers": list(cue.speakers),
            "word_times": list(cue.word_times),
            "format": parsed.format,
            "encoding": parsed.encoding,
            "encoding_confidence": parsed.encoding_confidence,
            "source_sha256": sha256,
            "code_version": code_version,
        }
        for cue in parsed.cues
    ]


TIMED_TEXT_ALIGNMENT = "timed_text_alignment"

ALIGNMENT_SCHEMA = pa.schema(
    [
        ("file_name", pa.string()),
        ("cue_index", pa.int32()),
        ("transcript_source_id", pa.string()),
        ("cue_words", pa.int32()),
        ("matched_words", pa.int32()),
        ("agreement", pa.float64()),
        ("offset_ms", pa.float64()),
        ("file_drift_ms", pa.float64()),
        ("source_sha256", pa.string()),  # the subtitle file's
        ("transcript_sha256", pa.string()),  # the source whose transcript it was aligned to
        ("code_version", pa.string()),
    ]
)
ALIGNMENT_SPEC = TableSpec(
    TIMED_TEXT_ALIGNMENT,
    ALIGNMENT_SCHEMA,
    row_key=("file_name", "cue_index"),
    description="each cue matched against the transcript: agreement and offset",
)


def alignment_rows(file_name, sha256, transcript_source_id, transcript_sha256, alignments, drift_ms, code_version):
    return [
        {
            "file_name": file_name,
            "cue_index": a.cue_index,
            "transcript_source_id": transcript_source_id,
            "cue_words": a.cue_words,
            "matched_words": a.matched_words,
            "agreement": round(a.agreement, 4),
            "offset_ms": a.offset_ms,
            "file_drift_ms": drift_ms,
            "source_sha256": sha256,
            "transcript_sha256": transcript_sha256,
            "code_version": code_version,
        }
        for a in alignments
    ]
