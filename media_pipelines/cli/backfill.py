"""`media-lake backfill`: asset backfills by title, submitted to the instance for the daemon to run."""

import argparse
import sys
import time

import dagster as dg

from media_pipelines.defs.backfills import UnknownStagesError, UnknownTitlesError, plan_backfills, submit_backfill
from media_pipelines.defs.dagster_private import BULK_ACTION_TERMINAL_STATUSES, BulkActionStatus
from media_pipelines.defs.reconcile import Need


def backfill(defs: dg.Definitions, instance: dg.DagsterInstance, args: argparse.Namespace) -> int:
    need = Need.FAILED if args.failed else Need.STALE if args.stale else None
    reason = str(need) if need else "titles" if args.titles else "all"
    asset_graph = defs.resolve_asset_graph()
    if need and args.stages:
        print("backfill refused: --stages goes with --titles or --all; --failed/--stale pick stages", file=sys.stderr)
        return 1
    try:
        plans = plan_backfills(instance, asset_graph, args.titles, need, args.stages)
    except (UnknownTitlesError, UnknownStagesError) as exc:
        print(f"backfill refused: {exc}", file=sys.stderr)
        return 1
    if not plans:
        print(f"nothing to backfill ({reason})")
        return 0
    submitted = []
    for assets, titles in plans.items():
        backfill_id = submit_backfill(instance, asset_graph, assets, titles, reason)
        submitted.append(backfill_id)
        names = ", ".join(k.to_user_string() for k in assets)
        print(
            f"backfill {backfill_id}: {len(titles)} titles ({', '.join(titles[:10])}{' ...' if len(titles) > 10 else ''}); {names}"
        )
    print("The daemon runs it (dagster dev, or dagster-daemon run); progress in the UI under Runs > Backfills.")
    return _wait_for_backfills(instance, submitted) if args.wait else 0


def _wait_for_backfills(instance: dg.DagsterInstance, backfill_ids: list[str], poll_s: float = 2.0) -> int:
    pending, failed = set(backfill_ids), []
    while pending:
        for backfill_id in sorted(pending):
            status = instance.get_backfill(backfill_id).status
            if status in BULK_ACTION_TERMINAL_STATUSES:
                print(f"backfill {backfill_id}: {status.value}")
                pending.discard(backfill_id)
                if status != BulkActionStatus.COMPLETED_SUCCESS:
                    failed.append(backfill_id)
        if pending:
            time.sleep(poll_s)
    return 1 if failed else 0
