import dagster as dg

from media_pipelines.defs.ingest.assets import raw_media
from media_pipelines.defs.partitions import titles_partitions
from media_pipelines.defs.timed_text.assets import PARSES_CHECK, timed_text
from media_pipelines.lake.store import LocalStore
from media_pipelines.lake.tables import read_title_table
from media_pipelines.lake.timed_text import TIMED_TEXT_CUES
from media_pipelines.samples.demo import JFK_SRT
from media_pipelines_tests.conftest import deliver


def test_cues_of_every_subtitle_file_and_a_warning_for_a_broken_one(lake_roots, resources, instance, media, tmp_path):
    (tmp_path / "jfk.en.srt").write_text(JFK_SRT, encoding="utf-8")
    (tmp_path / "notes.fr.vtt").write_bytes(
        "WEBVTT\n\n00:01.000 --> 00:02.500 align:start\n<i>Déjà</i> vu\n".encode("utf-16")
    )
    (tmp_path / "broken.srt").write_text("1\n00:00:01,000 --> 00:00:0x,000\nbad\n")
    deliver(
        lake_roots["landing"],
        "subs",
        media["tone"],
        *(tmp_path / n for n in ("jfk.en.srt", "notes.fr.vtt", "broken.srt")),
    )
    instance.add_dynamic_partitions(titles_partitions.name, ["subs"])
    result = dg.materialize([raw_media, timed_text], partition_key="subs", resources=resources, instance=instance)

    rows = read_title_table(LocalStore(lake_roots["lake"]), TIMED_TEXT_CUES, "subs").to_pylist()
    assert [(r["file_name"], r["cue_index"], r["start_s"], r["end_s"], r["language"]) for r in rows] == [
        ("jfk.en.srt", 0, 0.33, 2.2, "en"),
        ("jfk.en.srt", 1, 3.29, 7.6, "en"),
        ("jfk.en.srt", 2, 8.19, 10.7, "en"),
        ("notes.fr.vtt", 0, 1.0, 2.5, "fr"),
    ]
    vtt = rows[3]
    assert (vtt["text"], vtt["italic"], vtt["raw_settings"], vtt["encoding"]) == (
        "Déjà vu",
        True,
        "align:start",
        "utf-16-le",
    )
    [check] = result.get_asset_check_evaluations()
    assert check.check_name == PARSES_CHECK and not check.passed and "broken.srt" in check.metadata["errors"].value
