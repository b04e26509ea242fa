"""Rows of a lake table of record from just the columns a test cares about (the rest null)."""

import pyarrow as pa

from media_pipelines.lake.catalog import TABLE_SPECS


def table_rows(name: str, rows: list[dict], schema: pa.Schema | None = None) -> pa.Table:
    schema = schema or TABLE_SPECS[name].schema
    unknown = {column for row in rows for column in row} - set(schema.names)
    assert not unknown, f"{name} has no columns {unknown}"
    return pa.Table.from_pylist([{n: row.get(n) for n in schema.names} for row in rows], schema=schema)
