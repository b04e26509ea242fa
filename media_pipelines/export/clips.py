"""A shot's stretch of the mezzanine as its own small MP4, re-encoded so it starts on its first frame."""

from pathlib import Path

from media_pipelines.core.tools import run_ffmpeg


def cut_clip(mezzanine: Path, start_s: float, end_s: float, out: Path) -> bytes:
    """Single-threaded and bit-exact flags, so the same shot always gives the same bytes."""
    run_ffmpeg(
        ["-ss", f"{start_s:.6f}", "-i", str(mezzanine), "-t", f"{end_s - start_s:.6f}", "-map", "0:v:0", "-map", "0:a:0?",
         "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-threads", "1",
         "-c:a", "aac", "-b:a", "96k", "-map_metadata", "-1", "-fflags", "+bitexact", "-flags", "+bitexact",
         "-movflags", "+faststart", str(out)]
    )  # fmt: skip
    return out.read_bytes()
