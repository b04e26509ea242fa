"""The shots stage for one source: detect on the proxy, sample features, cut keyframes from the mezzanine."""

import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from itertools import groupby
from pathlib import Path

import numpy as np
from PIL import Image
from threadpoolctl import threadpool_limits

from media_pipelines.core.shots.decode import stream_proxy
from media_pipelines.core.shots.detector import DetectorParams, ShotDetector
from media_pipelines.core.shots.features import FrameFeatures, batch_features, frame_features, luma, motion
from media_pipelines.core.shots.keyframes import choose_keyframe, frames_at
from media_pipelines.core.shots.segments import Shot, shots_from_boundaries

# One keyframe worker per core, at most four: stages in the cpu pool already run side by side.
KEYFRAME_WORKERS = min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


@dataclass(frozen=True)
class ShotParams:
    sample_interval_s: float = 1.0
    min_shot_s: float = 0.2
    keyframe_quality: int = 90
    duplicate_max_distance: int = 10
    detector: DetectorParams = field(default_factory=DetectorParams)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


@dataclass(frozen=True)
class FrameRecord:
    frame_index: int
    shot_index: int
    features: FrameFeatures
    motion: float | None = None
    keyframe_path: Path | None = None


@dataclass(frozen=True)
class SourceShots:
    fps: float
    frame_count: int
    shots: list[Shot]
    frames: list[FrameRecord]  # samples and keyframes, in frame order, one record per frame index

    def keyframes(self) -> dict[int, FrameRecord]:
        return {f.shot_index: f for f in self.frames if f.keyframe_path}


@dataclass(frozen=True)
class ProxyScan:
    fps: float
    frame_count: int
    shots: list[Shot]
    samples: list[FrameRecord]


def scan_proxy(proxy: Path, fps: float, params: ShotParams) -> ProxyScan:
    """The one decode of the proxy: every frame feeds the detector, every sampled frame the features."""
    detector = ShotDetector(fps, params.detector)
    boundaries, samples = [], []
    previous: np.ndarray | None = None
    every = max(1, round(params.sample_interval_s * fps))
    # Per-frame matrices are small: BLAS threads would only spin on the core the decoder needs.
    with threadpool_limits(limits=1, user_api="blas"):
        for batch in stream_proxy(proxy, sample_every=every):
            boundaries += detector.push(batch.frames)
            if not batch.sample_indices:
                continue
            y = luma(batch.samples)
            features = batch_features(batch.samples, y)
            samples += zip(batch.sample_indices, features, motion(previous, y), strict=True)
            previous = y[-1]
    boundaries += detector.finish()
    shots = shots_from_boundaries(boundaries, detector.count, min_frames=max(1, round(params.min_shot_s * fps)))
    shot_of = np.repeat([s.index for s in shots], [s.end_frame - s.start_frame for s in shots])
    records = [FrameRecord(i, int(shot_of[i]), f, m) for i, f, m in samples if i < len(shot_of)]
    return ProxyScan(fps, detector.count, shots, records)


def analyze_source(
    proxy: Path,
    proxy_size: tuple[int, int],
    mezzanine: Path,
    fps: float,
    keyframe_interval: int,
    params: ShotParams,
    out_dir: Path,
    workers: int = KEYFRAME_WORKERS,
) -> SourceShots:
    """Scan the proxy, then cut each shot's keyframe from the mezzanine (whose GOP is keyframe_interval frames).

    Features stay those of the proxy-size frame, so keyframes and samples compare on one scale.
    """
    scan = scan_proxy(proxy, fps, params)
    by_shot: dict[int, list[FrameRecord]] = {}
    for record in scan.samples:
        by_shot.setdefault(record.shot_index, []).append(record)
    chosen = {
        shot.index: choose_keyframe(
            shot, [(r.frame_index, r.features) for r in by_shot.get(shot.index, [])], keyframe_interval
        )
        for shot in scan.shots
    }
    sampled = {r.frame_index: r for r in scan.samples}
    out_dir.mkdir(parents=True, exist_ok=True)
    shots_at: dict[int, list[int]] = {}
    for shot_index, index in chosen.items():
        shots_at.setdefault(index, []).append(shot_index)

    def cut(indices: list[int]) -> dict[int, FrameRecord]:
        cut_records = {}
        for index, rgb in frames_at(mezzanine, indices, fps, keyframe_interval):
            for shot_index in shots_at[index]:
                path = out_dir / f"shot_{shot_index:05d}.jpg"
                image = Image.fromarray(rgb)
                image.save(path, quality=params.keyframe_quality)
                if index in sampled:
                    cut_records[index] = replace(sampled[index], keyframe_path=path)
                else:
                    small = np.asarray(image.resize(proxy_size, Image.Resampling.BOX))
                    cut_records[index] = FrameRecord(index, shot_index, frame_features(small), keyframe_path=path)
        return cut_records

    records = dict(sampled)
    # Decoding and JPEG encoding leave the GIL, so each worker's run of GOPs decodes on its own core.
    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
        for cut_records in pool.map(cut, _gop_runs(sorted(shots_at), keyframe_interval, workers)):
            records |= cut_records
    return SourceShots(fps, scan.frame_count, scan.shots, [records[i] for i in sorted(records)])


def _gop_runs(indices: list[int], keyframe_interval: int, runs: int) -> list[list[int]]:
    """Sorted frame indices in up to `runs` consecutive runs that never split a GOP, so none is decoded twice."""
    gops = [list(group) for _, group in groupby(indices, key=lambda i: i // keyframe_interval)]
    size = max(1, -(-len(gops) // runs))
    return [[i for gop in gops[start : start + size] for i in gop] for start in range(0, len(gops), size)]
