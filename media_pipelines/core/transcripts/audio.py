"""The 16 kHz mono audio rendition, read as float32 samples in [-1, 1]: streamed in blocks, or one clip."""

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile

SAMPLE_RATE = 16000
# 32 s: a whole number of VAD windows (512 samples) and of 10 ms level frames (160), so blocks tile both.
BLOCK_SAMPLES = 512_000


def _check_rate(path: Path) -> None:
    info = soundfile.info(str(path))
    if info.samplerate != SAMPLE_RATE or info.channels != 1:
        raise ValueError(f"{path.name}: expected the {SAMPLE_RATE} Hz mono audio rendition")


def audio_blocks(path: Path) -> Iterator[np.ndarray]:
    _check_rate(path)
    yield from soundfile.blocks(str(path), blocksize=BLOCK_SAMPLES, dtype="float32", always_2d=False)


def read_clip(path: Path, start_s: float, end_s: float) -> np.ndarray:
    """The samples from start_s to end_s, read by seeking, never the whole file."""
    _check_rate(path)
    start, stop = round(start_s * SAMPLE_RATE), round(end_s * SAMPLE_RATE)
    return soundfile.read(str(path), start=start, stop=stop, dtype="float32", always_2d=False)[0]
