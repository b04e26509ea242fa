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
    best = max(inside, key=lambda s: (s[1].sharpness, -abs(s[0] - middle)))
    seekable = [
        s for s in inside if s[0] % keyframe_interval == 0 and s[1].sharpness >= _SEEKABLE_SHARPNESS * best[1].sharpness
    ]
    return max(seekable, key=lambda s: s[1].sharpness)[0] if seekable else best[0]


def frames_at(video: Path, indices: list[int], fps: float, keyframe_interval: int) -> Iterator[tuple[int, np.ndarray]]:
    """Decode the frames at given indices of a constant-rate video with a fixed GOP of keyframe_interval frames.

    Each GOP holding targets is decoded from its keyframe to its last target, then drained, so no frame after
    that is decoded. On the way, frames no other frame refers to are skipped unless they are targets: the
    targets stay bit-exact, and a mid-GOP target needs about a third fewer frames decoded.
    """
    to_rgb = VideoReformatter()
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "NONE"  # skip_frame changes between packets; a frame thread would apply it late
        codec = stream.codec_context

        def position(pts: int) -> int:
            return round(float(pts * stream.time_base) * fps)

        for _, group in groupby(sorted(set(indices)), key=lambda i: i // keyframe_interval):
            targets = list(group)
            container.seek(int(targets[0] / fps / stream.time_base), stream=stream, backward=True)
            unfed, found = set(targets), {}
            for packet in container.demux(stream):
                if packet.pts is None:  # the demuxer's end-of-stream marker
                    continue
                at = position(packet.pts)
                codec.skip_frame = "DEFAULT" if at in unfed else "NONREF"
                found |= {position(f.pts): f for f in codec.decode(packet) if position(f.pts) in targets}
                unfed.discard(at)
                if not unfed:
                    break
            codec.skip_frame = "DEFAULT"
            found |= {position(f.pts): f for f in codec.decode(None) if position(f.pts) in targets}
            codec.flush_buffers()
            for index in targets:
                if index in found:
                    yield index, to_rgb.reformat(found[index], format="rgb24", threads=1).to_ndarray()
