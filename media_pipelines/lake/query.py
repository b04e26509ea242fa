"""SQL over every lake table at once: DuckDB, one view per table across all titles."""

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

import duckdb

from media_pipelines.lake.catalog import TABLE_SPECS
from media_pipelines.lake.store import ObjectStore
from media_pipelines.lake.tables import open_table

if TYPE_CHECKING:
    import lance


def open_tables(
    store: ObjectStore,
    versions: Mapping[str, int | str] | None = None,
    names: Iterable[str] | None = None,
    session: "lance.Session | None" = None,
) -> dict:
    """Every table some title has written (or those named), at its latest version or the version given
    for it (a table the versions do not name did not exist at that state of the lake and is left out),
    opened with the session's caches when one is given."""
    datasets = {}
    wanted = set(TABLE_SPECS) if names is None else set(names)
    for name in (n for n in TABLE_SPECS if n in wanted):
        if versions is not None and name not in versions:
            continue
        dataset = open_table(store, name, version=None if versions is None else versions[name], session=session)
        if dataset is not None:
            datasets[name] = dataset
    return datasets


def versions_as_of(store: ObjectStore, when: datetime) -> dict[str, int]:
    """Each table's version that was the latest at a time (a table created later is left out)."""
    versions = {}
    for name in TABLE_SPECS:
        try:
            dataset = open_table(store, name, as_of=when)
        except ValueError:  # Lance: no version of this table at or before that time
            continue
        if dataset is not None:
            versions[name] = dataset.version
    return versions


def table_names(store: ObjectStore) -> list[str]:
    return sorted(open_tables(store))


def connect(
    store: ObjectStore, versions: Mapping[str, int | str] | None = None, sql: str | None = None
) -> duckdb.DuckDBPyConnection:
    """Views for every table, or for those a query names: `select 1` opens none (nor imports Lance)."""
    return connection_over(open_tables(store, versions, referenced_tables(sql) if sql else None))


def referenced_tables(sql: str) -> set[str] | None:
    """The tables of record a query reads from, by DuckDB's own parser (no binding, so no table need
    exist); None (open them all) when it cannot say: a statement it does not serialize, a name that is no
    table of record (a CTE, a catalog view), or a query that reads nothing named (SHOW, a table function)
    unless it reads nothing at all (`select 1`)."""
    with duckdb.connect() as parser:
        tree = json.loads(parser.execute("select json_serialize_sql(?)", [sql]).fetchone()[0])
    if tree.get("error"):
        return None
    names: set[str] = set()
    reads_something = False
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "BASE_TABLE":
                names.add(str(node.get("table_name")).lower())  # unquoted names fold, as DuckDB binds them
            reads_something |= node.get("type") in ("BASE_TABLE", "TABLE_FUNCTION", "SHOW_REF")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    if names - set(TABLE_SPECS) or (reads_something and not names):
        return None
    return names


def connection_over(datasets: Mapping) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with a view per table, title_id a column. DuckDB scans each Lance dataset
    through its Arrow interface, pushing column selection and filters down, so a query reads only what it
    needs, locally or from S3 in byte ranges. Each view is one snapshot: a title committed after the
    datasets were opened is not seen through them."""
    connection = duckdb.connect()
    for name, dataset in datasets.items():
        connection.register(name, dataset)
    return connection
