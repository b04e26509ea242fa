"""Lake tables: one Lance dataset per table, tables/<table>.lance, every title's rows in it.

A title's rows are replaced in one atomic commit (the old rows deleted and the new ones added in one
Lance Update): readers see the old rows or the new ones, concurrent title runs never lose each other's
commits (conflicts are rebased or redone), and every commit is a version that can be read again until
clean-up removes it. Lance is imported only where tables are read
or written, so loading the code location does not pay for it."""

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import pyarrow as pa

from media_pipelines.core.titles import validate_title_id
from media_pipelines.lake.store import ObjectStore

if TYPE_CHECKING:
    import lance
    from lance import LanceDataset

TABLES_PREFIX = "tables"
TITLE_ID = "title_id"
DATASET_SUFFIX = ".lance"
# A replace that a concurrent commit to the same fragments (or a column added meanwhile) conflicts with is
# redone from the new version, at most this many times.
COMMIT_ATTEMPTS = 8


class TableSchemaError(ValueError):
    """Rows that do not match their table's declared schema: a bug in the stage that wrote them."""


@dataclass(frozen=True)
class TableSpec:
    """A table of record: its name, its columns (title_id is added by the lake), the columns that
    identify a row within a title, and those holding lake keys of media files (kept while any retained
    version of the table points at them)."""

    name: str
    schema: pa.Schema
    row_key: tuple[str, ...]
    description: str
    media_columns: tuple[str, ...] = ()

    @property
    def stored_schema(self) -> pa.Schema:
        return pa.schema([pa.field(TITLE_ID, pa.string(), nullable=False), *self.schema])

    def conform(self, rows: pa.Table) -> pa.Table:
        """The rows cast to the declared schema, refused when a column is missing, extra or of a type that
        does not cast safely, or when two rows share a row key."""
        missing = [n for n in self.schema.names if n not in rows.column_names]
        extra = [n for n in rows.column_names if n not in self.schema.names]
        if missing or extra:
            raise TableSchemaError(f"{self.name}: missing columns {missing}, undeclared columns {extra}")
        try:
            rows = rows.select(self.schema.names).cast(self.schema)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            raise TableSchemaError(f"{self.name}: {error}") from error
        if self.row_key and rows.num_rows:
            keys = rows.group_by(list(self.row_key)).aggregate([([], "count_all")])
            if keys.num_rows != rows.num_rows:
                raise TableSchemaError(f"{self.name}: rows share a row key {self.row_key}")
        return rows


def spec_for(table: "str | TableSpec") -> TableSpec:
    """A table of record by name (see lake.catalog) or as given."""
    if isinstance(table, TableSpec):
        return table
    from media_pipelines.lake.catalog import TABLE_SPECS  # the catalog imports every table module, which import this

    try:
        return TABLE_SPECS[table]
    except KeyError:
        raise TableSchemaError(f"no table of record named {table!r}") from None


def table_key(name: str) -> str:
    return f"{TABLES_PREFIX}/{name}{DATASET_SUFFIX}"


def _title_predicate(title_ids: list[str]) -> str:
    # Title ids are validated to [a-z0-9_-], so quoting them cannot break out of the literal.
    quoted = ", ".join(f"'{validate_title_id(t)}'" for t in title_ids)
    return f"{TITLE_ID} = {quoted}" if len(title_ids) == 1 else f"{TITLE_ID} IN ({quoted})"


def open_table(
    store: ObjectStore,
    name: str,
    version: int | str | None = None,
    as_of: datetime | None = None,
    session: "lance.Session | None" = None,
) -> "LanceDataset | None":
    """The table's dataset at its latest version, a given version (number or tag) or as it was at a time;
    None when no title has written it yet. Datasets opened with one `session` share its caches of index
    pages and file metadata (each dataset has caches of its own otherwise)."""
    import lance

    uri, options = store.dataset_location(table_key(name))
    if as_of is not None and as_of.tzinfo is not None:
        as_of = as_of.astimezone().replace(tzinfo=None)  # Lance lists version times as naive local time
    try:
        return lance.dataset(uri, version=version, asof=as_of, storage_options=options, session=session)
    except ValueError as error:  # Lance's "was not found" for a dataset with no version yet
        if version is None and as_of is None and "not found" in str(error).lower():
            return None
        raise


def _created(store: ObjectStore, spec: TableSpec) -> "LanceDataset":
    """The dataset, created empty with its declared schema if it does not exist. Creation commits
    version 1 only (no retry onto a later version), so two writers racing to create can never overwrite
    rows a third already merged."""
    import lance

    uri, options = store.dataset_location(table_key(spec.name))
    try:
        lance.LanceDataset.commit(
            uri, lance.LanceOperation.Overwrite(spec.stored_schema, []), max_retries=0, storage_options=options
        )
    except OSError:
        if open_table(store, spec.name) is None:  # not another writer's creation: a real failure
            raise
    return open_table(store, spec.name)


def _with_declared_columns(dataset: "LanceDataset", spec: TableSpec) -> "LanceDataset":
    """A column the spec declares that the dataset lacks is added without rewriting data: earlier
    titles read it as null."""
    missing = [field for field in spec.stored_schema if field.name not in dataset.schema.names]
    if missing:
        dataset.add_columns(missing)
    return dataset


def _as_stored(dataset: "LanceDataset", spec: TableSpec, titles: Mapping[str, pa.Table]) -> pa.Table:
    """Every title's conformed rows with its title_id, in the dataset's column order; a column the dataset
    keeps from an earlier schema, and the spec no longer declares, is written as null."""
    parts = []
    for title_id, rows in titles.items():
        rows = spec.conform(rows)
        parts.append(rows.add_column(0, TITLE_ID, pa.array([title_id] * rows.num_rows, pa.string())))
    table = pa.concat_tables(parts) if parts else spec.stored_schema.empty_table()
    for field in dataset.schema:
        if field.name not in table.column_names:
            table = table.append_column(field, pa.nulls(table.num_rows, field.type))
    return table.select(dataset.schema.names).cast(dataset.schema)


def _sorted(rows: pa.Table, spec: TableSpec) -> pa.Table:
    keys = [c for c in (TITLE_ID, *spec.row_key) if c in rows.column_names]
    return rows.sort_by([(c, "ascending") for c in keys]) if keys and rows.num_rows else rows


def _unchanged(dataset: "LanceDataset", spec: TableSpec, title_ids: list[str], rows: pa.Table) -> bool:
    current = dataset.to_table(filter=_title_predicate(title_ids))
    return current.num_rows == rows.num_rows and _sorted(current, spec).equals(_sorted(rows, spec))


def write_titles(store: ObjectStore, table: "str | TableSpec", titles: Mapping[str, pa.Table]) -> str:
    """Replace each given title's rows whole, all in one atomic commit; when every title's rows are
    already exactly these nothing is committed, so an identical re-run adds no version and changes no
    byte. Writers of one title are serialized by the run queue (one run per title): two replaces of the
    same title that both delete nothing (its first write) would both add their rows."""
    spec = spec_for(table)
    title_ids = sorted(titles)
    if not title_ids:
        raise ValueError("no titles to write")
    for attempt in range(COMMIT_ATTEMPTS):
        dataset = open_table(store, spec.name) or _created(store, spec)
        try:
            dataset = _with_declared_columns(dataset, spec)
            rows = _as_stored(dataset, spec, titles)
            if not _unchanged(dataset, spec, title_ids, rows):
                _replace(dataset, _title_predicate(title_ids), rows)
            break
        except OSError as error:
            retryable = any(word in str(error).lower() for word in ("conflict", "incompatible"))
            if not retryable or attempt + 1 == COMMIT_ATTEMPTS:
                raise
            time.sleep(0.05 * (attempt + 1))
    return store.uri_for(table_key(spec.name))


def _replace(dataset: "LanceDataset", predicate: str, rows: pa.Table) -> None:
    """One Update commit: deletion vectors on the fragments holding the titles' rows, and the new rows as
    new fragments. Its cost is the titles' rows, not the table's: the title_id index (lake.maintenance
    keeps it) finds the fragments, and only those are touched. Lance rebases it over concurrent commits
    to other fragments; a commit to the same fragment makes it raise a conflict, and the caller redoes
    the whole replace on the new version."""
    import lance
    from lance.fragment import write_fragments

    addresses = dataset.to_table(columns=[], filter=predicate, with_row_address=True)["_rowaddr"]
    removed, updated = [], []
    for fragment_id in sorted({address >> 32 for address in addresses.to_pylist()}):
        kept = dataset.get_fragment(fragment_id).delete(predicate)
        (updated.append(kept) if kept is not None else removed.append(fragment_id))
    new = write_fragments(rows, dataset) if rows.num_rows else []
    operation = lance.LanceOperation.Update(removed_fragment_ids=removed, updated_fragments=updated, new_fragments=new)
    lance.LanceDataset.commit(dataset, operation, read_version=dataset.version)


def start_table_over(store: ObjectStore, spec: TableSpec, title_id: str, rows: pa.Table) -> str:
    """The table replaced whole by one title's rows in the spec's schema, in one Overwrite commit: for
    rows that cannot stand beside the others (vectors of another model). Earlier versions stay readable
    until clean-up; indices do not carry over."""
    import lance
    from lance.fragment import write_fragments

    uri, options = store.dataset_location(table_key(spec.name))
    rows = spec.conform(rows)
    stored = rows.add_column(0, TITLE_ID, pa.array([validate_title_id(title_id)] * rows.num_rows, pa.string()))
    stored = _sorted(stored.cast(spec.stored_schema), spec)
    read_version = open_table(store, spec.name).version
    fragments = write_fragments(stored, uri, schema=spec.stored_schema, mode="overwrite", storage_options=options)
    operation = lance.LanceOperation.Overwrite(spec.stored_schema, fragments)
    lance.LanceDataset.commit(uri, operation, read_version=read_version, storage_options=options)
    return store.uri_for(table_key(spec.name))


def write_title_table(store: ObjectStore, table: "str | TableSpec", title_id: str, rows: pa.Table) -> str:
    """Replace one title's rows whole, atomically; returns where the table is."""
    return write_titles(store, table, {title_id: rows})


def read_title_table(
    store: ObjectStore, table: "str | TableSpec", title_id: str, version: int | str | None = None
) -> pa.Table:
    """One title's rows in row-key order, without the title_id column."""
    spec = spec_for(table)
    dataset = open_table(store, spec.name, version=version)
    if dataset is None:
        raise FileNotFoundError(f"no table {spec.name} in {store.uri}")
    rows = dataset.to_table(filter=_title_predicate([title_id]))
    return _sorted(rows, spec).drop_columns([TITLE_ID])


def title_ids(store: ObjectStore, name: str) -> list[str]:
    """The titles with rows in a table."""
    import pyarrow.compute as pc  # only here: the query path's start-up does without it

    dataset = open_table(store, name)
    if dataset is None:
        return []
    return sorted(pc.unique(dataset.to_table(columns=[TITLE_ID])[TITLE_ID]).to_pylist())
