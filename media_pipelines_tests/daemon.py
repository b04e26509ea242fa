"""The daemon's own code paths, driven from tests: the code location served as `dagster-daemon` serves it,
the backfill and run-queue iterations. Dagster has no public API for these; they are private test
utilities, checked on upgrade by test_dagster_private.py."""

import logging
import time
from collections.abc import Callable
from contextlib import contextmanager

import dagster as dg
from dagster._core.execution.backfill import BULK_ACTION_TERMINAL_STATUSES, BulkActionStatus
from dagster._core.test_utils import create_test_daemon_workspace_context
from dagster._core.workspace.load_target import ModuleTarget
from dagster._daemon.backfill import execute_backfill_iteration
from dagster._daemon.run_coordinator.queued_run_coordinator_daemon import QueuedRunCoordinatorDaemon

CODE_LOCATION = "media_pipelines"
_TARGET = ModuleTarget("media_pipelines.definitions", "defs", None, CODE_LOCATION)


@contextmanager
def code_location_workspace(instance: dg.DagsterInstance):
    with create_test_daemon_workspace_context(_TARGET, instance) as workspace:
        yield workspace


def run_daemon_until_done(
    instance: dg.DagsterInstance,
    backfill_id: str,
    timeout_s: float = 420,
    between_iterations: Callable[[], None] = lambda: None,
) -> BulkActionStatus:
    """The backfill and run-queue daemons' own iterations, driven here instead of by dagster-daemon; runs
    are dequeued and launched as subprocesses through the code location, as in production. The bound is
    for liveness only: about 2 minutes on a quiet 2-core machine, past 3 minutes when it is busy.
    `between_iterations` runs after each (an automation tick, say), as the other daemons would."""
    deadline = time.monotonic() + timeout_s
    with code_location_workspace(instance) as workspace, QueuedRunCoordinatorDaemon(interval_seconds=1) as queue:
        while time.monotonic() < deadline:
            list(execute_backfill_iteration(workspace, logging.getLogger("backfill")))
            list(queue.run_iteration(workspace))
            between_iterations()
            status = instance.get_backfill(backfill_id).status
            if status in BULK_ACTION_TERMINAL_STATUSES:
                return status
            time.sleep(1)
    raise TimeoutError(f"backfill {backfill_id} still {instance.get_backfill(backfill_id).status}")
