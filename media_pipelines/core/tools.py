"""Where the media tools come from, and their versions for provenance."""

import functools
import json
import subprocess
from importlib.metadata import version

import av
import imageio_ffmpeg

import media_pipelines
from media_pipelines.core.provenance import short_digest


@functools.cache
def ffmpeg_exe() -> str:
    """The static ffmpeg bundled by imageio-ffmpeg, so no system install is needed."""
    return imageio_ffmpeg.get_ffmpeg_exe()


@functools.cache
def media_tool_versions() -> dict[str, str]:
    """The FFmpeg builds that decode and encode every medium: PyAV with its libraries, and the ffmpeg binary."""
    return {"pyav": av.__version__, "libav": av.ffmpeg_version_info, "ffmpeg": imageio_ffmpeg.get_ffmpeg_version()}


@functools.cache
def tool_versions_json() -> str:
    """Provenance for table rows and exports: the media tools and the lake's own release."""
    return json.dumps({"media_pipelines": media_pipelines.__version__, **media_tool_versions()}, sort_keys=True)


def library_versions(names: tuple[str, ...]) -> dict[str, str]:
    """Installed versions of the named distributions."""
    return {name: version(name) for name in names}


def code_version(tag: str, *settings: str, libraries: tuple[str, ...] = (), media_tools: bool = False) -> str:
    """A stage's code version: its own revision tag, the settings its outputs follow, and the builds of the
    libraries that compute them (named distributions; media_tools for the FFmpeg builds). Nothing else
    installed counts, so a new release of an unrelated dependency leaves every title current."""
    builds = library_versions(libraries) | (media_tool_versions() if media_tools else {})
    return short_digest(tag, *settings, json.dumps(builds, sort_keys=True), length=12)


def run_ffmpeg(args: list[str]) -> None:
    """Run the bundled ffmpeg quietly; a failure raises with the end of its log."""
    result = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-y", *args], capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"ffmpeg failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
