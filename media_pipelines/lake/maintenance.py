"""Keeping the lake lean: compact each table's small commits into few files, index its title ids, drop
versions older than the retention (tagged versions are kept), then delete the media no retained version
points at.

Stage runs never delete media a committed table version may point at: a re-run writes a new generation
folder (media/<title>/<stage>/<source_id>/<generation>/) and leaves the old one for readers of earlier
versions and for `--as-of` exports; this clean-up removes it once no retained version needs it."""

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from media_pipelines.lake.catalog import TABLE_SPECS
from media_pipelines.lake.media import MEDIA_PREFIX
from media_pipelines.lake.search import SHOT_EMBEDDINGS
from media_pipelines.lake.search_index import refresh_indices
from media_pipelines.lake.store import ObjectStore
from media_pipelines.lake.tables import TITLE_ID, open_table

DEFAULT_RETENTION_DAYS = 7.0
# A stage publishes a source's media before it commits its table, and renders the title's other sources
# in between: unreferenced media younger than this may be a running stage's, whatever the retention.
MEDIA_GRACE = timedelta(days=1)
# The stages whose media rows point at, by generation folder; others replace their own files per run.
GENERATION_STAGES = ("renditions", "shots")
GENERATION_DEPTH = 5  # media / title / stage / source_id / generation


@dataclass
class TableMaintenance:
    fragments_before: int
    fragments_after: int
    versions_removed: int
    bytes_removed: int


@dataclass
class MaintenanceReport:
    tables: dict[str, TableMaintenance] = field(default_factory=dict)
    media_files_removed: int = 0
    media_bytes_removed: int = 0


def maintain_lake(store: ObjectStore, retention: timedelta) -> MaintenanceReport:
    report = MaintenanceReport()
    referenced: set[str] = set()
    for name, spec in TABLE_SPECS.items():
        dataset = open_table(store, name)
        if dataset is None:
            continue
        before = len(dataset.get_fragments())
        dataset.optimize.compact_files()
        _index_titles(dataset)
        if name == SHOT_EMBEDDINGS:  # and any search index a title run could not build or refresh
            refresh_indices(store, fold_in_rows=1)
        removed, freed = 0, 0
        if superseded := _superseded_before(dataset, datetime.now() - retention):
            stats = dataset.cleanup_old_versions(
                older_than=timedelta(0), versions=superseded, error_if_tagged_old_versions=False
            )
            removed, freed = stats.old_versions, stats.bytes_removed
        dataset = open_table(store, name)
        report.tables[name] = TableMaintenance(before, len(dataset.get_fragments()), removed, freed)
        if spec.media_columns:
            referenced |= _referenced_media(dataset, spec.media_columns)
    live = {_generation(key) for key in referenced}
    cutoff = time.time() - max(retention, MEDIA_GRACE).total_seconds()
    for info in store.walk(MEDIA_PREFIX):
        parts = info.key.split("/")
        if len(parts) <= GENERATION_DEPTH or parts[2] not in GENERATION_STAGES:
            continue
        # Younger files may belong to a run that has published its media and not yet committed its table.
        if _generation(info.key) not in live and info.modified < cutoff:
            store.delete(info.key)
            report.media_files_removed += 1
            report.media_bytes_removed += info.size
    return report


def _superseded_before(dataset, cutoff: datetime) -> list[int]:
    """The versions a later one replaced before the cutoff. Retention counts from when a version stopped
    being the latest, not from when it was written: a version that stayed current for a month is still
    readable for the whole retention after a re-run replaced it (Lance lists times as naive local time)."""
    versions = sorted(dataset.versions(), key=lambda v: v["version"])
    return [v["version"] for v, after in zip(versions, versions[1:], strict=False) if after["timestamp"] < cutoff]


def _index_titles(dataset) -> None:
    """A B-tree on title_id: a title's rows, and the fragments a title's replace touches, are found
    without scanning the table. Rows committed after it are scanned until the next maintenance."""
    if any(TITLE_ID in index["fields"] for index in dataset.list_indices()):
        dataset.optimize.optimize_indices()
    elif dataset.count_rows():
        dataset.create_scalar_index(TITLE_ID, "BTREE")


def _generation(key: str) -> str:
    return "/".join(key.split("/")[:GENERATION_DEPTH])


def _referenced_media(dataset, columns: tuple[str, ...]) -> set[str]:
    """Every media key any retained version's rows hold. Data files never change once written, so each
    fragment is read once, at the oldest retained version that has it: it shows the most of its rows
    (later versions only add deletions to it)."""
    keys: set[str] = set()
    seen: set[int] = set()
    for version in sorted(v["version"] for v in dataset.versions()):
        for fragment in dataset.checkout_version(version).get_fragments():
            if fragment.fragment_id in seen:
                continue
            seen.add(fragment.fragment_id)
            present = [c for c in columns if c in fragment.schema.names]  # a column added later is absent
            table = fragment.to_table(columns=present)
            for column in present:
                keys |= {key for key in table[column].to_pylist() if key}
    return keys
