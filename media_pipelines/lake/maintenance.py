"""Keeping the lake lean: compact each table's small commits into few files, index its title ids, drop
versions older than the retention (tagged versions are kept), then delete the media no retained version
points at.

Stage runs never delete media a committed table version may point at: a re-run writes a new generation
folder (media/<title>/<stage>/<source_id>/<generation>/) and leaves the old one for readers of earlier
versions and for `--as-of` exports; this clean-up removes it once no retained version needs it."""

import time
from dataclasses import dataclass, field
from datetime import timedelta

from media_pipelines.lake.catalog import TABLE_SPECS
from media_pipelines.lake.media import MEDIA_PREFIX
from media_pipelines.lake.store import ObjectStore
from media_pipelines.lake.tables import TITLE_ID, open_table

DEFAULT_RETENTION_DAYS = 7.0
# The stages whose media rows point at, by generation folder; others replace their own files per run.
GENERATION_STAGES = ("renditions", "shots")
GENERATION_DEPTH = 5  # media / title / stage / source_id / generation


@dataclass
class TableMaintenance:
    files_before: int
    files_after: int
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
        stats = dataset.cleanup_old_versions(older_than=retention, error_if_tagged_old_versions=False)
        dataset = open_table(store, name)
        report.tables[name] = TableMaintenance(
            before, len(dataset.get_fragments()), stats.old_versions, stats.bytes_removed
        )
        if spec.media_columns:
            referenced |= _referenced_media(dataset, spec.media_columns)
    live = {_generation(key) for key in referenced}
    cutoff = time.time() - retention.total_seconds()
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
            table = fragment.to_table(columns=list(columns))
            for column in columns:
                keys |= {key for key in table[column].to_pylist() if key}
    return keys
