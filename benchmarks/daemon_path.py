"""A title run through the daemon's path against the same title run in process, and the definitions' load.

Usage: python benchmarks/daemon_path.py [--repeat 3] [--title-seconds 12]

In process is what `media-lake run` does (the title job's execute_in_process). The daemon path is what a
sensor, schedule, backfill or UI run goes through: a run of the served job queued by the instance's run
coordinator, dequeued by the run-queue daemon's own iteration (polled every 0.2 s here) and started by
the default run launcher through the code server as a new `dagster api execute_run` process. Both run
the same title again (a re-run: every stage computes, the tables are left unchanged), so their steps do
the same work; the overhead of a path is its wall time minus the sum of its steps' durations.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import dagster as dg  # noqa: E402
from dagster._daemon.run_coordinator.queued_run_coordinator_daemon import QueuedRunCoordinatorDaemon  # noqa: E402

from media_pipelines.definitions import build_definitions  # noqa: E402
from media_pipelines.defs.jobs import TITLE_JOB_NAME  # noqa: E402
from media_pipelines.defs.partitions import titles_partitions  # noqa: E402
from media_pipelines.samples.generate import ClipSpec, make_clip, shots_with_cuts  # noqa: E402
from media_pipelines_tests.daemon import CODE_LOCATION, code_location_workspace  # noqa: E402

TITLE = "bench"
QUEUED = {"module": "media_pipelines.defs.ingest.sizing", "class": "SizedRunCoordinator"}
_IMPORT = "import time, resource; t = time.perf_counter(); import media_pipelines.definitions as d; d.defs; " \
          "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"  # fmt: skip


def definitions_load(repeat: int) -> tuple[float, float]:
    """Median seconds and MB to import and build the definitions in a fresh interpreter."""
    samples = [subprocess.run([sys.executable, "-c", _IMPORT], capture_output=True, text=True, check=True).stdout.split()
               for _ in range(repeat)]  # fmt: skip
    return statistics.median(float(s[0]) for s in samples), statistics.median(float(s[1]) for s in samples)


def steps_s(instance: dg.DagsterInstance, run_id: str) -> float:
    return sum(s.end_time - s.start_time for s in instance.get_run_step_stats(run_id) if s.end_time and s.start_time)


def in_process(job, instance: dg.DagsterInstance) -> tuple[float, float]:
    start = time.perf_counter()
    result = job.execute_in_process(partition_key=TITLE, instance=instance)
    wall = time.perf_counter() - start
    assert result.success
    return wall, steps_s(instance, result.run_id)


def through_the_daemon(job, instance: dg.DagsterInstance, workspace, queue) -> tuple[float, float]:
    context = workspace.create_request_context()
    remote_job = context.get_code_location(CODE_LOCATION).get_repository("__repository__").get_full_job(TITLE_JOB_NAME)
    start = time.perf_counter()
    run = instance.create_run_for_job(
        job,
        remote_job_origin=remote_job.get_remote_origin(),
        job_code_origin=remote_job.get_python_origin(),
        tags={"dagster/partition": TITLE},
    )
    instance.submit_run(run.run_id, context)
    while not instance.get_run_by_id(run.run_id).is_finished:
        list(queue.run_iteration(workspace))
        time.sleep(0.2)
    wall = time.perf_counter() - start
    assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.SUCCESS
    return wall, steps_s(instance, run.run_id)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--title-seconds", type=float, default=12.0, help="length of the generated title")
    args = parser.parse_args()

    load_s, load_mb = definitions_load(5)
    print(f"definitions load (fresh interpreter, median of 5): {load_s:.2f} s, {load_mb:.0f} MB peak RSS")
    with tempfile.TemporaryDirectory(prefix="daemon-path-") as tmp:
        os.environ["MEDIA_LANDING_ROOT"], os.environ["MEDIA_LAKE_ROOT"] = f"{tmp}/landing", f"{tmp}/lake"
        shots = shots_with_cuts([args.title_seconds / 3] * 3)
        make_clip(ClipSpec(shots=shots), Path(tmp, "landing", TITLE, "title.mp4"))
        job = build_definitions().resolve_job_def(TITLE_JOB_NAME)
        with dg.instance_for_test(temp_dir=tmp, overrides={"run_coordinator": QUEUED}) as instance:
            instance.add_dynamic_partitions(titles_partitions.name, [TITLE])
            in_process(job, instance)  # the first run ingests and builds; the measured ones are re-runs
            rows = {"in process (media-lake run)": [], "daemon path (queue, launcher, new process)": []}
            with (
                code_location_workspace(instance) as workspace,
                QueuedRunCoordinatorDaemon(interval_seconds=1) as queue,
            ):
                for _ in range(args.repeat):
                    rows["in process (media-lake run)"].append(in_process(job, instance))
                    rows["daemon path (queue, launcher, new process)"].append(
                        through_the_daemon(job, instance, workspace, queue)
                    )
    print(f"\na {args.title_seconds:g} s title, re-run {args.repeat} times each way (medians):")
    print(f"{'path':<46} {'wall s':>8} {'steps s':>8} {'overhead s':>11}")
    for name, samples in rows.items():
        wall = statistics.median(w for w, _ in samples)
        steps = statistics.median(s for _, s in samples)
        overhead = statistics.median(w - s for w, s in samples)
        print(f"{name:<46} {wall:>8.2f} {steps:>8.2f} {overhead:>11.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
