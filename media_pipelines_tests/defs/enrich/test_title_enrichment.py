import json
import re
from pathlib import Path

import dagster as dg
import pytest

from media_pipelines.core.transcripts.wer import normalized
from media_pipelines.definitions import build_definitions
from media_pipelines.defs.enrich.title_view import INLINE_MARKDOWN_CHARS
from media_pipelines.defs.partitions import titles_partitions
from media_pipelines.lake.audio_features import AUDIO_TIMELINE, SHOT_AUDIO
from media_pipelines.lake.media_table import MEDIA_TABLE, TITLE_SUMMARY
from media_pipelines.lake.store import LocalStore
from media_pipelines.lake.tables import read_title_table
from media_pipelines.lake.timed_text import TIMED_TEXT_ALIGNMENT
from media_pipelines.samples import jfk_audio
from media_pipelines.samples.demo import JFK_LINES, jfk_srt
from media_pipelines.samples.generate import ClipSpec, make_clip, shots_with_cuts
from media_pipelines_tests.conftest import deliver

# Cuts fall in the pauses between the three spoken lines, so each line is one shot's dialogue.
CUTS_S = (2.8, 7.92)  # whole frames at 25 fps
INJECTED_DRIFT_S = 0.3
ANNOTATIONS_CSV = "start_s,end_s,label,annotator\n2.0,3.5,crowd,ana\n9.0,10.0,applause,ben\n"


@pytest.fixture(scope="module")
def enriched(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("enriched")
    roots = {name: tmp / name for name in ("landing", "lake")}
    clip = make_clip(ClipSpec(shots=shots_with_cuts([2.8, 5.12, 3.08]), audio=jfk_audio()), tmp / "speech.mp4")
    (tmp / "speech.en.srt").write_text(jfk_srt(INJECTED_DRIFT_S), encoding="utf-8")
    (tmp / "annotations.csv").write_text(ANNOTATIONS_CSV, encoding="utf-8")
    deliver(roots["landing"], "speech", clip.path, tmp / "speech.en.srt", tmp / "annotations.csv")
    defs = build_definitions({"MEDIA_LANDING_ROOT": str(roots["landing"]), "MEDIA_LAKE_ROOT": str(roots["lake"])})
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(titles_partitions.name, ["speech"])
        result = defs.resolve_job_def("title_pipeline").execute_in_process(partition_key="speech", instance=instance)
    assert result.success
    return LocalStore(roots["lake"]), result


def test_every_word_lands_in_the_shot_where_it_is_spoken(enriched):
    store, _ = enriched
    rows = read_title_table(store, MEDIA_TABLE, "speech").to_pylist()
    assert [r["start_s"] for r in rows] == [0.0, *CUTS_S]
    assert [normalized(r["transcript_text"]) for r in rows] == [normalized(text) for _, _, text in JFK_LINES]
    assert [r["word_count"] for r in rows] == [5, 9, 8]
    assert all(r["language"] == "en" and r["asr_model"].startswith("tiny.en") for r in rows)
    assert all(0.5 < r["speech_ratio"] <= 1 and r["speech_share"] > 0.5 for r in rows)
    # The subtitles are late by 0.3 s: the first line is still on screen in the second shot.
    assert [r["subtitle_cues"] for r in rows] == [1, 1, 1]
    assert rows[0]["annotation_labels"] == rows[1]["annotation_labels"] == ["crowd"]
    assert rows[2]["annotation_labels"] == ["applause"]
    assert json.loads(rows[0]["annotations_json"])[0]["overlap_s"] == 0.8
    assert all(r["keyframe_uri"] and r["sampled_frames"] >= 2 and r["source_sha256"] for r in rows)


def test_subtitle_drift_is_measured_within_50_ms_of_the_injected_offset(enriched):
    store, _ = enriched
    [drift] = {r["file_drift_ms"] for r in read_title_table(store, TIMED_TEXT_ALIGNMENT, "speech").to_pylist()}
    assert drift == pytest.approx(INJECTED_DRIFT_S * 1000, abs=50)


def test_audio_features_per_shot_and_second(enriched):
    store, _ = enriched
    shots = read_title_table(store, SHOT_AUDIO, "speech").to_pylist()
    assert len(shots) == 3 and all(-40 < s["rms_dbfs"] < -5 and s["spectral_centroid_hz"] > 100 for s in shots)
    assert read_title_table(store, AUDIO_TIMELINE, "speech").num_rows == 11


def test_title_summary_and_timeline(enriched):
    store, result = enriched
    [summary] = read_title_table(store, TITLE_SUMMARY, "speech").to_pylist()
    assert summary["shot_count"] == 3 and summary["language"] == "en" and summary["word_count"] == 22
    assert summary["cuts_per_minute"] == pytest.approx(2 / (11 / 60), rel=0.02)
    assert summary["max_subtitle_drift_ms"] == pytest.approx(300, abs=50)
    assert summary["qc_status"] == "warning" and any("drift" in f for f in summary["qc_findings"])
    assert store.exists(store.key_for(summary["timeline_uri"]))
    [event] = result.asset_materializations_for_node("title_summary")
    assert Path(event.metadata["timeline"].value).is_file()  # a lake file the UI links to, not bytes in the log


def test_the_title_summary_page_shows_every_stage_of_the_title(enriched):
    _, result = enriched
    [event] = result.asset_materializations_for_node("title_summary")
    table = event.metadata["stages"].value
    assert len(table) < INLINE_MARKDOWN_CHARS  # shown inline in the UI, not behind "[Show Markdown]"
    rows = dict(line.strip("| ").split(" | ") for line in table.splitlines()[2:])
    assert list(rows)[0] == "raw_media" and list(rows)[-1] == "media_table"
    assert set(rows) == {"raw_media", "renditions", "shots", "transcripts", "timed_text", "subtitle_alignment",
                         "audio_features", "annotations", "media_table"}  # fmt: skip
    assert rows["shots"].startswith("3 shots") and "(run" not in rows["shots"]  # built by this very run
    [sheet] = [name for name in event.metadata if name.startswith("contact_sheet")]
    [still] = [name for name in event.metadata if name.startswith("still")]
    assert Path(event.metadata[sheet].value).is_file() and Path(event.metadata[still].value).is_file()


def test_every_stage_reports_the_rows_it_wrote_to_its_table_of_record(enriched):
    store, result = enriched
    graph = build_definitions({}).resolve_asset_graph()
    for event in result.get_asset_materialization_events():
        key = event.asset_key
        [main, *_] = re.findall(r"\*\*(\w+)\*\*", graph.get(key).metadata["tables"].value)
        count = event.materialization.metadata["dagster/row_count"].value
        assert count == read_title_table(store, main, "speech").num_rows, key
