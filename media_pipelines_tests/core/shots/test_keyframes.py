"""Frames cut by index: exact, equal to a straight decode, and the next frame where a target has none."""

import av
import numpy as np

from media_pipelines.core.shots.keyframes import frames_at


def decode_all(path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def test_frames_at_match_a_straight_decode_across_gops(media):
    frames = decode_all(media["bikes"])
    targets = [0, 1, 30, 31, 99, 100, 187, len(frames) - 1]  # B- and P-frames, GOP starts, the last frame
    cut = dict(frames_at(media["bikes"], targets, 25.0, keyframe_interval=50))
    assert sorted(cut) == targets
    assert all(np.array_equal(cut[i], frames[i]) for i in targets)


def test_a_target_without_a_frame_of_its_own_gets_the_next_one(media):
    frames = decode_all(media["bikes"])
    # At twice the real rate every odd index falls between two frames.
    cut = dict(frames_at(media["bikes"], [41, 120], 50.0, keyframe_interval=100))
    assert np.array_equal(cut[41], frames[21]) and np.array_equal(cut[120], frames[60])
