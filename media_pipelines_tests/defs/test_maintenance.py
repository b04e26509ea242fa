"""The nightly clean-up runs as a Dagster job on the lake resource and is scheduled."""

from media_pipelines.definitions import build_definitions
from media_pipelines.defs.maintenance import lake_maintenance_job
from media_pipelines.defs.resources import S3Connection, StorageRoot
from media_pipelines.lake.store import LocalStore
from media_pipelines.lake.tables import open_table, write_title_table
from media_pipelines_tests.table_rows import table_rows


def test_the_maintenance_job_compacts_the_lake_it_is_given(tmp_path):
    store = LocalStore(tmp_path / "lake")
    for title in ("a", "b", "c"):
        write_title_table(store, "raw_files", title, table_rows("raw_files", [{"source_id": f"{title}-1"}]))
    assert len(open_table(store, "raw_files").get_fragments()) == 3
    lake = StorageRoot(root=str(tmp_path / "lake"), s3=S3Connection())
    result = lake_maintenance_job.execute_in_process(
        resources={"lake": lake}, run_config={"ops": {"maintain_lake_op": {"config": {"retention_days": 0}}}}
    )
    assert result.success
    dataset = open_table(store, "raw_files")
    assert len(dataset.get_fragments()) == 1 and len(dataset.versions()) == 1 and dataset.count_rows() == 3


def test_it_is_scheduled_nightly():
    defs = build_definitions({"MEDIA_LAKE_ROOT": "/tmp/unused-lake"})
    schedule = defs.get_schedule_def("nightly_lake_maintenance")
    assert schedule.job_name == lake_maintenance_job.name and schedule.cron_schedule == "0 5 * * *"
