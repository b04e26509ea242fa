"""A stage's work on one source: a deterministic failure becomes that source's recorded error and the
title's other sources carry on; only transient trouble (storage, network, memory) raises, to be retried."""

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import av.error
import dagster as dg

from media_pipelines.core.media_types import ErrorType, MediaFileError

SOURCES_CHECK = "every_source_processed"

Result = TypeVar("Result")


@dataclass(frozen=True)
class SourceError:
    source_id: str
    error_type: str
    message: str

    def line(self) -> str:
        return f"{self.source_id}: {self.error_type}: {self.message}"


def is_transient(error: BaseException) -> bool:
    """Worth a retry: the lake or network failing us, or memory pressure; never a property of the source.
    PyAV's errors are about the bytes it was given, even those that are also OSErrors."""
    if isinstance(error, av.error.FFmpegError):
        return False
    return isinstance(error, (OSError, MemoryError, *_s3_errors()))


def _s3_errors() -> tuple[type[BaseException], ...]:
    """botocore's error bases, once an S3 root has loaded it; a local lake never does."""
    exceptions = sys.modules.get("botocore.exceptions")
    return (exceptions.BotoCoreError, exceptions.ClientError) if exceptions else ()


def per_source(context: dg.AssetExecutionContext, source_id: str, work: Callable[[], Result]) -> Result | SourceError:
    """work() for one source, or the source's typed error when it fails for a reason a retry cannot change."""
    try:
        return work()
    except Exception as exc:
        if is_transient(exc):
            raise
        if isinstance(exc, MediaFileError):  # bad input, as expected of real deliveries
            error = SourceError(source_id, str(exc.error_type), exc.message)
            context.log.warning(error.line())
        else:  # our own processing failed on this source: a bug or an edge case to fix, never retried
            error = SourceError(source_id, str(ErrorType.PROCESSING_ERROR), f"{type(exc).__name__}: {exc}")
            context.log.error(f"{error.line()} (recorded; the title's other sources carry on)")
        return error


def sources_check_spec(asset: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        SOURCES_CHECK,
        asset=asset,
        description="Every source went through the stage; one that could not is named with its typed error.",
    )


def split_outcomes(outcomes: list) -> tuple[list, list[SourceError]]:
    done = [o for o in outcomes if not isinstance(o, SourceError)]
    return done, [o for o in outcomes if isinstance(o, SourceError)]


def sources_check(errors: list[SourceError]) -> dg.AssetCheckResult:
    """Every source went through the stage; one that did not is named with its typed error (a warning: the
    rest of the title is complete)."""
    return dg.AssetCheckResult(
        check_name=SOURCES_CHECK,
        passed=not errors,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"errors": dg.MetadataValue.md("\n".join(f"- {e.line()}" for e in errors) or "none")},
    )
