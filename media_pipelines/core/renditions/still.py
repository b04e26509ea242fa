"""A still frame from a rendition, for previews in the UI."""

from pathlib import Path

from media_pipelines.core.tools import run_ffmpeg


def extract_still(video: Path, at_s: float, out: Path, width: int = 320) -> Path:
    run_ffmpeg(
        ["-ss", f"{at_s:.3f}", "-i", str(video), "-frames:v", "1", "-vf", f"scale={width}:-2", "-q:v", "4", str(out)]
    )
    return out
