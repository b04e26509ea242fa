import json
import tempfile
from pathlib import Path

import dagster as dg
import pyarrow as pa

from media_pipelines.core.provenance import short_digest
from media_pipelines.core.tools import code_version, library_versions
from media_pipelines.core.transcripts.backend import DecodeOptions, LazyBackend, resolve_model
from media_pipelines.core.transcripts.subtitles import to_srt, to_vtt
from media_pipelines.core.transcripts.transcribe import Transcript, transcribe_audio
from media_pipelines.core.transcripts.vad import VadParams
from media_pipelines.defs import groups
from media_pipelines.defs.automation import STAGE_AUTOMATION
from media_pipelines.defs.metadata import ROW_COUNT, SUMMARY, tables_metadata, titled
from media_pipelines.defs.partitions import title_id_of, titles_partitions
from media_pipelines.defs.renditions.assets import renditions
from media_pipelines.defs.resources import AsrSettings, StorageRoot
from media_pipelines.defs.retries import HEAVY_RETRY
from media_pipelines.defs.source_errors import SourceError, per_source, sources_check, sources_check_spec
from media_pipelines.lake.media import publish_stage_media, remove_stale_media
from media_pipelines.lake.renditions import RENDITIONS
from media_pipelines.lake.store import ObjectStore
from media_pipelines.lake.tables import read_title_table, write_title_table
from media_pipelines.lake.transcripts import (
    SEGMENTS_SCHEMA,
    SEGMENTS_SPEC,
    SPEECH_REGIONS,
    SPEECH_SCHEMA,
    SPEECH_SPEC,
    TRANSCRIPT_SEGMENTS,
    TRANSCRIPT_WORDS,
    WORDS_SCHEMA,
    WORDS_SPEC,
    segment_rows,
    speech_rows,
    word_rows,
)

STAGE = "transcripts"
# Whisper decodes on CTranslate2; Silero VAD, which decides what is decoded, runs on ONNX Runtime.
_LIBRARIES = ("faster-whisper", "ctranslate2", "onnxruntime")


class TranscriptConfig(dg.Config):
    # Empty: the deployment's `asr` resource decides (see AsrSettings).
    backend: str = ""
    model: str = ""
    device: str = ""
    compute_type: str = ""
    beam_size: int = DecodeOptions.beam_size
    language: str = ""  # empty: identify it
    vad_threshold: float = VadParams.threshold
    flag_risk_above: float = 0.5

    def options(self) -> DecodeOptions:
        return DecodeOptions(beam_size=self.beam_size, language=self.language or None)

    def settings(self, asr: AsrSettings) -> dict:
        """Every setting this run transcribes with: the run's own where it gives one, else the deployment's."""
        chosen = {name: getattr(self, name) or getattr(asr, name) for name in AsrSettings.model_fields}
        return {**self.model_dump(), **chosen}


# The stage's defaults; a deployment choosing another model or device (the asr resource) does not mark
# every title stale: re-transcribing them is a backfill the operator decides on.
_DEFAULTS = TranscriptConfig().settings(AsrSettings())
_DEFAULT_MODEL_ID = resolve_model(_DEFAULTS["model"], _DEFAULTS["backend"]).model_id
TRANSCRIPTS_CODE_VERSION = code_version(
    "transcripts-5", _DEFAULT_MODEL_ID, json.dumps(_DEFAULTS, separators=(",", ":")), libraries=_LIBRARIES
)


@dg.asset(
    metadata=tables_metadata(WORDS_SPEC, SEGMENTS_SPEC, SPEECH_SPEC),
    partitions_def=titles_partitions,
    deps=[renditions],
    pool="asr",
    automation_condition=STAGE_AUTOMATION,
    code_version=TRANSCRIPTS_CODE_VERSION,
    kinds={"whisper", "lance"},
    group_name=groups.ANALYSIS,
    check_specs=[sources_check_spec("transcripts")],
    retry_policy=HEAVY_RETRY,
)
def transcripts(
    context: dg.AssetExecutionContext, config: TranscriptConfig, lake: StorageRoot, asr: AsrSettings
) -> dg.MaterializeResult:
    """Whisper transcripts of every audio rendition: speech-gated segments with word timings and hallucination risk."""
    title_id = title_id_of(context)
    store = lake.store()
    audio_rows = [r for r in read_title_table(store, RENDITIONS, title_id).to_pylist() if r["kind"] == "audio"]
    settings = config.settings(asr)
    model = resolve_model(settings["model"], settings["backend"])
    params = json.dumps(
        {**settings, "model": model.model_id, "versions": library_versions(_LIBRARIES)},
        sort_keys=True,
    )
    backend = LazyBackend(settings["backend"], model, settings["device"], settings["compute_type"])
    segments, words, speech, media, results, errors = [], [], [], {}, {}, []
    with tempfile.TemporaryDirectory(prefix="transcripts-") as tmp:
        for row in audio_rows:
            transcript = per_source(context, row["source_id"], lambda row=row: _transcribe(store, row, backend, config))
            if isinstance(transcript, SourceError):
                errors.append(transcript)
                continue
            results[row["source_id"]] = transcript
            args = (
                row["source_id"],
                row["source_sha256"],
                transcript,
                model.model_id,
                backend.name,
                config.flag_risk_above,
            )
            segments += segment_rows(*args, params, TRANSCRIPTS_CODE_VERSION)
            provenance = (row["source_id"], row["source_sha256"], transcript, TRANSCRIPTS_CODE_VERSION)
            words += word_rows(*provenance)
            speech += speech_rows(*provenance)
            generation = short_digest(params, store.key_for(row["uri"]), length=12)
            media.update(_subtitle_files(Path(tmp), row["source_id"], generation, transcript))
        publish_stage_media(store, title_id, STAGE, media)
        write_title_table(store, TRANSCRIPT_SEGMENTS, title_id, pa.Table.from_pylist(segments, schema=SEGMENTS_SCHEMA))
        write_title_table(store, TRANSCRIPT_WORDS, title_id, pa.Table.from_pylist(words, schema=WORDS_SCHEMA))
        write_title_table(store, SPEECH_REGIONS, title_id, pa.Table.from_pylist(speech, schema=SPEECH_SCHEMA))
        remove_stale_media(store, title_id, STAGE, keep=set(media))
    return dg.MaterializeResult(
        metadata=_metadata(results, segments, words, model.model_id),
        data_version=dg.DataVersion(short_digest(params, *sorted(store.key_for(r["uri"]) for r in audio_rows))),
        check_results=titled(title_id, [sources_check(errors)]),
    )


def _transcribe(store: ObjectStore, row: dict, backend, config: TranscriptConfig) -> Transcript:
    with store.local_copy(store.key_for(row["uri"])) as audio:
        return transcribe_audio(audio, backend, config.options(), VadParams(threshold=config.vad_threshold))


def _subtitle_files(tmp: Path, source_id: str, generation: str, transcript: Transcript) -> dict[str, Path]:
    cues = [(s.segment.start, s.segment.end, s.segment.text) for s in transcript.segments]
    out = tmp / source_id
    out.mkdir(parents=True, exist_ok=True)
    (out / "transcript.srt").write_text(to_srt(cues), encoding="utf-8")
    (out / "transcript.vtt").write_text(to_vtt(cues), encoding="utf-8")
    return {f"{source_id}/{generation}/{name}": out / name for name in ("transcript.srt", "transcript.vtt")}


def _metadata(results: dict[str, Transcript], segments: list[dict], words: list[dict], model: str) -> dict:
    speech_min = sum(t.speech_s for t in results.values()) / 60
    languages = sorted({f"{t.language} ({t.language_probability:.2f})" for t in results.values() if t.language})
    flagged = [s for s in segments if s["flagged"]]
    first_lines = "\n".join(f"- [{s['start_s']:.1f}s] {s['text']}" for s in segments[:8])
    flagged_lines = "\n".join(
        f"- [{s['start_s']:.1f}s] risk {s['hallucination_risk']}: {s['text']}" for s in flagged[:20]
    )
    if not results:
        summary = "no audio rendition: nothing to transcribe"
    elif not segments:
        summary = f"no speech in {len(results)} sources"
    else:
        summary = (
            f"{len(words)} words in {speech_min:.1f} min of speech, {', '.join(languages)}, {len(flagged)} flagged"
        )
    return {
        SUMMARY: summary,
        "language": ", ".join(languages) or "none",
        "speech_minutes": round(speech_min, 3),
        "words_per_minute": round(len(words) / speech_min, 1) if speech_min else 0.0,
        "segments": len(segments),
        ROW_COUNT: len(words),
        "flagged_segments": dg.MetadataValue.md(flagged_lines or "none"),
        "first_lines": dg.MetadataValue.md(first_lines or "no speech"),
        "model": model,
    }
