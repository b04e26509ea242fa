"""Every use of Dagster's private modules in the product, in one place.

Dagster has no public API for these: submitting an asset backfill from Python (the UI and GraphQL do it
through these classes), the tag names under which a materialization records its code and input data
versions (the bulk stale scan reads them instead of resolving staleness title by title), a partition's
in-progress / failed status, and a backfill's status. `test_dagster_private.py` checks each against the
installed Dagster and fails on any other Dagster version than the one they were verified on, so an upgrade
re-verifies them first.
"""

from dagster._core.definitions.data_version import (
    CODE_VERSION_TAG,
    DATA_VERSION_TAG,
    INPUT_DATA_VERSION_TAG_PREFIX,
)
from dagster._core.execution.backfill import BULK_ACTION_TERMINAL_STATUSES, BulkActionStatus, PartitionBackfill
from dagster._core.storage.partition_status_cache import AssetPartitionStatus
from dagster._core.utils import make_new_backfill_id
from dagster._time import get_current_timestamp

VERIFIED_DAGSTER = "1.13.27"

__all__ = [
    "BULK_ACTION_TERMINAL_STATUSES",
    "CODE_VERSION_TAG",
    "DATA_VERSION_TAG",
    "INPUT_DATA_VERSION_TAG_PREFIX",
    "VERIFIED_DAGSTER",
    "AssetPartitionStatus",
    "BulkActionStatus",
    "PartitionBackfill",
    "get_current_timestamp",
    "make_new_backfill_id",
]
