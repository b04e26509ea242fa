"""The generator's ground truth matches what ends up in the pixels."""

import av
import numpy as np
import pytest

from media_pipelines.samples.generate import ClipSpec, Shot, make_clip, shots_with_cuts


def lumas(path) -> list[tuple[float, float]]:
    with av.open(str(path)) as container:
        return [(float(f.time), float(f.to_ndarray(format="gray").mean())) for f in container.decode(video=0)]


def frame_changes(path) -> list[tuple[float, float]]:
    """(time, mean absolute luma change from the previous frame) for every frame."""
    out, previous = [], None
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            luma = frame.to_ndarray(format="gray").astype(np.int16)
            if previous is not None:
                out.append((float(frame.time), float(np.abs(luma - previous).mean())))
            previous = luma
    return out


def test_cuts_fades_and_dissolves_land_where_the_truth_says(tmp_path):
    spec = ClipSpec(
        shots=shots_with_cuts([1.0, 1.2, 1.2])
        + (Shot(1.6, "smptebars", "fade", 0.8), Shot(1.6, "mandelbrot", "dissolve", 0.8)),
        fps=25,
    )
    clip = make_clip(spec, tmp_path / "edits.mp4")
    cut_1, cut_2, fade, dissolve = clip.boundaries
    assert (cut_1.time_s, cut_2.time_s) == (1.0, 2.2)
    assert (fade.transition, fade.time_s, dissolve.transition, dissolve.time_s) == ("fade", 3.4, "dissolve", 4.6)

    changes = frame_changes(clip.path)
    assert changes[-1][0] == pytest.approx(spec.duration_s - 1 / spec.fps, abs=1e-3)
    hard = sorted(changes, key=lambda c: c[1], reverse=True)[:2]
    assert sorted(t for t, _ in hard) == pytest.approx([1.0, 2.2], abs=1e-3)
    darkest = min(lumas(clip.path), key=lambda tl: tl[1])
    assert darkest[0] == pytest.approx(fade.time_s, abs=1 / spec.fps) and darkest[1] < 5
    inside = [d for t, d in changes if abs(t - dissolve.time_s) < dissolve.transition_s / 2 - 0.05]
    assert inside and min(inside) > 0.3  # every frame of a dissolve moves


def test_silent_clip_has_no_audio_and_rotation_is_metadata_only(tmp_path):
    clip = make_clip(ClipSpec(shots=shots_with_cuts([1.0]), audio="none", rotation=270), tmp_path / "r.mp4")
    with av.open(str(clip.path)) as container:
        assert not container.streams.audio
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (320, 240)
    assert [p.name for p in tmp_path.iterdir()] == ["r.mp4"]
