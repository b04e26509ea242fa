"""Shot boundaries on clips with known edits, and none on motion, flashes or pans."""

from pathlib import Path

import pytest

from media_pipelines.core.probe import probe_file
from media_pipelines.core.renditions.params import RenditionParams
from media_pipelines.core.renditions.standardize import standardize
from media_pipelines.core.shots.decode import stream_proxy
from media_pipelines.core.shots.detector import ShotDetector
from media_pipelines.core.tools import run_ffmpeg
from media_pipelines.samples.generate import ClipSpec, Shot, make_clip, shots_with_cuts


def detect(path: Path) -> tuple[list[tuple[float, str]], float]:
    video = next(s for s in probe_file(path).streams if s.type == "video")
    detector, found = ShotDetector(video.avg_frame_rate), []
    for batch in stream_proxy(path, sample_every=25):
        found += detector.push(batch.frames)
    found += detector.finish()
    return [(b.frame_index / video.avg_frame_rate, str(b.transition)) for b in found], video.avg_frame_rate


def assert_matches(found, truth, fps):
    assert [t for _, t in found] == [b.transition for b in truth]
    for (time, transition), expected in zip(found, truth, strict=True):
        tolerance = 1 / fps + 1e-6 if transition == "cut" else 0.5
        assert time == pytest.approx(expected.time_s, abs=tolerance), (transition, time, expected.time_s)


EDITS = ClipSpec(
    shots=shots_with_cuts([1.6, 2.0, 2.0])
    + (
        Shot(2.5, "smptebars", "fade", 0.8),
        Shot(2.5, "testsrc2", "dissolve", 0.8),
        Shot(3.0, "rgbtestsrc", "dissolve", 1.2),
        Shot(2.0, "mandelbrot"),
        Shot(2.4, "cellauto", "dissolve", 0.5),
    )
)


def test_cuts_fades_and_dissolves_with_their_types(tmp_path):
    clip = make_clip(EDITS, tmp_path / "edits.mp4")
    found, fps = detect(clip.path)
    assert_matches(found, clip.boundaries, fps)


def test_fade_through_white(tmp_path):
    spec = ClipSpec(shots=shots_with_cuts([2.0]) + (Shot(2.0, "smptebars", "fade", 0.8),))
    clip = make_clip(spec, tmp_path / "white.mp4")
    bright = tmp_path / "white_fade.mp4"  # negate: the fade through black becomes one through white
    run_ffmpeg(["-i", str(clip.path), "-vf", "negate", "-an", str(bright)])
    found, fps = detect(bright)
    assert_matches(found, clip.boundaries, fps)


def test_bikes_has_exactly_its_five_cuts(media):
    found, fps = detect(media["bikes"])
    assert [t for _, t in found] == ["cut"] * 5
    assert [time for time, _ in found] == pytest.approx([1.20, 3.04, 5.48, 7.48, 9.68], abs=1 / fps + 1e-6)


def test_moving_object_on_a_static_camera_is_one_shot(tmp_path):
    clip = tmp_path / "box.mp4"
    run_ffmpeg([
        "-f", "lavfi", "-i", "color=c=0x336699:s=320x240:r=25:d=6",
        "-f", "lavfi", "-i", "color=c=red:s=40x40:r=25:d=6",
        "-filter_complex", "[0][1]overlay=x='mod(t*90,280)':y='100+40*sin(t*3)'", "-pix_fmt", "yuv420p", str(clip),
    ])  # fmt: skip
    assert detect(clip)[0] == []


def test_single_frame_flashes_and_a_strobe_are_not_cuts(tmp_path):
    clip = tmp_path / "flash.mp4"
    frames = "+".join(f"eq(n,{n})" for n in (30, 80, 81, 120, 122, 124, 126))
    run_ffmpeg([
        "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=6",
        "-vf", f"drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='{frames}'", "-pix_fmt", "yuv420p", str(clip),
    ])  # fmt: skip
    assert detect(clip)[0] == []


def test_slow_pan_is_not_a_boundary(tmp_path):
    still, clip = tmp_path / "wide.png", tmp_path / "pan.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", "mandelbrot=s=1280x240", "-frames:v", "1", str(still)])
    run_ffmpeg([
        "-loop", "1", "-framerate", "25", "-i", str(still),
        "-vf", "crop=320:240:x='t*100':y=0", "-t", "6", "-pix_fmt", "yuv420p", str(clip),
    ])  # fmt: skip
    assert detect(clip)[0] == []


def test_variable_frame_rate_source_boundaries_land_on_source_time(tmp_path):
    spec = ClipSpec(shots=shots_with_cuts([1.0, 2.0, 2.0, 2.0]), variable_frame_rate=True)
    clip = make_clip(spec, tmp_path / "vfr.mp4")
    renditions = standardize(clip.path, probe_file(clip.path), RenditionParams(), tmp_path / "out")
    proxy = next(r for r in renditions.renditions if r.kind == "proxy")
    found, fps = detect(proxy.path)
    source_frame = 3 / spec.fps  # the second half of the source keeps every third frame
    assert [t for _, t in found] == ["cut"] * 3
    assert [time for time, _ in found] == pytest.approx([1.0, 3.0, 5.0], abs=source_frame + 1e-6)
