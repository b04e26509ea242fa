"""The rows of an export: one sample per shot the query returns, in key order, streamed shard by shard."""

from collections.abc import Callable, Iterator

import duckdb

SAMPLE_COLUMNS = ("title_id", "source_id", "shot_index")
# Lake facts every sample needs whatever the query selected: where its keyframe and mezzanine are, its timing
# and source checksum; prefixed so they never collide with the query's own columns.
_SAMPLES_SQL = """
SELECT q.*,
       s.keyframe_uri AS __keyframe_uri, s.start_s AS __start_s, s.end_s AS __end_s,
       s.source_sha256 AS __source_sha256, s.code_version AS __shots_code_version,
       r.uri AS __mezzanine_uri{embedding_column}
FROM ({sql}) q
JOIN shots s ON s.title_id = q.title_id AND s.source_id = q.source_id AND s.shot_index = q.shot_index
LEFT JOIN renditions r ON r.title_id = q.title_id AND r.source_id = q.source_id AND r.kind = 'mezzanine'
{embedding_join}
ORDER BY q.title_id, q.source_id, q.shot_index
"""


class ExportQueryError(ValueError):
    """A query an export cannot turn into samples."""


def sample_key(row: dict) -> str:
    """WebDataset keys may not contain dots; title and source ids never do."""
    return f"{row['title_id']}__{row['source_id']}__{row['shot_index']:05d}"


def query_columns(connection: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    try:
        columns = connection.sql(f"SELECT * FROM ({sql}) LIMIT 0").columns
    except duckdb.Error as exc:
        raise ExportQueryError(f"query failed: {exc}") from exc
    missing = [c for c in SAMPLE_COLUMNS if c not in columns]
    if missing:
        raise ExportQueryError(
            f"an export samples shots: the query must return {', '.join(SAMPLE_COLUMNS)} (missing {', '.join(missing)})"
        )
    if len(set(columns)) != len(columns):
        raise ExportQueryError("the query returns two columns with the same name")
    return columns


_EMBEDDING_JOIN = (
    "LEFT JOIN shot_embeddings e ON e.title_id = q.title_id AND e.source_id = q.source_id"
    " AND e.shot_index = q.shot_index"
)


def sample_batches(
    connection: duckdb.DuckDBPyConnection,
    sql: str,
    batch_size: int,
    keep: Callable[[dict], bool] | None = None,
) -> Iterator[list[dict]]:
    """Rows in key order, batch_size at a time; a shot selected twice is one sample. With keep, each row
    also carries its keyframe embedding (`__image_vector`) and only the rows keep accepts are samples."""
    embedding = (
        {"embedding_column": ", e.image_vector AS __image_vector", "embedding_join": _EMBEDDING_JOIN}
        if keep
        else {"embedding_column": "", "embedding_join": ""}
    )
    query = _SAMPLES_SQL.format(sql=sql, **embedding)
    reader = connection.sql(query).to_arrow_reader(batch_size)
    pending, last_key = [], None
    for batch in reader:
        for row in batch.to_pylist():
            key = sample_key(row)
            if key == last_key:
                continue
            last_key = key
            if keep is not None and not keep(row):
                continue
            pending.append({"__key__": key, **row})
            if len(pending) == batch_size:
                yield pending
                pending = []
    if pending:
        yield pending
