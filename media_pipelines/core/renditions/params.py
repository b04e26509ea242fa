"""What a rendition run is asked to produce; every field is provenance and part of the stage version."""

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class RenditionParams:
    target_height: int = 480
    keyframe_interval_s: float = 2.0
    crf: int = 20
    preset: str = "veryfast"
    audio_bitrate: str = "160k"
    proxy_height: int = 144
    proxy_crf: int = 28
    asr_sample_rate: int = 16000
    black_min_s: float = 0.5
    black_pixel_threshold: float = 0.10
    freeze_min_s: float = 2.0
    freeze_noise_db: float = -60.0

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)
