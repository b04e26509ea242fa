"""The transcript_segments and transcript_words tables."""

from typing import TYPE_CHECKING

import pyarrow as pa

from media_pipelines.lake.tables import TableSpec

if TYPE_CHECKING:  # the media types, not their libraries: the query path loads this table module
    from media_pipelines.core.transcripts.transcribe import Transcript


TRANSCRIPT_SEGMENTS = "transcript_segments"
TRANSCRIPT_WORDS = "transcript_words"
SPEECH_REGIONS = "speech_regions"

SEGMENTS_SCHEMA = pa.schema(
    [
        ("source_id", pa.string()),
        ("segment_index", pa.int32()),
        ("start_s", pa.float64()),
        ("end_s", pa.float64()),
        ("text", pa.string()),
        ("language", pa.string()),
        ("language_probability", pa.float64()),
        ("avg_logprob", pa.float64()),
        ("no_speech_prob", pa.float64()),
        ("compression_ratio", pa.float64()),
        ("hallucination_risk", pa.float64()),
        ("flagged", pa.bool_()),
        ("model", pa.string()),
        ("backend", pa.string()),
        ("source_sha256", pa.string()),
        ("params_json", pa.string()),
        ("code_version", pa.string()),
    ]
)
SEGMENTS_SPEC = TableSpec(
    TRANSCRIPT_SEGMENTS,
    SEGMENTS_SCHEMA,
    row_key=("source_id", "segment_index"),
    description="transcript segments with language and confidence",
)

WORDS_SCHEMA = pa.schema(
    [
        ("source_id", pa.string()),
        ("segment_index", pa.int32()),
        ("word_index", pa.int32()),
        ("word", pa.string()),
        ("start_s", pa.float64()),
        ("end_s", pa.float64()),
        ("probability", pa.float64()),
        ("source_sha256", pa.string()),
        ("code_version", pa.string()),
    ]
)
WORDS_SPEC = TableSpec(
    TRANSCRIPT_WORDS,
    WORDS_SCHEMA,
    row_key=("source_id", "segment_index", "word_index"),
    description="words with their times and probabilities",
)


def segment_rows(source_id, sha256, transcript: "Transcript", model, backend, flag_above, params_json, code_version):
    return [
        {
            "source_id": source_id,
            "segment_index": i,
            "start_s": s.segment.start,
            "end_s": s.segment.end,
            "text": s.segment.text,
            "language": transcript.language,
            "language_probability": transcript.language_probability,
            "avg_logprob": round(s.segment.avg_logprob, 4),
            "no_speech_prob": round(s.segment.no_speech_prob, 4),
            "compression_ratio": round(s.segment.compression_ratio, 4),
            "hallucination_risk": s.risk,
            "flagged": s.risk > flag_above,
            "model": model,
            "backend": backend,
            "source_sha256": sha256,
            "params_json": params_json,
            "code_version": code_version,
        }
        for i, s in enumerate(transcript.segments)
    ]


def word_rows(source_id, sha256, transcript: "Transcript", code_version):
    return [
        {
            "source_id": source_id,
            "segment_index": i,
            "word_index": j,
            "word": w.word,
            "start_s": w.start,
            "end_s": w.end,
            "probability": w.probability,
            "source_sha256": sha256,
            "code_version": code_version,
        }
        for i, s in enumerate(transcript.segments)
        for j, w in enumerate(s.segment.words)
    ]


SPEECH_SCHEMA = pa.schema(
    [
        ("source_id", pa.string()),
        ("region_index", pa.int32()),
        ("start_s", pa.float64()),
        ("end_s", pa.float64()),
        ("source_sha256", pa.string()),
        ("code_version", pa.string()),
    ]
)
SPEECH_SPEC = TableSpec(
    SPEECH_REGIONS,
    SPEECH_SCHEMA,
    row_key=("source_id", "region_index"),
    description="voice-activity regions of each audio rendition",
)


def speech_rows(source_id, sha256, transcript: "Transcript", code_version):
    return [
        {
            "source_id": source_id,
            "region_index": i,
            "start_s": start,
            "end_s": end,
            "source_sha256": sha256,
            "code_version": code_version,
        }
        for i, (start, end) in enumerate(transcript.speech_regions)
    ]
