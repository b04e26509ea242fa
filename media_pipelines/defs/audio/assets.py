from collections import defaultdict

import dagster as dg
import pyarrow as pa

from media_pipelines.core.audio_features import analyze, classes
from media_pipelines.core.audio_features.analyze import AudioAnalysis, analyze_audio
from media_pipelines.core.enrich.pairing import pair_audio
from media_pipelines.core.tools import code_version
from media_pipelines.defs import groups
from media_pipelines.defs.automation import STAGE_AUTOMATION
from media_pipelines.defs.metadata import ROW_COUNT, SUMMARY, tables_metadata, titled
from media_pipelines.defs.partitions import title_id_of, titles_partitions
from media_pipelines.defs.renditions.assets import renditions
from media_pipelines.defs.resources import StorageRoot
from media_pipelines.defs.retries import LAKE_IO_RETRY
from media_pipelines.defs.shots.assets import shots
from media_pipelines.defs.source_errors import SourceError, per_source, sources_check, sources_check_spec
from media_pipelines.defs.transcripts.assets import transcripts
from media_pipelines.lake.audio_features import (
    AUDIO_TIMELINE,
    AUDIO_TIMELINE_SCHEMA,
    AUDIO_TIMELINE_SPEC,
    SHOT_AUDIO,
    SHOT_AUDIO_SCHEMA,
    SHOT_AUDIO_SPEC,
    feature_rows,
)
from media_pipelines.lake.renditions import RENDITIONS
from media_pipelines.lake.shots import SHOTS
from media_pipelines.lake.store import ObjectStore
from media_pipelines.lake.tables import read_title_table, write_title_table
from media_pipelines.lake.transcripts import SPEECH_REGIONS

AUDIO_FEATURES_CODE_VERSION = code_version(
    "audio-features-2",
    str(analyze.ONSET_PEAK),
    str((classes.SILENCE_DBFS, classes.MUSIC_MAX_FLATNESS)),
    libraries=("numpy",),  # its FFT
)


@dg.asset(
    metadata=tables_metadata(SHOT_AUDIO_SPEC, AUDIO_TIMELINE_SPEC),
    partitions_def=titles_partitions,
    deps=[renditions, shots, transcripts],
    pool="cpu",
    automation_condition=STAGE_AUTOMATION,
    retry_policy=LAKE_IO_RETRY,
    code_version=AUDIO_FEATURES_CODE_VERSION,
    kinds={"audio", "lance"},
    group_name=groups.ANALYSIS,
    check_specs=[sources_check_spec("audio_features")],
)
def audio_features(context: dg.AssetExecutionContext, lake: StorageRoot) -> dg.MaterializeResult:
    """Loudness, speech/music/silence shares, onset rate and spectral centroid per shot and per second."""
    title_id = title_id_of(context)
    store = lake.store()
    audio = {
        r["source_id"]: r for r in read_title_table(store, RENDITIONS, title_id).to_pylist() if r["kind"] == "audio"
    }
    starts, ends, speech = defaultdict(list), {}, defaultdict(list)
    for shot in read_title_table(store, SHOTS, title_id).sort_by("shot_index").to_pylist():
        starts[shot["source_id"]].append(shot["start_s"])
        ends[shot["source_id"]] = shot["end_s"]
    for region in read_title_table(store, SPEECH_REGIONS, title_id).sort_by("start_s").to_pylist():
        speech[region["source_id"]].append((region["start_s"], region["end_s"]))
    pairs = pair_audio(starts, {source_id: r["duration_s"] for source_id, r in audio.items()})
    shot_rows, second_rows, errors = [], [], []
    for audio_id, row in sorted(audio.items()):
        edges = {video: [*starts[video], ends[video]] for video, paired in pairs.items() if paired == audio_id}
        analysis = per_source(context, audio_id, lambda row=row, edges=edges: _analyze(store, row, speech, edges))
        if isinstance(analysis, SourceError):
            errors.append(analysis)
            continue
        provenance = (row["source_sha256"], AUDIO_FEATURES_CODE_VERSION)
        for video, stats in sorted(analysis.shots.items()):
            shot_rows += feature_rows(video, audio_id, "shot_index", stats, *provenance)
        second_rows += feature_rows(audio_id, audio_id, "second", analysis.seconds, *provenance)
    write_title_table(store, SHOT_AUDIO, title_id, pa.Table.from_pylist(shot_rows, schema=SHOT_AUDIO_SCHEMA))
    timeline = pa.Table.from_pylist(second_rows, schema=AUDIO_TIMELINE_SCHEMA)
    write_title_table(store, AUDIO_TIMELINE, title_id, timeline)
    return dg.MaterializeResult(
        metadata=_metadata(len(audio), second_rows, len(shot_rows)),
        check_results=titled(title_id, [sources_check(errors)]),
    )


def _analyze(store: ObjectStore, row: dict, speech: dict[str, list], edges: dict[str, list[float]]) -> AudioAnalysis:
    with store.local_copy(store.key_for(row["uri"])) as path:
        return analyze_audio(path, speech[row["source_id"]], edges)


def _metadata(sources: int, seconds: list[dict], shot_count: int) -> dict:
    if not sources:
        return {SUMMARY: "no audio rendition: no audio features", "shots": 0}
    shares = {
        name: round(sum(s[f"{name}_share"] for s in seconds) / max(len(seconds), 1), 3)
        for name in ("speech", "music", "silence", "other")
    }
    mix = ", ".join(f"{name} {share:.0%}" for name, share in shares.items())
    return {
        SUMMARY: f"{sources} audio sources, {len(seconds)} s: {mix}",
        "shots": shot_count,
        ROW_COUNT: shot_count,
        **{f"{name}_share": share for name, share in shares.items()},
    }
