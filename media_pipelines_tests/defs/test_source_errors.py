"""A source a stage cannot process is recorded with its typed error, the title's other sources carry on,
and nothing deterministic is retried."""

import av.error
import dagster as dg
import pytest
from botocore.exceptions import EndpointConnectionError

from media_pipelines.core.media_types import ErrorType, MediaFileError
from media_pipelines.defs.ingest.assets import raw_media
from media_pipelines.defs.partitions import titles_partitions
from media_pipelines.defs.renditions.assets import renditions
from media_pipelines.defs.shots.assets import shots
from media_pipelines.defs.source_errors import SOURCES_CHECK, SourceError, is_transient, per_source
from media_pipelines.lake.renditions import RENDITIONS
from media_pipelines.lake.shots import SHOTS
from media_pipelines.lake.store import LocalStore
from media_pipelines.lake.tables import read_title_table
from media_pipelines_tests.conftest import deliver


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (OSError("disk gone"), True),
        (EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), True),
        (MemoryError(), True),
        (av.error.InvalidDataError(1094995529, "Invalid data found when processing input"), False),
        (ValueError("bad shape"), False),
        (ZeroDivisionError(), False),
        (MediaFileError(ErrorType.DECODE_ERROR, "no frame"), False),
    ],
)
def test_only_storage_network_and_memory_trouble_is_transient(error, transient):
    assert is_transient(error) is transient


def test_per_source_records_deterministic_failures_and_raises_transient_ones():
    context = dg.build_asset_context()

    def fail(error):
        raise error

    assert per_source(context, "a", lambda: 7) == 7
    typed = per_source(context, "a", lambda: fail(MediaFileError(ErrorType.DECODE_ERROR, "no frame")))
    assert typed == SourceError("a", "decode_error", "no frame")
    bug = per_source(context, "b", lambda: fail(IndexError("list index out of range")))
    assert bug == SourceError("b", "processing_error", "IndexError: list index out of range")
    with pytest.raises(OSError):
        per_source(context, "c", lambda: fail(OSError("lake unreachable")))


def test_a_broken_proxy_fails_only_its_source_and_is_not_retried(lake_roots, resources, instance, media):
    deliver(lake_roots["landing"], "pair", media["bikes"], media["vfr"])
    instance.add_dynamic_partitions(titles_partitions.name, ["pair"])
    dg.materialize([raw_media, renditions], partition_key="pair", resources=resources, instance=instance)
    lake = LocalStore(lake_roots["lake"])
    proxies = {
        r["source_id"]: r for r in read_title_table(lake, RENDITIONS, "pair").to_pylist() if r["kind"] == "proxy"
    }
    broken, intact = sorted(proxies)
    (lake_roots["lake"] / proxies[broken]["uri"]).write_bytes(b"\x00" * 4096)

    result = dg.materialize([shots], partition_key="pair", resources=resources, instance=instance)
    assert result.success
    assert {r["source_id"] for r in read_title_table(lake, SHOTS, "pair").to_pylist()} == {intact}
    [check] = [e for e in result.get_asset_check_evaluations() if e.check_name == SOURCES_CHECK]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert f"{broken}: processing_error" in check.metadata["errors"].value
    assert not [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_RESTARTED]
