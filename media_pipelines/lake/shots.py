"""The shots and frames tables."""

import pyarrow as pa

from media_pipelines.lake.tables import TableSpec

SHOTS = "shots"
FRAMES = "frames"

SHOTS_SCHEMA = pa.schema(
    [
        ("source_id", pa.string()),
        ("shot_index", pa.int32()),
        ("start_s", pa.float64()),
        ("end_s", pa.float64()),
        ("start_frame", pa.int64()),
        ("end_frame", pa.int64()),  # exclusive: the next shot's start_frame (mezzanine and proxy frame numbers)
        ("transition_in", pa.string()),
        ("transition_confidence", pa.float64()),
        ("keyframe_frame", pa.int64()),
        ("keyframe_uri", pa.string()),
        ("duplicate_group", pa.string()),
        ("fps", pa.float64()),
        ("source_sha256", pa.string()),
        ("params_json", pa.string()),
        ("code_version", pa.string()),
    ]
)
SHOTS_SPEC = TableSpec(
    SHOTS,
    SHOTS_SCHEMA,
    row_key=("source_id", "shot_index"),
    description="shots with their transitions and keyframes, on title time",
    media_columns=("keyframe_uri",),
)

FRAMES_SCHEMA = pa.schema(
    [
        ("source_id", pa.string()),
        ("shot_index", pa.int32()),
        ("frame_index", pa.int64()),
        ("pts_s", pa.float64()),
        ("is_keyframe", pa.bool_()),
        ("uri", pa.string()),
        ("brightness", pa.float64()),
        ("contrast", pa.float64()),
        ("colorfulness", pa.float64()),
        ("sharpness", pa.float64()),
        ("motion", pa.float64()),
        ("phash", pa.string()),
        ("dominant_colors", pa.list_(pa.string())),
        # strong-edge density per cell of a 16 x 9 grid, one hex digit each: where text may appear
        ("edge_grid", pa.string()),
        ("source_sha256", pa.string()),
        ("code_version", pa.string()),
    ]
)
FRAMES_SPEC = TableSpec(
    FRAMES,
    FRAMES_SCHEMA,
    row_key=("source_id", "frame_index"),
    description="sampled frames with picture features and perceptual hashes",
    media_columns=("uri",),
)


def shot_rows(source_id, sha256, analysis, keyframe_uris, groups, params_json, code_version) -> list[dict]:
    keyframes = analysis.keyframes()
    return [
        {
            "source_id": source_id,
            "shot_index": shot.index,
            "start_s": shot.start_s(analysis.fps),
            "end_s": shot.end_s(analysis.fps),
            "start_frame": shot.start_frame,
            "end_frame": shot.end_frame,
            "transition_in": shot.transition_in,
            "transition_confidence": shot.confidence,
            "keyframe_frame": keyframes[shot.index].frame_index if shot.index in keyframes else None,
            "keyframe_uri": keyframe_uris.get(shot.index),
            "duplicate_group": groups.get(shot.index),
            "fps": analysis.fps,
            "source_sha256": sha256,
            "params_json": params_json,
            "code_version": code_version,
        }
        for shot in analysis.shots
    ]


def frame_rows(source_id, sha256, analysis, keyframe_uris, code_version) -> list[dict]:
    return [
        {
            "source_id": source_id,
            "shot_index": f.shot_index,
            "frame_index": f.frame_index,
            "pts_s": round(f.frame_index / analysis.fps, 6),
            "is_keyframe": f.keyframe_path is not None,
            "uri": keyframe_uris[f.shot_index] if f.keyframe_path else None,
            "brightness": f.features.brightness,
            "contrast": f.features.contrast,
            "colorfulness": f.features.colorfulness,
            "sharpness": f.features.sharpness,
            "motion": f.motion,
            "phash": f.features.phash,
            "dominant_colors": list(f.features.dominant_colors),
            "edge_grid": f.features.edge_grid,
            "source_sha256": sha256,
            "code_version": code_version,
        }
        for f in analysis.frames
    ]
