import dagster as dg

from media_pipelines.defs.ingest.assets import LANDING_FINGERPRINT, raw_media
from media_pipelines.defs.ingest.sizing import run_size_tags
from media_pipelines.defs.jobs import title_job
from media_pipelines.defs.partitions import titles_partitions
from media_pipelines.defs.resources import StorageRoot
from media_pipelines.lake.landing import (
    LandingState,
    TitleSnapshot,
    load_landing_state,
    plan_tick,
    save_landing_state,
    scan_landing,
)

# Bounded work per tick: a landing zone of 10,000 titles is registered over several ticks.
MAX_TITLES_PER_TICK = 500


def _ingested_fingerprint(instance: dg.DagsterInstance, title_id: str) -> str | None:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=raw_media.key, asset_partitions=[title_id]), limit=1
    ).records
    if not records:
        return None
    entry = records[0].asset_materialization.metadata.get(LANDING_FINGERPRINT)
    return entry.value if entry else None


@dg.sensor(
    job=title_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def landing_sensor(context: dg.SensorEvaluationContext, landing: StorageRoot, lake: StorageRoot) -> dg.SensorResult:
    """Registers each new landing title folder and runs the title pipeline when its content changes."""
    scan = scan_landing(landing.store())
    lake_store = lake.store()
    state = load_landing_state(lake_store, context.cursor)
    reported_invalid = set(state.invalid_folders)
    for name in scan.invalid_folders:
        if name not in reported_invalid:
            context.log.warning(f"skipping landing folder {name!r}: not a valid title id")

    # One query for the set; per-title lookups only for titles ingested before (e.g. by the CLI).
    materialized = context.instance.get_materialized_partitions(raw_media.key)

    def already_ingested(snapshot: TitleSnapshot) -> bool:
        return (
            snapshot.title_id in materialized
            and _ingested_fingerprint(context.instance, snapshot.title_id) == snapshot.fingerprint
        )

    plan = plan_tick(
        scan,
        cursor=state.fingerprints,
        registered=context.instance.get_dynamic_partitions(titles_partitions.name),
        already_ingested=already_ingested,
        max_titles=MAX_TITLES_PER_TICK,
    )
    if plan.pending:
        context.log.info(f"{plan.pending} changed titles left for the next tick")
    seen = LandingState(plan.cursor, scan.invalid_folders)
    legacy = bool(context.cursor) and context.cursor.startswith("{")  # moved into the lake on its first tick
    cursor = save_landing_state(lake_store, seen, context.cursor) if seen != state or legacy else context.cursor
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                partition_key=s.title_id,
                run_key=f"{s.title_id}:{s.fingerprint}",
                tags=run_size_tags(sum(f.size for f in s.files)),
            )
            for s in plan.run
        ],
        dynamic_partitions_requests=[titles_partitions.build_add_request(plan.register)] if plan.register else [],
        cursor=cursor,
    )
