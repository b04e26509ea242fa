"""Runs `media-lake` started in a process that is gone (killed, a machine crash): without a daemon to
monitor them, they would hold their pool slots and their title's place forever. Each `media-lake run`
first marks them failed and frees what they held."""

import os
import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from media_pipelines.core.processes import process_exists

PID_TAG = "media_lake/pid"
HOST_TAG = "media_lake/host"
_UNFINISHED = [dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]


def process_tags() -> dict[str, str]:
    """Tags that say which process runs a run in-process, so a later one can tell it is gone."""
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def reclaim_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Fail this host's unfinished in-process runs whose process no longer exists and free their slots."""
    filters = dg.RunsFilter(statuses=_UNFINISHED, tags={HOST_TAG: socket.gethostname()})
    reclaimed = []
    for record in instance.get_run_records(filters=filters):
        run = record.dagster_run
        pid = int(run.tags.get(PID_TAG, "0"))
        if pid == os.getpid() or process_exists(pid):
            continue
        instance.report_run_failed(run, message=f"its media-lake process ({pid}) is gone: killed or crashed")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        reclaimed.append(run.run_id)
    return reclaimed


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """SIGTERM (a scheduler, `timeout`, `kill`) stops the CLI the way Ctrl-C does, instead of being ignored
    while a step waits for a pool slot."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
