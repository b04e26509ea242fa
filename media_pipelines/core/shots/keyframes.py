"""One representative frame per shot, chosen on the proxy, cut at full size from the mezzanine."""

from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

from media_pipelines.core.shots.features import FrameFeatures
from media_pipelines.core.shots.segments import Shot


def choose_keyframe(shot: Shot, samples: list[tuple[int, FrameFeatures]]) -> int:
    """The sharpest sample clear of the shot's transitions and not blank; else the middle of the clean part."""
    first, last = shot.clean_first_frame, shot.clean_last_frame
    inside = [(i, f) for i, f in samples if first <= i <= last and not f.is_blank]
    if inside:
        middle = (first + last) / 2
        return max(inside, key=lambda s: (s[1].sharpness, -abs(s[0] - middle)))[0]
    return (first + last) // 2


def frames_at(video: Path, indices: list[int], fps: float) -> Iterator[tuple[int, np.ndarray]]:
    """Decode the frames at ascending indices of a constant-rate video, seeking only across keyframe gaps."""
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        decoder, position = None, -1
        for index in sorted(set(indices)):
            if decoder is None or index < position or index - position > 2 * fps:
                container.seek(int(index / fps / stream.time_base), stream=stream, backward=True)
                decoder = container.decode(stream)
            for frame in decoder:
                position = round(float(frame.pts * stream.time_base) * fps)
                if position >= index:
                    yield index, frame.to_ndarray(format="rgb24")
                    break
