import json

import imageio_ffmpeg
import pytest

from media_pipelines.core import tools


@pytest.fixture
def cache(tmp_path, monkeypatch):
    path = tmp_path / "media_pipelines" / "ffmpeg-version.json"
    monkeypatch.setattr(tools, "FFMPEG_VERSION_CACHE", path)
    return path


def test_the_ffmpeg_version_is_asked_once_per_binary_then_remembered(cache, monkeypatch):
    asked = imageio_ffmpeg.get_ffmpeg_version()
    assert tools.ffmpeg_version() == asked and list(json.loads(cache.read_text()).values()) == [asked]

    def no_process():
        raise AssertionError("asked the binary again")

    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_version", no_process)
    assert tools.ffmpeg_version() == asked  # remembered: no process started


def test_another_binary_or_a_damaged_cache_is_asked_again(cache, monkeypatch):
    cache.parent.mkdir(parents=True)
    cache.write_text("{not json")
    assert tools.ffmpeg_version() == imageio_ffmpeg.get_ffmpeg_version()
    [key] = json.loads(cache.read_text())
    cache.write_text(json.dumps({key.replace(":", ":1", 1): "n0.0-other-build"}))  # another binary's entry
    assert tools.ffmpeg_version() == imageio_ffmpeg.get_ffmpeg_version()
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", imageio_ffmpeg.get_ffmpeg_exe())
    assert tools._bundled_ffmpeg() is None  # a binary chosen by the environment is asked each time
