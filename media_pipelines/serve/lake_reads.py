"""What the online API reads from the lake: titles, shots, one shot in full, and bounded read-only SQL, each
on a DuckDB connection of its own over one snapshot of the tables (DuckDB's registered views belong to one
connection, and requests run on many threads)."""

import json
import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb

from media_pipelines.lake.annotations import ANNOTATIONS
from media_pipelines.lake.media_table import MEDIA_TABLE, TITLE_SUMMARY
from media_pipelines.lake.query import connection_over
from media_pipelines.lake.renditions import RENDITIONS
from media_pipelines.lake.search import SHOT_TEXT
from media_pipelines.lake.shots import SHOTS
from media_pipelines.lake.timed_text import TIMED_TEXT_CUES
from media_pipelines.lake.transcripts import TRANSCRIPT_WORDS
from media_pipelines.query import Lake

# The columns a title list shows; a title's own page has every column of its summary.
TITLE_COLUMNS = (
    "title_id", "duration_s", "shot_count", "speech_ratio", "word_count", "language", "integrated_lufs",
    "subtitle_files", "annotation_count", "qc_status",
)  # fmt: skip
SHOT_LIST_COLUMNS = (
    "title_id", "source_id", "shot_index", "start_s", "end_s", "duration_s", "transition_in", "keyframe_uri",
    "transcript_text", "word_count", "speech_ratio", "subtitle_text", "music_share", "annotation_labels",
)  # fmt: skip
# A shot's own rows in the tables beside the media table: what it says, shows and sounds like (the table,
# the query, and the shot's values it binds).
SHOT_DETAILS = {
    "words": (
        TRANSCRIPT_WORDS,
        f"select word, start_s, end_s, probability from {TRANSCRIPT_WORDS} where title_id = $title"
        " and source_id = $audio and start_s < $end and end_s > $start order by start_s",
        ("title", "audio", "start", "end"),
    ),
    "cues": (
        TIMED_TEXT_CUES,
        f"select file_name, cue_index, start_s, end_s, text, language from {TIMED_TEXT_CUES}"
        " where title_id = $title and start_s < $end and end_s > $start order by file_name, start_s",
        ("title", "start", "end"),
    ),
    "on_screen_text": (
        SHOT_TEXT,
        f"select * exclude (title_id) from {SHOT_TEXT} where title_id = $title and source_id = $source"
        " and shot_index = $shot order by frame_index, line_index",
        ("title", "source", "shot"),
    ),
    "annotations": (
        ANNOTATIONS,
        f"select label, annotator, start_s, end_s from {ANNOTATIONS} where title_id = $title"
        " and start_s < $end and end_s > $start order by start_s, label",
        ("title", "start", "end"),
    ),
}


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

    @property
    def lake(self) -> Lake:
        with self._lock:
            if self._lake is None or time.monotonic() - self._opened > self._refresh_s:
                self._lake, self._opened = self._open_lake(), time.monotonic()
            return self._lake

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
        columns = ", ".join(TITLE_COLUMNS)
        sql = f"select {columns} from {TITLE_SUMMARY} order by title_id limit $limit offset $offset"
        return self._rows([TITLE_SUMMARY], sql, {"limit": limit, "offset": offset})

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
        where, params = filters.sql(title_id)
        columns = ", ".join(SHOT_LIST_COLUMNS)
        sql = (
            f"select {columns} from {MEDIA_TABLE} where {where}"
            " order by title_id, source_id, shot_index limit $limit offset $offset"
        )
        tables = [MEDIA_TABLE, TITLE_SUMMARY] if filters.qc_status else [MEDIA_TABLE]
        return self._rows(tables, sql, {**params, "limit": limit, "offset": offset})

    def shot(self, title_id: str, source_id: str, shot_index: int) -> dict:
        key = {"title": title_id, "source": source_id, "shot": shot_index}
        sql = f"select * from {MEDIA_TABLE} where title_id = $title and source_id = $source and shot_index = $shot"
        rows = self._rows([MEDIA_TABLE], sql, key)
        if not rows:
            raise NotFound(f"no shot {title_id}/{source_id}/{shot_index} in the lake")
        shot = rows[0]
        span = {**key, "audio": shot["audio_source_id"] or "", "start": shot["start_s"], "end": shot["end_s"]}
        for name, (table, sql, bound) in SHOT_DETAILS.items():
            shot[name] = self._rows([table], sql, {p: span[p] for p in bound})
        shot["annotations_json"] = json.loads(shot["annotations_json"]) if shot["annotations_json"] else []
        return shot

    def titles_with_qc(self, qc_status: str) -> list[str]:
        sql = f"select title_id from {TITLE_SUMMARY} where qc_status = $qc order by 1"
        return [row["title_id"] for row in self._rows([TITLE_SUMMARY], sql, {"qc": qc_status})]

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


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
