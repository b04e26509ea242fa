"""SQL over every lake table at once: DuckDB views, one per table, across all titles."""

import io

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from media_pipelines.lake.store import LocalStore, ObjectStore
from media_pipelines.lake.tables import TABLES_PREFIX


def table_names(store: ObjectStore) -> list[str]:
    return sorted({info.key.split("/")[1] for info in store.walk(TABLES_PREFIX) if info.key.endswith(".parquet")})


def connect(store: ObjectStore) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with a view per table (title_id included), its columns the union of every
    title's (a column a later stage version added reads as null for titles written before it). A local lake
    is scanned in place; an S3 lake is read through the store's client, since DuckDB's httpfs extension
    cannot be fetched here."""
    connection = duckdb.connect()
    for name in table_names(store):
        if isinstance(store, LocalStore):
            pattern = str(store.root / TABLES_PREFIX / name / "*" / "*.parquet")
            connection.execute(
                f"CREATE VIEW \"{name}\" AS SELECT * FROM read_parquet('{pattern}', hive_partitioning = true, union_by_name = true)"
            )
        else:
            connection.register(name, _read_table(store, name))
    return connection


def _read_table(store: ObjectStore, name: str) -> pa.Table:
    parts = []
    for info in store.walk(f"{TABLES_PREFIX}/{name}"):
        title_id = info.key.split("/")[2].removeprefix("title_id=")
        part = pq.read_table(io.BytesIO(store.read_bytes(info.key)))
        parts.append(part.append_column("title_id", pa.array([title_id] * part.num_rows, pa.string())))
    return pa.concat_tables(parts, promote_options="default")
