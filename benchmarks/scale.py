"""The control plane at scale: a landing zone of 10,000 title folders, then a 1,000-title backfill.

Prints each landing-sensor tick's wall time and the process's peak memory, the ticks needed to register
every title, the time to submit a 1,000-title asset backfill as `media-lake backfill` does and for the
backfill daemon to create its runs, and the time the nightly reconcile needs to scan 1,000 titles,
unbuilt and built. Targets: every tick under 10 s, the backfill launch under 60 s.

Usage: python benchmarks/scale.py [--titles 10000] [--backfill 1000]
"""

import argparse
import logging
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import dagster as dg  # noqa: E402
from dagster._core.test_utils import create_test_daemon_workspace_context  # noqa: E402
from dagster._core.workspace.load_target import ModuleTarget  # noqa: E402
from dagster._daemon.backfill import execute_backfill_iteration  # noqa: E402
from dagster._daemon.sensor import execute_sensor_iteration  # noqa: E402
from dagster._serdes import serialize_value  # noqa: E402

from media_pipelines.definitions import build_definitions  # noqa: E402
from media_pipelines.defs.backfills import plan_backfills, submit_backfill  # noqa: E402
from media_pipelines.defs.ingest.sensors import landing_sensor  # noqa: E402
from media_pipelines.defs.partitions import title_asset_keys, titles_partitions  # noqa: E402
from media_pipelines.defs.reconcile import title_needs  # noqa: E402
from media_pipelines.defs.resources import S3Connection, StorageRoot  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def landing_zone(root: Path, titles: int) -> None:
    for i in range(titles):
        folder = root / f"title-{i:05d}"
        folder.mkdir(parents=True)
        (folder / "feature.mp4").write_bytes(b"\0" * 64)
        (folder / "feature.en.srt").write_bytes(b"1\n00:00:01,000 --> 00:00:02,000\nhi\n")


def sensor_ticks(instance: dg.DagsterInstance, landing: StorageRoot, lake: StorageRoot) -> list[tuple]:
    """(seconds, titles registered, runs requested, cursor bytes) per tick, until a tick has nothing to do."""
    cursor, ticks = None, []
    resources = {"landing": landing, "lake": lake}
    while True:
        start = time.perf_counter()
        with dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources) as context:
            result = landing_sensor(context)
        # What the daemon does with the result: register the partitions the tick asked for.
        registered = 0
        for request in result.dynamic_partitions_requests:
            instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
            registered += len(request.partition_keys)
        ticks.append((time.perf_counter() - start, registered, len(result.run_requests), len(result.cursor.encode())))
        if not result.run_requests and not registered:
            return ticks
        cursor = result.cursor


def seed_materializations(instance: dg.DagsterInstance, graph, titles: list[str]) -> None:
    """Every stage of every title materialized, as the scan sees them after a night of runs."""
    for title in titles:
        for key in title_asset_keys(graph):
            tags = {"dagster/code_version": graph.get(key).code_version, "dagster/data_version": title}
            instance.report_runless_asset_event(dg.AssetMaterialization(key, partition=title, tags=tags))


def first_daemon_iteration(instance, backfill_id: str, landing: Path, lake: Path) -> tuple[int, float]:
    """The backfill daemon's own iteration (as dagster-daemon runs it) against the code location."""
    os.environ.update(MEDIA_LANDING_ROOT=str(landing), MEDIA_LAKE_ROOT=str(lake))
    target = ModuleTarget("media_pipelines.definitions", "defs", None, "media_pipelines")
    with create_test_daemon_workspace_context(target, instance) as workspace:
        workspace.create_request_context()  # load the code location before the clock starts
        start = time.perf_counter()
        list(execute_backfill_iteration(workspace, logging.getLogger("backfill")))
        seconds = time.perf_counter() - start
    return len(instance.get_run_ids(dg.RunsFilter(tags={"dagster/backfill": backfill_id}))), seconds


def daemon_sensor_ticks(instance, landing: Path, lake: Path, ticks: int) -> list[tuple]:
    """The sensor daemon's own iteration (as dagster-daemon runs it, through the code server), `ticks`
    times 31 s apart (the sensor's minimum interval): per tick, seconds, runs requested, the cursor's bytes
    and the bytes of the tick row the instance stores (cursor, run ids, partition requests, log key)."""
    os.environ.update(MEDIA_LANDING_ROOT=str(landing), MEDIA_LAKE_ROOT=str(lake))
    target = ModuleTarget("media_pipelines.definitions", "defs", None, "media_pipelines")
    rows = []
    with create_test_daemon_workspace_context(target, instance) as workspace:
        location = workspace.create_request_context().get_code_location("media_pipelines")
        sensor = location.get_repository("__repository__").get_sensor("landing_sensor")
        for n in range(ticks):
            if n:
                time.sleep(31)
            start = time.perf_counter()
            list(execute_sensor_iteration(workspace, logging.getLogger("sensor"), None, None))
            seconds = time.perf_counter() - start
            [tick] = instance.get_ticks(sensor.get_remote_origin_id(), sensor.selector_id, limit=1)
            cursor = tick.tick_data.cursor or ""
            rows.append((seconds, len(tick.run_ids), len(cursor.encode()), len(serialize_value(tick.tick_data))))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--titles", type=int, default=10_000)
    parser.add_argument("--backfill", type=int, default=1_000)
    parser.add_argument("--postgres", metavar="URL", help="run storage in Postgres (production), not SQLite")
    parser.add_argument("--daemon-ticks", type=int, default=3, help="sensor-daemon ticks to measure (31 s apart)")
    args = parser.parse_args()
    storage = {"storage": {"postgres": {"postgres_url": args.postgres}}} if args.postgres else {}
    # Runs the daemon's ticks request are queued, not executed.
    storage["run_coordinator"] = {"module": "dagster.core.run_coordinator", "class": "QueuedRunCoordinator"}
    with (
        tempfile.TemporaryDirectory(prefix="scale-") as tmp,
        dg.instance_for_test(overrides=storage, temp_dir=tmp) as instance,
    ):
        print(f"instance storage: {'Postgres' if args.postgres else 'SQLite (one event-log file per run)'}")
        root = Path(tmp) / "landing"
        start = time.perf_counter()
        landing_zone(root, args.titles)
        print(f"landing zone: {args.titles} title folders written in {time.perf_counter() - start:.1f} s")

        lake = StorageRoot(root=str(Path(tmp) / "lake"), s3=S3Connection())
        ticks = sensor_ticks(instance, StorageRoot(root=str(root), s3=S3Connection()), lake)
        slowest = max(tick[0] for tick in ticks)
        print(f"\nlanding sensor: {len(ticks)} ticks to register {sum(tick[1] for tick in ticks)} titles")
        for n, (seconds, registered, runs, cursor_bytes) in enumerate(ticks, 1):
            print(
                f"  tick {n:>3}: {seconds:6.2f} s  registered {registered:>5}  runs requested {runs:>4}"
                f"  cursor {cursor_bytes} bytes"
            )
        print(f"  slowest tick {slowest:.2f} s (target < 10 s) {'ok' if slowest < 10 else 'MISSED'}")
        largest = max(tick[3] for tick in ticks)
        print(f"  largest cursor {largest} bytes (target < 4 KB) {'ok' if largest < 4096 else 'MISSED'}")
        print(f"  peak memory of this process: {peak_rss_mb():.0f} MB")

        daemon = daemon_sensor_ticks(instance, root, Path(tmp) / "lake", args.daemon_ticks)
        print(f"\nlanding sensor through the sensor daemon's tick path, {args.titles} titles registered:")
        for n, (seconds, runs, cursor_bytes, tick_bytes) in enumerate(daemon, 1):
            print(f"  tick {n}: {seconds:6.2f} s  runs requested {runs:>4}  cursor {cursor_bytes} bytes"
                  f"  tick row {tick_bytes} bytes")  # fmt: skip
        state = sorted((Path(tmp) / "lake" / "control" / "landing_sensor").glob("*.json"))
        print(f"  sensor state in the lake: {len(state)} files, {sum(f.stat().st_size for f in state)} bytes")

        defs = build_definitions({"MEDIA_LANDING_ROOT": str(root), "MEDIA_LAKE_ROOT": str(Path(tmp) / "lake")})
        graph = defs.resolve_asset_graph()
        titles = sorted(instance.get_dynamic_partitions(titles_partitions.name))[: args.backfill]
        start = time.perf_counter()
        needing = title_needs(instance, graph, titles)
        print(
            f"\nreconcile scan of {len(titles)} unbuilt titles: {time.perf_counter() - start:.2f} s, {len(needing)} need a run"
        )

        seed_materializations(instance, graph, titles)
        start = time.perf_counter()
        needing = title_needs(instance, graph, titles)
        print(
            f"\nreconcile scan of {len(titles)} built titles: {time.perf_counter() - start:.2f} s,"
            f" {len(needing)} need a run (recorded without inputs, so all stale)"
        )

        start = time.perf_counter()
        for assets, group in plan_backfills(instance, graph, titles, need=None).items():
            backfill_id = submit_backfill(instance, graph, assets, group, "titles")
        submit = time.perf_counter() - start
        print(f"\nbackfill {backfill_id}: {len(titles)} titles x {len(graph.get_all_asset_keys())} assets")
        print(f"  submitted in {submit:.2f} s")
        queued, iteration = first_daemon_iteration(instance, backfill_id, root, Path(tmp) / "lake")
        launch = submit + iteration
        print(f"  first backfill-daemon iteration queued {queued} runs in {iteration:.2f} s")
        print(f"  launch (submit + runs queued) {launch:.2f} s (target < 60 s) {'ok' if launch < 60 else 'MISSED'}")

        print(f"peak memory of this process: {peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
