"""Run a rendition plan and describe what it produced, with the QC figures from the same pass."""

import subprocess
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from media_pipelines.core.media_types import ErrorType, MediaFileError
from media_pipelines.core.probe import Probe, probe_file
from media_pipelines.core.renditions.damage import StreamDamage, first_error_s
from media_pipelines.core.renditions.ffmpeg_log import (
    Loudness,
    Segment,
    parse_black,
    parse_decode_errors,
    parse_frames_encoded,
    parse_freezes,
    parse_loudness,
)
from media_pipelines.core.renditions.params import RenditionParams
from media_pipelines.core.renditions.plan import RenditionKind, pick_streams, plan_renditions
from media_pipelines.core.renditions.still import extract_still, still_time_s
from media_pipelines.core.renditions.verify import DecodeReport, verify_rendition

STILL = "still.jpg"


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
    source_start_s: float  # the source's own presentation start, which is t = 0 of the title timeline
    # Where the rendered streams start and end on the title timeline (renditions are padded to start at 0).
    video_start_s: float | None
    source_video_s: float | None
    audio_start_s: float | None
    source_audio_s: float | None
    damage: tuple[StreamDamage, ...] = ()
    # Per rendition, what ffmpeg reported encoding into it by stream type: the count its file must hold.
    frames_encoded: dict[RenditionKind, dict[str, int]] = field(default_factory=dict)


def standardize(source: Path, probe: Probe, params: RenditionParams, out_dir: Path) -> StandardizeResult:
    """Decode the source once; raises MediaFileError when ffmpeg cannot get through it."""
    plan = plan_renditions(source, probe, params, out_dir)
    if not plan.outputs:
        raise MediaFileError(ErrorType.UNRECOGNIZED_FORMAT, "no video or audio stream to render")
    out_dir.mkdir(parents=True, exist_ok=True)
    video, audio = pick_streams(probe)
    process = _run(plan.argv)
    errors = parse_decode_errors(process.stderr)
    if video and errors.get(video.index):
        # Concealment under frame threads differs from run to run; one decoder thread makes it reproducible.
        # Only a damaged source pays for the second pass.
        plan = plan_renditions(source, probe, params, out_dir, one_decoder_thread=True)
        process = _run(plan.argv)
        errors = parse_decode_errors(process.stderr)
    renditions = [describe(kind, path, plan.fps) for kind, path in plan.outputs.items()]
    encoded = parse_frames_encoded(process.stderr)
    video_end_s = (video.end_s if video else None) or 0.0
    qc = QcReport(
        loudness=parse_loudness(process.stderr),
        black=parse_black(process.stderr),
        freezes=parse_freezes(process.stderr, video_end_s),
    )
    return StandardizeResult(
        renditions=renditions,
        qc=qc,
        notes=plan.notes,
        fps=str(plan.fps) if plan.fps else None,
        source_start_s=probe.start_s,
        video_start_s=video.start_s if video else None,
        source_video_s=video.end_s if video else None,
        audio_start_s=audio.start_s if audio else None,
        source_audio_s=audio.end_s if audio else None,
        damage=_damage(source, probe, (video, audio), errors),
        frames_encoded={kind: encoded.get(str(path), {}) for kind, path in plan.outputs.items()},
    )


@dataclass(frozen=True)
class VerifiedRenditions:
    result: StandardizeResult
    decoded: dict[RenditionKind, DecodeReport]
    still: Path | None


def render_source(source: Path, params: RenditionParams, out_dir: Path) -> VerifiedRenditions:
    """Probe, render, verify every rendition against what ffmpeg encoded, and cut the preview still; raises
    MediaFileError for a source that cannot be rendered."""
    result = standardize(source, probe_file(source), params, out_dir)
    decoded = {r.kind: verify_rendition(r.path, result.frames_encoded[r.kind]) for r in result.renditions}
    mezzanine = next((r for r in result.renditions if r.kind == RenditionKind.MEZZANINE), None)
    still = _still(mezzanine, out_dir / STILL) if mezzanine and mezzanine.duration_s else None
    return VerifiedRenditions(result, decoded, still)


def _still(mezzanine: Rendition, out: Path) -> Path | None:
    """The preview still; a source whose mezzanine rendered and decoded is never lost over its preview."""
    try:
        return extract_still(
            mezzanine.path, still_time_s(mezzanine.frame_count, mezzanine.fps, mezzanine.duration_s), out
        )
    except RuntimeError:
        return None


def _run(argv: list[str]) -> subprocess.CompletedProcess:
    process = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace")
    if process.returncode:
        raise MediaFileError(ErrorType.DECODE_ERROR, f"ffmpeg exited {process.returncode}: {process.stderr[-1500:]}")
    return process


def _damage(source: Path, probe: Probe, used: tuple, errors: dict[int, int]) -> tuple[StreamDamage, ...]:
    return tuple(
        StreamDamage(s.index, s.type, errors[s.index], first_error_s(source, s.index, probe.start_s))
        for s in used
        if s is not None and errors.get(s.index)
    )


def describe(kind: RenditionKind, path: Path, fps: Fraction | None = None) -> Rendition:
    """What a rendition holds; a video's rate is the constant one it was made at (a one-frame file has no
    average rate to read back)."""
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
        fps=(round(float(fps), 6) if fps else video.avg_frame_rate) if video else None,
        frame_count=video.frame_count if video else None,
        sample_rate=audio.sample_rate if audio else None,
        channels=audio.channels if audio else None,
        duration_s=(main.duration_s or probe.duration_s) if main else probe.duration_s,
        size_bytes=path.stat().st_size,
    )
