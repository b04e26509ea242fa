"""The lake's tables on Lance: atomic per-title replaces under concurrent writers, versions and time travel,
schema checks on write, lean S3 reads, and the clean-up that keeps them few-filed."""

import multiprocessing
import os
import random
import time
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from media_pipelines.lake.maintenance import maintain_lake
from media_pipelines.lake.query import connect
from media_pipelines.lake.roots import S3Settings, open_store
from media_pipelines.lake.store import LocalStore
from media_pipelines.lake.tables import (
    TableSchemaError,
    open_table,
    read_title_table,
    title_ids,
    write_title_table,
    write_titles,
)
from media_pipelines.query import Lake
from media_pipelines_tests.table_rows import table_rows

WRITERS = 8


def shots(title: str, count: int, note: str = "") -> pa.Table:
    rows = [
        {"source_id": f"{title}-v", "shot_index": i, "start_s": float(i), "end_s": i + 1.0, "params_json": note}
        for i in range(count)
    ]
    return table_rows("shots", rows)


def open_lake(root: str, endpoint: str | None):
    return open_store(root, S3Settings(endpoint_url=endpoint)) if endpoint else LocalStore(Path(root))


def rerun_titles(root: str, endpoint: str | None, writer: int, start_at: float) -> None:
    """One writer process: its own title, written three times with different rows, the last one kept."""
    store = open_lake(root, endpoint)
    time.sleep(max(0.0, start_at - time.time()))
    for attempt in range(3):
        write_title_table(store, "shots", f"t{writer}", shots(f"t{writer}", 3 + attempt, note=f"run {attempt}"))


@pytest.mark.parametrize("lake", ["new", "compacted", "s3"])
def test_concurrent_title_runs_lose_no_commit(tmp_path, lake, request):
    """Eight processes start at once: on a lake with no shots table yet (one creates it), on one
    compacted into a single file that every title's rows share, and on S3 (conditional puts decide
    which commit takes a version). No commit is lost."""
    root, endpoint = str(tmp_path), None
    if lake == "s3":
        root, endpoint = "s3://racing/lake", request.getfixturevalue("s3_endpoint")
        open_lake(root, endpoint).client.create_bucket(Bucket="racing")
    store = open_lake(root, endpoint)
    if lake == "compacted":
        write_titles(store, "shots", {f"t{w}": shots(f"t{w}", 9) for w in range(WRITERS)})
        maintain_lake(store, retention=timedelta(0))
        assert len(open_table(store, "shots").get_fragments()) == 1
    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 4  # every process imported and waiting
    workers = [context.Process(target=rerun_titles, args=(root, endpoint, w, start_at)) for w in range(WRITERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=180)
        assert worker.exitcode == 0
    assert title_ids(store, "shots") == [f"t{w}" for w in range(WRITERS)]
    for w in range(WRITERS):
        assert read_title_table(store, "shots", f"t{w}").to_pylist() == shots(f"t{w}", 5, "run 2").to_pylist()


def test_a_replace_is_one_version_and_earlier_versions_stay_readable(tmp_path):
    store = LocalStore(tmp_path)
    write_title_table(store, "shots", "a", shots("a", 3))
    write_title_table(store, "shots", "b", shots("b", 2))
    before = open_table(store, "shots").version
    write_title_table(store, "shots", "a", shots("a", 1, note="re-run"))
    assert open_table(store, "shots").version == before + 1
    assert read_title_table(store, "shots", "a").to_pylist() == shots("a", 1, "re-run").to_pylist()
    assert read_title_table(store, "shots", "a", version=before).to_pylist() == shots("a", 3).to_pylist()
    assert read_title_table(store, "shots", "b").num_rows == 2  # other titles untouched

    old = Lake(store, versions={"shots": before})
    assert old.sql("select count(*) from shots where title_id = 'a'").fetchall() == [(3,)]
    assert Lake(store).table("shots", title="a", version=before).num_rows == 3
    assert Lake(store).versions() == {"shots": before + 1}


def test_an_identical_rerun_adds_no_version_and_changes_no_byte(tmp_path):
    store = LocalStore(tmp_path)
    write_title_table(store, "shots", "a", shots("a", 3))
    files = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    version = open_table(store, "shots").version
    write_title_table(store, "shots", "a", shots("a", 3))
    assert open_table(store, "shots").version == version
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == files


def test_a_title_with_no_rows_left_has_none(tmp_path):
    store = LocalStore(tmp_path)
    write_title_table(store, "shots", "a", shots("a", 3))
    write_title_table(store, "shots", "a", shots("a", 0))
    assert read_title_table(store, "shots", "a").num_rows == 0 and title_ids(store, "shots") == []


@pytest.mark.parametrize(
    "rows, message",
    [
        (lambda: shots("a", 2).drop_columns(["fps"]), "missing columns \\['fps'\\]"),
        (lambda: shots("a", 2).append_column("extra", pa.array([1, 2])), "undeclared columns \\['extra'\\]"),
        (lambda: shots("a", 2).set_column(2, "start_s", pa.array(["zero", "one"])), "start_s|Failed to parse"),
        (lambda: pa.concat_tables([shots("a", 2), shots("a", 1)]), "share a row key"),
    ],
)
def test_rows_that_break_the_schema_of_record_are_refused(tmp_path, rows, message):
    store = LocalStore(tmp_path)
    write_title_table(store, "shots", "a", shots("a", 1))
    with pytest.raises(TableSchemaError, match=message):
        write_title_table(store, "shots", "a", rows())
    assert read_title_table(store, "shots", "a").to_pylist() == shots("a", 1).to_pylist()
    with pytest.raises(TableSchemaError, match="no table of record"):
        write_title_table(store, "shot", "a", shots("a", 1))


def test_maintenance_compacts_drops_old_versions_and_unreferenced_generations(tmp_path):
    store = LocalStore(tmp_path)
    for title in ("a", "b", "c"):
        write_title_table(store, "shots", title, shots(title, 4))
    old = {
        "media/a/shots/a-v/gen1/0000.jpg": b"old keyframe",
        "media/a/shots/a-v/gen1/contact_sheet.jpg": b"old sheet",
        "media/a/transcripts/a-v/gen1/transcript.vtt": b"not a generation stage",
    }
    for key, data in old.items():
        store.put_bytes(data, key)
    open_table(store, "shots").tags.create("training-set-1", open_table(store, "shots").version)
    keyframe = "media/a/shots/a-v/gen2/0000.jpg"
    store.put_bytes(b"keyframe", keyframe)
    rows = shots("a", 1).set_column(9, "keyframe_uri", pa.array([keyframe]))
    write_title_table(store, "shots", "a", rows)
    assert len(open_table(store, "shots").get_fragments()) > 1

    kept = maintain_lake(store, retention=timedelta(days=1))  # everything is younger than a day
    assert kept.media_files_removed == 0 and all(store.exists(key) for key in old)

    old_mtime = time.time() - 2 * 86400  # older than the grace a running stage's media get
    for key in old:
        os.utime(tmp_path / key, (old_mtime, old_mtime))
    report = maintain_lake(store, retention=timedelta(0))
    dataset = open_table(store, "shots")
    assert report.tables["shots"].fragments_after == len(dataset.get_fragments()) == 1
    assert report.tables["shots"].versions_removed >= 3
    assert [v["version"] for v in dataset.versions()][-1] == dataset.version and len(dataset.versions()) == 2
    assert read_title_table(store, "shots", "a", version="training-set-1").num_rows == 4  # tagged: kept
    assert report.media_files_removed == 2 and store.exists(keyframe)
    assert not store.exists("media/a/shots/a-v/gen1/0000.jpg")
    assert store.exists("media/a/transcripts/a-v/gen1/transcript.vtt")
    assert {t: read_title_table(store, "shots", t).num_rows for t in "abc"} == {"a": 1, "b": 4, "c": 4}


def test_s3_reads_fetch_only_what_the_query_needs(s3_traffic):
    endpoint, traffic = s3_traffic
    store = open_store("s3://lean/lake", S3Settings(endpoint_url=endpoint))
    store.client.create_bucket(Bucket="lean")
    noise = random.Random(0)  # a wide column that does not compress, so reading it where not needed would show
    titles = {}
    for t in range(200):
        rows = [{**r, "params_json": noise.randbytes(1000).hex()} for r in shots(f"t{t:03d}", 20).to_pylist()]
        titles[f"t{t:03d}"] = table_rows("shots", rows)
    write_titles(store, "shots", titles)
    maintain_lake(store, retention=timedelta(0))
    stored = sum(info.size for info in store.walk("tables/shots.lance/data"))
    assert stored > 4_000_000

    traffic.reset()
    assert read_title_table(store, "shots", "t123").num_rows == 20
    assert traffic.bytes_read() < stored / 20
    traffic.reset()
    assert connect(store).sql("select max(shot_index), count(*) from shots").fetchall() == [(19, 4000)]
    assert traffic.bytes_read() < stored / 20 and not traffic.gets("originals")
    traffic.reset()
    assert connect(store).sql("select count(*) from shots where title_id = 't007' and end_s > 10").fetchall() == [(10,)]
    assert traffic.bytes_read() < stored / 20
