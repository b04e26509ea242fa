import dagster as dg

from media_pipelines.definitions import build_definitions
from media_pipelines.defs.ingest.assets import raw_media
from media_pipelines.defs.partitions import titles_partitions

STAGES = {
    "renditions",
    "shots",
    "transcripts",
    "timed_text",
    "subtitle_alignment",
    "audio_features",
    "annotations",
    "media_table",
    "title_summary",
    "shot_text",
    "shot_embeddings",
}


def requested(result) -> dict[str, set[str]]:
    return {
        r.key.to_user_string(): set(r.true_subset.expensively_compute_partition_keys())
        for r in result.results
        if r.true_subset.size
    }


def test_stages_follow_their_upstream_for_that_title_only(tmp_path):
    defs = build_definitions({"MEDIA_LANDING_ROOT": str(tmp_path / "in"), "MEDIA_LAKE_ROOT": str(tmp_path / "lake")})
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(titles_partitions.name, ["a", "b", "c"])
        quiet = dg.evaluate_automation_conditions(defs=defs, instance=instance)
        assert requested(quiet) == {}  # nothing ingested yet: no stage runs on missing raw media

        instance.report_runless_asset_event(dg.AssetMaterialization(raw_media.key, partition="b"))
        after_ingest = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=quiet.cursor)
        assert requested(after_ingest) == {stage: {"b"} for stage in STAGES}

        settled = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=after_ingest.cursor)
        assert requested(settled) == {}


def test_automation_sensor_is_on_by_default():
    sensor = build_definitions({}).resolve_sensor_def("title_automation_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
