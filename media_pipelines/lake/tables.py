"""Per-title Parquet tables, hive-partitioned: tables/<table>/title_id=<title>/part-0.parquet."""

import io

import pyarrow as pa
import pyarrow.parquet as pq

from media_pipelines.core.titles import validate_title_id
from media_pipelines.lake.store import ObjectStore

TABLES_PREFIX = "tables"


def title_table_key(table_name: str, title_id: str) -> str:
    return f"{TABLES_PREFIX}/{table_name}/title_id={validate_title_id(title_id)}/part-0.parquet"


def write_title_table(store: ObjectStore, table_name: str, title_id: str, table: pa.Table) -> str:
    """Replace a title's rows whole, atomically; the title comes from the path, as hive readers expect."""
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    key = title_table_key(table_name, title_id)
    store.put_bytes(buffer.getvalue(), key)
    return store.uri_for(key)


def read_title_table(store: ObjectStore, table_name: str, title_id: str) -> pa.Table:
    return pq.read_table(io.BytesIO(store.read_bytes(title_table_key(table_name, title_id))))
