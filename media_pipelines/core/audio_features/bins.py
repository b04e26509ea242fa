"""Frame descriptors summed into time bins (shots, seconds): memory grows with bins, never with frames."""

from dataclasses import dataclass

import numpy as np

from media_pipelines.core.audio_features.classes import AudioClass, level_dbfs


@dataclass(frozen=True)
class BinStats:
    start_s: float
    end_s: float
    rms_dbfs: float | None  # level of the mean power; None for a bin no audio frame falls in
    speech_share: float
    music_share: float
    silence_share: float
    other_share: float
    onset_rate: float  # onsets per second
    spectral_centroid_hz: float | None  # mean over frames that are not silence


class Bins:
    def __init__(self, edges: np.ndarray):
        """edges: bin starts in order, then the end of the last bin."""
        self.edges = np.asarray(edges, np.float64)
        n = max(len(self.edges) - 1, 0)
        self.frames = np.zeros(n)
        self.power = np.zeros(n)
        self.classes = np.zeros((n, len(AudioClass)))
        self.centroid = np.zeros(n)
        self.sounding = np.zeros(n)
        self.onsets = np.zeros(n)

    def add(self, times_s, power, centroid_hz, classes, onset) -> None:
        index = np.searchsorted(self.edges, times_s, side="right") - 1
        keep = (index >= 0) & (index < len(self.frames))
        index, classes, sounding = index[keep], classes[keep], classes[keep] != AudioClass.SILENCE
        np.add.at(self.frames, index, 1)
        np.add.at(self.power, index, power[keep])
        np.add.at(self.classes, (index, classes), 1)
        np.add.at(self.centroid, index, np.where(sounding, centroid_hz[keep], 0.0))
        np.add.at(self.sounding, index, sounding)
        np.add.at(self.onsets, index, onset[keep])

    def stats(self) -> list[BinStats]:
        out = []
        for i in range(len(self.frames)):
            n, start, end = self.frames[i], float(self.edges[i]), float(self.edges[i + 1])
            shares = self.classes[i] / n if n else np.zeros(len(AudioClass))
            out.append(
                BinStats(
                    start_s=round(start, 3),
                    end_s=round(end, 3),
                    rms_dbfs=round(float(level_dbfs(self.power[i] / n)), 2) if n else None,
                    speech_share=round(float(shares[AudioClass.SPEECH]), 4),
                    music_share=round(float(shares[AudioClass.MUSIC]), 4),
                    silence_share=round(float(shares[AudioClass.SILENCE]), 4),
                    other_share=round(float(shares[AudioClass.OTHER]), 4),
                    onset_rate=round(float(self.onsets[i] / (end - start)), 3) if end > start else 0.0,
                    spectral_centroid_hz=round(float(self.centroid[i] / self.sounding[i]), 1)
                    if self.sounding[i]
                    else None,
                )
            )
        return out
