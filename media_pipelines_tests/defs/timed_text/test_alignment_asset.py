import dagster as dg
import pytest

from media_pipelines.defs.ingest.assets import raw_media
from media_pipelines.defs.partitions import titles_partitions
from media_pipelines.defs.renditions.assets import renditions
from media_pipelines.defs.timed_text.alignment import DRIFT_CHECK, subtitle_alignment
from media_pipelines.defs.timed_text.assets import timed_text
from media_pipelines.defs.transcripts.assets import transcripts
from media_pipelines.lake.store import LocalStore
from media_pipelines.lake.tables import read_title_table
from media_pipelines.lake.timed_text import TIMED_TEXT_ALIGNMENT
from media_pipelines.samples import jfk_audio
from media_pipelines.samples.demo import jfk_srt
from media_pipelines_tests.conftest import deliver

INJECTED_S = {"exact.en.srt": 0.0, "late.en.srt": 0.4, "early.en.srt": -0.25}


def test_subtitle_drift_is_measured_against_the_speech_and_flagged_over_the_limit(
    lake_roots, resources, instance, tmp_path
):
    for name, offset in INJECTED_S.items():
        (tmp_path / name).write_text(jfk_srt(offset), encoding="utf-8")
    deliver(lake_roots["landing"], "speech", jfk_audio(), *(tmp_path / n for n in INJECTED_S))
    instance.add_dynamic_partitions(titles_partitions.name, ["speech"])
    result = dg.materialize(
        [raw_media, renditions, transcripts, timed_text, subtitle_alignment],
        partition_key="speech",
        resources=resources,
        instance=instance,
    )

    rows = read_title_table(LocalStore(lake_roots["lake"]), TIMED_TEXT_ALIGNMENT, "speech").to_pylist()
    drift = {r["file_name"]: r["file_drift_ms"] for r in rows}
    for name, offset in INJECTED_S.items():
        assert drift[name] == pytest.approx(offset * 1000, abs=50)
    assert all(r["agreement"] == 1.0 for r in rows) and len(rows) == 9
    [check] = [c for c in result.get_asset_check_evaluations() if c.check_name == DRIFT_CHECK]
    flagged = check.metadata["drifting"].value
    assert not check.passed and "late.en.srt" in flagged and "early.en.srt" in flagged and "exact" not in flagged

    # Within a wider limit every file passes, and the same drifts are measured.
    relaxed = dg.materialize(
        [subtitle_alignment],
        partition_key="speech",
        resources=resources,
        instance=instance,
        run_config={"ops": {"subtitle_alignment": {"config": {"max_drift_ms": 600.0}}}},
    )
    [check] = [c for c in relaxed.get_asset_check_evaluations() if c.check_name == DRIFT_CHECK]
    assert check.passed and check.metadata["drifting"].value == "none"
