import dagster as dg
import pytest
from dagster._core.asset_graph_view.asset_graph_view import AssetGraphView
from dagster._core.definitions.data_version import CachingStaleStatusResolver, StaleStatus
from dagster._core.definitions.temporal_context import TemporalContext
from dagster._time import get_current_datetime

from media_pipelines.definitions import build_definitions
from media_pipelines.defs.partitions import title_asset_keys, titles_partitions
from media_pipelines.defs.reconcile import Need, title_needs
from media_pipelines.defs.schedules import RECONCILE_TAG, nightly_reconcile
from media_pipelines.samples.generate import make_audio
from media_pipelines_tests.conftest import deliver

TITLES = ("a", "b", "c")


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    """Three small titles run through the whole pipeline; then b's audio is replaced and re-ingested."""
    tmp = tmp_path_factory.mktemp("reconcile")
    defs = build_definitions({"MEDIA_LANDING_ROOT": str(tmp / "landing"), "MEDIA_LAKE_ROOT": str(tmp / "lake")})
    tone, noise = make_audio(tmp / "tone.flac", 2.0, "tone", 1), make_audio(tmp / "noise.flac", 2.0, "noise", 1)
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(titles_partitions.name, list(TITLES))
        job = defs.resolve_job_def("title_pipeline")
        for title in TITLES:
            deliver(tmp / "landing", title, tone, names=("mix.flac",))
            assert job.execute_in_process(partition_key=title, instance=instance).success
        fresh = title_needs(instance, defs.resolve_asset_graph(), TITLES)
        deliver(tmp / "landing", "b", noise, names=("mix.flac",))
        ingest = defs.resolve_implicit_global_asset_job_def().get_subset(asset_selection={dg.AssetKey("raw_media")})
        assert ingest.execute_in_process(partition_key="b", instance=instance).success
        yield defs, instance, fresh


def test_a_replaced_source_makes_that_titles_downstream_stale_and_no_other(lake):
    defs, instance, fresh = lake
    assert fresh == []
    [needs] = title_needs(instance, defs.resolve_asset_graph(), TITLES)
    assert needs.title_id == "b" and set(needs.needs.values()) == {Need.STALE}
    # Dagster marks the assets reading the changed one stale; the run for them covers everything below.
    assert {k.to_user_string() for k in needs.needs} == {"renditions", "timed_text", "annotations"}
    assert {"transcripts", "media_table", "title_summary"} <= {
        k.to_user_string() for k in needs.selection(defs.resolve_asset_graph())
    }


def test_the_bulk_stale_rule_agrees_with_dagsters_own_resolver(lake):
    """The reconcile reads version tags in bulk; Dagster's per-partition resolver is the reference."""
    defs, instance, _ = lake
    graph = defs.resolve_asset_graph()
    view = AssetGraphView(
        temporal_context=TemporalContext(effective_dt=get_current_datetime(), last_event_id=None),
        instance=instance,
        asset_graph=graph,
    )
    resolver = CachingStaleStatusResolver(instance=instance, asset_graph=graph, loading_context=view)
    ours = {(n.title_id, k) for n in title_needs(instance, graph, TITLES) for k, need in n.needs.items()}
    theirs = {
        (title, key)
        for title in TITLES
        for key in title_asset_keys(graph)
        if resolver.get_status(key, title) == StaleStatus.STALE
    }
    assert ours == theirs and len(ours) == 3


def test_the_nightly_schedule_requests_a_run_for_the_stale_title_only(lake):
    defs, instance, _ = lake
    context = dg.build_schedule_context(instance=instance, repository_def=defs.get_repository_def())
    [request] = list(nightly_reconcile.evaluate_tick(context).run_requests)
    assert request.partition_key == "b" and request.tags[RECONCILE_TAG] == "stale"
    selected = {k.to_user_string() for k in request.asset_selection}
    assert "raw_media" not in selected and {"renditions", "transcripts", "media_table", "title_summary"} <= selected
