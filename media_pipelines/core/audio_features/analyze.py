"""One streaming pass over an audio rendition: frame descriptors, classes and onsets, binned per shot and second."""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile

from media_pipelines.core.audio_features.bins import Bins, BinStats
from media_pipelines.core.audio_features.classes import AudioClass, classify
from media_pipelines.core.audio_features.frames import (
    FRAME_LENGTH,
    HOP_LENGTH,
    SAMPLE_RATE,
    describe_block,
    pick_peaks,
)

BLOCK_FRAMES = 512  # about 16 s of audio in memory at a time
# An onset is a spectral-flux peak that is the largest within ±96 ms and 3 dB above the flux around it.
ONSET_PEAK = {"pre_max": 3, "post_max": 3, "pre_avg": 10, "post_avg": 10, "delta": 3.0, "wait": 3}


@dataclass(frozen=True)
class AudioAnalysis:
    duration_s: float
    shots: dict[str, list[BinStats]]  # per video source heard with this audio
    seconds: list[BinStats]


def analyze_audio(
    path: Path, speech: list[tuple[float, float]], shot_edges: Mapping[str, Sequence[float]]
) -> AudioAnalysis:
    """speech: VAD regions; shot_edges: per video source, its shot starts in order, then the last shot's end."""
    info = soundfile.info(str(path))
    if info.samplerate != SAMPLE_RATE:
        raise ValueError(f"{path.name}: expected the {SAMPLE_RATE} Hz audio rendition, got {info.samplerate} Hz")
    duration = info.frames / SAMPLE_RATE
    shots = {video: Bins(np.asarray(edges)) for video, edges in shot_edges.items()}
    seconds = Bins(np.arange(0, math.ceil(duration) + 1, dtype=np.float64))
    regions = np.asarray(speech, np.float64).reshape(-1, 2)
    first_frame, mel = 0, None
    # Consecutive blocks overlap by a frame less a hop, so their frames tile the signal.
    blocks = soundfile.blocks(
        str(path),
        blocksize=FRAME_LENGTH + (BLOCK_FRAMES - 1) * HOP_LENGTH,
        overlap=FRAME_LENGTH - HOP_LENGTH,
        dtype="float32",
        always_2d=False,
    )
    for block in blocks:
        described, mel = describe_block(block, mel)
        n = len(described.power)
        times = (first_frame + np.arange(n)) * HOP_LENGTH / SAMPLE_RATE + FRAME_LENGTH / 2 / SAMPLE_RATE
        classes = classify(times, described.power, described.flatness, regions)
        onset = np.zeros(n)
        if n:
            onset[pick_peaks(described.flux, **ONSET_PEAK)] = 1
        onset[classes == AudioClass.SILENCE] = 0
        for bins in (*shots.values(), seconds):
            bins.add(times, described.power, described.centroid_hz, classes, onset)
        first_frame += n
    return AudioAnalysis(round(duration, 3), {v: b.stats() for v, b in shots.items()}, seconds.stats())
