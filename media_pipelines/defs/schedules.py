import dagster as dg

from media_pipelines.defs.jobs import title_job
from media_pipelines.defs.partitions import titles_partitions
from media_pipelines.defs.reconcile import title_needs

# At most this many title runs per night; the rest come up on the next tick, failed and stale alike.
MAX_RECONCILE_RUNS = 200
RECONCILE_TAG = "media/reconcile"


@dg.schedule(
    name="nightly_reconcile",
    cron_schedule="0 3 * * *",
    execution_timezone="UTC",
    job=title_job,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Runs the stages of every title whose outputs are stale, failed or missing.",
)
def nightly_reconcile(context: dg.ScheduleEvaluationContext):
    asset_graph = context.repository_def.asset_graph
    titles = context.instance.get_dynamic_partitions(titles_partitions.name)
    needed = title_needs(context.instance, asset_graph, titles)
    if len(needed) > MAX_RECONCILE_RUNS:
        context.log.info(f"{len(needed)} titles need a run; {MAX_RECONCILE_RUNS} tonight, the rest next time")
    for title in needed[:MAX_RECONCILE_RUNS]:
        yield dg.RunRequest(
            partition_key=title.title_id,
            asset_selection=title.selection(asset_graph),
            tags={RECONCILE_TAG: ",".join(sorted(set(title.needs.values())))},
        )
