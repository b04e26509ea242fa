"""Lake table formats side by side: today's Parquet file per title, Lance, and Delta Lake (delta-rs).

Builds a many-title lake per format by replicating the demo titles' rows under new title ids, then
measures: bulk build and compaction (files on disk), one title's re-run as one atomic commit, two
processes committing different titles at once, DuckDB and native queries, adding a column for new
titles only, reading the version before a re-run, and the cost of importing each library. Prints one
line per figure and writes them all to <work>/results.json.

Set-up (a separate venv: Lance and Delta are not project dependencies):
    python3 -m venv /tmp/storebench && . /tmp/storebench/bin/activate
    pip install -c constraints.txt -e '.[demo]' && pip install pylance==14.0.2 deltalake==1.6.6
    cd "$(mktemp -d)" && cp <repo>/dagster.yaml . && \
        MEDIA_LANDING_ROOT=$PWD/landing MEDIA_LAKE_ROOT=$PWD/lake media-lake demo

Usage: python benchmarks/store.py --demo-lake <that lake> [--titles 10000] [--per-commit 100] [--work DIR]
"""

import argparse
import io
import json
import multiprocessing
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import duckdb
import lance
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pds
import pyarrow.parquet as pq
from deltalake import DeltaTable, write_deltalake
from lance.fragment import write_fragments

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from media_pipelines.lake.store import LocalStore  # noqa: E402
from media_pipelines.lake.tables import open_table  # noqa: E402


def write_title_table(store: LocalStore, table_name: str, title_id: str, table: pa.Table) -> None:
    """The layout the lake had before Lance, kept to compare against: one Parquet file per title, put whole."""
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    store.put_bytes(buffer.getvalue(), f"tables/{table_name}/title_id={title_id}/part-0.parquet")


# Table -> the columns that identify a row within a title: Lance's merge_insert needs a unique key.
TABLES = {
    "media_table": ["source_id", "shot_index"],
    "transcript_words": ["source_id", "segment_index", "word_index"],
    "shots": ["source_id", "shot_index"],
    "frames": ["source_id", "frame_index"],
}
RERUN_TABLE = "transcript_words"  # the re-run, concurrency and time-travel checks write here
# Partitioned by title, Delta has one file per title like today's layout, so only the queried tables.
DELTA_PARTITIONED_TABLES = ["media_table", "transcript_words"]
QUERIES = {
    "count": "select count(*) from media_table",
    "word": "select count(*) from transcript_words where word ilike '%country%'",
    "title": "select * from media_table where title_id = '{title}'",
}
RESULTS: dict = {}


def report(key: str, value) -> None:
    RESULTS[key] = value
    print(f"{key}: {value}", flush=True)


def title_id(i: int) -> str:
    return f"t{i:05d}"


def median_seconds(fn, repeats: int, warmup: int = 0, slow_s: float = 10.0) -> float:
    """Median wall time; a warm-up slower than slow_s is timed once more only, to keep the run short."""
    for _ in range(warmup):
        start = time.perf_counter()
        fn()
        if time.perf_counter() - start > slow_s:
            repeats = 1
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 4)


def files_on_disk(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


# --- data -------------------------------------------------------------------------------------------


def load_templates(demo_lake: Path) -> dict[str, list[pa.Table]]:
    """Each table's rows per demo title, cast to one schema (a title with no rows may carry looser types)."""
    templates = {}
    for table in TABLES:
        rows = open_table(LocalStore(demo_lake), table).to_table()
        titles = sorted(set(rows["title_id"].to_pylist()))
        parts = [rows.filter(pc.field("title_id") == t).drop_columns(["title_id"]) for t in titles]
        schema = next(p.schema for p in parts if p.num_rows)
        templates[table] = [p.cast(schema) for p in parts]
    return templates


def title_rows(templates, table: str, i: int, rerun: bool = False) -> pa.Table:
    """Title i's rows: a demo title's, its title_id column set; a re-run writes the next demo title's."""
    template = templates[table][(i + rerun) % len(templates[table])]
    return template.append_column("title_id", pa.array([title_id(i)] * template.num_rows, pa.string()))


def rerun_titles(templates, start: int, count: int) -> list[int]:
    """Titles whose rows and re-run rows are both non-empty, so a replace always deletes and inserts."""
    sizes = [t.num_rows for t in templates[RERUN_TABLE]]
    picked = (i for i in range(start, 10**9) if sizes[i % len(sizes)] and sizes[(i + 1) % len(sizes)])
    return [next(picked) for _ in range(count)]


def batches(templates, table: str, titles: int, per_commit: int):
    for first in range(0, titles, per_commit):
        last = min(first + per_commit, titles)
        yield pa.concat_tables(title_rows(templates, table, i) for i in range(first, last))


def fingerprint(rows: pa.Table) -> list[str]:
    """Order- and column-order-free identity of a title's rows."""
    return sorted(repr(sorted(r.items())) for r in rows.to_pylist())


# --- layouts ----------------------------------------------------------------------------------------
# A layout is (kind, root); location() names one table in it. Kinds: parquet, lance, delta.


def location(kind: str, root: Path, table: str) -> str:
    return str(root / "tables" / table) if kind == "parquet" else str(root / table)


def build(kind: str, root: Path, templates, titles: int, per_commit: int, tables, partitioned=False) -> None:
    """Today's layout is written one title at a time (that is all it can do); Lance and Delta take a
    backfill's worth of titles per commit."""
    store = LocalStore(root)
    for table in tables:
        uri = location(kind, root, table)
        if kind == "parquet":
            for i in range(titles):
                write_title_table(store, table, title_id(i), title_rows(templates, table, i).drop_columns("title_id"))
            continue
        for batch in batches(templates, table, titles, per_commit):
            if kind == "lance":
                lance.write_dataset(batch, uri, mode="append")
            else:
                write_deltalake(uri, batch, mode="append", partition_by=["title_id"] if partitioned else None)


def compact(kind: str, root: Path, tables) -> None:
    """Merge small files, then delete the files no current version needs."""
    for table in tables:
        uri = location(kind, root, table)
        if kind == "lance":
            dataset = lance.dataset(uri)
            dataset.optimize.compact_files()
            lance.dataset(uri).cleanup_old_versions(older_than=timedelta(0))
        else:
            table_ = DeltaTable(uri)
            table_.optimize.compact()
            table_.vacuum(retention_hours=0, enforce_retention_duration=False, dry_run=False)


def version(kind: str, uri: str):
    if kind == "lance":
        return lance.dataset(uri).version
    return DeltaTable(uri).version() if kind == "delta" else None


def read_title(kind: str, uri: str, tid: str, at_version=None) -> pa.Table:
    if kind == "parquet":
        rows = pq.read_table(f"{uri}/title_id={tid}/part-0.parquet")
        return rows.append_column("title_id", pa.array([tid] * rows.num_rows, pa.string()))
    if kind == "lance":
        return lance.dataset(uri, version=at_version).to_table(filter=f"title_id = '{tid}'")
    return DeltaTable(uri, version=at_version).to_pyarrow_table(filters=[("title_id", "=", tid)])


# --- one title's re-run, each a single commit unless its name says otherwise -------------------------


def replace_parquet(uri: str, table: str, tid: str, rows: pa.Table) -> None:
    root = Path(uri).parents[1]
    write_title_table(LocalStore(root), table, tid, rows.drop_columns("title_id"))


def replace_lance_merge(uri: str, table: str, tid: str, rows: pa.Table) -> None:
    """merge_insert on title_id alone is refused (many source rows match each target row), so the key is
    title_id plus the row key; rows of the title not in the re-run are deleted in the same commit."""
    (
        lance.dataset(uri)
        .merge_insert(["title_id", *TABLES[table]])
        .when_matched_update_all()
        .when_not_matched_insert_all()
        .when_not_matched_by_source_delete(f"title_id = '{tid}'")
        .execute(rows)
    )


def replace_lance_update(uri: str, table: str, tid: str, rows: pa.Table) -> None:
    """Delete + append as one Update transaction: deletion vectors on the fragments holding the title,
    plus the new rows' fragments. Needs no row key."""
    dataset = lance.dataset(uri)
    predicate = f"title_id = '{tid}'"
    addresses = dataset.to_table(columns=[], filter=predicate, with_row_address=True)["_rowaddr"]
    removed, updated = [], []
    for fragment_id in sorted({a >> 32 for a in addresses.to_pylist()}):
        kept = dataset.get_fragment(fragment_id).delete(predicate)
        (updated.append(kept) if kept else removed.append(fragment_id))
    operation = lance.LanceOperation.Update(
        removed_fragment_ids=removed, updated_fragments=updated, new_fragments=write_fragments(rows, dataset)
    )
    lance.LanceDataset.commit(dataset, operation, read_version=dataset.version)


def replace_lance_delete_insert(uri: str, table: str, tid: str, rows: pa.Table) -> None:
    """Two commits: a reader between them sees the title with no rows."""
    dataset = lance.dataset(uri)
    dataset.delete(f"title_id = '{tid}'")
    dataset.insert(rows)


def replace_delta(uri: str, table: str, tid: str, rows: pa.Table) -> None:
    write_deltalake(uri, rows, mode="overwrite", predicate=f"title_id = '{tid}'")


# Strategy -> (kind, layout, replace). Each gets its own titles, so their checks do not mix.
STRATEGIES = {
    "parquet": ("parquet", "parquet", replace_parquet),
    "lance_merge_insert": ("lance", "lance", replace_lance_merge),
    "lance_update_commit": ("lance", "lance", replace_lance_update),
    "lance_delete_insert": ("lance", "lance", replace_lance_delete_insert),
    "delta": ("delta", "delta", replace_delta),
    "delta_partitioned": ("delta", "delta_partitioned", replace_delta),
}


def commit_many(strategy: str, uri: str, jobs: list[tuple[str, pa.Table]], start_at: float) -> dict:
    """One process's share of the concurrency check: commit every job, counting the ones that raise."""
    replace = STRATEGIES[strategy][2]
    time.sleep(max(0.0, start_at - time.time()))
    ok, errors = 0, []
    for tid, rows in jobs:
        try:
            replace(uri, RERUN_TABLE, tid, rows)
            ok += 1
        except Exception as error:  # the point is to count them
            errors.append(f"{type(error).__name__}: {str(error)[:160]}")
    return {"ok": ok, "errors": errors}


# --- measurements ------------------------------------------------------------------------------------


def measure_build(layouts: dict, templates, titles: int, per_commit: int) -> None:
    for name, (kind, root) in layouts.items():
        tables = DELTA_PARTITIONED_TABLES if name == "delta_partitioned" else list(TABLES)
        start = time.perf_counter()
        build(kind, root, templates, titles, per_commit, tables, partitioned=name == "delta_partitioned")
        report(f"{name}.build_s", round(time.perf_counter() - start, 1))
        report(f"{name}.files_bytes_built", files_on_disk(root))
        if kind != "parquet":
            start = time.perf_counter()
            compact(kind, root, tables)
            report(f"{name}.compact_cleanup_s", round(time.perf_counter() - start, 1))
            report(f"{name}.files_bytes_compacted", files_on_disk(root))


def connection(kind: str, root: Path, tables) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with one view per table, the dataset opened now (so it is in the timing)."""
    con = duckdb.connect()
    for table in tables:
        uri = location(kind, root, table)
        if kind == "parquet":  # as media_pipelines.lake.query does
            con.execute(
                f"create view {table} as select * from read_parquet('{uri}/*/*.parquet', "
                "hive_partitioning = true, union_by_name = true)"
            )
        else:
            con.register(table, lance.dataset(uri) if kind == "lance" else DeltaTable(uri).to_pyarrow_dataset())
    return con


def native_queries(kind: str, root: Path, title: str) -> dict:
    """The same three questions through each library's own reader, no DuckDB."""
    media, words = location(kind, root, "media_table"), location(kind, root, RERUN_TABLE)
    if kind == "lance":
        return {
            "count": lambda: lance.dataset(media).count_rows(),
            "word": lambda: lance.dataset(words).count_rows("word ILIKE '%country%'"),
            "title": lambda: lance.dataset(media).to_table(filter=f"title_id = '{title}'").num_rows,
        }
    if kind == "delta":
        word_filter = pc.match_substring(pc.field("word"), "country", ignore_case=True)
        return {
            "count": lambda: DeltaTable(media).to_pyarrow_dataset().count_rows(),
            "word": lambda: DeltaTable(words).to_pyarrow_dataset().count_rows(filter=word_filter),
            "title": lambda: DeltaTable(media).to_pyarrow_table(filters=[("title_id", "=", title)]).num_rows,
        }
    hive = lambda uri: pds.dataset(uri, format="parquet", partitioning="hive")  # noqa: E731
    return {
        "count": lambda: hive(media).count_rows(),
        "word": lambda: hive(words).count_rows(
            filter=pc.match_substring(pc.field("word"), "country", ignore_case=True)
        ),
        "title": lambda: hive(media).to_table(filter=pc.field("title_id") == title).num_rows,
    }


def measure_queries(layouts: dict, label: str, title: str) -> None:
    """title: one no re-run touches, so every layout answers the same."""
    queries = {name: sql.format(title=title) for name, sql in QUERIES.items()}
    for name, (kind, root) in layouts.items():
        tables = ["media_table", RERUN_TABLE]
        answers = {
            q: len(connection(kind, root, tables).execute(sql).fetchall())
            if q == "title"
            else connection(kind, root, tables).execute(sql).fetchone()[0]
            for q, sql in queries.items()
        }
        report(f"{name}.{label}.answers", answers)
        for query, sql in queries.items():

            def run(sql=sql, kind=kind, root=root, tables=tables):
                return connection(kind, root, tables).execute(sql).to_arrow_table()

            report(f"{name}.{label}.duckdb_{query}_s", median_seconds(run, 5, warmup=1))
        for query, run in native_queries(kind, root, title).items():
            report(f"{name}.{label}.native_{query}_s", median_seconds(run, 5, warmup=1))


def measure_reruns(layouts: dict, templates, count: int, first_title: int, stride: int) -> dict[str, list[int]]:
    """count sequential re-runs per strategy: median latency, versions per commit, rows right after, and
    the version before the last one still showing the old rows (time travel)."""
    done = {}
    for offset, (strategy, (kind, layout, replace)) in enumerate(STRATEGIES.items()):
        uri = location(kind, layouts[layout][1], RERUN_TABLE)
        titles = rerun_titles(templates, first_title + offset * stride, count)
        jobs = iter([(title_id(i), title_rows(templates, RERUN_TABLE, i, rerun=True)) for i in titles])
        before = version(kind, uri)
        report(
            f"{strategy}.rerun_median_s",
            median_seconds(lambda replace=replace, uri=uri, jobs=jobs: replace(uri, RERUN_TABLE, *next(jobs)), count),
        )
        after = version(kind, uri)
        report(f"{strategy}.versions_per_rerun", None if before is None else (after - before) / count)
        right = all(
            fingerprint(read_title(kind, uri, title_id(i)))
            == fingerprint(title_rows(templates, RERUN_TABLE, i, rerun=True))
            for i in titles
        )
        report(f"{strategy}.reruns_all_correct", right)
        if before is not None:
            last = titles[-1]
            old = read_title(kind, uri, title_id(last), at_version=after - 1)
            report(f"{strategy}.time_travel_v(N-1)_rows_of_rerun_title", old.num_rows)
            report(
                f"{strategy}.time_travel_v(N-1)_is_old_rows",
                fingerprint(old) == fingerprint(title_rows(templates, RERUN_TABLE, last)),
            )
        done[layout] = done.get(layout, []) + titles
    return done


def measure_concurrency(layouts: dict, templates, commits: int, first_title: int, stride: int, done: dict) -> None:
    """Two processes, each re-running its own titles, starting at the same instant."""
    context = multiprocessing.get_context("spawn")  # Lance's and Delta's runtimes do not survive fork
    for offset, (strategy, (kind, layout, _)) in enumerate(STRATEGIES.items()):
        if kind == "parquet":
            continue  # a re-run there is one file put; two titles never share a file
        uri = location(kind, layouts[layout][1], RERUN_TABLE)
        titles = rerun_titles(templates, first_title + offset * stride, 2 * commits)
        shares = [titles[:commits], titles[commits:]]
        before = version(kind, uri)
        start_at = time.time() + 3  # both processes imported and waiting
        with context.Pool(2) as pool:
            jobs = [
                [(title_id(i), title_rows(templates, RERUN_TABLE, i, rerun=True)) for i in share] for share in shares
            ]
            wall = time.perf_counter()
            outcomes = pool.starmap(commit_many, [(strategy, uri, share, start_at) for share in jobs])
            wall = time.perf_counter() - wall - 3
        lost = sum(
            fingerprint(read_title(kind, uri, title_id(i)))
            != fingerprint(title_rows(templates, RERUN_TABLE, i, rerun=True))
            for i in titles
        )
        done[layout] = done.get(layout, []) + titles
        report(
            f"{strategy}.concurrent",
            {
                "ok": [o["ok"] for o in outcomes],
                "raised": sum(len(o["errors"]) for o in outcomes),
                "errors": sorted({e for o in outcomes for e in o["errors"]})[:3],
                "titles_wrong_after": lost,
                "versions_added": version(kind, uri) - before,
                "wall_s": round(wall, 1),
            },
        )


def check_totals(layouts: dict, templates, titles: int, done: dict) -> None:
    """Every table still holds every title once: nothing lost or doubled by the re-runs."""
    for name, (kind, root) in layouts.items():
        rerun = set(done.get(name, []))
        expected = sum(title_rows(templates, RERUN_TABLE, i, rerun=i in rerun).num_rows for i in range(titles))
        con = connection(kind, root, [RERUN_TABLE])
        got = con.execute(f"select count(*), count(distinct title_id) from {RERUN_TABLE}").fetchone()
        report(f"{name}.rerun_table_rows_titles_vs_expected", [*got, expected])
        report(f"{name}.files_bytes_after_reruns", files_on_disk(root))


def measure_schema_evolution(layouts: dict, templates, titles: int) -> None:
    """New titles bring a new column; the rows already there must not be rewritten."""
    new_rows = [title_rows(templates, "media_table", i) for i in range(titles, titles + 5)]
    new_rows = [r.append_column("content_rating", pa.array(["PG"] * r.num_rows, pa.string())) for r in new_rows]
    for name, (kind, root) in layouts.items():
        uri = location(kind, root, "media_table")
        files_before = files_on_disk(Path(uri))[0]
        outcome = {}
        if kind == "parquet":
            for rows in new_rows:
                replace_parquet(uri, "media_table", rows["title_id"][0].as_py(), rows)
            outcome["how"] = "new title's file carries the column; readers union_by_name"
        elif kind == "lance":
            try:
                lance.dataset(uri).insert(new_rows[0])
                outcome["plain_append"] = "accepted"
            except OSError as error:
                outcome["plain_append"] = str(error)[:90]
            start = time.perf_counter()
            lance.dataset(uri).add_columns(pa.field("content_rating", pa.string()))
            outcome["add_columns_null_field_s"] = round(time.perf_counter() - start, 3)
            for rows in new_rows:
                lance.dataset(uri).insert(rows)
        else:
            try:
                write_deltalake(uri, new_rows[0], mode="append")
                outcome["plain_append"] = "accepted"
            except Exception as error:  # delta-rs raises its own SchemaMismatchError
                outcome["plain_append"] = f"{type(error).__name__}: {str(error)[:70]}"
            for rows in new_rows:
                write_deltalake(uri, rows, mode="append", schema_mode="merge")
        con = connection(kind, root, ["media_table"])
        outcome["rows_rated_nulls"] = con.execute(
            "select count(*), count(content_rating), count(*) - count(content_rating) from media_table"
        ).fetchone()
        outcome["files_added"] = files_on_disk(Path(uri))[0] - files_before
        report(f"{name}.schema_evolution", outcome)


def measure_imports() -> None:
    """Each library imported in a fresh interpreter: seconds and peak resident memory. VmHWM, not
    ru_maxrss, which a child inherits from the (large) parent it was forked from."""
    probe = (
        "import re, time; t = time.perf_counter(); import {0}; s = time.perf_counter() - t; "
        "print(s, int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1]) / 1024)"
    )
    for module in ["pyarrow", "duckdb", "lance", "deltalake"]:
        runs = [
            subprocess.run(
                [sys.executable, "-c", probe.format(module)], capture_output=True, text=True, check=True
            ).stdout.split()
            for _ in range(5)
        ]
        report(
            f"import.{module}",
            {
                "s": round(statistics.median(float(r[0]) for r in runs), 3),
                "peak_rss_mb": round(statistics.median(float(r[1]) for r in runs)),
            },
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demo-lake", type=Path, required=True)
    parser.add_argument("--titles", type=int, default=10_000)
    parser.add_argument("--per-commit", type=int, default=100, help="titles per Lance/Delta commit in the build")
    parser.add_argument("--reruns", type=int, default=20)
    parser.add_argument("--concurrent-commits", type=int, default=20, help="per process")
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="storebench-"))
    shutil.rmtree(work, ignore_errors=True)
    layouts = {name: (name.split("_")[0], work / name) for name in ["parquet", "lance", "delta", "delta_partitioned"]}
    templates = load_templates(args.demo_lake)
    report(
        "versions",
        {
            "lance": lance.__version__,
            "deltalake": __import__("deltalake").__version__,
            "duckdb": duckdb.__version__,
            "pyarrow": pa.__version__,
        },
    )
    measure_imports()
    measure_build(layouts, templates, args.titles, args.per_commit)
    measure_queries(layouts, "compacted", title_id(args.titles - 1))
    # Re-runs take titles from the first half, concurrent commits from the second, each strategy its own.
    stride = args.titles // (2 * len(STRATEGIES))
    done = measure_reruns(layouts, templates, args.reruns, first_title=1, stride=stride)
    measure_concurrency(layouts, templates, args.concurrent_commits, args.titles // 2, stride, done)
    check_totals(layouts, templates, args.titles, done)
    measure_queries(layouts, "after_reruns", title_id(args.titles - 1))
    measure_schema_evolution(layouts, templates, args.titles)
    (work / "results.json").write_text(json.dumps(RESULTS, indent=1, default=str))
    print(f"results: {work / 'results.json'}")


if __name__ == "__main__":
    main()
