"""The lake as data from Python, without Dagster:

lake = connect_lake()
lake.titles()
lake.table("shots", title="bikes", columns=["shot_index", "start_s"], where="duration_s > 2")  # Arrow
lake.frame("media_table", where="word_count > 0")                                             # pandas
lake.sql("select title_id, count(*) from shots group by 1").show()                             # DuckDB
with lake.open(row["keyframe_uri"]) as path: ...                                               # the media
"""

import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from media_pipelines.core.titles import validate_title_id
from media_pipelines.lake.query import connect, table_names
from media_pipelines.lake.raw_files import RAW_FILES
from media_pipelines.lake.roots import lake_store
from media_pipelines.lake.store import ObjectStore
from media_pipelines.lake.tables import TABLES_PREFIX


class UnknownTableError(KeyError):
    pass


class Lake:
    """Titles, tables as Arrow or pandas, SQL over every table, and the files rows point at."""

    def __init__(self, store: ObjectStore):
        self.store = store
        self._connection: duckdb.DuckDBPyConnection | None = None

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """One DuckDB view per table, made on first use."""
        if self._connection is None:
            self._connection = connect(self.store)
        return self._connection

    def tables(self) -> list[str]:
        return table_names(self.store)

    def titles(self) -> list[str]:
        """Every title the lake has ingested."""
        prefix = f"{TABLES_PREFIX}/{RAW_FILES}"
        folders = {info.key.removeprefix(prefix + "/").split("/")[0] for info in self.store.walk(prefix)}
        return sorted(folder.removeprefix("title_id=") for folder in folders)

    def table(
        self,
        name: str,
        title: str | None = None,
        columns: Sequence[str] | None = None,
        where: str | None = None,
    ) -> pa.Table:
        """A table's rows as Arrow: one title's or every title's, the columns asked for (all by default),
        filtered by a SQL condition."""
        return self._relation(name, title, columns, where).to_arrow_table()

    def frame(
        self, name: str, title: str | None = None, columns: Sequence[str] | None = None, where: str | None = None
    ):
        """The same rows as a pandas DataFrame."""
        return self._relation(name, title, columns, where).df()

    def sql(self, query: str) -> duckdb.DuckDBPyRelation:
        return self.connection.sql(query)

    def uri(self, reference: str) -> str:
        """Where the file a row's reference (a lake-relative `*_uri` value) is, as a path or s3:// URI."""
        return self.store.uri_for(self.store.key_for(reference))

    @contextlib.contextmanager
    def open(self, reference: str) -> Iterator[Path]:
        """The file a row's reference points at, as a local path (downloaded for the block on S3)."""
        with self.store.local_copy(self.store.key_for(reference)) as path:
            yield path

    def _relation(
        self, name: str, title: str | None, columns: Sequence[str] | None, where: str | None
    ) -> duckdb.DuckDBPyRelation:
        tables = self.tables()
        if name not in tables:
            raise UnknownTableError(f"no table {name!r} in the lake; it has {', '.join(tables)}")
        relation = self.connection.table(name)
        if title is not None:
            relation = relation.filter(duckdb.ColumnExpression("title_id") == duckdb.ConstantExpression(
                validate_title_id(title)
            ))  # fmt: skip
        if where:
            relation = relation.filter(where)
        if columns:
            relation = relation.select(*(duckdb.ColumnExpression(c) for c in columns))
        return relation


def connect_lake(env: Mapping[str, str] = os.environ) -> Lake:
    """The lake MEDIA_LAKE_ROOT names (local or S3); no Dagster is imported."""
    return Lake(lake_store(env))
