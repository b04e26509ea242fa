"""Tables reference the lake's files relative to its root: a lake moved to another folder keeps working,
for queries, later stages and exports that copy its media."""

import shutil
import tarfile

import dagster as dg
import pyarrow.compute as pc

from media_pipelines.cli import main
from media_pipelines.definitions import build_definitions
from media_pipelines.defs.jobs import TITLE_JOB_NAME
from media_pipelines.defs.partitions import TITLES_PARTITION_NAME
from media_pipelines.lake.query import table_names
from media_pipelines.lake.store import LocalStore
from media_pipelines.lake.tables import read_title_table
from media_pipelines.samples import jfk_audio
from media_pipelines.samples.generate import ClipSpec, make_clip, shots_with_cuts
from media_pipelines_tests.conftest import deliver


def references(store: LocalStore) -> list[str]:
    """Every file reference in every table: the values of its *_uri and uri columns."""
    found = []
    for name in table_names(store):
        for title_id in ("speech",):
            table = read_title_table(store, name, title_id)
            for column in (c for c in table.column_names if c == "uri" or c.endswith("_uri")):
                found += [v for v in pc.drop_null(table[column]).to_pylist() if v]
    return found


def test_a_moved_lake_still_answers_reruns_and_exports(project, monkeypatch, tmp_path):
    speech = make_clip(ClipSpec(shots=shots_with_cuts([2.8, 8.2]), audio=jfk_audio()), tmp_path / "speech.mp4")
    deliver(project / "data/landing", "speech", speech.path)
    assert main(["run"]) == 0
    before = references(LocalStore(project / "data/lake"))
    assert len(before) > 10 and not [r for r in before if r.startswith("/")]

    shutil.move(project / "data/lake", project / "archive")
    monkeypatch.setenv("MEDIA_LAKE_ROOT", str(project / "archive"))
    moved = LocalStore(project / "archive")
    assert references(moved) == before and all((project / "archive" / r).is_file() for r in before)

    assert main(["query", "select count(*) from media_table where keyframe_uri is not null"]) == 0
    defs = build_definitions()
    later = [dg.AssetKey(k) for k in ("shots", "transcripts", "audio_features", "media_table", "title_summary")]
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(TITLES_PARTITION_NAME, ["speech"])
        result = defs.resolve_job_def(TITLE_JOB_NAME).execute_in_process(
            partition_key="speech", instance=instance, asset_selection=later
        )
    assert result.success

    sql = "select * from media_table where word_count > 0"
    assert main(["export", "--sql", sql, "--clips", "--out", str(tmp_path / "shards")]) == 0
    with tarfile.open(tmp_path / "shards" / "shard-000000.tar") as tar:
        suffixes = sorted(name.rsplit(".", 1)[1] for name in tar.getnames())
    assert suffixes.count("jpg") == suffixes.count("mp4") >= 1
