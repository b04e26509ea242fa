"""The Python data API: titles, tables as Arrow and pandas with title, column and row filters, SQL, and the
files rows point at, on a local lake and on S3."""

import pandas as pd
import pytest

from media_pipelines.lake.store import LocalStore
from media_pipelines.lake.tables import write_title_table
from media_pipelines.query import Lake, UnknownTableError, connect_lake
from media_pipelines_tests.table_rows import table_rows


def fill(store) -> None:
    for title, shots in (("alpha", 3), ("beta", 2)):
        write_title_table(store, "raw_files", title, table_rows("raw_files", [{"source_id": f"{title}-src"}]))
        keys = [f"media/{title}/shots/k{i}.jpg" for i in range(shots)]
        for i, key in enumerate(keys):
            store.put_bytes(f"{title} keyframe {i}".encode(), key)
        rows = [{"source_id": "v", "shot_index": i, "fps": 1.0 + i, "keyframe_uri": key} for i, key in enumerate(keys)]
        write_title_table(store, "shots", title, table_rows("shots", rows))


def check(lake: Lake) -> None:
    assert lake.titles() == ["alpha", "beta"] and lake.tables() == ["raw_files", "shots"]
    rows = lake.table("shots", title="alpha", columns=["shot_index", "fps"], where="fps > 1.5")
    assert rows.to_pylist() == [{"shot_index": 1, "fps": 2.0}, {"shot_index": 2, "fps": 3.0}]
    everything = lake.table("shots")
    assert everything.num_rows == 5 and "title_id" in everything.column_names
    frame = lake.frame("shots", where="title_id = 'beta'")
    assert isinstance(frame, pd.DataFrame) and frame["shot_index"].tolist() == [0, 1]
    assert lake.sql("select title_id, count(*) from shots group by 1 order by 1").fetchall() == [
        ("alpha", 3),
        ("beta", 2),
    ]
    reference = frame["keyframe_uri"][1]
    with lake.open(reference) as path:
        assert path.read_bytes() == b"beta keyframe 1"
    assert lake.uri(reference).endswith("media/beta/shots/k1.jpg")
    with pytest.raises(UnknownTableError, match="no table 'shot'"):
        lake.table("shot")
    with pytest.raises(ValueError):
        lake.table("shots", title="../alpha")


def test_on_a_local_lake(tmp_path):
    fill(LocalStore(tmp_path / "lake"))
    check(connect_lake({"MEDIA_LAKE_ROOT": str(tmp_path / "lake")}))


def test_on_s3(s3_endpoint):
    env = {"MEDIA_LAKE_ROOT": "s3://lake/prod", "MEDIA_S3_ENDPOINT_URL": s3_endpoint}
    lake = connect_lake(env)
    lake.store.client.create_bucket(Bucket="lake")
    fill(lake.store)
    check(lake)
