import numpy as np
import pytest
import soundfile

from media_pipelines.core.audio_features.analyze import analyze_audio

SR = 16000


def _seconds(n: float) -> np.ndarray:
    return np.arange(int(n * SR)) / SR


def _program(path):
    """0-2 s digital silence, 2-4 s a pitched tone, 4-6 s white noise, 6-8 s clicks every 250 ms on a noise bed."""
    rng = np.random.default_rng(1)
    t = _seconds(2)
    tone = 0.25 * sum(np.sin(2 * np.pi * f * t) / k for k, f in enumerate((440, 880, 1320), 1))
    clicks = rng.normal(0, 0.003, len(t))
    for start in np.arange(0.125, 2, 0.25):
        i = int(start * SR)
        clicks[i : i + 160] += rng.normal(0, 0.5, 160)
    audio = np.concatenate([np.zeros(2 * SR), tone, rng.normal(0, 0.1, 2 * SR), clicks]).astype(np.float32)
    soundfile.write(str(path), audio, SR, format="FLAC")
    return path


def test_each_stretch_gets_its_class_level_and_onsets(tmp_path):
    analysis = analyze_audio(_program(tmp_path / "a.flac"), [(6.0, 8.0)], {"film": [0, 2, 4, 6, 8], "alt": [0, 8]})
    silence, tone, noise, speech = analysis.shots["film"]
    [whole] = analysis.shots["alt"]
    assert whole.music_share == pytest.approx(0.25, abs=0.02) and whole.speech_share == pytest.approx(0.25, abs=0.02)
    assert analysis.duration_s == 8.0 and len(analysis.seconds) == 8
    assert silence.silence_share > 0.95  # a 64 ms frame centred just before 2 s already hears the tone
    first_second = analysis.seconds[0]
    assert first_second.silence_share == 1 and first_second.spectral_centroid_hz is None
    assert first_second.onset_rate == 0 and first_second.rms_dbfs == -120
    assert tone.music_share > 0.95 and 400 < tone.spectral_centroid_hz < 900
    assert tone.rms_dbfs == pytest.approx(20 * np.log10(0.25 * np.sqrt((1 + 1 / 4 + 1 / 9) / 2)), abs=0.3)
    assert noise.other_share > 0.95 and noise.spectral_centroid_hz > 3000
    assert noise.rms_dbfs == pytest.approx(-20, abs=0.3)
    assert speech.speech_share > 0.95 and speech.onset_rate == pytest.approx(4, abs=0.5)
    assert [round(s.silence_share) for s in analysis.seconds] == [1, 1, 0, 0, 0, 0, 0, 0]


def test_audio_shorter_than_one_frame_or_without_shots(tmp_path):
    path = tmp_path / "short.flac"
    soundfile.write(str(path), np.zeros(100, np.float32), SR, format="FLAC")
    analysis = analyze_audio(path, speech=[], shot_edges={})
    assert analysis.shots == {} and [s.rms_dbfs for s in analysis.seconds] == [None]
