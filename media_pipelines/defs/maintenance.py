"""The nightly lake clean-up: compaction, old versions, media no retained version points at."""

from datetime import timedelta

import dagster as dg

from media_pipelines.defs.resources import StorageRoot
from media_pipelines.lake.maintenance import DEFAULT_RETENTION_DAYS


class MaintenanceConfig(dg.Config):
    # Versions younger than this stay readable (time travel, `--as-of` exports); tagged ones always do.
    retention_days: float = DEFAULT_RETENTION_DAYS


@dg.op(description="Compacts every lake table, drops versions past the retention and unreferenced media.")
def maintain_lake_op(context: dg.OpExecutionContext, config: MaintenanceConfig, lake: StorageRoot) -> None:
    from media_pipelines.lake.maintenance import maintain_lake

    report = maintain_lake(lake.store(), timedelta(days=config.retention_days))
    for name, table in report.tables.items():
        context.log.info(
            f"{name}: {table.fragments_before} -> {table.fragments_after} fragments, {table.versions_removed} versions removed"
        )
    context.log.info(f"{report.media_files_removed} media files removed ({report.media_bytes_removed} bytes)")


@dg.job(description="Keeps the lake's tables few-filed and its old versions and media bounded.")
def lake_maintenance_job():
    maintain_lake_op()


nightly_lake_maintenance = dg.ScheduleDefinition(
    name="nightly_lake_maintenance",
    cron_schedule="0 5 * * *",
    execution_timezone="UTC",
    job=lake_maintenance_job,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Compacts the lake's tables and cleans up versions and media past the retention.",
)
