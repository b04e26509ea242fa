"""Voice activity: where speech is, so only those regions are decoded and text outside them is suspect."""

from dataclasses import dataclass

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps

from media_pipelines.core.transcripts.audio import SAMPLE_RATE


@dataclass(frozen=True)
class VadParams:
    threshold: float = 0.5
    min_speech_ms: int = 250
    min_silence_ms: int = 500
    speech_pad_ms: int = 300
    # Pauses shorter than this stay inside one decoded clip: Whisper needs the sentence around a word.
    merge_gap_s: float = 2.0


def speech_regions(audio: np.ndarray, params: VadParams) -> list[tuple[float, float]]:
    """(start_s, end_s) of speech, by the Silero VAD model that ships inside faster-whisper (no download)."""
    options = VadOptions(
        threshold=params.threshold,
        min_speech_duration_ms=params.min_speech_ms,
        min_silence_duration_ms=params.min_silence_ms,
        speech_pad_ms=params.speech_pad_ms,
    )
    return [
        (round(r["start"] / SAMPLE_RATE, 3), round(r["end"] / SAMPLE_RATE, 3))
        for r in get_speech_timestamps(audio, options)
    ]


def decode_clips(regions: list[tuple[float, float]], max_gap_s: float) -> list[tuple[float, float]]:
    """Speech regions joined across short pauses into the clips a backend decodes."""
    clips: list[tuple[float, float]] = []
    for start, end in regions:
        if clips and start - clips[-1][1] <= max_gap_s:
            clips[-1] = (clips[-1][0], end)
        else:
            clips.append((start, end))
    return clips
