import json
import re
from pathlib import Path

import dagster as dg

from media_pipelines.cli import main
from media_pipelines.instance import open_instance
from media_pipelines.query import connect_lake
from media_pipelines_tests.conftest import deliver


def lake_files(project: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(project)): p.read_bytes() for p in sorted((project / "data/lake").rglob("*")) if p.is_file()
    }


def readme_queries() -> list[str]:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    queries = [" ".join(q.split()) for q in re.findall(r'media-lake query "(.*?)"', readme, re.DOTALL)]
    return [q for q in queries if q.startswith("select") and "from" in q]


def test_demo_materializes_every_demo_title_into_the_persistent_instance(project, capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for title_id in ("bikes", "jfk", "studio-edits"):
        assert f"\n{title_id} " in out
    assert connect_lake().titles() == ["bikes", "jfk", "studio-edits"]
    assert "media-lake ui" in out
    kinds = (
        connect_lake().sql("select title_id, list(kind order by kind) from raw_files group by 1 order by 1").fetchall()
    )
    assert kinds == [("bikes", ["video"]), ("jfk", ["timed_text", "video"]), ("studio-edits", ["annotations", "video"])]
    for example in readme_queries():  # every query the README shows answers on the demo titles
        assert main(["query", example, "--format", "json"]) == 0
        assert json.loads(capsys.readouterr().out), example
    with open_instance() as instance:
        assert (project / "data/dagster_home/storage").is_dir()
        runs = instance.get_runs()
        assert sorted(r.tags["dagster/partition"] for r in runs) == ["bikes", "jfk", "studio-edits"]
        assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs)


def test_run_twice_gives_identical_tables_and_no_orphans(project, media, capsys):
    deliver(project / "data/landing", "one", media["bikes"], media["tone"])
    deliver(project / "data/landing", "two", media["vfr"])
    assert main(["run"]) == 0
    first = lake_files(project)
    assert main(["run", "--title", "one", "--title", "two"]) == 0
    assert lake_files(project) == first
    count = connect_lake().sql("select count(*), count(distinct (title_id, source_id)) from raw_files").fetchall()[0]
    assert count == (3, 3)
    originals = [k for k in first if "/originals/" in k]
    assert len(originals) == 3 and not [k for k in first if Path(k).name.startswith(".")]


def test_invalid_and_unknown_titles_exit_nonzero_with_a_message(project, media, capsys):
    deliver(project / "data/landing", "good", media["tone"])
    assert main(["run", "--title", "../x", "--title", "missing", "--title", "good"]) == 1
    captured = capsys.readouterr()
    assert "../x" in captured.out and "invalid title id" in captured.out
    assert "missing" in captured.out and "no landing folder" in captured.out
    assert "good " in captured.out and "Traceback" not in captured.out + captured.err
    assert "failed: ../x, missing" in captured.err


def test_failing_title_is_named_and_others_still_run(project, media, capsys):
    (project / "bad.mp4").write_bytes(b"")
    deliver(project / "data/landing", "broken", project / "bad.mp4")
    deliver(project / "data/landing", "fine", media["tone"])
    assert main(["run"]) == 1
    out = capsys.readouterr().out
    assert "broken " in out and "FAILED" in out and "no usable video or audio" in out
    assert connect_lake().titles() == ["broken", "fine"]
    assert connect_lake().table("raw_files", title="fine").num_rows == 1


def test_query_in_table_json_and_csv(project, media, capsys):
    deliver(project / "data/landing", "one", media["bikes"])
    deliver(project / "data/landing", "two", media["tone"])
    assert main(["run"]) == 0
    capsys.readouterr()
    sql = "select title_id, kind from raw_files order by title_id"
    assert main(["query", sql, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"title_id": "one", "kind": "video"},
        {"title_id": "two", "kind": "audio"},
    ]
    assert main(["query", sql, "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ['"title_id","kind"', '"one","video"', '"two","audio"']
    assert main(["query", "select count(*) as shots from shots where title_id = 'one'"]) == 0
    assert "│     6 │" in capsys.readouterr().out
    assert (
        main(["query", "select title_id, [kind] as kinds from raw_files where title_id = 'two'", "--format", "csv"])
        == 0
    )
    assert capsys.readouterr().out.splitlines()[1] == '"two","[""audio""]"'
    assert main(["query", "select * from no_such_table"]) == 1
    assert "query failed" in capsys.readouterr().err
    assert connect_lake().sql("select count(*) from renditions").fetchall() == [(3,)]
