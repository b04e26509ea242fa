"""The 16 kHz mono audio rendition as float32 samples, the form every ASR backend takes."""

from pathlib import Path

import av
import numpy as np

SAMPLE_RATE = 16000


def load_audio(path: Path) -> np.ndarray:
    """Decode to 16 kHz mono float32 in [-1, 1]; the rendition already is 16 kHz mono, so this only converts."""
    chunks = []
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
    return np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
