"""One row per title: how long, how cut, how much speech, how loud, and whether delivery QC passed."""

import statistics
from collections import Counter
from collections.abc import Sequence

from media_pipelines.core.qc import LoudnessWindow

OK, WARNING, FAILED = "ok", "warning", "failed"


def summarize_title(
    media_rows: Sequence[dict],
    renditions: Sequence[dict],
    qc_rows: Sequence[dict],
    main_audio_id: str | None,
    speech: Sequence[dict],
    segments: Sequence[dict],
    words: Sequence[dict],
    quarantined_files: int,
    subtitle_drifts_ms: dict[str, float | None],
    max_drift_ms: float,
    annotation_labels: Sequence[str],
    window: LoudnessWindow,
) -> dict:
    video_s = sum(r["duration_s"] or 0 for r in renditions if r["kind"] == "mezzanine")
    durations = {r["source_id"]: r["duration_s"] or 0 for r in renditions if r["kind"] == "audio"}
    audio_s = durations.get(main_audio_id, 0.0)
    speech_s = sum(r["end_s"] - r["start_s"] for r in speech if r["source_id"] == main_audio_id)
    main_words = sum(w["source_id"] == main_audio_id for w in words)
    languages = Counter((s["language"], s["language_probability"]) for s in segments if s["source_id"] == main_audio_id)
    language, language_probability = languages.most_common(1)[0][0] if languages else (None, None)
    qc = {r["source_id"]: r for r in qc_rows}
    loudness = qc.get(main_audio_id, {})
    transitions = Counter(r["transition_in"] for r in media_rows)
    findings = _findings(qc_rows, quarantined_files, loudness, subtitle_drifts_ms, max_drift_ms, window)
    failed = quarantined_files or any(r["status"] != "ok" for r in qc_rows)
    drifts = [abs(d) for d in subtitle_drifts_ms.values() if d is not None]
    return {
        "duration_s": round(max([*durations.values(), *(r["duration_s"] or 0 for r in renditions)], default=0.0), 3),
        "video_sources": sum(r["kind"] == "mezzanine" for r in renditions),
        "audio_sources": len(durations),
        "main_audio_source_id": main_audio_id,
        "shot_count": len(media_rows),
        "average_shot_s": round(statistics.fmean(r["duration_s"] for r in media_rows), 3) if media_rows else None,
        "cuts_per_minute": round(transitions["cut"] / (video_s / 60), 2) if video_s else None,
        "fades": transitions["fade"],
        "dissolves": transitions["dissolve"],
        "speech_s": round(speech_s, 3),
        "speech_ratio": round(speech_s / audio_s, 4) if audio_s else None,
        "word_count": main_words,
        "words_per_minute": round(main_words / (speech_s / 60), 1) if speech_s else None,
        "language": language,
        "language_probability": language_probability,
        "integrated_lufs": loudness.get("integrated_lufs"),
        "loudness_range_lu": loudness.get("loudness_range_lu"),
        "true_peak_dbtp": loudness.get("true_peak_dbtp"),
        "black_total_s": round(sum(r["black_total_s"] or 0 for r in qc_rows), 3),
        "freeze_total_s": round(sum(r["freeze_total_s"] or 0 for r in qc_rows), 3),
        "subtitle_files": len(subtitle_drifts_ms),
        "max_subtitle_drift_ms": max(drifts) if drifts else None,
        "annotation_count": len(annotation_labels),
        "annotation_labels": sorted(set(annotation_labels)),
        "qc_status": FAILED if failed else WARNING if findings else OK,
        "qc_findings": findings,
    }


def _findings(qc_rows, quarantined, loudness, drifts, max_drift_ms, window: LoudnessWindow) -> list[str]:
    out = [f"{quarantined} quarantined files"] if quarantined else []
    out += [f"{r['source_id']}: {r['error_type']}: {r['error_message']}" for r in qc_rows if r["status"] != "ok"]
    out += window.findings(loudness.get("integrated_lufs"), loudness.get("true_peak_dbtp"))
    for r in qc_rows:
        for kind in ("video", "audio"):
            if errors := r.get(f"{kind}_decode_errors"):
                out.append(f"{r['source_id']}: {errors} damaged {kind} packets or frames, skipped or concealed")
        for label in ("black", "freeze"):
            if r[f"{label}_total_s"]:
                out.append(f"{r['source_id']}: {r[f'{label}_total_s']:.1f} s {label}")
    out += [f"{f}: subtitles drift {d:+.0f} ms" for f, d in drifts.items() if d is not None and abs(d) > max_drift_ms]
    return out
