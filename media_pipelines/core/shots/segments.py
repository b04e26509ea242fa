"""Shots from boundaries: they tile the video exactly, from frame 0 to the last frame."""

from dataclasses import dataclass

from media_pipelines.core.shots.detector import Boundary, Transition


@dataclass(frozen=True)
class Shot:
    index: int
    start_frame: int  # first frame of the shot
    end_frame: int  # exclusive: the next shot's start_frame
    transition_in: str  # how the shot begins: "start" for the first, else the boundary's transition
    confidence: float
    clean_first_frame: int  # the part of the shot clear of its incoming and outgoing transitions
    clean_last_frame: int

    def start_s(self, fps: float) -> float:
        return round(self.start_frame / fps, 6)

    def end_s(self, fps: float) -> float:
        return round(self.end_frame / fps, 6)


def shots_from_boundaries(boundaries: list[Boundary], frame_count: int, min_frames: int) -> list[Shot]:
    """A boundary closer than min_frames to the previous one (or to either end) is dropped, the surer one kept."""
    if frame_count <= 0:
        return []
    kept: list[Boundary] = []
    for b in sorted(boundaries, key=lambda b: b.frame_index):
        if b.frame_index < min_frames or b.frame_index > frame_count - min_frames:
            continue
        if kept and b.frame_index - kept[-1].frame_index < min_frames:
            if b.confidence > kept[-1].confidence:
                kept[-1] = b
            continue
        kept.append(b)
    starts = [Boundary(0, Transition.CUT, 1.0, 0, -1), *kept]
    ends = [*kept, Boundary(frame_count, Transition.CUT, 1.0, frame_count, frame_count)]
    shots = []
    for i, (begin, end) in enumerate(zip(starts, ends, strict=True)):
        clean_first = max(begin.frame_index, begin.last_frame + 1)
        clean_last = min(end.frame_index, end.first_frame) - 1
        if clean_first > clean_last:  # all transition: the whole shot is what there is
            clean_first, clean_last = begin.frame_index, end.frame_index - 1
        shots.append(
            Shot(
                index=i,
                start_frame=begin.frame_index,
                end_frame=end.frame_index,
                transition_in="start" if i == 0 else str(begin.transition),
                confidence=begin.confidence,
                clean_first_frame=clean_first,
                clean_last_frame=clean_last,
            )
        )
    return shots
