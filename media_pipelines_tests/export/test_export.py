import io
import json
import tarfile
import time
from datetime import UTC, datetime

import av
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

from media_pipelines.cli import main
from media_pipelines.core.transcripts.wer import normalized
from media_pipelines.lake.store import LocalStore
from media_pipelines.lake.tables import read_title_table, write_title_table
from media_pipelines.samples import jfk_audio
from media_pipelines.samples.generate import ClipSpec, make_clip, shots_with_cuts
from media_pipelines_tests.conftest import deliver

SPOKEN = "select * from media_table where word_count > 0"


@pytest.fixture
def lake(project, media, tmp_path):
    speech = make_clip(ClipSpec(shots=shots_with_cuts([2.8, 8.2]), audio=jfk_audio()), tmp_path / "speech.mp4")
    deliver(project / "data/landing", "speech", speech.path)
    deliver(project / "data/landing", "bikes", media["bikes"])
    assert main(["run"]) == 0
    return project


def test_webdataset_shards_hold_keyframe_metadata_and_clip_and_are_deterministic(lake, capsys):
    args = ["export", "--sql", SPOKEN, "--format", "webdataset", "--clips", "--shard-size", "1"]
    assert main([*args, "--out", "a"]) == 0 and main([*args, "--out", "b"]) == 0
    assert "2 samples in 2 webdataset shards" in capsys.readouterr().out
    files = sorted(p.name for p in (lake / "a").iterdir())
    assert files == ["manifest.json", "shard-000000.tar", "shard-000001.tar"]
    assert all((lake / "a" / f).read_bytes() == (lake / "b" / f).read_bytes() for f in files)

    with tarfile.open(lake / "a/shard-000000.tar") as tar:
        names = tar.getnames()
        key = names[0].rsplit(".", 1)[0]
        assert names == [f"{key}.jpg", f"{key}.json", f"{key}.mp4"] and key.startswith("speech__")
        metadata = json.loads(tar.extractfile(f"{key}.json").read())
        keyframe = Image.open(io.BytesIO(tar.extractfile(f"{key}.jpg").read()))
        clip = tar.extractfile(f"{key}.mp4").read()
    assert normalized(metadata["transcript_text"]) == normalized("And so, my fellow Americans,")
    assert metadata["shot_index"] == 0 and keyframe.size[1] > 100
    (lake / "clip.mp4").write_bytes(clip)
    with av.open(str(lake / "clip.mp4")) as container:
        assert float(container.duration / av.time_base) == pytest.approx(2.8, abs=0.05)

    manifest = json.loads((lake / "a/manifest.json").read_text())
    assert manifest["samples"] == 2 and manifest["sql"] == SPOKEN and manifest["asr_models"][0].startswith("tiny.en")
    assert [s["title_id"] for s in manifest["sources"]] == ["speech"] and len(
        manifest["sources"][0]["source_sha256"]
    ) == 64
    assert set(manifest["code_versions"]) >= {"shots", "code_version", "transcripts_code_version"}


def test_parquet_shards_carry_the_query_columns_and_the_keyframe(lake):
    assert (
        main(
            [
                "export",
                "--sql",
                "select title_id, source_id, shot_index, start_s from shots",
                "--format",
                "parquet",
                "--out",
                "p",
            ]
        )
        == 0
    )
    table = pq.read_table(lake / "p/shard-000000.parquet")
    assert table.column_names == ["__key__", "title_id", "source_id", "shot_index", "start_s", "keyframe"]
    assert sorted(set(table["title_id"].to_pylist())) == ["bikes", "speech"] and table.num_rows == 8
    assert table["__key__"].to_pylist() == sorted(table["__key__"].to_pylist(), key=lambda k: k.split("__"))
    assert all(Image.open(io.BytesIO(b)).format == "JPEG" for b in table["keyframe"].to_pylist())


def test_queries_that_are_not_shots_and_occupied_folders_are_refused(lake, capsys):
    assert main(["export", "--sql", "select title_id from raw_files", "--out", "x"]) == 1
    assert "must return title_id, source_id, shot_index" in capsys.readouterr().err
    (lake / "full").mkdir()
    (lake / "full/keep.txt").write_text("mine")
    assert main(["export", "--sql", SPOKEN, "--out", "full"]) == 1
    assert "not an empty folder" in capsys.readouterr().err and (lake / "full/keep.txt").read_text() == "mine"
    assert not [p for p in lake.iterdir() if p.name.startswith(".x-") or p.name.startswith(".full-")]


def shard_bytes(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != "manifest.json"}


def test_as_of_rebuilds_an_earlier_export_byte_for_byte_after_a_rerun(lake, capsys):
    args = ["export", "--sql", SPOKEN, "--format", "webdataset", "--shard-size", "1"]
    assert main([*args, "--out", "first"]) == 0
    manifest = json.loads((lake / "first/manifest.json").read_text())
    assert manifest["table_versions"]["media_table"] >= 1 and "shots" in manifest["table_versions"]
    time.sleep(0.05)
    between = datetime.now(UTC).isoformat()

    store = LocalStore(lake / "data/lake")  # the title re-run with a different transcript
    rows = read_title_table(store, "media_table", "speech")
    rerun = rows.set_column(
        rows.schema.get_field_index("transcript_text"), "transcript_text", pa.array(["other words"] * rows.num_rows)
    )
    write_title_table(store, "media_table", "speech", rerun)

    assert main([*args, "--out", "now"]) == 0
    assert shard_bytes(lake / "now") != shard_bytes(lake / "first")
    assert main([*args, "--out", "again", "--as-of", str(lake / "first/manifest.json")]) == 0
    assert main([*args, "--out", "then", "--as-of", between]) == 0
    assert shard_bytes(lake / "again") == shard_bytes(lake / "then") == shard_bytes(lake / "first")
    assert json.loads((lake / "again/manifest.json").read_text())["table_versions"] == manifest["table_versions"]
    capsys.readouterr()
    assert main([*args, "--out", "never", "--as-of", "2001-01-01T00:00:00"]) == 1
    assert "no table version at or before" in capsys.readouterr().err
    assert main(["maintain", "--retention-days", "0"]) == 0  # the replaced versions are dropped
    assert main([*args, "--out", "gone", "--as-of", str(lake / "first/manifest.json")]) == 1
    assert "no longer retained" in capsys.readouterr().err
