import logging
import time

import dagster as dg
from dagster._core.execution.backfill import BULK_ACTION_TERMINAL_STATUSES, BulkActionStatus
from dagster._core.test_utils import create_test_daemon_workspace_context
from dagster._core.workspace.load_target import ModuleTarget
from dagster._daemon.backfill import execute_backfill_iteration
from dagster._daemon.run_coordinator.queued_run_coordinator_daemon import QueuedRunCoordinatorDaemon

from media_pipelines.cli import main
from media_pipelines.defs.backfills import BACKFILL_TAG
from media_pipelines.defs.partitions import titles_partitions
from media_pipelines.lake.store import LocalStore
from media_pipelines.lake.tables import read_title_table
from media_pipelines_tests.conftest import deliver

TITLES = ["a", "b", "c"]


def run_daemon_until_done(instance: dg.DagsterInstance, backfill_id: str, timeout_s: float = 420) -> BulkActionStatus:
    """The backfill and run-queue daemons' own iterations, driven here instead of by dagster-daemon; runs
    are dequeued and launched as subprocesses through the code location, as in production. The bound is
    for liveness only: about 2 minutes on a quiet 2-core machine, past 3 minutes when it is busy."""
    target = ModuleTarget("media_pipelines.definitions", "defs", None, "media_pipelines")
    deadline = time.monotonic() + timeout_s
    with (
        create_test_daemon_workspace_context(target, instance) as workspace,
        QueuedRunCoordinatorDaemon(interval_seconds=1) as queue,
    ):
        while time.monotonic() < deadline:
            list(execute_backfill_iteration(workspace, logging.getLogger("backfill")))
            list(queue.run_iteration(workspace))
            status = instance.get_backfill(backfill_id).status
            if status in BULK_ACTION_TERMINAL_STATUSES:
                return status
            time.sleep(1)
    raise TimeoutError(f"backfill {backfill_id} still {instance.get_backfill(backfill_id).status}")


def test_a_backfill_over_three_titles_completes_through_the_instance(tmp_path, monkeypatch, media, capsys):
    monkeypatch.setenv("MEDIA_LANDING_ROOT", str(tmp_path / "landing"))
    monkeypatch.setenv("MEDIA_LAKE_ROOT", str(tmp_path / "lake"))
    for title in TITLES:
        deliver(tmp_path / "landing", title, media["tone"])
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(titles_partitions.name, TITLES)
        assert main(["backfill", "--titles", "a,b,c"]) == 0
        out = capsys.readouterr().out
        [backfill] = instance.get_backfills()
        assert backfill.backfill_id in out and "3 titles (a, b, c)" in out and backfill.tags[BACKFILL_TAG] == "titles"

        assert run_daemon_until_done(instance, backfill.backfill_id) == BulkActionStatus.COMPLETED_SUCCESS
        runs = instance.get_runs(dg.RunsFilter(tags={"dagster/backfill": backfill.backfill_id}))
        assert {r.tags["dagster/partition"] for r in runs} == set(TITLES)
        assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs)
        for title in TITLES:
            assert read_title_table(LocalStore(tmp_path / "lake"), "title_summary", title).num_rows == 1

        assert main(["backfill", "--stale"]) == 0 and "nothing to backfill (stale)" in capsys.readouterr().out
        assert main(["backfill", "--titles", "a,zzz"]) == 1
        assert "not registered titles: zzz" in capsys.readouterr().err
