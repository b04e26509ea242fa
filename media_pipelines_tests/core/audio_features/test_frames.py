"""The NumPy descriptors and peak picking equal librosa's, the reference they are defined by."""

import librosa
import numpy as np
import pytest
import soundfile

from media_pipelines.core.audio_features.analyze import ONSET_PEAK
from media_pipelines.core.audio_features.frames import (
    FRAME_LENGTH,
    HOP_LENGTH,
    N_MELS,
    SAMPLE_RATE,
    describe_block,
    pick_peaks,
)
from media_pipelines.samples import jfk_audio


def reference(block: np.ndarray) -> dict[str, np.ndarray]:
    frames = librosa.util.frame(block, frame_length=FRAME_LENGTH, hop_length=HOP_LENGTH)
    spectrum = np.abs(librosa.stft(block, n_fft=FRAME_LENGTH, hop_length=HOP_LENGTH, center=False))
    mel = librosa.power_to_db(librosa.feature.melspectrogram(S=spectrum**2, sr=SAMPLE_RATE, n_mels=N_MELS), ref=1.0)
    return {
        "power": np.mean(np.square(frames, dtype=np.float64), axis=0),
        "centroid_hz": librosa.feature.spectral_centroid(S=spectrum, sr=SAMPLE_RATE)[0],
        "flatness": librosa.feature.spectral_flatness(S=spectrum)[0],
        "flux": np.mean(np.maximum(0.0, mel[:, 1:] - mel[:, :-1]), axis=0),
    }


def blocks() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(3)
    t = np.arange(16 * SAMPLE_RATE) / SAMPLE_RATE
    speech, _ = soundfile.read(str(jfk_audio()), dtype="float32")
    return {
        "silence": np.zeros(16 * SAMPLE_RATE, np.float32),
        "tone": (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32),
        "noise": rng.normal(0, 0.1, 16 * SAMPLE_RATE).astype(np.float32),
        "speech": speech,
    }


@pytest.mark.parametrize("name", ["silence", "tone", "noise", "speech"])
def test_descriptors_equal_librosa(name):
    block = blocks()[name]
    ours, _ = describe_block(block, None)
    expected = reference(block)
    np.testing.assert_allclose(ours.power, expected["power"], rtol=1e-9)
    np.testing.assert_allclose(ours.centroid_hz, expected["centroid_hz"], rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(ours.flatness, expected["flatness"], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(ours.flux[1:], expected["flux"], rtol=1e-4, atol=1e-4)
    assert ours.flux[0] == 0  # the first frame of a title compares with itself


def test_peaks_equal_librosa_on_onsets_and_on_noise():
    speech, _ = describe_block(blocks()["speech"], None)
    rng = np.random.default_rng(5)
    for signal in (speech.flux, rng.random(4000) * 10, np.zeros(50), np.array([5.0])):
        expected = librosa.util.peak_pick(signal, **ONSET_PEAK)
        assert np.array_equal(pick_peaks(signal, **ONSET_PEAK), expected)
    assert len(pick_peaks(speech.flux, **ONSET_PEAK)) > 10
