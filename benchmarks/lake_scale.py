"""The lake's tables at 1,000 and 10,000 titles: queries and a title's replace, as users meet them.

Synthesizes a lake through the project's own writer (`lake.tables.write_titles`, a backfill's worth of
titles per commit): per title 150 shots, 150 media-table rows and about 1,000 words (1.5 M shots and 10 M
words at 10,000 titles), then compacts it and prints p50/p95 for: the CLI's `select 1` (a process start
included), a title's rows through `connect_lake()`, a filtered scan over every shot, a word search, a join
of shots with words, and one title's replace (shots and words, one commit each); with the table files
before and after compaction. Targets at 10,000 titles: `select 1` under 0.5 s, a title's rows p95 under
50 ms, the filtered scan under 1 s, a title replace under 1 s.

Usage: python benchmarks/lake_scale.py [--titles 1000 10000] [--work DIR]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from media_pipelines.lake.catalog import TABLE_SPECS  # noqa: E402
from media_pipelines.lake.maintenance import maintain_lake  # noqa: E402
from media_pipelines.lake.store import LocalStore  # noqa: E402
from media_pipelines.lake.tables import write_title_table, write_titles  # noqa: E402
from media_pipelines.query import connect_lake  # noqa: E402

SHOTS_PER_TITLE = 150
WORDS_PER_TITLE = 1000
WORDS_PER_SEGMENT = 10
TITLES_PER_COMMIT = 250
VOCABULARY = np.array(["the", "and", "of", "to", "a", "in", "we", "shall", "ask", "not", "what", "your", "can"]
                      + ["do", "for", "you", "free", "world", "my", "fellow", "citizens", "country"])  # fmt: skip
QUERIES = {
    "filtered scan over all shots": (
        "select count(*) from shots where end_s - start_s > 4 and transition_in = 'cut' and duplicate_group is null"
    ),
    "word search": "select count(*) from transcript_words where word ilike '%countr%'",
    "join of shots with words": (
        "select count(*) from transcript_words w join shots s on s.title_id = w.title_id"
        " and w.start_s >= s.start_s and w.start_s < s.end_s where w.word = 'country' and s.shot_index < 10"
    ),
}


def title_id(i: int) -> str:
    return f"t{i:05d}"


def columns(name: str, values: dict, rows: int) -> pa.Table:
    """A table of record's rows: the given columns, the rest null."""
    schema = TABLE_SPECS[name].schema
    arrays = [pa.array(values[f.name], f.type) if f.name in values else pa.nulls(rows, f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def shot_rows(i: int, rng: np.random.Generator) -> pa.Table:
    durations = rng.uniform(0.5, 8.0, SHOTS_PER_TITLE)
    ends = np.cumsum(durations)
    values = {
        "source_id": [f"{title_id(i)}-video"] * SHOTS_PER_TITLE,
        "shot_index": np.arange(SHOTS_PER_TITLE, dtype=np.int32),
        "start_s": ends - durations,
        "end_s": ends,
        "start_frame": ((ends - durations) * 24).astype(np.int64),
        "end_frame": (ends * 24).astype(np.int64),
        "transition_in": rng.choice(["cut", "cut", "cut", "fade", "dissolve"], SHOTS_PER_TITLE),
        "transition_confidence": rng.uniform(0.5, 1.0, SHOTS_PER_TITLE),
        "keyframe_uri": [f"media/{title_id(i)}/shots/v/g/{n:04d}.jpg" for n in range(SHOTS_PER_TITLE)],
        "duplicate_group": [None if rng.random() > 0.05 else f"g{n}" for n in range(SHOTS_PER_TITLE)],
        "fps": np.full(SHOTS_PER_TITLE, 24.0),
        "source_sha256": [f"{i:064x}"] * SHOTS_PER_TITLE,
        "code_version": ["shots-bench"] * SHOTS_PER_TITLE,
    }
    return columns("shots", values, SHOTS_PER_TITLE)


def word_rows(i: int, rng: np.random.Generator, length_s: float) -> pa.Table:
    starts = np.sort(rng.uniform(0, length_s, WORDS_PER_TITLE))
    index = np.arange(WORDS_PER_TITLE)
    values = {
        "source_id": [f"{title_id(i)}-audio"] * WORDS_PER_TITLE,
        "segment_index": (index // WORDS_PER_SEGMENT).astype(np.int32),
        "word_index": (index % WORDS_PER_SEGMENT).astype(np.int32),
        "word": rng.choice(VOCABULARY, WORDS_PER_TITLE),
        "start_s": starts,
        "end_s": starts + 0.3,
        "probability": rng.uniform(0.3, 1.0, WORDS_PER_TITLE),
        "source_sha256": [f"{i:064x}"] * WORDS_PER_TITLE,
        "code_version": ["transcripts-bench"] * WORDS_PER_TITLE,
    }
    return columns("transcript_words", values, WORDS_PER_TITLE)


def media_rows(shots: pa.Table) -> pa.Table:
    values = {n: shots[n] for n in ("source_id", "shot_index", "start_s", "end_s", "keyframe_uri", "transition_in")}
    values["word_count"] = pa.array(np.full(shots.num_rows, 7), pa.int64())
    return columns("media_table", {k: v.to_pylist() for k, v in values.items()}, shots.num_rows)


def title_tables(i: int) -> dict[str, pa.Table]:
    rng = np.random.default_rng(i)
    shots = shot_rows(i, rng)
    return {
        "shots": shots,
        "media_table": media_rows(shots),
        "transcript_words": word_rows(i, rng, shots["end_s"][-1].as_py()),
        "raw_files": columns("raw_files", {"source_id": [f"{title_id(i)}-video"], "kind": ["video"]}, 1),
    }


def build(store: LocalStore, titles: int) -> float:
    start = time.perf_counter()
    for first in range(0, titles, TITLES_PER_COMMIT):
        batch = {title_id(i): title_tables(i) for i in range(first, min(first + TITLES_PER_COMMIT, titles))}
        for name in ("raw_files", "shots", "media_table", "transcript_words"):
            write_titles(store, name, {t: tables[name] for t, tables in batch.items()})
    return time.perf_counter() - start


def table_files(root: Path) -> int:
    return sum(1 for p in (root / "tables").rglob("*") if p.is_file())


def percentiles(times: list[float]) -> dict:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1), "n": len(times)}


def timed(fn, repeats: int) -> dict:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return percentiles(times)


def measure(root: Path, titles: int, repeats: int) -> dict:
    env = {**os.environ, "MEDIA_LAKE_ROOT": str(root)}
    rng = np.random.default_rng(7)
    picks = [title_id(int(i)) for i in rng.integers(0, titles, repeats)]
    results = {}
    cli = [sys.executable, "-m", "media_pipelines.cli", "query", "select 1"]
    results["CLI select 1 (process start included)"] = timed(
        lambda: subprocess.run(cli, env=env, check=True, capture_output=True), repeats // 2
    )
    start = time.perf_counter()
    lake = connect_lake(env)
    lake.table("shots", title=picks[0])
    results["connect_lake() and its first title's rows"] = {"ms": round((time.perf_counter() - start) * 1000, 1)}
    order = iter(picks * 2)
    results["a title's rows (shots) through connect_lake()"] = timed(
        lambda: lake.table("shots", title=next(order)), repeats
    )
    results["a title's rows (media_table, pandas)"] = timed(
        lambda: lake.frame("media_table", title=next(order)), repeats
    )
    for name, sql in QUERIES.items():
        results[f"{name} (answer {lake.sql(sql).fetchall()[0][0]})"] = timed(
            lambda sql=sql: lake.sql(sql).fetchall(), 5
        )
    store = LocalStore(root)
    replaced = iter(range(titles))

    def replace() -> None:
        i = next(replaced)
        tables = title_tables(i + titles)  # another title's rows, under this title's id
        write_title_table(store, "shots", title_id(i), tables["shots"])
        write_title_table(store, "transcript_words", title_id(i), tables["transcript_words"])

    results["one title's replace (shots + words, two commits)"] = timed(replace, 10)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--titles", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="lake-scale-"))
    report = {}
    for titles in args.titles:
        root = work / f"lake-{titles}"
        built_s = build(LocalStore(root), titles)
        files_built = table_files(root)
        start = time.perf_counter()
        maintain_lake(LocalStore(root), retention=timedelta(0))
        compact_s = time.perf_counter() - start
        report[titles] = {
            "build_s": round(built_s, 1),
            "table_files_built": files_built,
            "compact_and_cleanup_s": round(compact_s, 1),
            "table_files_compacted": table_files(root),
            **measure(root, titles, args.repeats),
            "table_files_after_replaces": table_files(root),
        }
        print(json.dumps({titles: report[titles]}, indent=1), flush=True)
    (work / "results.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
