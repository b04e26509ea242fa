"""What each 32 ms of audio is: speech, music, silence or other, by a documented rule.

Silence: below SILENCE_DBFS. Speech: inside a VAD speech region (the transcripts stage's Silero regions).
Music: the rest when the spectrum is tonal (flatness below MUSIC_MAX_FLATNESS); sustained pitched sound
is what separates a score from effects, crowd and room noise, which are noise-like. Other: everything left.
"""

from enum import IntEnum

import numpy as np

SILENCE_DBFS = -55.0
MUSIC_MAX_FLATNESS = 0.1


class AudioClass(IntEnum):
    SPEECH = 0
    MUSIC = 1
    SILENCE = 2
    OTHER = 3


def level_dbfs(power: np.ndarray) -> np.ndarray:
    return 10 * np.log10(np.maximum(power, 1e-12))


def classify(times_s: np.ndarray, power: np.ndarray, flatness: np.ndarray, speech: np.ndarray) -> np.ndarray:
    """speech: (n, 2) region starts and ends in time order."""
    inside = np.zeros(len(times_s), bool)
    if len(speech):
        region = np.searchsorted(speech[:, 0], times_s, side="right") - 1
        inside = (region >= 0) & (times_s < speech[np.maximum(region, 0), 1])
    classes = np.full(len(times_s), AudioClass.OTHER, np.int8)
    classes[flatness < MUSIC_MAX_FLATNESS] = AudioClass.MUSIC
    classes[inside] = AudioClass.SPEECH
    classes[level_dbfs(power) < SILENCE_DBFS] = AudioClass.SILENCE
    return classes
