"""Which titles need a run, and of which stages: outputs that are stale, failed, or missing."""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import dagster as dg
from dagster._core.asset_graph_view.asset_graph_view import AssetGraphView
from dagster._core.definitions.data_version import CachingStaleStatusResolver, StaleStatus
from dagster._core.definitions.temporal_context import TemporalContext
from dagster._core.storage.partition_status_cache import AssetPartitionStatus
from dagster._time import get_current_datetime

from media_pipelines.defs.partitions import title_asset_keys, titles_partitions


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
        view = AssetGraphView(
            temporal_context=TemporalContext(effective_dt=get_current_datetime(), last_event_id=None),
            instance=instance,
            asset_graph=asset_graph,
        )
        resolver = CachingStaleStatusResolver(instance=instance, asset_graph=asset_graph, loading_context=view)
        for title in titles:
            for key in keys if title not in running else ():
                if key in needs[title]:
                    continue
                status = resolver.get_status(key, title)
                if status == StaleStatus.STALE and Need.STALE in wanted:
                    needs[title][key] = Need.STALE
                elif status == StaleStatus.MISSING and Need.MISSING in wanted:
                    needs[title][key] = Need.MISSING
    return [TitleNeeds(t, n) for t, n in sorted(needs.items()) if n and t not in running]
