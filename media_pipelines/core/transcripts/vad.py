"""Voice activity: where speech is, so only those regions are decoded and text outside them is suspect.

Silero VAD (the ONNX model inside faster-whisper, no download) scores each 32 ms window, fed block by
block as the audio streams; regions follow Silero's rules: speech starts at a window over the threshold
and ends after min_silence_ms under a lower one, regions shorter than min_speech_ms are dropped, and
each keeps speech_pad_ms of context, split evenly where two regions' pads would overlap.
"""

from dataclasses import dataclass

import numpy as np

from media_pipelines.core.transcripts.audio import SAMPLE_RATE

WINDOW = 512  # samples per score
_CONTEXT = 64  # samples of the window before that the model sees with each window
_STATE_SHAPE = (1, 1, 128)
# Under the threshold by this much before speech counts as paused (hysteresis), as Silero's own default.
_HYSTERESIS = 0.15


@dataclass(frozen=True)
class VadParams:
    threshold: float = 0.5
    min_speech_ms: int = 250
    min_silence_ms: int = 500
    speech_pad_ms: int = 300
    # Pauses shorter than this stay inside one decoded clip: Whisper needs the sentence around a word.
    merge_gap_s: float = 2.0
    # Clips are not merged past this length, so a talk-heavy film never holds more than this in memory.
    max_clip_s: float = 300.0


class SpeechScorer:
    """Speech probability per window, fed the audio in blocks of any length, in order."""

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model  # loads CTranslate2 too: only when a stage scores speech

        self._session = get_vad_model().session
        self._context = np.zeros(_CONTEXT, np.float32)
        self._h = np.zeros(_STATE_SHAPE, np.float32)
        self._c = np.zeros(_STATE_SHAPE, np.float32)
        self._pending = np.zeros(0, np.float32)
        self._scores: list[np.ndarray] = []
        self.samples = 0

    def feed(self, block: np.ndarray) -> None:
        self.samples += len(block)
        audio = np.concatenate([self._pending, block]) if len(self._pending) else block
        whole = len(audio) // WINDOW * WINDOW
        self._score(audio[:whole])
        self._pending = audio[whole:].copy()

    def regions(self, params: VadParams) -> list[tuple[float, float]]:
        """(start_s, end_s) of speech over everything fed. Scores the rest, padded with silence to a window,
        as Silero does (a whole window of it when the audio ends on a window's edge)."""
        self._score(np.pad(self._pending, (0, WINDOW - len(self._pending))))
        self._pending = np.zeros(0, np.float32)
        scores = np.concatenate(self._scores)
        return [
            (round(start / SAMPLE_RATE, 3), round(end / SAMPLE_RATE, 3))
            for start, end in _padded(_raw_regions(scores, self.samples, params), self.samples, params)
        ]

    def _score(self, audio: np.ndarray) -> None:
        if not len(audio):
            return
        windows = audio.reshape(-1, WINDOW)
        contexts = np.vstack([self._context[None, :], windows[:-1, -_CONTEXT:]])
        batch = np.concatenate([contexts, windows], axis=1)
        scores, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
        self._scores.append(np.asarray(scores, np.float32).reshape(-1))
        self._context = windows[-1, -_CONTEXT:].copy()


def _raw_regions(scores: np.ndarray, samples: int, params: VadParams) -> list[tuple[int, int]]:
    """Speech runs in samples, before padding."""
    min_speech = SAMPLE_RATE * params.min_speech_ms / 1000
    min_silence = SAMPLE_RATE * params.min_silence_ms / 1000
    pause_below = max(params.threshold - _HYSTERESIS, 0.01)
    regions, start, pause_at = [], None, None
    for index, score in enumerate(scores):
        at = index * WINDOW
        if score >= params.threshold:
            pause_at = None
            start = at if start is None else start
        elif score < pause_below and start is not None:
            pause_at = at if pause_at is None else pause_at
            if at - pause_at >= min_silence:
                if pause_at - start > min_speech:
                    regions.append((start, pause_at))
                start, pause_at = None, None
    if start is not None and samples - start > min_speech:
        regions.append((start, samples))
    return regions


def _padded(regions: list[tuple[int, int]], samples: int, params: VadParams) -> list[tuple[int, int]]:
    pad = SAMPLE_RATE * params.speech_pad_ms / 1000
    bounds = [list(r) for r in regions]
    for i, bound in enumerate(bounds):
        if i == 0:
            bound[0] = int(max(0, bound[0] - pad))
        if i + 1 < len(bounds):
            following = bounds[i + 1]
            gap = following[0] - bound[1]
            share = gap // 2 if gap < 2 * pad else pad
            bound[1] = int(min(samples, bound[1] + share))
            following[0] = int(max(0, following[0] - share))
        else:
            bound[1] = int(min(samples, bound[1] + pad))
    return [(start, end) for start, end in bounds]


def decode_clips(regions: list[tuple[float, float]], max_gap_s: float, max_clip_s: float) -> list[tuple[float, float]]:
    """Speech regions joined across short pauses into the clips a backend decodes, each at most max_clip_s
    unless one region alone is longer."""
    clips: list[tuple[float, float]] = []
    for start, end in regions:
        if clips and start - clips[-1][1] <= max_gap_s and end - clips[-1][0] <= max_clip_s:
            clips[-1] = (clips[-1][0], end)
        else:
            clips.append((start, end))
    return clips
