import os
import socket

import pytest

from media_pipelines.lake.store import LocalStore, checked_key


def test_local_store_writes_atomically_and_leaves_no_temp_files(tmp_path):
    store = LocalStore(tmp_path)
    store.put_bytes(b"first", "tables/t/title_id=a/part-0.parquet")
    store.put_bytes(b"second", "tables/t/title_id=a/part-0.parquet")
    assert store.read_bytes("tables/t/title_id=a/part-0.parquet") == b"second"
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["part-0.parquet"]


def test_size_of_a_file_and_of_none(tmp_path):
    store = LocalStore(tmp_path)
    store.put_bytes(b"abcd", "media/t/k.jpg")
    assert [store.size(k) for k in ("media/t/k.jpg", "media/t", "media/t/none.jpg")] == [4, None, None]


def test_failed_write_keeps_the_previous_file(tmp_path):
    store = LocalStore(tmp_path)
    store.put_bytes(b"good", "x/data.bin")
    with pytest.raises(FileNotFoundError):
        store.put_file(tmp_path / "missing", "x/data.bin")
    assert store.read_bytes("x/data.bin") == b"good"
    assert [p.name for p in (tmp_path / "x").iterdir()] == ["data.bin"]


def test_walk_lists_files_with_versions_and_skips_hidden(tmp_path):
    store = LocalStore(tmp_path)
    store.put_bytes(b"abc", "t1/a.mp4")
    (tmp_path / "t1" / ".partial.mp4").write_bytes(b"x")
    infos = list(store.walk())
    assert [(i.key, i.size) for i in infos] == [("t1/a.mp4", 3)]
    assert infos[0].version


@pytest.mark.parametrize("key", ["../x", "/etc/passwd", "a/../../b", "", "a//b", "./a"])
def test_keys_cannot_escape_the_root(key):
    with pytest.raises(ValueError, match="unsafe object key"):
        checked_key(key)


def test_a_write_removes_the_temp_a_killed_writer_left_for_that_key(tmp_path):
    store = LocalStore(tmp_path)
    store.put_bytes(b"old", "tables/t/part-0.parquet")
    folder = tmp_path / "tables/t"
    host = socket.gethostname()
    dead = folder / f".part-0.parquet.{host}-999999999.0123abcd.tmp"  # no such pid
    alive = folder / f".part-0.parquet.{host}-{os.getpid()}.4567ef01.tmp"
    other_key = folder / f".part-1.parquet.{host}-999999999.89abcdef.tmp"
    for temp in (dead, alive, other_key):
        temp.write_bytes(b"partial")
    store.put_bytes(b"new", "tables/t/part-0.parquet")
    assert not dead.exists() and alive.exists() and other_key.exists()
    assert store.read_bytes("tables/t/part-0.parquet") == b"new"


def test_a_title_folder_that_is_a_link_lists_nothing(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.mp4").write_bytes(b"not ours")
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "linked-title").symlink_to(elsewhere, target_is_directory=True)
    store = LocalStore(landing)
    assert list(store.walk("linked-title")) == []
    assert [info.refused for info in store.walk()] == ["a link to a folder: folders behind links are not read"]
