"""The lake as data from Python, without Dagster:

lake = connect_lake()
lake.titles()
lake.table("shots", title="bikes", columns=["shot_index", "start_s"], where="duration_s > 2")  # Arrow
lake.frame("media_table", where="word_count > 0")                                             # pandas
lake.sql("select title_id, count(*) from shots group by 1").show()                             # DuckDB
with lake.open(row["keyframe_uri"]) as path: ...                                               # the media
lake.search("a taxi at night", where="duration_s > 2", k=10)                                 # hybrid search
lake.search(like="bikes/bikes/3"); lake.search(image="still.jpg")                             # by example
lake.near_duplicates(where="title_id in ('film', 'trailer')")          # look-alike shots and their groups
lake.load_search_index()                          # the index in memory: no search waits on its pages
lake.versions()                                   # {table: version}: the state of the lake it reads
connect_lake(versions={...}).table("shots")       # the lake as it was at those versions
"""

import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from media_pipelines.core.search import NEAR_DUPLICATE_COSINE
from media_pipelines.core.search.images import EFFICIENTNET_LITE0
from media_pipelines.core.titles import validate_title_id
from media_pipelines.lake.near_duplicates import duplicate_groups
from media_pipelines.lake.query import connection_over, open_tables
from media_pipelines.lake.raw_files import RAW_FILES
from media_pipelines.lake.roots import lake_store, search_image_model
from media_pipelines.lake.search import SHOT_EMBEDDINGS
from media_pipelines.lake.search_index import load_indices
from media_pipelines.lake.shot_search import SearchError, SearchQuery, ShotRef, search_shots
from media_pipelines.lake.store import ObjectStore
from media_pipelines.lake.tables import TITLE_ID, open_table

if TYPE_CHECKING:
    import lance


class UnknownTableError(KeyError):
    pass


class Lake:
    """Titles, tables as Arrow or pandas, SQL over every table, and the files rows point at. Every read
    sees one snapshot of each table, taken on first use (or the versions given): call `refresh()` to see
    titles committed since. What its reads load of the tables' indices and file metadata is cached in a
    Lance session kept across refreshes; pass `session` to share one across lakes (a server opening a new
    snapshot every few seconds keeps what its searches loaded)."""

    def __init__(
        self,
        store: ObjectStore,
        versions: Mapping[str, int | str] | None = None,
        image_model: str = EFFICIENTNET_LITE0,
        session: "lance.Session | None" = None,
    ):
        self.store = store
        self.image_model = image_model  # the deployment's image encoder, for queries by picture (and CLIP text)
        self._pinned = dict(versions) if versions is not None else None
        self._session = session
        self._datasets: dict | None = None
        self._connection: duckdb.DuckDBPyConnection | None = None

    @property
    def datasets(self) -> dict:
        """Each table's Lance dataset, opened on first use."""
        if self._datasets is None:
            if self._session is None:
                import lance

                self._session = lance.Session()
            self._datasets = open_tables(self.store, self._pinned, session=self._session)
        return self._datasets

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """One DuckDB view per table, made on first use."""
        if self._connection is None:
            self._connection = connection_over(self.datasets)
        return self._connection

    def refresh(self) -> None:
        self._datasets = self._connection = None

    def tables(self) -> list[str]:
        return sorted(self.datasets)

    def versions(self) -> dict[str, int]:
        """Each table's version this lake reads: what an export records to be rebuilt later."""
        return {name: dataset.version for name, dataset in sorted(self.datasets.items())}

    def titles(self) -> list[str]:
        """Every title the lake has ingested."""
        if RAW_FILES not in self.tables():
            return []
        rows = self.connection.sql(f"select distinct {TITLE_ID} from {RAW_FILES} order by 1").fetchall()
        return [title for (title,) in rows]

    def table(
        self,
        name: str,
        title: str | None = None,
        columns: Sequence[str] | None = None,
        where: str | None = None,
        version: int | str | None = None,
    ) -> pa.Table:
        """A table's rows as Arrow: one title's or every title's, the columns asked for (all by default),
        filtered by a SQL condition, at the lake's snapshot or at another version (number or tag) of the
        table."""
        return self._relation(name, title, columns, where, version).to_arrow_table()

    def frame(
        self,
        name: str,
        title: str | None = None,
        columns: Sequence[str] | None = None,
        where: str | None = None,
        version: int | str | None = None,
    ):
        """The same rows as a pandas DataFrame."""
        return self._relation(name, title, columns, where, version).df()

    def search(
        self,
        text: str | None = None,
        like: str | ShotRef | None = None,
        image: str | Path | None = None,
        where: str | None = None,
        k: int = 20,
        device: str = "cpu",
    ) -> pa.Table:
        """Shots by meaning and words (`text`), by example (`like` TITLE/SOURCE/SHOT, or an `image`), or
        both, fused into one ranking; `where` is a SQL condition on the index's columns (title_id,
        duration_s, transition_in, word_count, speech_ratio, music_share, visual_tags, ...)."""
        ref = ShotRef.parse(like) if isinstance(like, str) else like
        query = SearchQuery(text=text, like=ref, image=Path(image) if image else None, where=where, k=k)
        return search_shots(self._search_index(), query, device, self.image_model)

    def near_duplicates(self, min_cosine: float = NEAR_DUPLICATE_COSINE, where: str | None = None) -> pa.Table:
        """Shots that have a look-alike (keyframe cosine at least min_cosine) among the shots `where`
        selects, each with its lake-wide `duplicate_group` and `group_size` (lake.near_duplicates)."""
        return duplicate_groups(self._search_index(), min_cosine, where)

    def load_search_index(self) -> None:
        """Reads the search index's indices into this lake's session, where a search would otherwise
        load each part on first use (a cold vector partition costs 0.1-1 s): at 1.5 M shots about 3 GB
        of memory and 14 s."""
        load_indices(self._search_index())

    def _search_index(self):
        if SHOT_EMBEDDINGS not in self.tables():
            raise SearchError("no title has been indexed yet (the shot_embeddings stage writes the index)")
        return self.datasets[SHOT_EMBEDDINGS]

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
        self, name: str, title: str | None, columns: Sequence[str] | None, where: str | None, version
    ) -> duckdb.DuckDBPyRelation:
        tables = self.tables()
        if name not in tables:
            raise UnknownTableError(f"no table {name!r} in the lake; it has {', '.join(tables)}")
        if version is None:
            relation = self.connection.table(name)
        else:
            dataset = open_table(self.store, name, version=version, session=self._session)
            relation = connection_over({name: dataset}).table(name)
        if title is not None:
            relation = relation.filter(duckdb.ColumnExpression("title_id") == duckdb.ConstantExpression(
                validate_title_id(title)
            ))  # fmt: skip
        if where:
            relation = relation.filter(where)
        if columns:
            relation = relation.select(*(duckdb.ColumnExpression(c) for c in columns))
        return relation


def connect_lake(
    env: Mapping[str, str] = os.environ,
    versions: Mapping[str, int | str] | None = None,
    session: "lance.Session | None" = None,
) -> Lake:
    """The lake MEDIA_LAKE_ROOT names (local or S3), at its latest state or at the table versions given
    (as `Lake.versions()` or an export's manifest records them), caching in `session` when given (see
    `Lake`); no Dagster is imported."""
    return Lake(lake_store(env), versions, search_image_model(env), session)
