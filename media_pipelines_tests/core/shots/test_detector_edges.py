"""Detector edge cases on synthetic frames: batch sizes, long black, openings from black, tiny inputs."""

import numpy as np
import pytest

from media_pipelines.core.shots.decode import ANALYSIS_HEIGHT, ANALYSIS_WIDTH
from media_pipelines.core.shots.detector import ShotDetector

FPS = 25.0


def picture(seed: int, count: int) -> np.ndarray:
    frame = np.random.default_rng(seed).integers(0, 256, (ANALYSIS_HEIGHT, ANALYSIS_WIDTH, 3), dtype=np.uint8)
    return np.repeat(frame[None], count, axis=0)


def ramp(frame: np.ndarray, count: int, rising: bool) -> np.ndarray:
    levels = np.linspace(0, 1, count + 2)[1:-1]
    return np.stack([(frame * (level if rising else 1 - level)).astype(np.uint8) for level in levels])


def detect(frames: np.ndarray, batch: int) -> list[tuple[int, str]]:
    detector, found = ShotDetector(FPS), []
    for start in range(0, len(frames), batch):
        found += detector.push(frames[start : start + batch])
    found += detector.finish()
    return [(b.frame_index, str(b.transition)) for b in found]


@pytest.mark.parametrize("batch", [1, 7, 256, 4096])
def test_a_cut_into_long_black_then_a_fade_in_is_one_fade_whatever_the_batch(batch):
    shot_a, shot_b = picture(1, 100), picture(2, 100)
    black = np.zeros((700, ANALYSIS_HEIGHT, ANALYSIS_WIDTH, 3), np.uint8)
    frames = np.concatenate([shot_a, black, ramp(shot_b[0], 12, rising=True), shot_b])
    [(index, transition)] = detect(frames, batch)
    assert transition == "fade" and 100 <= index < 800


@pytest.mark.parametrize("batch", [1, 256])
def test_same_boundaries_for_any_batch_size(batch):
    frames = np.concatenate([picture(1, 60), picture(2, 60), ramp(picture(2, 1)[0], 10, rising=False),
                             ramp(picture(3, 1)[0], 10, rising=True), picture(3, 60)])  # fmt: skip
    assert detect(frames, batch) == detect(frames, 4096) == [(60, "cut"), (130, "fade")]


def test_opening_from_black_is_not_a_boundary():
    shot = picture(4, 80)
    frames = np.concatenate(
        [np.zeros((10, ANALYSIS_HEIGHT, ANALYSIS_WIDTH, 3), np.uint8), ramp(shot[0], 10, True), shot]
    )
    assert detect(frames, 256) == []


@pytest.mark.parametrize("count", [0, 1, 3])
def test_tiny_inputs_and_empty_batches(count):
    detector = ShotDetector(FPS)
    assert detector.push(picture(5, 0)) == []
    assert detector.push(picture(5, count)) == [] and detector.finish() == []
    assert detector.count == count


def test_the_detector_keeps_a_fixed_window_however_long_the_title():
    detector = ShotDetector(FPS)
    shots = [picture(seed, 400) for seed in range(10)]
    sizes = []
    for shot in shots:
        detector.push(shot)
        sizes.append((len(detector.frames), len(detector.steps), len(detector.luma), len(detector.luma_std)))
    assert detector.count == 4000 and sizes[-1] == sizes[1] == (detector.keep,) * 4
