"""Word times snapped to the waveform: Whisper stretches a word over the pause before it, the energy does not."""

import numpy as np

from media_pipelines.core.transcripts.audio import SAMPLE_RATE
from media_pipelines.core.transcripts.backend import Word

HOP_S = 0.01
_HOP = int(SAMPLE_RATE * HOP_S)


def active_frames(audio: np.ndarray) -> np.ndarray:
    """Per 10 ms: within 25 dB of loud speech and 6 dB above the floor; a relative rule, so digital silence
    before a noisy recording does not pull the threshold under the recording's own background."""
    frames = audio[: len(audio) // _HOP * _HOP].reshape(-1, _HOP)
    if not len(frames):
        return np.zeros(0, bool)
    level = 10 * np.log10(np.square(frames, dtype=np.float64).mean(axis=1) + 1e-12)
    floor, speech = np.percentile(level, [10, 95])
    return level > max(speech - 25.0, floor + 6.0)


def snap_word(word: Word, active: np.ndarray) -> Word:
    """Start moved to the first loud frame inside the word, end to the last; a word with none keeps its times."""
    first, last = round(word.start / HOP_S), round(word.end / HOP_S)
    loud = np.flatnonzero(active[first:last])
    if not len(loud):
        return word
    start = round(max(word.start, (first + loud[0]) * HOP_S), 3)
    end = round(max(start, min(word.end, (first + loud[-1] + 1) * HOP_S)), 3)
    return Word(word.word, start, end, word.probability)
