"""SQL over the configured lake from Python: `connect_lake().sql("select ... from shots")`."""

import os
from collections.abc import Mapping

import duckdb

from media_pipelines.lake.query import connect
from media_pipelines.lake.roots import lake_store


def connect_lake(env: Mapping[str, str] = os.environ) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with one view per lake table, for the lake MEDIA_LAKE_ROOT names (local or S3);
    no Dagster is imported."""
    return connect(lake_store(env))
