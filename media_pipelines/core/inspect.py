"""Inspect one delivered file: checksum, size, identity within its title, and probe or typed error."""

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from media_pipelines.core.media_types import ErrorType, FileStatus, MediaFileError, MediaKind
from media_pipelines.core.probe import Probe, probe_file

_HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileInspection:
    source_id: str
    file_name: str
    size_bytes: int
    sha256: str
    probe: Probe | None
    error: MediaFileError | None

    @property
    def status(self) -> FileStatus:
        return FileStatus.QUARANTINED if self.error else FileStatus.OK

    @property
    def kind(self) -> MediaKind:
        return self.probe.kind if self.probe else MediaKind.OTHER

    def streams_json(self) -> str:
        streams = self.probe.streams if self.probe else ()
        return json.dumps([dataclasses.asdict(s) for s in streams], sort_keys=True)


def source_id_for(relative_path: str) -> str:
    """Stable, path-safe id of a file within its title: readable slug plus a hash of the exact path."""
    slug = re.sub(r"[^a-z0-9]+", "-", relative_path.lower()).strip("-")[:48] or "file"
    digest = hashlib.sha256(relative_path.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}"


def sha256_file(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def refused_file(relative_path: str, reason: str) -> FileInspection:
    """A listed file whose bytes are never read: a link out of its title's landing folder, an unsafe key."""
    return FileInspection(
        source_id=source_id_for(relative_path),
        file_name=relative_path,
        size_bytes=0,
        sha256="",
        probe=None,
        error=MediaFileError(ErrorType.OUTSIDE_LANDING_ZONE, reason),
    )


def inspect_file(path: Path, relative_path: str) -> FileInspection:
    """Checksum and probe a local file; an unusable file comes back with its error, never raises."""
    size = path.stat().st_size
    digest = sha256_file(path)
    try:
        probe, error = probe_file(path, relative_path), None
    except MediaFileError as exc:
        probe, error = None, exc
    return FileInspection(
        source_id=source_id_for(relative_path),
        file_name=relative_path,
        size_bytes=size,
        sha256=digest,
        probe=probe,
        error=error,
    )
