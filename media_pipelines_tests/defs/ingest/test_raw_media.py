import dagster as dg
import pytest

from media_pipelines.defs.ingest.assets import LANDING_FINGERPRINT, raw_media
from media_pipelines.defs.partitions import titles_partitions
from media_pipelines.lake.raw_files import RAW_FILES
from media_pipelines.lake.store import LocalStore
from media_pipelines.lake.tables import read_title_table
from media_pipelines.samples import jfk_audio
from media_pipelines_tests.conftest import deliver, truncate_copy


def materialize(title_id, resources, instance, raise_on_error=True):
    instance.add_dynamic_partitions(titles_partitions.name, [title_id])
    return dg.materialize(
        [raw_media], partition_key=title_id, resources=resources, instance=instance, raise_on_error=raise_on_error
    )


def rows(lake_root, title_id):
    return read_title_table(LocalStore(lake_root), RAW_FILES, title_id).to_pylist()


def test_raw_media_records_good_and_quarantined_files(tmp_path, lake_roots, resources, instance, media):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.mp4").write_bytes(b"")
    (bad / "notes.mp4").write_text("not a movie")
    truncate_copy(media["bikes"], bad / "cut.mp4")
    (bad / "subs.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nHi\n")
    deliver(lake_roots["landing"], "reel-1", media["bikes"], jfk_audio(), *sorted(bad.iterdir()))

    result = materialize("reel-1", resources, instance)
    by_name = {r["file_name"]: r for r in rows(lake_roots["lake"], "reel-1")}
    assert {n: (r["kind"], r["status"], r["error_type"]) for n, r in by_name.items()} == {
        "bikes.mp4": ("video", "ok", None),
        "jfk.flac": ("audio", "ok", None),
        "subs.srt": ("timed_text", "ok", None),
        "empty.mp4": ("other", "quarantined", "empty_file"),
        "notes.mp4": ("other", "quarantined", "unrecognized_format"),
        "cut.mp4": ("other", "quarantined", "truncated"),
    }
    bikes = by_name["bikes.mp4"]
    assert bikes["duration_s"] == pytest.approx(10.0, abs=0.05) and '"codec": "h264"' in bikes["streams_json"]
    assert "pyav" in bikes["tool_versions"] and bikes["code_version"] == raw_media.op.version
    assert (lake_roots["lake"] / bikes["original_uri"]).read_bytes() == media["bikes"].read_bytes()

    [event] = result.asset_materializations_for_node("raw_media")
    meta = {k: v.value for k, v in event.metadata.items()}
    assert meta["files_by_kind"] == {"audio": 1, "timed_text": 1, "video": 1}
    assert meta["quarantined"] == 3 and meta["total_duration_s"] == pytest.approx(21.0, abs=0.1)
    assert "| cut.mp4 | other | quarantined |" in meta["files_table"] and meta[LANDING_FINGERPRINT]


def test_title_without_usable_media_fails_but_records_why(lake_roots, resources, instance, tmp_path):
    (tmp_path / "empty.mov").write_bytes(b"")
    deliver(lake_roots["landing"], "only-bad", tmp_path / "empty.mov")
    result = materialize("only-bad", resources, instance, raise_on_error=False)
    assert not result.success
    assert [r["error_type"] for r in rows(lake_roots["lake"], "only-bad")] == ["empty_file"]


def test_rerun_replaces_the_title_whole_and_dedupes_originals(lake_roots, resources, instance, media):
    deliver(lake_roots["landing"], "a", media["bikes"], media["tone"])
    deliver(lake_roots["landing"], "b", media["bikes"])
    materialize("a", resources, instance)
    first = rows(lake_roots["lake"], "a")
    (lake_roots["landing"] / "a" / "tone.flac").unlink()
    materialize("a", resources, instance)
    materialize("a", resources, instance)
    materialize("b", resources, instance)
    again = rows(lake_roots["lake"], "a")
    assert [r["file_name"] for r in again] == ["bikes.mp4"] and again[0] == first[0]
    originals = [p for p in (lake_roots["lake"] / "originals").rglob("*") if p.is_file()]
    assert len(originals) == 2  # bikes once for both titles, plus the tone delivered earlier
    assert not [p for p in lake_roots["lake"].rglob(".*")]


def test_replaced_source_changes_the_data_version(lake_roots, resources, instance, media):
    deliver(lake_roots["landing"], "t", media["bikes"], names=("main.mp4",))
    first = materialize("t", resources, instance).asset_materializations_for_node("raw_media")[0]
    deliver(lake_roots["landing"], "t", media["vfr"], names=("main.mp4",))
    second = materialize("t", resources, instance).asset_materializations_for_node("raw_media")[0]
    assert first.tags["dagster/data_version"] != second.tags["dagster/data_version"]


def test_invalid_partition_key_fails_without_touching_any_path(lake_roots, resources, instance):
    result = materialize("Bad..Title", resources, instance, raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert "invalid title id" in failure.step_failure_data.error.message
    assert not any(lake_roots["lake"].iterdir())


def test_links_out_of_the_title_folder_are_refused_unread(tmp_path, lake_roots, resources, instance, media):
    outside = tmp_path / "secret.mp4"
    outside.write_bytes(media["bikes"].read_bytes())
    deliver(lake_roots["landing"], "linked", jfk_audio())
    title = lake_roots["landing"] / "linked"
    (title / "outside.mp4").symlink_to(outside)
    (title / "dangling.mp4").symlink_to(tmp_path / "gone.mp4")
    (title / "folder").symlink_to(tmp_path, target_is_directory=True)
    (title / "inside.flac").symlink_to("jfk.flac")  # a link within the title is an ordinary file

    materialize("linked", resources, instance)
    by_name = {r["file_name"]: r for r in rows(lake_roots["lake"], "linked")}
    refused = {n: r["error_message"] for n, r in by_name.items() if r["error_type"] == "outside_landing_zone"}
    assert set(refused) == {"outside.mp4", "dangling.mp4", "folder"}
    assert all(by_name[n]["status"] == "quarantined" and by_name[n]["sha256"] == "" for n in refused)
    assert by_name["inside.flac"]["status"] == "ok"
    originals = [p for p in (lake_roots["lake"] / "originals").rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in originals] == [jfk_audio().read_bytes()]
