"""Where the media tools come from, and their versions for provenance."""

import functools
import json

import av
import imageio_ffmpeg

import media_pipelines


@functools.cache
def ffmpeg_exe() -> str:
    """The static ffmpeg bundled by imageio-ffmpeg, so no system install is needed."""
    return imageio_ffmpeg.get_ffmpeg_exe()


@functools.cache
def tool_versions_json() -> str:
    """Versions of everything that shapes ingest output, as stable JSON for table rows."""
    return json.dumps(
        {
            "media_pipelines": media_pipelines.__version__,
            "pyav": av.__version__,
            "libav": av.ffmpeg_version_info,
        },
        sort_keys=True,
    )
