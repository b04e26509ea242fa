import os
import time
from datetime import timedelta
from pathlib import Path

import dagster as dg

from media_pipelines.core.probe import probe_file
from media_pipelines.defs.ingest.assets import raw_media
from media_pipelines.defs.partitions import titles_partitions
from media_pipelines.defs.renditions import checks
from media_pipelines.defs.renditions.assets import renditions
from media_pipelines.defs.resources import QcSettings, S3Connection, StorageRoot
from media_pipelines.lake.maintenance import maintain_lake
from media_pipelines.lake.renditions import RENDITION_QC, RENDITIONS
from media_pipelines.lake.store import LocalStore
from media_pipelines.lake.tables import read_title_table
from media_pipelines_tests.conftest import deliver
from media_pipelines_tests.decoding import decode_fully


def run_title(title_id, resources, instance, config=None):
    instance.add_dynamic_partitions(titles_partitions.name, [title_id])
    run_config = {"ops": {"renditions": {"config": config}}} if config else None
    return dg.materialize(
        [raw_media, renditions], partition_key=title_id, resources=resources, instance=instance, run_config=run_config
    )


def test_title_renditions_tables_checks_and_preview(lake_roots, resources, instance, media, tmp_path):
    (tmp_path / "empty.mp4").write_bytes(b"")
    deliver(lake_roots["landing"], "reel", media["bikes"], media["tone"], tmp_path / "empty.mp4")
    result = run_title("reel", resources, instance)

    lake = LocalStore(lake_roots["lake"])
    rows = read_title_table(lake, RENDITIONS, "reel").to_pylist()
    assert sorted((r["kind"], r["codec"], r["height"], r["sample_rate"]) for r in rows) == [
        ("audio", "flac", None, 16000),
        ("mezzanine", "h264", 272, None),
        ("proxy", "h264", 144, None),
    ]
    for row in rows:
        assert (lake_roots["lake"] / row["uri"]).is_file() and row["uri"].startswith("media/reel/renditions/")
        assert row["code_version"] == renditions.op.version and '"target_height": 480' in row["params_json"]
    qc = {r["source_id"]: r for r in read_title_table(lake, RENDITION_QC, "reel").to_pylist()}
    tone = next(r for r in qc.values() if r["source_audio_s"] and not r["source_video_s"])
    assert tone["status"] == "ok" and tone["integrated_lufs"] is not None

    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == set(checks.DESCRIPTIONS)
    assert evaluations[checks.DECODES_CHECK].passed and evaluations[checks.DURATION_CHECK].passed
    assert evaluations[checks.LOUDNESS_CHECK].severity == dg.AssetCheckSeverity.WARN
    [materialization] = result.asset_materializations_for_node("renditions")
    [still] = [v.value for k, v in materialization.metadata.items() if k.startswith("still ")]
    assert Path(still).is_file() and still.endswith("still.jpg")  # a lake file the UI links to
    assert "| mezzanine | h264 | 640x272 |" in materialization.metadata["renditions"].value


def test_rerun_replaces_renditions_whole_and_maintenance_drops_stale_media(lake_roots, resources, instance, media):
    folder = deliver(lake_roots["landing"], "t", media["bikes"], media["tone"])
    run_title("t", resources, instance)
    media_root = lake_roots["lake"] / "media/t/renditions"
    assert len(list(media_root.iterdir())) == 2
    (folder / "tone.flac").unlink()
    run_title("t", resources, instance, config={"target_height": 240})
    # The earlier version of the table still points at the 480-line files and the tone's: they stay
    # until no retained version does.
    assert len(list(media_root.iterdir())) == 2
    two_days_ago = time.time() - 2 * 86400  # past the grace a running stage's media get
    for path in media_root.rglob("*"):
        os.utime(path, (two_days_ago, two_days_ago))
    maintain_lake(LocalStore(lake_roots["lake"]), retention=timedelta(0))
    [source_dir] = media_root.iterdir()
    [generation] = source_dir.iterdir()
    assert sorted(p.name for p in generation.iterdir()) == ["mezzanine.mp4", "proxy.mp4", "still.jpg"]
    rows = read_title_table(LocalStore(lake_roots["lake"]), RENDITIONS, "t").to_pylist()
    assert {r["kind"]: r["height"] for r in rows} == {"mezzanine": 240, "proxy": 144}
    assert not [p for p in lake_roots["lake"].rglob("*") if p.name.startswith(".")]


def test_changed_parameters_change_the_data_version(lake_roots, resources, instance, media):
    deliver(lake_roots["landing"], "t", media["tone"])
    first = run_title("t", resources, instance).asset_materializations_for_node("renditions")[0]
    second = run_title("t", resources, instance, config={"crf": 30}).asset_materializations_for_node("renditions")[0]
    assert first.tags["dagster/data_version"] != second.tags["dagster/data_version"]


def test_loudness_window_is_configurable(lake_roots, resources, instance, media):
    deliver(lake_roots["landing"], "t", media["tone"])
    loud = run_title(
        "t",
        resources,
        instance,
        config={"loudness_target_lufs": -20.0, "loudness_tolerance_lu": 40.0, "true_peak_max_dbtp": 0.0},
    )
    [evaluation] = [e for e in loud.get_asset_check_evaluations() if e.check_name == checks.LOUDNESS_CHECK]
    assert evaluation.passed
    strict = run_title("t", resources, instance, config={"loudness_target_lufs": -40.0, "loudness_tolerance_lu": 0.5})
    [evaluation] = [e for e in strict.get_asset_check_evaluations() if e.check_name == checks.LOUDNESS_CHECK]
    assert not evaluation.passed and "outside -40" in evaluation.metadata["findings"].value


def test_loudness_window_follows_the_deployments_qc_resource_unless_the_run_overrides_it(
    lake_roots, resources, instance, media
):
    """Runs launched without config (sensor, automation, reconcile, backfills) judge by the qc resource."""
    deliver(lake_roots["landing"], "t", media["tone"])
    lenient = {
        **resources,
        "qc": QcSettings(loudness_target_lufs=-20.0, loudness_tolerance_lu=40.0, true_peak_max_dbtp=0.0),
    }
    [evaluation] = [
        e
        for e in run_title("t", lenient, instance).get_asset_check_evaluations()
        if e.check_name == checks.LOUDNESS_CHECK
    ]
    assert evaluation.passed
    result = run_title("t", lenient, instance, config={"loudness_target_lufs": -40.0, "loudness_tolerance_lu": 0.5})
    [evaluation] = [e for e in result.get_asset_check_evaluations() if e.check_name == checks.LOUDNESS_CHECK]
    assert not evaluation.passed and "outside -40" in evaluation.metadata["findings"].value


class FailingStore(LocalStore):
    """A lake whose connection drops after a few writes, as a killed or cut-off run would leave it."""

    def __init__(self, root, writes_allowed):
        super().__init__(root)
        self.writes_allowed = writes_allowed

    def put_file(self, local_path, key):
        if self.writes_allowed == 0:
            raise ConnectionError("lake went away")
        self.writes_allowed -= 1
        super().put_file(local_path, key)


class FailingLake(StorageRoot):
    writes_allowed: int

    def store(self):
        return FailingStore(Path(self.root), self.writes_allowed)


def test_interrupted_rerun_leaves_the_previous_renditions_readable(lake_roots, resources, instance, media):
    deliver(lake_roots["landing"], "t", media["vfr"])
    run_title("t", resources, instance)
    lake = LocalStore(lake_roots["lake"])
    before = read_title_table(lake, RENDITIONS, "t").to_pylist()

    broken = {**resources, "lake": FailingLake(root=str(lake_roots["lake"]), s3=S3Connection(), writes_allowed=1)}
    result = dg.materialize(
        [renditions], partition_key="t", resources=broken, instance=instance, raise_on_error=False,
        run_config={"ops": {"renditions": {"config": {"target_height": 120}}}},
    )  # fmt: skip
    assert not result.success
    assert read_title_table(lake, RENDITIONS, "t").to_pylist() == before
    for row in before:  # what a reader reaches through the table is complete and is what the table says
        assert decode_fully(lake_roots["lake"] / row["uri"]).ok
        assert probe_file(lake_roots["lake"] / row["uri"]).streams[0].height == row["height"]
    assert not [p for p in lake_roots["lake"].rglob("*") if p.name.startswith(".")]
