from collections.abc import Callable
from typing import TypeVar

import dagster as dg

from media_pipelines.defs.source_errors import SourceError, per_source
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
        data = store.read_bytes(original_key(f["sha256"]))
        outcome = per_source(context, f["source_id"], lambda data=data, f=f: parse(data, f["file_name"]))
        if isinstance(outcome, SourceError):
            errors.append(f"{f['file_name']}: {outcome.error_type}: {outcome.message}")
        else:
            parsed.append((f, outcome))
    return parsed, errors


def files_parse_check_spec(check_name: str, asset: str, kind: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        check_name, asset=asset, description=f"Every delivered {kind} file parses; one that cannot is named."
    )


def files_parse_check(check_name: str, errors: list[str]) -> dg.AssetCheckResult:
    """A delivered sidecar file that cannot be read warns; the title still goes on."""
    return dg.AssetCheckResult(
        check_name=check_name,
        passed=not errors,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"errors": "\n".join(errors) or "none"},
    )
