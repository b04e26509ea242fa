"""Reading the lake needs no Dagster, and sees every column any title's table has."""

import json
import subprocess
import sys

import pyarrow as pa

from media_pipelines.lake.query import connect
from media_pipelines.lake.store import LocalStore
from media_pipelines.lake.tables import write_title_table

NO_DAGSTER = """
import sys
from media_pipelines.cli import main
from media_pipelines.query import connect_lake
code = main(["query", "select title_id, note from shots order by title_id", "--format", "json"])
assert connect_lake().sql("select count(*) from shots").fetchall() == [(2,)]
loaded = sorted({m.split(".")[0] for m in sys.modules} & {"dagster", "dagster_aws", "boto3", "faster_whisper"})
print("loaded=" + ",".join(loaded))
sys.exit(code)
"""


def two_titles(root):
    store = LocalStore(root)
    write_title_table(store, "shots", "old", pa.table({"shot_index": [0]}))
    write_title_table(store, "shots", "new", pa.table({"shot_index": [0], "note": ["added later"]}))
    return store


def test_query_and_connect_lake_import_no_dagster(tmp_path):
    two_titles(tmp_path / "lake")
    result = subprocess.run(
        [sys.executable, "-c", NO_DAGSTER],
        env={"MEDIA_LAKE_ROOT": str(tmp_path / "lake"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out, loaded = result.stdout.rsplit("loaded=", 1)
    assert loaded.strip() == ""
    assert json.loads(out) == [{"title_id": "new", "note": "added later"}, {"title_id": "old", "note": None}]


def test_a_column_only_later_titles_have_is_read_for_all(tmp_path):
    store = two_titles(tmp_path / "lake")
    rows = connect(store).sql("select title_id, note from shots order by title_id").fetchall()
    assert rows == [("new", "added later"), ("old", None)]
