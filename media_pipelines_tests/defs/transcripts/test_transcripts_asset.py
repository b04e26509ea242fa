import json

import dagster as dg

from media_pipelines.defs.ingest.assets import raw_media
from media_pipelines.defs.partitions import titles_partitions
from media_pipelines.defs.renditions.assets import renditions
from media_pipelines.defs.resources import AsrSettings
from media_pipelines.defs.transcripts.assets import transcripts
from media_pipelines.lake.store import LocalStore
from media_pipelines.lake.tables import read_title_table
from media_pipelines.lake.transcripts import SPEECH_REGIONS, TRANSCRIPT_SEGMENTS, TRANSCRIPT_WORDS
from media_pipelines.samples import jfk_audio
from media_pipelines_tests.conftest import deliver


def run_title(title_id, resources, instance):
    instance.add_dynamic_partitions(titles_partitions.name, [title_id])
    return dg.materialize(
        [raw_media, renditions, transcripts], partition_key=title_id, resources=resources, instance=instance
    )


def test_transcript_tables_subtitles_and_metadata(lake_roots, resources, instance):
    deliver(lake_roots["landing"], "speech", jfk_audio())
    result = run_title("speech", resources, instance)
    lake = LocalStore(lake_roots["lake"])
    segments = read_title_table(lake, TRANSCRIPT_SEGMENTS, "speech").to_pylist()
    words = read_title_table(lake, TRANSCRIPT_WORDS, "speech").to_pylist()
    assert segments and all(s["language"] == "en" and s["backend"] == "faster-whisper" for s in segments)
    assert segments[0]["model"].startswith("tiny.en") and not segments[0]["flagged"]
    assert [w["word"].strip(",.").lower() for w in words][:4] == ["and", "so", "my", "fellow"]
    speech = read_title_table(lake, SPEECH_REGIONS, "speech").to_pylist()
    assert speech and all(r["start_s"] < r["end_s"] <= 11.1 for r in speech)
    [srt] = (lake_roots["lake"] / "media/speech/transcripts").rglob("transcript.srt")
    assert "fellow Americans" in srt.read_text() and srt.with_suffix(".vtt").read_text().startswith("WEBVTT")
    [event] = result.asset_materializations_for_node("transcripts")
    assert event.metadata["language"].value == "en (1.00)" and event.metadata["words_per_minute"].value > 100


def test_title_without_audio_has_empty_transcripts(lake_roots, resources, instance, media):
    deliver(lake_roots["landing"], "silent", media["bikes"])
    result = run_title("silent", resources, instance)
    assert read_title_table(LocalStore(lake_roots["lake"]), TRANSCRIPT_SEGMENTS, "silent").num_rows == 0
    [event] = result.asset_materializations_for_node("transcripts")
    assert event.metadata["summary"].value == "no audio rendition: nothing to transcribe"


def test_openai_whisper_backend_is_selected_by_config(lake_roots, resources, instance, openai_tiny_en):
    deliver(lake_roots["landing"], "speech", jfk_audio())
    instance.add_dynamic_partitions(titles_partitions.name, ["speech"])
    config = {"backend": "openai-whisper", "model": str(openai_tiny_en)}
    dg.materialize(
        [raw_media, renditions, transcripts],
        partition_key="speech",
        resources=resources,
        instance=instance,
        run_config={"ops": {"transcripts": {"config": config}}},
    )
    segments = read_title_table(LocalStore(lake_roots["lake"]), TRANSCRIPT_SEGMENTS, "speech").to_pylist()
    assert {s["backend"] for s in segments} == {"openai-whisper"} and segments[0]["model"] == str(openai_tiny_en)
    assert "fellow Americans" in " ".join(s["text"] for s in segments)


def test_the_deployments_asr_settings_reach_runs_that_give_none_and_run_config_overrides_them(
    lake_roots, resources, instance
):
    """Sensor, automation and reconcile runs carry no config: the `asr` resource decides for them."""
    deliver(lake_roots["landing"], "speech", jfk_audio())
    deployment = {**resources, "asr": AsrSettings(device="cpu", compute_type="float32")}
    instance.add_dynamic_partitions(titles_partitions.name, ["speech"])
    dg.materialize(
        [raw_media, renditions, transcripts],
        partition_key="speech",
        resources=deployment,
        instance=instance,
        run_config={"ops": {"transcripts": {"config": {"compute_type": "int8_float32"}}}},
    )
    [params] = {
        s["params_json"]
        for s in read_title_table(LocalStore(lake_roots["lake"]), "transcript_segments", "speech").to_pylist()
    }
    settings = json.loads(params)
    assert (settings["device"], settings["compute_type"], settings["backend"]) == (
        "cpu",
        "int8_float32",
        "faster-whisper",
    )
    dg.materialize([transcripts], partition_key="speech", resources=deployment, instance=instance)
    segments = read_title_table(LocalStore(lake_roots["lake"]), "transcript_segments", "speech").to_pylist()
    assert {json.loads(s["params_json"])["compute_type"] for s in segments} == {"float32"}
    assert "fellow Americans" in " ".join(s["text"] for s in segments)
