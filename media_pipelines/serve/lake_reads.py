"""What the online API reads from the lake, all from one snapshot of the tables: titles, shots, one shot in
full, and bounded read-only SQL. One title's rows come straight from the Lance datasets by the title-id
index; queries run on a DuckDB connection per request thread (DuckDB's registered views belong to one
connection, and requests run on many threads)."""

import functools
import json
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from media_pipelines.lake.annotations import ANNOTATIONS
from media_pipelines.lake.media_table import MEDIA_TABLE, TITLE_SUMMARY
from media_pipelines.lake.query import connection_over
from media_pipelines.lake.renditions import RENDITIONS
from media_pipelines.lake.search import SHOT_EMBEDDINGS, SHOT_TEXT
from media_pipelines.lake.shot_search import SearchError
from media_pipelines.lake.shots import SHOTS
from media_pipelines.lake.timed_text import TIMED_TEXT_CUES
from media_pipelines.lake.transcripts import TRANSCRIPT_WORDS
from media_pipelines.query import Lake

log = logging.getLogger(__name__)

# The columns a title list shows; a title's own page has every column of its summary.
TITLE_COLUMNS = (
    "title_id", "duration_s", "shot_count", "speech_ratio", "word_count", "language", "integrated_lufs",
    "subtitle_files", "annotation_count", "qc_status",
)  # fmt: skip
# Titles' rows a server keeps, a table each: a title of 150 shots and 1,000 words is about 0.2 MB.
TITLE_ROWS_KEPT = 256
SHOT_LIST_COLUMNS = (
    "title_id", "source_id", "shot_index", "start_s", "end_s", "duration_s", "transition_in", "keyframe_uri",
    "transcript_text", "word_count", "speech_ratio", "subtitle_text", "music_share", "annotation_labels",
)  # fmt: skip
# A shot's own rows in the tables beside the media table: what it says, shows and sounds like (None: every
# column). Each is read by title id (every table has an index on it) straight from the snapshot's Lance
# dataset and cut to the shot here: a DuckDB query per table cost 5-10 ms of planning, a title's rows about one.
SHOT_DETAILS = {
    "words": (TRANSCRIPT_WORDS, ("word", "start_s", "end_s", "probability")),
    "cues": (TIMED_TEXT_CUES, ("file_name", "cue_index", "start_s", "end_s", "text", "language")),
    "on_screen_text": (SHOT_TEXT, None),
    "annotations": (ANNOTATIONS, ("label", "annotator", "start_s", "end_s")),
}
# The order pages show each table's rows in: a title's rows are sorted once when read, and a shot's cut of
# them keeps it.
ROW_ORDER = {
    MEDIA_TABLE: ("source_id", "shot_index"),
    TRANSCRIPT_WORDS: ("start_s",),
    TIMED_TEXT_CUES: ("file_name", "start_s"),
    SHOT_TEXT: ("frame_index", "line_index"),
    ANNOTATIONS: ("start_s", "label"),
}


class TitleTable:
    """A title's rows of one table, in their page order, with the columns that cut them to a shot as NumPy
    arrays, made once per title: NumPy compares a few thousand values in microseconds holding the interpreter
    lock, where each Arrow kernel let it go and waited to take it back behind the server's other threads
    (a third of a busy server's samples)."""

    def __init__(self, rows: pa.Table):
        self.rows = rows
        self._arrays: dict[str, np.ndarray] = {}

    def array(self, column: str) -> np.ndarray:
        """Nulls are NaN or None, which compare false, so a cut leaves their rows out as SQL does."""
        if column not in self._arrays:  # two threads may both make it: the same array either way
            self._arrays[column] = self.rows.column(column).to_numpy(zero_copy_only=False)
        return self._arrays[column]

    def where(self, mask: np.ndarray) -> pa.Table:
        """A shot's rows are mostly one run of the title's (its media-table row, its words in time order):
        a slice of a run costs nothing, where a take copies every column (8 % of a busy server's samples)."""
        found = np.flatnonzero(mask)
        if len(found) and found[-1] - found[0] + 1 == len(found):
            return self.rows.slice(int(found[0]), len(found))
        return self.rows.take(found)


class TitleRows:
    """Titles' rows of the tables, read by title id (every table has an index on it) and kept for the
    titles being browsed: a shot page, the next shot and the title's shot list all read the same rows.
    Keyed by the table's version, which Lance never changes under a reader, so they outlive the snapshot
    refresh until a run commits the table again."""

    def __init__(self, capacity: int = TITLE_ROWS_KEPT):
        self._capacity = capacity
        self._kept: OrderedDict[tuple[str, int, str], TitleTable] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, datasets: Mapping, table: str, title_id: str) -> TitleTable | None:
        """None when no title has written the table yet."""
        dataset = datasets.get(table)
        if dataset is None:
            return None
        key = (table, dataset.version, title_id)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        rows = dataset.to_table(filter=f"title_id = {_quoted(title_id)}")
        kept = TitleTable(rows.sort_by([(column, "ascending") for column in ROW_ORDER[table]]))
        with self._lock:
            self._kept[key] = kept
            while len(self._kept) > self._capacity:
                self._kept.popitem(last=False)
        return kept


class NotFound(LookupError):
    """A title, shot or file the lake does not have."""


class BadQuery(ValueError):
    """A request the lake cannot answer as asked: a statement that is not one SELECT, too slow, malformed."""


@dataclass(frozen=True)
class SqlLimits:
    max_rows: int = 1000
    timeout_s: float = 5.0


DEFAULT_SQL_LIMITS = SqlLimits()


class LakeReads:
    """One snapshot of the lake, re-opened when older than `refresh_s`, so titles committed while the server
    runs appear within that time and every request reads tables of one moment."""

    def __init__(self, open_lake, refresh_s: float = 10.0):
        self._open_lake = open_lake
        self._refresh_s = refresh_s
        self._lock = threading.Lock()
        self._lake: Lake | None = None
        self._opened = 0.0
        self._local = threading.local()
        self._title_list: tuple[int | None, pa.Table | None] | None = None  # (title_summary's version, rows)
        self._title_rows = TitleRows()

    @property
    def lake(self) -> Lake:
        with self._lock:
            if self._lake is None or time.monotonic() - self._opened > self._refresh_s:
                self._lake, self._opened = self._open_lake(), time.monotonic()
            return self._lake

    def warm_up(self) -> None:
        """Open the snapshot and load the search index and models before serving: a worker process that
        loaded them on its first searches would hold every request it had taken for seconds. A search
        that cannot run is logged and left to answer its own requests; the other pages are served."""
        lake = self.lake
        self.titles(1, 0)
        if SHOT_EMBEDDINGS in lake.datasets:
            try:
                lake.load_search_index()
                lake.search(text="warm-up", k=1)
            except SearchError as error:
                log.warning("search is not ready: %s", error)

    def _connection(self) -> tuple[duckdb.DuckDBPyConnection, dict]:
        """This thread's connection over the current snapshot: opening one costs 20 ms, far more than
        a title's query, so each request thread keeps its own until the snapshot changes."""
        lake = self.lake
        held = getattr(self._local, "held", None)
        if held is None or held[0] is not lake:
            if held is not None:
                held[1].close()
            held = self._local.held = (lake, connection_over(lake.datasets))
        return held[1], lake.datasets

    def _rows(self, tables: list[str], sql: str, params: Mapping) -> list[dict]:
        """A query's rows as dicts; none when a table it reads has no title yet."""
        connection, datasets = self._connection()
        if any(name not in datasets for name in tables):
            return []
        relation = connection.execute(sql, dict(params))
        names = [d[0] for d in relation.description]
        return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]

    def titles(self, limit: int, offset: int) -> list[dict]:
        listed = self._listed_titles()
        return [] if listed is None else listed.slice(offset, limit).to_pylist()

    def _listed_titles(self) -> pa.Table | None:
        """The title list is the same for every request on a version of the summary table: it is read
        once per version, not once per snapshot."""
        dataset = self.lake.datasets.get(TITLE_SUMMARY)
        version = None if dataset is None else dataset.version
        held = self._title_list
        if held is None or held[0] != version:
            ordered = None if dataset is None else dataset.to_table(columns=list(TITLE_COLUMNS)).sort_by("title_id")
            held = self._title_list = (version, ordered)
        return held[1]

    def title(self, title_id: str) -> dict:
        rows = self._rows(
            [TITLE_SUMMARY], f"select * from {TITLE_SUMMARY} where title_id = $title", {"title": title_id}
        )
        if not rows:
            raise NotFound(f"no title {title_id!r} in the lake")
        sources = self._rows(
            [RENDITIONS],
            f"select source_id, kind, uri, width, height, fps, duration_s from {RENDITIONS} where title_id = $title"
            " order by source_id, kind",
            {"title": title_id},
        )
        sheets = self._rows(
            [SHOTS],
            f"select source_id, any_value(keyframe_uri) as keyframe_uri from {SHOTS} where title_id = $title"
            " group by source_id order by source_id",
            {"title": title_id},
        )
        # The contact sheet sits beside its source's keyframes (the shots stage writes them together).
        contact_sheets = {
            r["source_id"]: r["keyframe_uri"].rsplit("/", 1)[0] + "/contact_sheet.jpg"
            for r in sheets
            if r["keyframe_uri"]
        }
        return {**rows[0], "renditions": sources, "contact_sheets": contact_sheets}

    def shots(self, title_id: str | None, filters: "ShotFilters", limit: int, offset: int) -> list[dict]:
        """One title's shots are its rows read by the title index and filtered by Arrow's kernels (a DuckDB
        query cost 5-10 ms of planning); all titles' shots are a query over the whole media table."""
        if title_id is None:
            where, params = filters.sql(None)
            tables = [MEDIA_TABLE, TITLE_SUMMARY] if filters.qc_status else [MEDIA_TABLE]
            sql = (
                f"select {', '.join(SHOT_LIST_COLUMNS)} from {MEDIA_TABLE} where {where}"
                " order by title_id, source_id, shot_index limit $limit offset $offset"
            )
            return self._rows(tables, sql, {**params, "limit": limit, "offset": offset})
        title = self._title_rows.get(self.lake.datasets, MEDIA_TABLE, title_id)
        if title is None or (filters.qc_status and title_id not in self.titles_with_qc(filters.qc_status)):
            return []
        keep = filters.mask(title.rows)
        rows = title.rows if keep is None else title.rows.filter(keep)
        return rows.select(list(SHOT_LIST_COLUMNS)).slice(offset, limit).to_pylist()

    def shot(self, title_id: str, source_id: str, shot_index: int) -> dict:
        datasets = self.lake.datasets
        title = self._title_rows.get(datasets, MEDIA_TABLE, title_id)
        rows = None if title is None else title.where(_the_shot(title, source_id, shot_index))
        if rows is None or not rows.num_rows:
            raise NotFound(f"no shot {title_id}/{source_id}/{shot_index} in the lake")
        shot = rows.drop_columns("title_id").to_pylist()[0]
        start_s, end_s = shot["start_s"], shot["end_s"]
        in_shot = {
            "words": lambda t: (t.array("source_id") == (shot["audio_source_id"] or "")) & _overlap(t, start_s, end_s),
            "cues": lambda t: _overlap(t, start_s, end_s),
            "on_screen_text": lambda t: _the_shot(t, source_id, shot_index),
            "annotations": lambda t: _overlap(t, start_s, end_s),
        }
        for name, (table, columns) in SHOT_DETAILS.items():
            found = self._title_rows.get(datasets, table, title_id)
            if found is None:
                shot[name] = []
                continue
            cut = found.where(in_shot[name](found))
            shot[name] = cut.select(columns or [c for c in cut.column_names if c != "title_id"]).to_pylist()
        shot["annotations_json"] = json.loads(shot["annotations_json"]) if shot["annotations_json"] else []
        return shot

    def titles_with_qc(self, qc_status: str) -> list[str]:
        """In title order, from the title list kept for this version of the summary table."""
        listed = self._listed_titles()
        if listed is None:
            return []
        return listed.filter(pc.equal(listed["qc_status"], qc_status)).column("title_id").to_pylist()

    def mezzanine(self, title_id: str, source_id: str) -> str:
        sql = f"select uri from {RENDITIONS} where title_id = $title and source_id = $source and kind = 'mezzanine'"
        rows = self._rows([RENDITIONS], sql, {"title": title_id, "source": source_id})
        if not rows:
            raise NotFound(f"no mezzanine of {title_id}/{source_id}")
        return rows[0]["uri"]

    def sql(self, query: str, limits: SqlLimits) -> dict:
        """One SELECT over every table, with no access to files or settings, stopped at the time limit and
        cut at the row limit (`truncated` says so)."""
        with duckdb.connect() as parser:
            tree = json.loads(parser.execute("select json_serialize_sql(?)", [query]).fetchone()[0])
        if tree.get("error"):
            raise BadQuery(f"only one SELECT statement is answered: {tree.get('error_message', 'not a query')}")
        if len(tree.get("statements", [])) != 1:
            raise BadQuery("send exactly one SELECT statement")
        with connection_over(self.lake.datasets) as connection:
            connection.execute("set enable_external_access = false")
            connection.execute("set lock_configuration = true")
            timer = threading.Timer(limits.timeout_s, connection.interrupt)
            timer.start()
            try:
                relation = connection.execute(query)
                rows = relation.fetchmany(limits.max_rows + 1)
            except duckdb.InterruptException as error:
                raise BadQuery(f"the query ran past {limits.timeout_s:g} s") from error
            except duckdb.Error as error:
                raise BadQuery(str(error).splitlines()[0]) from error
            finally:
                timer.cancel()
            columns = [d[0] for d in relation.description]
        return {
            "columns": columns,
            "rows": [list(row) for row in rows[: limits.max_rows]],
            "truncated": len(rows) > limits.max_rows,
        }


@dataclass(frozen=True)
class ShotFilters:
    """The shot browser's filters, bound as parameters (never spliced into SQL)."""

    transition: str | None = None
    speech: bool | None = None  # shots with words spoken (True) or without (False)
    min_music_share: float | None = None
    qc_status: str | None = None
    text: str | None = None  # words in the transcript or subtitles, for listing without the search index

    def sql(self, title_id: str | None) -> tuple[str, dict]:
        conditions, params = ["true"], {}
        if title_id is not None:
            conditions.append("title_id = $title")
            params["title"] = title_id
        if self.transition:
            conditions.append("transition_in = $transition")
            params["transition"] = self.transition
        if self.speech is not None:
            conditions.append("word_count > 0" if self.speech else "word_count = 0")
        if self.min_music_share is not None:
            conditions.append("music_share >= $music")
            params["music"] = self.min_music_share
        if self.qc_status:
            conditions.append(f"title_id in (select title_id from {TITLE_SUMMARY} where qc_status = $qc)")
            params["qc"] = self.qc_status
        if self.text:
            conditions.append("(transcript_text ilike $text escape '\\' or subtitle_text ilike $text escape '\\')")
            params["text"] = "%" + self.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return " and ".join(conditions), params

    def mask(self, rows: pa.Table) -> pa.ChunkedArray | None:
        """The same filters but the QC verdict (a title's, not a shot's) on one title's media-table rows, as
        a mask for Arrow's filter (rows where it is null are left out, as SQL leaves them); None: no filter."""
        conditions = []
        if self.transition:
            conditions.append(pc.equal(rows["transition_in"], self.transition))
        if self.speech is not None:
            conditions.append((pc.greater if self.speech else pc.equal)(rows["word_count"], 0))
        if self.min_music_share is not None:
            conditions.append(pc.greater_equal(rows["music_share"], self.min_music_share))
        if self.text:
            said, shown = (
                pc.match_substring(rows[column], self.text, ignore_case=True)
                for column in ("transcript_text", "subtitle_text")
            )
            conditions.append(pc.or_kleene(said, shown))  # SQL's OR: true beside null is true
        return functools.reduce(pc.and_kleene, conditions) if conditions else None

    def search_where(self, title_id: str | None, qc_titles: list[str] | None = None) -> str | None:
        """The same filters as a condition on the search index's columns (literals quoted, numbers checked);
        the QC verdict is a title's, not an indexed column: `qc_titles` are the titles that have it."""
        conditions = [f"title_id = {_quoted(title_id)}"] if title_id else []
        if qc_titles is not None:
            conditions.append(f"title_id IN ({', '.join(map(_quoted, qc_titles)) or 'NULL'})")
        if self.transition:
            conditions.append(f"transition_in = {_quoted(self.transition)}")
        if self.speech is not None:
            conditions.append("word_count > 0" if self.speech else "word_count = 0")
        if self.min_music_share is not None and math.isfinite(self.min_music_share):
            conditions.append(f"music_share >= {float(self.min_music_share)!r}")
        return " AND ".join(conditions) or None


def _the_shot(rows: TitleTable, source_id: str, shot_index: int) -> np.ndarray:
    return (rows.array("source_id") == source_id) & (rows.array("shot_index") == shot_index)


def _overlap(rows: TitleTable, start_s: float, end_s: float) -> np.ndarray:
    return (rows.array("start_s") < end_s) & (rows.array("end_s") > start_s)


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
