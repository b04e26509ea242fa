from collections.abc import Callable
from typing import TypeVar

import dagster as dg

from media_pipelines.core.media_types import MediaFileError
from media_pipelines.lake.originals import original_key
from media_pipelines.lake.store import ObjectStore

Parsed = TypeVar("Parsed")


def parse_delivered(
    context: dg.AssetExecutionContext,
    store: ObjectStore,
    files: list[dict],
    parse: Callable[[bytes, str], Parsed],
) -> tuple[list[tuple[dict, Parsed]], list[str]]:
    """Each delivered sidecar file (subtitles, annotations) parsed from its original; a file with a typed
    error is logged and listed, and the others still load."""
    parsed, errors = [], []
    for f in files:
        try:
            parsed.append((f, parse(store.read_bytes(original_key(f["sha256"])), f["file_name"])))
        except MediaFileError as exc:
            errors.append(f"{f['file_name']}: {exc}")
            context.log.warning(errors[-1])
    return parsed, errors


def files_parse_check(check_name: str, errors: list[str]) -> dg.AssetCheckResult:
    """A delivered sidecar file that cannot be read warns; the title still goes on."""
    return dg.AssetCheckResult(
        check_name=check_name,
        passed=not errors,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"errors": "\n".join(errors) or "none"},
    )
