import json

import pyarrow as pa
import pytest

from media_pipelines.core.enrich.media_table import join_media_table
from media_pipelines.lake.annotations import ANNOTATIONS_SCHEMA
from media_pipelines.lake.audio_features import SHOT_AUDIO_SCHEMA
from media_pipelines.lake.shots import FRAMES_SCHEMA, SHOTS_SCHEMA
from media_pipelines.lake.timed_text import CUES_SCHEMA
from media_pipelines.lake.transcripts import SEGMENTS_SCHEMA, SPEECH_SCHEMA, WORDS_SCHEMA


def _table(schema, rows):
    return pa.Table.from_pylist([{name: row.get(name) for name in schema.names} for row in rows], schema=schema)


def _inputs(**rows):
    schemas = {
        "shots": SHOTS_SCHEMA,
        "frames": FRAMES_SCHEMA,
        "words": WORDS_SCHEMA,
        "segments": SEGMENTS_SCHEMA,
        "speech": SPEECH_SCHEMA,
        "cues": CUES_SCHEMA,
        "shot_audio": SHOT_AUDIO_SCHEMA,
        "annotations": ANNOTATIONS_SCHEMA,
        "pairs": pa.schema([("source_id", pa.string()), ("audio_source_id", pa.string())]),
    }
    return {name: _table(schema, rows.get(name, [])) for name, schema in schemas.items()}


SHOTS = [
    {"source_id": "pic", "shot_index": 0, "start_s": 0.0, "end_s": 2.0, "transition_in": "start"},
    {"source_id": "pic", "shot_index": 1, "start_s": 2.0, "end_s": 5.0, "transition_in": "cut"},
]
# "over" straddles the cut with its midpoint (2.05 s) after it; "the" ends exactly at the cut.
WORDS = [(" Look", 0.5, 0.9), (" over", 1.8, 2.3), (" there.", 2.6, 3.0), (" the", 1.0, 2.0)]


def test_words_land_by_midpoint_and_everything_else_by_overlap():
    inputs = _inputs(
        shots=SHOTS,
        pairs=[{"source_id": "pic", "audio_source_id": "stem"}],
        words=[
            {"source_id": "stem", "segment_index": 0, "word_index": i, "word": w, "start_s": a, "end_s": b}
            for i, (w, a, b) in enumerate(WORDS)
        ],
        segments=[{"source_id": "stem", "segment_index": 0, "language": "en", "model": "tiny.en"}],
        speech=[{"source_id": "stem", "region_index": 0, "start_s": 0.4, "end_s": 3.2}],
        cues=[
            {
                "file_name": "film.fr.srt",
                "cue_index": 0,
                "start_s": 0.5,
                "end_s": 3.0,
                "text": "Regarde",
                "language": "fr",
            },
            {
                "file_name": "film.en.srt",
                "cue_index": 0,
                "start_s": 0.5,
                "end_s": 2.5,
                "text": "Look over",
                "language": "en",
            },
            {
                "file_name": "film.en.srt",
                "cue_index": 1,
                "start_s": 2.5,
                "end_s": 3.0,
                "text": "there.",
                "language": "en",
            },
        ],  # fmt: skip
        annotations=[{"start_s": 1.5, "end_s": 4.0, "label": "car", "annotator": "ana"}],
        frames=[
            {"source_id": "pic", "shot_index": 1, "brightness": b, "is_keyframe": k, "phash": "ff" if k else "00"}
            for b, k in ((0.2, False), (0.4, True))
        ],
        shot_audio=[{"source_id": "pic", "shot_index": 1, "audio_source_id": "stem", "rms_dbfs": -20.0}],
    )
    first, second = join_media_table(inputs).to_pylist()
    assert (first["transcript_text"], first["word_count"]) == ("Look the", 2)
    assert (second["transcript_text"], second["word_count"]) == ("over there.", 2)
    assert first["speech_ratio"] == pytest.approx(0.8) and second["speech_ratio"] == pytest.approx(0.4)
    assert (first["subtitle_text"], second["subtitle_text"]) == ("Look over", "Look over\nthere.")
    assert second["subtitle_file"] == "film.en.srt" and first["language"] == "en" and first["asr_model"] == "tiny.en"
    assert first["annotation_labels"] == second["annotation_labels"] == ["car"]
    assert json.loads(second["annotations_json"])[0]["overlap_s"] == 2.0
    assert second["sampled_frames"] == 2 and second["brightness"] == pytest.approx(0.3)
    assert second["keyframe_phash"] == "ff" and second["rms_dbfs"] == -20.0 and first["rms_dbfs"] is None
    assert second["audio_source_id"] == "stem"


def test_a_title_without_speech_subtitles_or_labels_still_has_a_row_per_shot():
    rows = join_media_table(_inputs(shots=SHOTS, pairs=[{"source_id": "pic"}])).to_pylist()
    assert [(r["shot_index"], r["word_count"], r["transcript_text"], r["speech_ratio"]) for r in rows] == [
        (0, 0, "", 0.0),
        (1, 0, "", 0.0),
    ]
    assert rows[0]["annotation_labels"] == [] and rows[0]["subtitle_file"] is None


def test_missing_inputs_are_named():
    with pytest.raises(ValueError, match="annotations"):
        join_media_table({k: v for k, v in _inputs().items() if k != "annotations"})
