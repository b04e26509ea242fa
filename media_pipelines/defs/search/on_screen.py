"""The rows of a title's shot_text: each shot's keyframe read from its JPEG, and the sampled frames where
text may have appeared since (core.search.text_frames) decoded from the mezzanine and read, keeping the
lines not read before in the shot."""

import io
import json
from collections.abc import Callable, Iterator

import numpy as np
from PIL import Image

from media_pipelines.core.renditions.plan import keyframe_interval_frames
from media_pipelines.core.search.ocr import TextLine, read_text
from media_pipelines.core.search.text_frames import SampledFrame, frames_to_read, new_lines
from media_pipelines.core.shots.keyframes import frames_at
from media_pipelines.lake.renditions import RENDITIONS
from media_pipelines.lake.shots import FRAMES, SHOTS
from media_pipelines.lake.store import ObjectStore
from media_pipelines.lake.tables import read_title_table


def title_text_rows(
    store: ObjectStore, title_id: str, row: Callable[[dict, int, int, TextLine], dict]
) -> tuple[list[dict], int]:
    """Every line read on screen in the title's shots, in frame order (`row(shot, frame_index, line_index,
    line)` makes each), and how many frames besides the keyframes were read."""
    shots = [s for s in read_title_table(store, SHOTS, title_id).to_pylist() if s["keyframe_uri"]]
    samples: dict[tuple[str, int], list[SampledFrame]] = {}
    for frame in read_title_table(store, FRAMES, title_id).to_pylist():
        if frame["edge_grid"]:  # frames written before the grid existed: the keyframe alone is read
            samples.setdefault((frame["source_id"], frame["shot_index"]), []).append(
                SampledFrame(frame["frame_index"], frame["edge_grid"])
            )
    rows, read, extra = [], {}, {}
    for shot in shots:
        key = (shot["source_id"], shot["shot_index"])
        read[key] = set()
        lines = read_text(np.asarray(keyframe_image(store, shot["keyframe_uri"])))
        rows += _fresh_rows(shot, shot["keyframe_frame"], lines, read[key], row)
        sampled = samples.get(key, [])
        keyframe = next((s for s in sampled if s.frame_index == shot["keyframe_frame"]), None)
        for index in frames_to_read(keyframe, sampled) if keyframe else []:
            extra.setdefault(shot["source_id"], {})[index] = shot
    for source_id, wanted in extra.items():
        for index, rgb in _mezzanine_frames(store, title_id, source_id, sorted(wanted)):
            shot = wanted[index]
            key = (shot["source_id"], shot["shot_index"])
            rows += _fresh_rows(shot, index, read_text(rgb), read[key], row)
    extra_frames = sum(len(wanted) for wanted in extra.values())
    return sorted(rows, key=lambda r: (r["source_id"], r["frame_index"], r["line_index"])), extra_frames


def _fresh_rows(shot: dict, frame_index: int, lines: list[TextLine], read: set[str], row) -> list[dict]:
    fresh = new_lines(read, [line.text for line in lines])
    return [row(shot, frame_index, position, lines[position]) for position in fresh]


def _mezzanine_frames(store: ObjectStore, title_id: str, source_id: str, indices: list[int]) -> Iterator:
    """The frames at these indices, decoded from the source's mezzanine (on S3, a local copy for the
    while: only titles with frames to read fetch it)."""
    [mezzanine] = [
        r
        for r in read_title_table(store, RENDITIONS, title_id).to_pylist()
        if r["source_id"] == source_id and r["kind"] == "mezzanine"
    ]
    fps = mezzanine["fps"]
    gop = keyframe_interval_frames(fps, json.loads(mezzanine["params_json"])["keyframe_interval_s"])
    with store.local_copy(store.key_for(mezzanine["uri"])) as path:
        yield from frames_at(path, indices, fps, gop)


def keyframe_image(store: ObjectStore, uri: str) -> Image.Image:
    with Image.open(io.BytesIO(store.read_bytes(store.key_for(uri)))) as image:
        return image.convert("RGB")
