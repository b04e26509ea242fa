"""Derived media per title and stage: media/<title>/<stage>/<source_id>/<generation>/..., a generation
folder per set of inputs, so a re-run with changed inputs never writes over what earlier table versions
point at (lake.maintenance deletes a generation once no retained version does)."""

from collections.abc import Mapping
from pathlib import Path

from media_pipelines.core.titles import validate_title_id
from media_pipelines.lake.store import ObjectStore

MEDIA_PREFIX = "media"


def stage_prefix(title_id: str, stage: str) -> str:
    return f"{MEDIA_PREFIX}/{validate_title_id(title_id)}/{stage}"


def publish_stage_media(store: ObjectStore, title_id: str, stage: str, files: Mapping[str, Path]) -> dict[str, str]:
    """Put every file (each write atomic), then return their lake keys keyed like `files`: what tables store,
    so a moved lake folder or bucket prefix still reaches them."""
    prefix = stage_prefix(title_id, stage)
    keys = {}
    for relative, path in files.items():
        store.put_file(path, f"{prefix}/{relative}")
        keys[relative] = f"{prefix}/{relative}"
    return keys


def remove_stale_media(store: ObjectStore, title_id: str, stage: str, keep: set[str]) -> int:
    """Delete what an earlier run of the stage left that this run did not write, for a stage no table row
    points into (its files are the current run's only); call after the table commit."""
    prefix = stage_prefix(title_id, stage)
    stale = [info.key for info in store.walk(prefix) if info.key.removeprefix(prefix + "/") not in keep]
    for key in stale:
        store.delete(key)
    return len(stale)
