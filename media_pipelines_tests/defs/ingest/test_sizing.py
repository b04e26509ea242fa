from pathlib import Path

import dagster as dg
import pytest
import yaml

from media_pipelines.definitions import build_definitions
from media_pipelines.defs.ingest.assets import raw_media
from media_pipelines.defs.ingest.sizing import DELIVERED_BYTES, RAW_MEDIA_KEY, SizedRunCoordinator, run_size_tags
from media_pipelines.defs.jobs import TITLE_JOB_NAME
from media_pipelines_tests.daemon import CODE_LOCATION, code_location_workspace

DEPLOYED = yaml.safe_load((Path(__file__).resolve().parents[3] / "deploy/aws/dagster.yaml").read_text())
GB = 1 << 30
LARGE = {"ecs/cpu": "4096", "ecs/memory": "16384"}
# The tags each launch path puts on a title run before it reaches the coordinator.
LAUNCH_PATHS = {
    "reconcile": {"dagster/schedule_name": "nightly_reconcile"},
    "backfill": {"dagster/backfill": "abcdefgh"},
    "automation": {"dagster/sensor_name": "title_automation_sensor"},
    "ui": {},
}


def test_size_tiers():
    assert run_size_tags(100 << 20) == {}
    assert run_size_tags(2 * GB) == LARGE
    assert run_size_tags(25 * GB) == {"ecs/cpu": "8192", "ecs/memory": "32768"}


@pytest.fixture(scope="module")
def deployed():
    """An instance with the production run coordinator and the code location served as the daemon sees it."""
    with (
        dg.instance_for_test(overrides={"run_coordinator": DEPLOYED["run_coordinator"]}) as instance,
        code_location_workspace(instance) as workspace,
    ):
        assert isinstance(instance.run_coordinator, SizedRunCoordinator)
        yield instance, workspace.create_request_context()


def _submit(deployed, title_id: str, tags: dict[str, str]) -> dg.DagsterRun:
    """Create and submit a title run as every launch path does: a run of the served job, then the instance's
    coordinator."""
    instance, workspace = deployed
    location = workspace.get_code_location(CODE_LOCATION)
    remote_job = location.get_repository("__repository__").get_full_job(TITLE_JOB_NAME)
    run = instance.create_run_for_job(
        build_definitions({}).resolve_job_def(TITLE_JOB_NAME),
        remote_job_origin=remote_job.get_remote_origin(),
        job_code_origin=remote_job.get_python_origin(),
        tags={"dagster/partition": title_id, **tags},
    )
    return instance.submit_run(run.run_id, workspace)


@pytest.mark.parametrize("path", sorted(LAUNCH_PATHS))
def test_every_launch_path_gets_the_size_of_the_titles_delivery(deployed, path):
    assert RAW_MEDIA_KEY == raw_media.key
    for title_id, delivered in {"film": 3 * GB, "clip": 40 << 20}.items():
        deployed[0].report_runless_asset_event(
            dg.AssetMaterialization(raw_media.key, partition=title_id, metadata={DELIVERED_BYTES: delivered})
        )
    film, clip, new = (_submit(deployed, t, LAUNCH_PATHS[path]) for t in ("film", "clip", "not-ingested"))
    assert {k: film.tags[k] for k in LARGE} == LARGE
    assert not {"ecs/cpu", "ecs/memory"} & (set(clip.tags) | set(new.tags))
    assert all(r.status == dg.DagsterRunStatus.QUEUED for r in (film, clip, new))


def test_tags_a_launcher_set_are_kept(deployed):
    deployed[0].report_runless_asset_event(
        dg.AssetMaterialization(raw_media.key, partition="film", metadata={DELIVERED_BYTES: 3 * GB})
    )
    chosen = {"ecs/cpu": "16384", "ecs/memory": "65536"}
    run = _submit(deployed, "film", chosen)
    assert {k: run.tags[k] for k in chosen} == chosen
