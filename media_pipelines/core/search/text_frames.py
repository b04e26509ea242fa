"""Which of a shot's sampled frames to read for on-screen text beyond its keyframe: those where text may
have appeared since, told by the edge grid the shots stage stores for every sampled frame.

Reading a frame costs about half a second (PP-OCRv4 on two cores), so a sampled frame is read only where
a cell of its edge grid holds clearly more strong edges than its neighbour on the keyframe's side:
lettering is dense in them, so a caption appearing raises its cells by 5 or 6 of 16 levels, while a
second of camera or subject motion raises them by 1 to 3. At most MAX_EXTRA_FRAMES are
read per shot, so a busy shot costs a bounded few reads. A caption replaced by another in the same place
within a sampling interval (one second) raises nothing and is not read again."""

from collections.abc import Sequence
from dataclasses import dataclass

from media_pipelines.core.shots.features import grid_levels

# Levels (of 16) a cell must rise over every frame read in the shot before a frame is read.
TEXT_RISE_LEVELS = 4
MAX_EXTRA_FRAMES = 2


@dataclass(frozen=True)
class SampledFrame:
    frame_index: int
    edge_grid: str


def frames_to_read(
    keyframe: SampledFrame, samples: Sequence[SampledFrame], max_extra: int = MAX_EXTRA_FRAMES
) -> list[int]:
    """The sampled frames (indices, in frame order) to read besides the keyframe, which is always read.

    Seen from the keyframe outward, each sample is compared with its neighbour on the keyframe's side: text
    that appears after the keyframe, or that had gone before it, rises on that neighbour. Past the cap,
    the samples nearest the keyframe win."""
    timeline = sorted({s.frame_index: s for s in [*samples, keyframe]}.values(), key=lambda s: s.frame_index)
    at = next(i for i, s in enumerate(timeline) if s.frame_index == keyframe.frame_index)
    levels = [grid_levels(s.edge_grid) for s in timeline]
    rising = []
    for i in range(len(timeline)):
        toward = i - 1 if i > at else i + 1
        if i != at and int((levels[i] - levels[toward]).max()) >= TEXT_RISE_LEVELS:
            rising.append((abs(i - at), timeline[i].frame_index))
    return sorted(index for _, index in sorted(rising)[:max_extra])


def new_lines(read: set[str], lines: Sequence[str]) -> list[int]:
    """Positions of the lines not read before in the shot (a caption held across frames is one line),
    adding them to `read`."""
    fresh = []
    for position, text in enumerate(lines):
        key = " ".join(text.casefold().split())
        if key not in read:
            read.add(key)
            fresh.append(position)
    return fresh
