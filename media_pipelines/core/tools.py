"""Where the media tools come from, and their versions for provenance."""

import functools
import json
import subprocess

import av
import imageio_ffmpeg

import media_pipelines


@functools.cache
def ffmpeg_exe() -> str:
    """The static ffmpeg bundled by imageio-ffmpeg, so no system install is needed."""
    return imageio_ffmpeg.get_ffmpeg_exe()


@functools.cache
def tool_versions_json() -> str:
    """Versions of the tools that shape the lake's outputs, as stable JSON for table rows and code versions."""
    return json.dumps(
        {
            "media_pipelines": media_pipelines.__version__,
            "pyav": av.__version__,
            "libav": av.ffmpeg_version_info,
            "ffmpeg": imageio_ffmpeg.get_ffmpeg_version(),
        },
        sort_keys=True,
    )


def run_ffmpeg(args: list[str]) -> None:
    """Run the bundled ffmpeg quietly; a failure raises with the end of its log."""
    result = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-y", *args], capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"ffmpeg failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
