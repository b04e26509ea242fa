"""Per-frame descriptors of one audio block: level, spectral centroid, flatness, spectral flux.

NumPy only: the spectra, the Slaney mel filterbank and the peak picking follow librosa's definitions
(`stft` with a periodic Hann window and no centring, `spectral_centroid`, `spectral_flatness`,
`filters.mel`, `power_to_db`, `util.peak_pick`), which a test holds them to, without the SciPy and Numba
stack librosa loads (about 200 MB resident for the rest of a title's run).
"""

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

SAMPLE_RATE = 16000
FRAME_LENGTH = 1024  # 64 ms
HOP_LENGTH = 512  # 32 ms per frame
N_MELS = 40
_AMIN = 1e-10  # the floor under powers before logarithms
_TOP_DB = 80.0  # mel levels more than this under the block's loudest are raised to it


@dataclass(frozen=True)
class FrameBlock:
    power: np.ndarray  # mean square amplitude per frame
    centroid_hz: np.ndarray
    flatness: np.ndarray  # 0 for a pure tone, about 0.5 for white noise
    flux: np.ndarray  # positive log-mel change from the previous frame: the onset envelope


def describe_block(block: np.ndarray, previous_mel: np.ndarray | None) -> tuple[FrameBlock, np.ndarray | None]:
    """Frames without centring, so consecutive blocks tile the signal; the last mel column carries over so
    flux at a block's first frame compares with the frame before it, not with nothing."""
    if len(block) < FRAME_LENGTH:
        empty = np.zeros(0)
        return FrameBlock(empty, empty, empty, empty), previous_mel
    frames = sliding_window_view(block, FRAME_LENGTH)[::HOP_LENGTH]
    power = np.mean(np.square(frames, dtype=np.float64), axis=1)
    spectrum = np.abs(np.fft.rfft(frames * _hann(), axis=1)).T.astype(np.float32)  # (bins, frames)
    mel = _to_db(_mel_filters() @ np.square(spectrum))
    before = np.concatenate([mel[:, :1] if previous_mel is None else previous_mel, mel[:, :-1]], axis=1)
    flux = np.mean(np.maximum(0.0, mel - before), axis=0)
    return FrameBlock(power, _centroid(spectrum), _flatness(spectrum), flux), mel[:, -1:]


def pick_peaks(x: np.ndarray, pre_max: int, post_max: int, pre_avg: int, post_avg: int, delta: float, wait: int):
    """Indices n where x[n] is the largest of x[n - pre_max : n + post_max], at least delta above the mean of
    x[n - pre_avg : n + post_avg] (both windows cut at the ends), and more than `wait` after the last peak."""
    n = len(x)
    if not n:
        return np.zeros(0, int)
    padded = np.pad(x, (pre_max, post_max - 1), constant_values=-np.inf)
    local_max = sliding_window_view(padded, pre_max + post_max).max(axis=1)[:n]
    sums = np.concatenate([[0.0], np.cumsum(x, dtype=np.float64)])
    index = np.arange(n)
    lo, hi = np.maximum(0, index - pre_avg), np.minimum(n, index + post_avg)
    local_mean = (sums[hi] - sums[lo]) / (hi - lo)
    peaks, last = [], -np.inf
    for i in np.flatnonzero((x == local_max) & (x >= local_mean + delta) & (x != 0)):
        if i > last + wait:
            peaks.append(i)
            last = i
    return np.asarray(peaks, int)


@cache
def _hann() -> np.ndarray:
    """Periodic (DFT-even) Hann window, as spectral analysis uses."""
    return (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(FRAME_LENGTH) / FRAME_LENGTH)).astype(np.float32)


def _centroid(spectrum: np.ndarray) -> np.ndarray:
    frequencies = np.linspace(0, SAMPLE_RATE / 2, spectrum.shape[0])
    total = spectrum.sum(axis=0, dtype=np.float64)
    total[total < np.finfo(np.float32).tiny] = 1.0  # digital silence: centroid 0, not a division by zero
    return (frequencies[:, None] * spectrum).sum(axis=0) / total


def _flatness(spectrum: np.ndarray) -> np.ndarray:
    power = np.maximum(_AMIN, np.square(spectrum))
    return np.exp(np.mean(np.log(power), axis=0)) / np.mean(power, axis=0)


def _to_db(power: np.ndarray) -> np.ndarray:
    db = 10.0 * np.log10(np.maximum(_AMIN, power))
    return np.maximum(db, db.max() - _TOP_DB)


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above."""
    hz = np.asarray(hz, np.float64)
    linear = hz / (200.0 / 3)
    return np.where(hz >= 1000.0, 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27.0), linear)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    linear = mel * (200.0 / 3)
    return np.where(mel >= 15.0, 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0)), linear)


@cache
def _mel_filters() -> np.ndarray:
    """Triangular filters on the mel scale from 0 Hz to Nyquist, each of unit area (Slaney normalisation)."""
    bins = np.linspace(0, SAMPLE_RATE / 2, FRAME_LENGTH // 2 + 1)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(SAMPLE_RATE / 2), N_MELS + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - bins[None, :]
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights.astype(np.float32)
