"""Where the media tools come from, and their versions for provenance."""

import functools
import json
import os
import subprocess
import tempfile
from importlib.metadata import version
from pathlib import Path

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
    return {"pyav": av.__version__, "libav": av.ffmpeg_version_info, "ffmpeg": ffmpeg_version()}


def ffmpeg_version() -> str:
    """The ffmpeg binary's version as `ffmpeg -version` prints it, remembered per binary file (path, size,
    modification time) in the user's cache: code versions need it whenever the definitions load (every
    daemon tick, every run), and asking the binary starts two processes (imageio-ffmpeg validates it first)."""
    exe = _bundled_ffmpeg()
    if exe is None:
        return imageio_ffmpeg.get_ffmpeg_version()
    stat = exe.stat()
    key = f"{exe}:{stat.st_size}:{stat.st_mtime_ns}"
    try:
        remembered = json.loads(FFMPEG_VERSION_CACHE.read_text())
    except (OSError, ValueError):
        remembered = {}
    if isinstance(remembered, dict) and isinstance(remembered.get(key), str):
        return remembered[key]
    version = imageio_ffmpeg.get_ffmpeg_version()
    if Path(imageio_ffmpeg.get_ffmpeg_exe()).resolve() == exe:  # the binary asked is the one the key names
        _remember({key: version})
    return version


# What this user's processes work out once and keep: anything here can be deleted, at the cost of working it
# out again.
USER_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "media_pipelines"
# Where ffmpeg_version() keeps what it asked; deleting it costs one `ffmpeg -version` on the next load.
FFMPEG_VERSION_CACHE = USER_CACHE / "ffmpeg-version.json"


def _bundled_ffmpeg() -> Path | None:
    """The binary imageio-ffmpeg ships in its wheel, found without running it; None where another is chosen
    (IMAGEIO_FFMPEG_EXE, or no bundled binary), whose version is then asked each time."""
    if os.environ.get("IMAGEIO_FFMPEG_EXE"):
        return None
    found = sorted((Path(imageio_ffmpeg.__file__).parent / "binaries").glob("ffmpeg-*"))
    return found[0].resolve() if len(found) == 1 else None


def _remember(versions: dict[str, str]) -> None:
    """Written whole and renamed into place, so a concurrent load reads the old file or the new one; a
    read-only home only means asking again next time."""
    try:
        FFMPEG_VERSION_CACHE.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=FFMPEG_VERSION_CACHE.parent, delete=False, suffix=".tmp") as tmp:
            json.dump(versions, tmp)
        os.replace(tmp.name, FFMPEG_VERSION_CACHE)
    except OSError:
        pass


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
