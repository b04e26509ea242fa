"""A rendition that does not hold every frame ffmpeg encoded stops the stages that read it, in the run and in
automation, and is not retried; a whole one lets them run."""

from pathlib import Path

import dagster as dg
import pytest

from media_pipelines.core.renditions import standardize
from media_pipelines.definitions import build_definitions
from media_pipelines.defs.jobs import TITLE_JOB_NAME
from media_pipelines.defs.partitions import titles_partitions
from media_pipelines.defs.renditions.checks import DECODES_CHECK
from media_pipelines_tests.conftest import deliver

READERS = ("shots", "transcripts", "audio_features", "subtitle_alignment", "media_table", "title_summary")


@pytest.fixture
def defs(lake_roots):
    return build_definitions(
        {"MEDIA_LANDING_ROOT": str(lake_roots["landing"]), "MEDIA_LAKE_ROOT": str(lake_roots["lake"])}
    )


@pytest.fixture
def audio_cut_short(monkeypatch):
    """ffmpeg exits 0, then the audio rendition loses its tail, as on a disk that drops the end of a write."""
    real_run = standardize._run

    def run_then_cut(argv):
        process = real_run(argv)
        audio = Path(next(arg for arg in argv if arg.endswith("audio.flac")))
        audio.write_bytes(audio.read_bytes()[: audio.stat().st_size * 6 // 10])
        return process

    monkeypatch.setattr(standardize, "_run", run_then_cut)


def run_title(defs, instance, title_id, asset_selection=None):
    instance.add_dynamic_partitions(titles_partitions.name, [title_id])
    job = defs.resolve_job_def(TITLE_JOB_NAME)
    return job.execute_in_process(
        partition_key=title_id, instance=instance, raise_on_error=False, asset_selection=asset_selection
    )


def materialized(result) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def test_a_rendition_cut_short_blocks_every_stage_that_reads_it(defs, instance, lake_roots, media, audio_cut_short):
    deliver(lake_roots["landing"], "cut", media["vfr"])
    result = run_title(defs, instance, "cut")

    assert not result.success
    [check] = [e for e in result.get_asset_check_evaluations() if e.check_name == DECODES_CHECK]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    assert "/audio: audio: the file holds" in check.metadata["problems"].value
    assert "renditions" in materialized(result) and not materialized(result) & set(READERS)
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_key == "renditions" and "blocking asset check" in failure.step_failure_data.error.message
    assert not [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_RESTARTED]

    # Nor does automation pick the readers up when renditions update again: it waits for renditions whose
    # blocking checks pass.
    cursor = dg.evaluate_automation_conditions(defs=defs, instance=instance).cursor
    rerun = run_title(defs, instance, "cut", asset_selection=[dg.AssetKey("renditions")])
    assert materialized(rerun) == {"renditions"}
    evaluation = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
    assert "cut" not in evaluation.get_requested_partitions(dg.AssetKey("shots"))


def test_whole_renditions_pass_and_let_every_stage_run(defs, instance, lake_roots, media):
    deliver(lake_roots["landing"], "whole", media["vfr"])
    result = run_title(defs, instance, "whole")

    assert result.success
    [check] = [e for e in result.get_asset_check_evaluations() if e.check_name == DECODES_CHECK]
    assert check.passed and check.metadata["problems"].value == "none"
    assert materialized(result) >= {"renditions", *READERS}
