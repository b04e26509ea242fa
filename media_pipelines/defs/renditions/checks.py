"""Per-title QC verdicts for the renditions asset, computed from the same run's outputs."""

from dataclasses import dataclass

import dagster as dg

from media_pipelines.core.qc import LoudnessWindow
from media_pipelines.core.renditions.plan import RenditionKind
from media_pipelines.core.renditions.standardize import Rendition, StandardizeResult
from media_pipelines.core.renditions.verify import DecodeReport

DECODES_CHECK = "renditions_decode_completely"
DURATION_CHECK = "rendition_durations_match_source"
LOUDNESS_CHECK = "loudness_within_window"
BLACK_FREEZE_CHECK = "black_and_frozen_stretches"
SOURCE_DAMAGE_CHECK = "sources_decode_without_damage"
DESCRIPTIONS = {
    DECODES_CHECK: "Each rendition holds every frame ffmpeg encoded, and its first and last keyframe runs decode.",
    DURATION_CHECK: "Each rendition ends where its source stream ends on the title timeline, within a frame.",
    LOUDNESS_CHECK: "Each source's integrated loudness and true peak are inside the delivery window.",
    BLACK_FREEZE_CHECK: "Stretches of black or frozen picture, listed per source.",
    SOURCE_DAMAGE_CHECK: "Sources rendered past damaged packets, with where the damage starts.",
}
# Shots, transcripts and audio features read the renditions: a rendition cut short or off the title
# timeline would give them wrong times everywhere, so these two failing stops the stages below.
BLOCKING = frozenset({DECODES_CHECK, DURATION_CHECK})
CHECK_SPECS = [
    dg.AssetCheckSpec(name, asset="renditions", description=text, blocking=name in BLOCKING)
    for name, text in DESCRIPTIONS.items()
]

AUDIO_TOLERANCE_S = 0.05


@dataclass(frozen=True)
class Verified:
    source_id: str
    result: StandardizeResult
    decoded: dict[RenditionKind, DecodeReport]


def decode_check(items: list[Verified]) -> dg.AssetCheckResult:
    problems = []
    for item in items:
        for rendition in item.result.renditions:
            report = item.decoded[rendition.kind]
            if not report.ok:
                problems.append(f"{item.source_id}/{rendition.kind}: {report.error}")
            elif rendition.frame_count is not None and report.video_frames != rendition.frame_count:
                problems.append(
                    f"{item.source_id}/{rendition.kind}: decoded {report.video_frames}"
                    f" of {rendition.frame_count} frames"
                )
    return dg.AssetCheckResult(
        check_name=DECODES_CHECK, passed=not problems, metadata={"problems": "\n".join(problems) or "none"}
    )


def _duration_gap(rendition: Rendition, report: DecodeReport, result: StandardizeResult) -> tuple[float, float] | None:
    """(gap, tolerance) between what decodes and the source stream it was made from."""
    if rendition.kind == RenditionKind.AUDIO:
        if report.audio_end_s is None or result.source_audio_s is None:
            return None
        return abs(report.audio_end_s - result.source_audio_s), AUDIO_TOLERANCE_S
    if report.video_end_s is None or result.source_video_s is None or not rendition.fps:
        return None
    return abs(report.video_end_s - result.source_video_s), 1 / rendition.fps + 1e-3


def duration_check(items: list[Verified]) -> dg.AssetCheckResult:
    rows, passed = [], True
    for item in items:
        for rendition in item.result.renditions:
            gap = _duration_gap(rendition, item.decoded[rendition.kind], item.result)
            if gap is None:
                continue
            passed &= gap[0] <= gap[1]
            rows.append(f"| {item.source_id} | {rendition.kind} | {gap[0] * 1000:.1f} | {gap[1] * 1000:.1f} |")
    table = "| source | rendition | gap (ms) | tolerance (ms) |\n|---|---|---|---|\n" + "\n".join(rows)
    return dg.AssetCheckResult(check_name=DURATION_CHECK, passed=passed, metadata={"gaps": dg.MetadataValue.md(table)})


def loudness_check(items: list[Verified], window: LoudnessWindow) -> dg.AssetCheckResult:
    findings, measured = [], 0
    for item in items:
        loudness = item.result.qc.loudness
        if loudness is None or loudness.integrated_lufs is None:
            continue
        measured += 1
        findings += [
            f"{item.source_id}: {finding}"
            for finding in window.findings(loudness.integrated_lufs, loudness.true_peak_dbtp)
        ]
    return dg.AssetCheckResult(
        check_name=LOUDNESS_CHECK,
        passed=not findings,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "findings": "\n".join(findings) or ("all sources within the window" if measured else "no audio to measure")
        },
    )


def black_freeze_check(items: list[Verified]) -> dg.AssetCheckResult:
    findings = [
        f"{item.source_id}: {label} {s.start_s:.2f}-{s.end_s:.2f} s"
        for item in items
        for label, segments in (("black", item.result.qc.black), ("frozen", item.result.qc.freezes))
        for s in segments
    ]
    return dg.AssetCheckResult(
        check_name=BLACK_FREEZE_CHECK,
        passed=not findings,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"findings": "\n".join(findings) or "none"},
    )


def source_damage_check(items: list[Verified]) -> dg.AssetCheckResult:
    """A source rendered past damage (skipped or concealed packets) is kept, and this says where it was."""
    rows = [
        f"| {item.source_id} | {d.stream_type} | {d.decode_errors} | "
        + (f"{d.first_error_s:.3f} |" if d.first_error_s is not None else " |")
        for item in items
        for d in item.result.damage
    ]
    table = "| source | stream | damaged packets or frames | first at (s) |\n|---|---|---|---|\n" + "\n".join(rows)
    return dg.AssetCheckResult(
        check_name=SOURCE_DAMAGE_CHECK,
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"damage": dg.MetadataValue.md(table if rows else "none")},
    )
