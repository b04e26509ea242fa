"""The shot_audio and audio_timeline tables: audio features per shot and per second of each audio rendition."""

from typing import TYPE_CHECKING

import pyarrow as pa

from media_pipelines.lake.tables import TableSpec

if TYPE_CHECKING:  # the media types, not their libraries: the query path loads this table module
    from media_pipelines.core.audio_features.bins import BinStats


SHOT_AUDIO = "shot_audio"
AUDIO_TIMELINE = "audio_timeline"

# The audio descriptors of a stretch of audio; the media table carries the same per shot.
AUDIO_FEATURE_FIELDS = [
    ("rms_dbfs", pa.float64()),
    ("speech_share", pa.float64()),
    ("music_share", pa.float64()),
    ("silence_share", pa.float64()),
    ("other_share", pa.float64()),
    ("onset_rate", pa.float64()),
    ("spectral_centroid_hz", pa.float64()),
]
_FEATURES = [
    ("start_s", pa.float64()),
    ("end_s", pa.float64()),
    *AUDIO_FEATURE_FIELDS,
    ("source_sha256", pa.string()),
    ("code_version", pa.string()),
]
_SOURCES = [("source_id", pa.string()), ("audio_source_id", pa.string())]
SHOT_AUDIO_SCHEMA = pa.schema([*_SOURCES, ("shot_index", pa.int32()), *_FEATURES])
SHOT_AUDIO_SPEC = TableSpec(
    SHOT_AUDIO,
    SHOT_AUDIO_SCHEMA,
    row_key=("source_id", "audio_source_id", "shot_index"),
    description="audio features of each shot, from the audio rendition it is heard with",
)
AUDIO_TIMELINE_SCHEMA = pa.schema([*_SOURCES, ("second", pa.int32()), *_FEATURES])
AUDIO_TIMELINE_SPEC = TableSpec(
    AUDIO_TIMELINE,
    AUDIO_TIMELINE_SCHEMA,
    row_key=("source_id", "audio_source_id", "second"),
    description="audio features per second of title time",
)


def feature_rows(source_id, audio_source_id, index_name, stats: list["BinStats"], sha256: str, code_version: str):
    """source_id: the video source for shot rows, the audio source itself for timeline rows."""
    return [
        {
            "source_id": source_id,
            "audio_source_id": audio_source_id,
            index_name: i,
            **{name: getattr(s, name) for name, _ in _FEATURES[:9]},
            "source_sha256": sha256,
            "code_version": code_version,
        }
        for i, s in enumerate(stats)
    ]
