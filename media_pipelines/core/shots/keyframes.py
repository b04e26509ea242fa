"""One representative frame per shot, chosen on the proxy, cut at full size from the mezzanine."""

from collections.abc import Iterator
from itertools import groupby
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import VideoReformatter

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
    sharpness = {i: f.sharpness or 0.0 for i, f in inside}  # None: a frame too small to measure
    best = max(inside, key=lambda s: (sharpness[s[0]], -abs(s[0] - middle)))
    seekable = [
        i for i, _ in inside if i % keyframe_interval == 0 and sharpness[i] >= _SEEKABLE_SHARPNESS * sharpness[best[0]]
    ]
    return max(seekable, key=lambda i: sharpness[i]) if seekable else best[0]


def frames_at(video: Path, indices: list[int], fps: float, keyframe_interval: int) -> Iterator[tuple[int, np.ndarray]]:
    """Decode the frames at given indices of a constant-rate video with a fixed GOP of keyframe_interval frames.

    Each GOP holding targets is decoded from its keyframe to its last target, then drained, so no frame after
    that is decoded. On the way, frames no other frame refers to are skipped unless they are targets: the
    targets stay bit-exact, and a mid-GOP target needs about a third fewer frames decoded. A target whose
    exact frame is missing (a dropped frame) gets the next frame after it.
    """
    to_rgb = VideoReformatter()
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "NONE"  # skip_frame changes between packets; a frame thread would apply it late
        for _, group in groupby(sorted(set(indices)), key=lambda i: i // keyframe_interval):
            targets = list(group)
            # Rounded, not truncated: at 23.976 fps a truncated timestamp falls a tick before the keyframe.
            container.seek(round(targets[0] / fps / stream.time_base), stream=stream, backward=True)
            found = _decode_gop(container, stream, targets, fps)
            for index in targets:
                if index in found:
                    yield index, to_rgb.reformat(found[index], format="rgb24", threads=1).to_ndarray()


def _decode_gop(container, stream, targets: list[int], fps: float) -> dict[int, av.VideoFrame]:
    codec = stream.codec_context
    found: dict[int, av.VideoFrame] = {}

    def position(pts: int | None) -> int | None:
        return None if pts is None else round(float(pts * stream.time_base) * fps)

    def keep(frames: list[av.VideoFrame]) -> None:
        """Each target's nearest frame at or after it so far: its own frame wins, whatever the output order."""
        for frame in frames:
            if (at := position(frame.pts)) is None:
                continue
            for t in targets:
                if t <= at and (t not in found or at < position(found[t].pts)):
                    found[t] = frame

    unfed, fed = set(targets), False
    for packet in container.demux(stream):
        if packet.size == 0:  # the demuxer's end-of-stream marker
            continue
        at = position(packet.pts)
        if fed and packet.is_keyframe and at is not None and at > targets[-1]:
            break  # the next GOP: a target not fed by now has no frame of its own
        # Only frames before every target still to come may be skipped: one at or after a target may be
        # that target's stand-in, should its own frame be missing.
        codec.skip_frame = "NONREF" if at is not None and at < min(unfed) else "DEFAULT"
        keep(codec.decode(packet))
        fed = True
        unfed.discard(at)
        if not unfed:
            break
    codec.skip_frame = "DEFAULT"
    keep(codec.decode(None))
    codec.flush_buffers()
    return found
