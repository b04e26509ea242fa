"""Run a rendition plan and describe what it produced, with the QC figures from the same pass."""

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import av

from media_pipelines.core.media_types import ErrorType, MediaFileError
from media_pipelines.core.probe import Probe, probe_file
from media_pipelines.core.renditions.ffmpeg_log import Loudness, Segment, parse_black, parse_freezes, parse_loudness
from media_pipelines.core.renditions.params import RenditionParams
from media_pipelines.core.renditions.plan import RenditionKind, pick_streams, plan_renditions


@dataclass(frozen=True)
class Rendition:
    kind: RenditionKind
    path: Path
    codec: str | None
    width: int | None
    height: int | None
    fps: float | None
    frame_count: int | None
    sample_rate: int | None
    channels: int | None
    duration_s: float | None
    size_bytes: int


@dataclass(frozen=True)
class QcReport:
    loudness: Loudness | None
    black: list[Segment] = field(default_factory=list)
    freezes: list[Segment] = field(default_factory=list)


@dataclass(frozen=True)
class StandardizeResult:
    renditions: list[Rendition]
    qc: QcReport
    notes: tuple[str, ...]
    fps: str | None
    source_start_s: float
    source_video_s: float | None
    source_audio_s: float | None


def source_durations(source: Path, probe: Probe) -> tuple[float | None, float | None]:
    """(video, audio) durations of the streams a rendition is made from; video ends where its last frame does."""
    video, audio = pick_streams(probe)
    return (
        video_end_s(source, video.index) if video else None,
        (audio.duration_s or probe.duration_s) if audio else None,
    )


def video_end_s(path: Path, stream_index: int) -> float | None:
    """Last frame's presentation time plus its duration, from packets alone (no decode).

    Container headers disagree with this for variable-rate and edited MP4s, and the frames are what count.
    """
    with av.open(str(path)) as container:
        stream = container.streams[stream_index]
        start = stream.start_time or 0
        end = max(
            (p.pts + (p.duration or 0) for p in container.demux(stream) if p.pts is not None),
            default=None,
        )
        return float((end - start) * stream.time_base) if end is not None else None


def standardize(source: Path, probe: Probe, params: RenditionParams, out_dir: Path) -> StandardizeResult:
    """Decode the source once; raises MediaFileError when ffmpeg cannot get through it."""
    plan = plan_renditions(source, probe, params, out_dir)
    if not plan.outputs:
        raise MediaFileError(ErrorType.UNRECOGNIZED_FORMAT, "no video or audio stream to render")
    out_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.run(plan.argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace")
    if process.returncode:
        raise MediaFileError(ErrorType.DECODE_ERROR, f"ffmpeg exited {process.returncode}: {process.stderr[-1500:]}")
    renditions = [describe(kind, path) for kind, path in plan.outputs.items()]
    video_s, audio_s = source_durations(source, probe)
    qc = QcReport(
        loudness=parse_loudness(process.stderr),
        black=parse_black(process.stderr),
        freezes=parse_freezes(process.stderr, video_s or 0.0),
    )
    fps = str(plan.fps) if plan.fps else None
    return StandardizeResult(renditions, qc, plan.notes, fps, probe.start_s, video_s, audio_s)


def describe(kind: RenditionKind, path: Path) -> Rendition:
    probe = probe_file(path)
    video = next((s for s in probe.streams if s.type == "video"), None)
    audio = next((s for s in probe.streams if s.type == "audio"), None)
    main = video or audio
    return Rendition(
        kind=kind,
        path=path,
        codec=main.codec if main else None,
        width=video.width if video else None,
        height=video.height if video else None,
        fps=video.avg_frame_rate if video else None,
        frame_count=video.frame_count if video else None,
        sample_rate=audio.sample_rate if audio else None,
        channels=audio.channels if audio else None,
        duration_s=(main.duration_s or probe.duration_s) if main else probe.duration_s,
        size_bytes=path.stat().st_size,
    )
