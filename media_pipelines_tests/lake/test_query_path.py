"""Reading the lake needs no Dagster, and sees every column the table has, for titles written before it."""

import json
import subprocess
import sys

from media_pipelines.lake.query import connect
from media_pipelines.lake.shots import SHOTS_SPEC
from media_pipelines.lake.store import LocalStore
from media_pipelines.lake.tables import TableSpec, write_title_table
from media_pipelines_tests.table_rows import table_rows

NO_DAGSTER = """
import sys
from media_pipelines.cli import main
from media_pipelines.query import connect_lake
code = main(["query", "select title_id, duplicate_group from shots order by title_id", "--format", "json"])
assert connect_lake().sql("select count(*) from shots").fetchall() == [(2,)]
loaded = sorted({m.split(".")[0] for m in sys.modules} & {"dagster", "dagster_aws", "boto3", "faster_whisper"})
print("loaded=" + ",".join(loaded))
sys.exit(code)
"""


def two_titles(root):
    """ "old" written by a code version whose shots had no duplicate_group, "new" by today's."""
    store = LocalStore(root)
    before = SHOTS_SPEC.schema.remove(SHOTS_SPEC.schema.get_field_index("duplicate_group"))
    earlier = TableSpec(SHOTS_SPEC.name, before, SHOTS_SPEC.row_key, SHOTS_SPEC.description)
    write_title_table(store, earlier, "old", table_rows("shots", [{"source_id": "s", "shot_index": 0}], before))
    write_title_table(store, SHOTS_SPEC, "new", table_rows("shots", [{"source_id": "s", "duplicate_group": "g1"}]))
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
    assert json.loads(out) == [
        {"title_id": "new", "duplicate_group": "g1"},
        {"title_id": "old", "duplicate_group": None},
    ]


def test_a_column_only_later_titles_have_is_read_for_all(tmp_path):
    store = two_titles(tmp_path / "lake")
    rows = connect(store).sql("select title_id, duplicate_group from shots order by title_id").fetchall()
    assert rows == [("new", "g1"), ("old", None)]
