"""Fails loudly on a Dagster upgrade: the private names the product and the tests rely on, checked against
the installed Dagster, and the version they were verified on."""

import inspect

import dagster as dg

from media_pipelines.defs import dagster_private as private


def test_the_installed_dagster_is_the_one_the_private_uses_were_verified_on():
    assert dg.__version__ == private.VERIFIED_DAGSTER, (
        f"Dagster {dg.__version__} is installed, the private uses in media_pipelines/defs/dagster_private.py and "
        f"media_pipelines_tests/daemon.py were verified on {private.VERIFIED_DAGSTER}: re-verify them (this test, "
        "test_reconcile.py and test_backfill.py), look for public APIs that replace them, then bump VERIFIED_DAGSTER"
    )


def test_materialization_tags_are_named_as_the_bulk_stale_scan_reads_them():
    assert private.CODE_VERSION_TAG == "dagster/code_version"
    assert private.DATA_VERSION_TAG == "dagster/data_version"
    assert private.INPUT_DATA_VERSION_TAG_PREFIX == "dagster/input_data_version"


def test_statuses_the_lake_reads():
    assert {"IN_PROGRESS", "FAILED", "MATERIALIZED"} <= set(private.AssetPartitionStatus.__members__)
    assert private.BulkActionStatus.COMPLETED_SUCCESS in private.BULK_ACTION_TERMINAL_STATUSES
    assert private.BulkActionStatus.REQUESTED not in private.BULK_ACTION_TERMINAL_STATUSES


def test_backfill_submission_takes_the_arguments_the_cli_passes():
    parameters = set(inspect.signature(private.PartitionBackfill.from_asset_partitions).parameters)
    assert {
        "backfill_id", "asset_graph", "partition_names", "asset_selection", "backfill_timestamp", "tags",
        "dynamic_partitions_store", "all_partitions", "title", "description", "run_config",
    } <= parameters  # fmt: skip
    assert len(private.make_new_backfill_id()) == 8
    assert isinstance(private.get_current_timestamp(), float)


def test_the_daemon_utilities_the_tests_drive_still_exist():
    from media_pipelines_tests import daemon

    assert callable(daemon.code_location_workspace) and callable(daemon.run_daemon_until_done)
