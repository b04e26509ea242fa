"""Word times snapped to the waveform: Whisper stretches a word over the pause before it, the energy does not."""

import numpy as np

from media_pipelines.core.transcripts.audio import SAMPLE_RATE
from media_pipelines.core.transcripts.backend import Word

HOP_S = 0.01
_HOP = int(SAMPLE_RATE * HOP_S)
# Whisper's timestamps come in 20 ms steps: a loud run ending up to 50 ms before a word still is its onset.
_TOUCH_FRAMES = 5
# Silence this long (150 ms) inside a word's span is a pause, not a stop consonant's closure: Whisper
# stretched the word over the pause, and sound after it belongs to the next word.
_PAUSE_FRAMES = 15


def frame_levels(samples: np.ndarray) -> np.ndarray:
    """Level in dB per 10 ms frame of a block whose length is a whole number of frames (a final block may
    end in a partial frame, which is left out)."""
    frames = samples[: len(samples) // _HOP * _HOP].reshape(-1, _HOP)
    return 10 * np.log10(np.square(frames, dtype=np.float64).mean(axis=1) + 1e-12)


def active_frames(levels: np.ndarray) -> np.ndarray:
    """Per 10 ms: within 25 dB of loud speech and 6 dB above the floor; a relative rule, so digital silence
    before a noisy recording does not pull the threshold under the recording's own background."""
    if not len(levels):
        return np.zeros(0, bool)
    floor, speech = np.percentile(levels, [10, 95])
    return levels > max(speech - 25.0, floor + 6.0)


def snap_word(word: Word, active: np.ndarray, after_s: float | None = None) -> Word:
    """Start moved to the first loud frame inside the word, end to the last before any pause in it; a word
    with none keeps its times. Cut at the pause, a word stretched over it leaves the next word's onset
    (which it would otherwise swallow) to that word.

    With after_s (where the previous word ends), a word Whisper starts late, inside or just after the sound
    that is its own onset, also moves back to where that sound begins, provided silence separates it from
    the previous word: int8 decoding can put "ask" after its 0.4 s of speech, in the pause that follows it.
    """
    start_s = _run_start(word.start, active, after_s) if after_s is not None else word.start
    first, last = round(start_s / HOP_S), round(word.end / HOP_S)
    loud = np.flatnonzero(active[first:last])
    if not len(loud):
        return word
    pauses = np.flatnonzero(np.diff(loud) > _PAUSE_FRAMES)
    last_loud = loud[pauses[0]] if len(pauses) else loud[-1]
    start = round(max(start_s, (first + loud[0]) * HOP_S), 3)
    end = round(max(start, min(word.end, (first + last_loud + 1) * HOP_S)), 3)
    return Word(word.word, start, end, word.probability)


def _run_start(start_s: float, active: np.ndarray, after_s: float) -> float:
    """Where the loud run that holds start_s, or ends right at it, begins; start_s when that run reaches back
    to after_s (no pause before it, so the sound may be the previous word's)."""
    frame, floor = min(round(start_s / HOP_S), len(active) - 1), round(after_s / HOP_S)
    touching = [f for f in range(frame, max(frame - _TOUCH_FRAMES, floor, -1), -1) if active[f]]
    if not touching:
        return start_s
    run = touching[0]
    while run > floor and active[run - 1]:
        run -= 1
    return start_s if run <= floor else run * HOP_S
