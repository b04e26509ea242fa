"""`media-lake query` and `export`: SQL over the lake's tables, and training shards of the shots it selects."""

import argparse
import io
import json
import sys

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv

from media_pipelines.export.export import MANIFEST, export_shots
from media_pipelines.export.samples import ExportQueryError
from media_pipelines.lake.query import connect
from media_pipelines.lake.store import ObjectStore


def query(store: ObjectStore, sql: str, output: str) -> int:
    try:
        result = connect(store).sql(sql)
    except duckdb.Error as exc:
        print(f"query failed: {exc}", file=sys.stderr)
        return 1
    if result is None:
        return 0
    table = result.fetch_arrow_table()
    if output == "json":
        print(json.dumps(table.to_pylist(), default=str, indent=1))
    elif output == "csv":
        buffer = io.BytesIO()
        pa_csv.write_csv(_flat(table), buffer)
        print(buffer.getvalue().decode(), end="")
    else:
        print(result)
    return 0


def _flat(table: pa.Table) -> pa.Table:
    """CSV has no lists or structs: nested values are written as JSON text."""
    for index, field in enumerate(table.schema):
        if pa.types.is_nested(field.type):
            values = [None if v is None else json.dumps(v, default=str) for v in table.column(index).to_pylist()]
            table = table.set_column(index, field.name, pa.array(values, pa.string()))
    return table


def export(store: ObjectStore, args: argparse.Namespace) -> int:
    try:
        manifest = export_shots(store, args.sql, args.format, args.out, args.shard_size, args.clips)
    except (ExportQueryError, FileExistsError) as exc:
        print(f"export failed: {exc}", file=sys.stderr)
        return 1
    print(f"{manifest['samples']} samples in {len(manifest['shards'])} {args.format} shards: {args.out}")
    print(f"manifest: {args.out / MANIFEST} ({len(manifest['sources'])} sources)")
    return 0
