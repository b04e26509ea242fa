"""Which titles need a run, and of which stages: outputs that are stale, failed, or missing.

Stale follows Dagster's own rule for these assets: the code version recorded with a title's latest
materialization differs from the asset's current one, or an upstream asset of the same title has a
newer data version than the one the materialization read. It is computed in bulk, a few queries per
asset for any number of titles, so a nightly scan of 10,000 titles fits in one schedule tick.
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from hashlib import sha256

import dagster as dg

from media_pipelines.defs.dagster_private import (
    CODE_VERSION_TAG,
    DATA_VERSION_TAG,
    INPUT_DATA_VERSION_TAG_PREFIX,
    AssetPartitionStatus,
)
from media_pipelines.defs.partitions import title_asset_keys, titles_partitions

_PAGE = 500


class Need(StrEnum):
    STALE = "stale"  # a code version or an upstream data version changed since it was built
    FAILED = "failed"  # its latest materialization attempt failed
    MISSING = "missing"  # never materialized for this title


@dataclass(frozen=True)
class TitleNeeds:
    title_id: str
    needs: dict[dg.AssetKey, Need]

    def selection(self, asset_graph) -> list[dg.AssetKey]:
        """The assets to run: those in need and everything below them, so a title stays consistent."""
        return sorted(
            dg.AssetSelection.assets(*self.needs).downstream().resolve(asset_graph), key=lambda k: k.to_user_string()
        )


def title_needs(
    instance: dg.DagsterInstance, asset_graph, titles: Sequence[str], wanted: frozenset[Need] = frozenset(Need)
) -> list[TitleNeeds]:
    """Titles with at least one title-partitioned asset in a wanted state, in title order; a title with a
    run in progress is left to that run."""
    keys = title_asset_keys(asset_graph)
    needs: dict[str, dict[dg.AssetKey, Need]] = {t: {} for t in titles}
    running: set[str] = set()
    for key in keys:
        statuses = instance.get_status_by_partition(key, list(titles), titles_partitions) or {}
        for title, status in statuses.items():
            if status == AssetPartitionStatus.IN_PROGRESS:
                running.add(title)
            elif status == AssetPartitionStatus.FAILED and Need.FAILED in wanted:
                needs[title][key] = Need.FAILED
    if wanted & {Need.STALE, Need.MISSING}:
        tags = {key: _latest_tags(instance, key, titles) for key in keys}
        for title, key in itertools.product(titles, keys):
            if title in running or key in needs[title]:
                continue
            need = _state(asset_graph, tags, key, title)
            if need in wanted:
                needs[title][key] = need
    return [TitleNeeds(t, n) for t, n in sorted(needs.items()) if n and t not in running]


def _state(asset_graph, tags: dict, key: dg.AssetKey, title: str) -> Need | None:
    mine = tags[key].get(title)
    if mine is None:
        return Need.MISSING
    if mine.get(CODE_VERSION_TAG) != asset_graph.get(key).code_version:
        return Need.STALE
    for parent in asset_graph.get(key).parent_keys:
        current = tags.get(parent, {}).get(title, {}).get(DATA_VERSION_TAG)
        # Dagster records a partitioned input's version as the sha256 of its partitions' data versions.
        if current is not None and mine.get(_input_tag(parent)) != sha256(current.encode()).hexdigest():
            return Need.STALE
    return None


def _input_tag(parent: dg.AssetKey) -> str:
    return f"{INPUT_DATA_VERSION_TAG_PREFIX}/{parent.to_user_string()}"


def _latest_tags(instance: dg.DagsterInstance, key: dg.AssetKey, titles: Sequence[str]) -> dict[str, dict]:
    """Per title, the tags of its latest materialization: the storage ids in one query, the events by page."""
    ids = instance.event_log_storage.get_latest_storage_id_by_partition(
        key, dg.DagsterEventType.ASSET_MATERIALIZATION, set(titles)
    )
    tags, storage_ids = {}, sorted(ids.values())
    for start in range(0, len(storage_ids), _PAGE):
        page = storage_ids[start : start + _PAGE]
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=key, storage_ids=page), limit=len(page)
        ).records
        tags.update({r.partition_key: r.event_log_entry.tags or {} for r in records})
    return tags
