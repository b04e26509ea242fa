"""Per-frame descriptors of one audio block: level, spectral centroid, flatness, spectral flux."""

from dataclasses import dataclass

import librosa
import numpy as np

SAMPLE_RATE = 16000
FRAME_LENGTH = 1024  # 64 ms
HOP_LENGTH = 512  # 32 ms per frame
N_MELS = 40


@dataclass(frozen=True)
class FrameBlock:
    power: np.ndarray  # mean square amplitude per frame
    centroid_hz: np.ndarray
    flatness: np.ndarray  # 0 for a pure tone, about 0.5 for white noise
    flux: np.ndarray  # positive log-mel change from the previous frame: the onset envelope


def describe_block(block: np.ndarray, previous_mel: np.ndarray | None) -> tuple[FrameBlock, np.ndarray | None]:
    """Frames without centring, so blocks from librosa.stream tile the signal; the last mel column carries
    over so flux at a block's first frame compares with the frame before it, not with nothing."""
    frames = (
        librosa.util.frame(block, frame_length=FRAME_LENGTH, hop_length=HOP_LENGTH)
        if len(block) >= FRAME_LENGTH
        else None
    )
    if frames is None:
        empty = np.zeros(0)
        return FrameBlock(empty, empty, empty, empty), previous_mel
    power = np.mean(np.square(frames, dtype=np.float64), axis=0)
    spectrum = np.abs(librosa.stft(block, n_fft=FRAME_LENGTH, hop_length=HOP_LENGTH, center=False))
    centroid = librosa.feature.spectral_centroid(S=spectrum, sr=SAMPLE_RATE)[0]
    flatness = librosa.feature.spectral_flatness(S=spectrum)[0]
    mel = librosa.power_to_db(librosa.feature.melspectrogram(S=spectrum**2, sr=SAMPLE_RATE, n_mels=N_MELS), ref=1.0)
    before = np.concatenate([mel[:, :1] if previous_mel is None else previous_mel, mel[:, :-1]], axis=1)
    flux = np.mean(np.maximum(0.0, mel - before), axis=0)
    return FrameBlock(power, centroid, flatness, flux), mel[:, -1:]
