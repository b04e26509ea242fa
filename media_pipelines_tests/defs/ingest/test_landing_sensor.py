import json
import os

import dagster as dg

from media_pipelines.defs.ingest.assets import raw_media
from media_pipelines.defs.ingest.sensors import MAX_TITLES_PER_TICK, landing_sensor
from media_pipelines.defs.partitions import titles_partitions
from media_pipelines.lake.landing import LANDING_STATE_PREFIX, LandingState, load_landing_state
from media_pipelines_tests.conftest import deliver


def tick(instance, resources, cursor=None) -> dg.SensorResult:
    with dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"landing": resources["landing"], "lake": resources["lake"]}
    ) as context:
        result = landing_sensor(context)
    for request in result.dynamic_partitions_requests:
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return result


def state(resources, result) -> LandingState:
    return load_landing_state(resources["lake"].store(), result.cursor)


def test_a_cursor_from_before_the_state_moved_to_the_lake_is_read(lake_roots, resources, instance, media):
    deliver(lake_roots["landing"], "bikes", media["bikes"])
    first = tick(instance, resources)
    legacy = json.dumps({"titles": dict(state(resources, first).fingerprints), "invalid": []})
    again = tick(instance, resources, legacy)
    assert again.run_requests == [] and state(resources, again).fingerprints == state(resources, first).fingerprints


def test_new_title_is_registered_and_requested_once(lake_roots, resources, instance, media):
    deliver(lake_roots["landing"], "bikes", media["bikes"])
    first = tick(instance, resources)
    [add] = first.dynamic_partitions_requests
    assert add.partitions_def_name == titles_partitions.name and list(add.partition_keys) == ["bikes"]
    [request] = first.run_requests
    assert request.partition_key == "bikes" and request.run_key.startswith("bikes:") and request.tags == {}
    again = tick(instance, resources, first.cursor)
    assert again.run_requests == [] and again.dynamic_partitions_requests == []


def test_changed_title_is_requested_again_with_a_new_run_key(lake_roots, resources, instance, media):
    folder = deliver(lake_roots["landing"], "bikes", media["bikes"])
    first = tick(instance, resources)
    deliver(lake_roots["landing"], "bikes", media["tone"])
    os.utime(folder / "bikes.mp4", ns=(1, 1))
    second = tick(instance, resources, first.cursor)
    assert second.dynamic_partitions_requests == []
    [request] = second.run_requests
    assert request.partition_key == "bikes" and request.run_key != first.run_requests[0].run_key


def test_invalid_folder_names_are_skipped(lake_roots, resources, instance, media):
    deliver(lake_roots["landing"], "Not Valid", media["tone"])
    deliver(lake_roots["landing"], "ok-title", media["tone"])
    result = tick(instance, resources)
    assert [r.partition_key for r in result.run_requests] == ["ok-title"]
    assert state(resources, result).invalid_folders == ("Not Valid",)


def test_title_already_ingested_by_the_cli_is_not_run_again(lake_roots, resources, instance, media):
    deliver(lake_roots["landing"], "bikes", media["bikes"])
    instance.add_dynamic_partitions(titles_partitions.name, ["bikes"])
    dg.materialize([raw_media], partition_key="bikes", resources=resources, instance=instance)
    result = tick(instance, resources)
    assert result.run_requests == [] and "bikes" in state(resources, result).fingerprints


def test_ten_thousand_folders_are_worked_through_under_the_cap(lake_roots, resources, instance):
    total = 10_000
    for i in range(total):
        folder = lake_roots["landing"] / f"title-{i:05d}"
        folder.mkdir()
        (folder / "a.mp4").write_bytes(b"x")
    cursor, requested, ticks = None, set(), 0
    while True:
        result = tick(instance, resources, cursor)
        ticks += 1
        assert len(result.run_requests) <= MAX_TITLES_PER_TICK
        # The cursor the daemon writes into every tick row stays a digest; the state it names is in the
        # lake, where at most this tick's and the last one's are kept.
        assert len(result.cursor.encode()) < 64
        assert len(list(resources["lake"].store().walk(LANDING_STATE_PREFIX))) <= 2
        if not result.run_requests:
            break
        requested.update(r.partition_key for r in result.run_requests)
        cursor = result.cursor
    assert len(requested) == total and ticks == total // MAX_TITLES_PER_TICK + 1
    assert len(state(resources, result).fingerprints) == total
    assert len(instance.get_dynamic_partitions(titles_partitions.name)) == total


def test_a_large_delivery_asks_for_a_bigger_task(lake_roots, resources, instance):
    folder = lake_roots["landing"] / "feature"
    folder.mkdir()
    with (folder / "master.mov").open("wb") as f:
        f.truncate(3 << 30)  # sparse: the sensor reads sizes, never content
    [request] = tick(instance, resources).run_requests
    assert request.tags == {"ecs/cpu": "4096", "ecs/memory": "16384"}
