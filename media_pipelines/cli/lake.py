"""`media-lake query`, `search` and `export`: SQL over the lake's tables, shots found by meaning, words or
example, and training shards of the shots a query selects."""

import argparse
import io
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv

from media_pipelines.core.titles import InvalidTitleIdError
from media_pipelines.lake.query import connect, versions_as_of
from media_pipelines.lake.roots import search_image_model
from media_pipelines.lake.shot_search import SearchError
from media_pipelines.lake.store import ObjectStore
from media_pipelines.lake.tables import open_table


def query(store: ObjectStore, sql: str, output: str) -> int:
    try:
        result = connect(store, sql=sql).sql(sql)
    except duckdb.Error as exc:
        print(f"query failed: {exc}", file=sys.stderr)
        return 1
    if result is None:
        return 0
    _print(result.fetch_arrow_table(), output, result)
    return 0


def search(store: ObjectStore, args: argparse.Namespace) -> int:
    from media_pipelines.query import Lake

    try:
        found = Lake(store, image_model=search_image_model()).search(
            args.text, like=args.like, image=args.image, where=args.where, k=args.k
        )
    except (SearchError, InvalidTitleIdError, FileNotFoundError) as exc:
        print(f"search failed: {exc}", file=sys.stderr)
        return 1
    if args.format != "table":
        _print(found, args.format)
    for rank, row in enumerate(found.to_pylist() if args.format == "table" else [], start=1):
        shot = f"{row['title_id']}/{row['source_id']}/{row['shot_index']}"
        said = " / ".join(t for t in (row["transcript_text"], row["on_screen_text"]) if t).replace("\n", " / ")
        print(
            f"{rank:>3}  {row['score']:.4f}  {shot:<28} {row['start_s']:8.2f}-{row['end_s']:<8.2f} "
            f"{','.join(row['matched_by']):<24} {said[:70]}"
        )
    return 0


def duplicates(store: ObjectStore, args: argparse.Namespace) -> int:
    from media_pipelines.query import Lake

    try:
        groups = Lake(store).near_duplicates(args.min_cosine, args.where)
    except (SearchError, ValueError, OSError) as exc:
        print(f"duplicates failed: {exc}", file=sys.stderr)
        return 1
    _print(groups, args.format, duckdb.arrow(groups) if args.format == "table" else None)
    return 0


def _print(table: pa.Table, output: str, shown=None) -> None:
    """JSON or CSV of the rows; for "table", what `shown` prints as."""
    if output == "json":
        print(json.dumps(table.to_pylist(), default=str, indent=1))
    elif output == "csv":
        buffer = io.BytesIO()
        pa_csv.write_csv(_flat(table), buffer)
        print(buffer.getvalue().decode(), end="")
    else:
        print(shown)


def _flat(table: pa.Table) -> pa.Table:
    """CSV has no lists or structs: nested values are written as JSON text."""
    for index, field in enumerate(table.schema):
        if pa.types.is_nested(field.type):
            values = [None if v is None else json.dumps(v, default=str) for v in table.column(index).to_pylist()]
            table = table.set_column(index, field.name, pa.array(values, pa.string()))
    return table


def export(store: ObjectStore, args: argparse.Namespace) -> int:
    # Here, not at import: a query does without the exporter's media libraries.
    from media_pipelines.export.export import MANIFEST, export_shots
    from media_pipelines.export.samples import ExportQueryError

    try:
        versions = _as_of(store, args.as_of) if args.as_of else None
        manifest = export_shots(
            store, args.sql, args.format, args.out, args.shard_size, args.clips, versions, args.drop_near_duplicates
        )
    except (ExportQueryError, FileExistsError, AsOfError, ValueError) as exc:
        print(f"export failed: {exc}", file=sys.stderr)
        return 1
    print(f"{manifest['samples']} samples in {len(manifest['shards'])} {args.format} shards: {args.out}")
    if "near_duplicates" in manifest:
        print(f"{manifest['near_duplicates']['dropped']} near-duplicate shots left out")
    print(f"manifest: {args.out / MANIFEST} ({len(manifest['sources'])} sources)")
    return 0


class AsOfError(ValueError):
    pass


def _as_of(store: ObjectStore, value: str) -> dict[str, int]:
    """An earlier export's manifest (its table versions) or a time (ISO 8601, UTC unless it says)."""
    from media_pipelines.export.export import MANIFEST

    path = Path(value)
    if path.is_dir():
        path = path / MANIFEST
    if path.is_file():
        try:
            versions = {n: int(v) for n, v in json.loads(path.read_text(encoding="utf-8"))["table_versions"].items()}
        except (ValueError, KeyError, TypeError) as exc:
            raise AsOfError(f"{path} is not an export manifest with table versions") from exc
        for name, version in versions.items():
            try:
                open_table(store, name, version=version)
            except (ValueError, OSError) as exc:
                raise AsOfError(f"version {version} of {name} is no longer retained (media-lake maintain)") from exc
        return versions
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise AsOfError(f"--as-of {value!r} is neither an export manifest nor an ISO 8601 time") from None
    versions = versions_as_of(store, when if when.tzinfo else when.replace(tzinfo=UTC))
    if not versions:
        raise AsOfError(f"the lake has no table version at or before {value}")
    return versions


def maintain(store: ObjectStore, retention_days: float | None) -> int:
    from media_pipelines.lake.maintenance import DEFAULT_RETENTION_DAYS, maintain_lake

    days = DEFAULT_RETENTION_DAYS if retention_days is None else retention_days
    report = maintain_lake(store, timedelta(days=days))
    for name, table in report.tables.items():
        print(
            f"{name:<22} {table.fragments_before:>6} -> {table.fragments_after:<6} fragments"
            f"  {table.versions_removed} old versions removed"
        )
    print(f"{report.media_files_removed} media files no retained version points at removed")
    return 0
