"""Bigger ECS tasks for bigger deliveries: run tags the EcsRunLauncher reads (other launchers ignore them).

The size of a title comes from its delivery, recorded once by `raw_media` (`delivered_bytes`); every run of
the title then gets the same tags whoever launches it, because every launch path (sensor, schedule,
backfill, automation, UI) submits its runs through the instance's run coordinator.
"""

import dagster as dg

DELIVERED_BYTES = "delivered_bytes"
RAW_MEDIA_KEY = dg.AssetKey("raw_media")
_SIZE_TAGS = ("ecs/cpu", "ecs/memory")
_GB = 1 << 30
# (delivered bytes at least, Fargate vCPU units, MiB): most titles fit the launcher's default task size.
_TIERS = ((20 * _GB, "8192", "32768"), (2 * _GB, "4096", "16384"))


def run_size_tags(delivered_bytes: int) -> dict[str, str]:
    for floor, cpu, memory in _TIERS:
        if delivered_bytes >= floor:
            return {"ecs/cpu": cpu, "ecs/memory": memory}
    return {}


def title_size_tags(instance: dg.DagsterInstance, title_id: str) -> dict[str, str]:
    """The size tags of a title's latest ingested delivery; none before its first ingest."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=RAW_MEDIA_KEY, asset_partitions=[title_id]), limit=1
    ).records
    entry = records[0].asset_materialization.metadata.get(DELIVERED_BYTES) if records else None
    return run_size_tags(entry.value) if entry else {}


class SizedRunCoordinator(dg.QueuedRunCoordinator):
    """The queued run coordinator, tagging each title run with its delivery's size before it is queued.
    Tags set by whoever launched the run (a sensor, an operator in the launchpad) are kept."""

    def submit_run(self, context: dg.SubmitRunContext) -> dg.DagsterRun:
        run = context.dagster_run
        title_id = run.tags.get("dagster/partition")
        if title_id and not any(tag in run.tags for tag in _SIZE_TAGS):
            tags = title_size_tags(self._instance, title_id)
            if tags:
                self._instance.add_run_tags(run.run_id, tags)
        return super().submit_run(context)
