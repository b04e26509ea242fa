"""SQL over the configured lake from Python: `connect_lake().sql("select ... from shots")`."""

import os
from collections.abc import Mapping

import duckdb

from media_pipelines.definitions import build_resources
from media_pipelines.lake.query import connect


def connect_lake(env: Mapping[str, str] = os.environ) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with one view per lake table, for the lake MEDIA_LAKE_ROOT names (local or S3)."""
    return connect(build_resources(env)["lake"].store())
