"""A still frame from a rendition, for previews in the UI."""

from pathlib import Path

from media_pipelines.core.tools import run_ffmpeg


def still_time_s(frame_count: int | None, fps: float | None, duration_s: float) -> float:
    """A third of the way in, on a frame's own timestamp: a seek past the last frame would find nothing."""
    if frame_count and fps:
        return (frame_count // 3) / fps
    return duration_s / 3


def extract_still(video: Path, at_s: float, out: Path, width: int = 320) -> Path:
    run_ffmpeg(
        ["-ss", f"{at_s:.6f}", "-i", str(video), "-frames:v", "1", "-vf", f"scale={width}:-2", "-q:v", "4", str(out)]
    )
    return out
