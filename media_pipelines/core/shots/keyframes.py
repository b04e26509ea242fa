"""One representative frame per shot, chosen on the proxy, cut at full size from the mezzanine."""

from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

from media_pipelines.core.shots.features import FrameFeatures
from media_pipelines.core.shots.segments import Shot

# A frame on the mezzanine's keyframe grid decodes alone; one this close to the sharpest is preferred.
_SEEKABLE_SHARPNESS = 0.5


def choose_keyframe(shot: Shot, samples: list[tuple[int, FrameFeatures]], keyframe_interval: int) -> int:
    """The sharpest sample clear of the shot's transitions and not blank; else the middle of the clean part."""
    first, last = shot.clean_first_frame, shot.clean_last_frame
    inside = [(i, f) for i, f in samples if first <= i <= last and not f.is_blank]
    if not inside:
        return (first + last) // 2
    middle = (first + last) / 2
    best = max(inside, key=lambda s: (s[1].sharpness, -abs(s[0] - middle)))
    seekable = [
        s for s in inside if s[0] % keyframe_interval == 0 and s[1].sharpness >= _SEEKABLE_SHARPNESS * best[1].sharpness
    ]
    return max(seekable, key=lambda s: s[1].sharpness)[0] if seekable else best[0]


def frames_at(video: Path, indices: list[int], fps: float, keyframe_interval: int) -> Iterator[tuple[int, np.ndarray]]:
    """Decode the frames at given indices of a constant-rate video with a fixed GOP of keyframe_interval frames.

    A target in the GOP already being decoded is reached by decoding on; any other by seeking to its GOP.
    """
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        decoder, position = None, -1
        for index in sorted(set(indices)):
            if decoder is None or index <= position or index // keyframe_interval != position // keyframe_interval:
                container.seek(int(index / fps / stream.time_base), stream=stream, backward=True)
                decoder = container.decode(stream)
            for frame in decoder:
                position = round(float(frame.pts * stream.time_base) * fps)
                if position >= index:
                    yield index, frame.to_ndarray(format="rgb24")
                    break
