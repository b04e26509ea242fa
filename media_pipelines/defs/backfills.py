"""Asset backfills by title, submitted to the instance exactly as the UI submits them; the daemon runs them."""

from collections import defaultdict
from collections.abc import Sequence

import dagster as dg
from dagster._core.execution.backfill import PartitionBackfill
from dagster._core.utils import make_new_backfill_id
from dagster._time import get_current_timestamp

from media_pipelines.defs.partitions import title_asset_keys, titles_partitions
from media_pipelines.defs.reconcile import Need, title_needs

BACKFILL_TAG = "media/backfill"


class UnknownTitlesError(ValueError):
    """Titles that are not registered partitions cannot be backfilled."""


def plan_backfills(
    instance: dg.DagsterInstance, asset_graph, titles: Sequence[str] | None, need: Need | None
) -> dict[tuple[dg.AssetKey, ...], list[str]]:
    """Titles grouped by the assets to run for them: every title asset for named or all titles, or, for
    --stale / --failed, only what each title needs and everything below it."""
    registered = instance.get_dynamic_partitions(titles_partitions.name)
    if titles is not None:
        unknown = sorted(set(titles) - set(registered))
        if unknown:
            raise UnknownTitlesError(f"not registered titles: {', '.join(unknown)} (see media-lake run or the sensor)")
    candidates = sorted(set(titles if titles is not None else registered))
    if need is None:
        return {tuple(title_asset_keys(asset_graph)): candidates} if candidates else {}
    groups: dict[tuple[dg.AssetKey, ...], list[str]] = defaultdict(list)
    for needs in title_needs(instance, asset_graph, candidates, wanted=frozenset({need})):
        groups[tuple(needs.selection(asset_graph))].append(needs.title_id)
    return dict(groups)


def submit_backfill(
    instance: dg.DagsterInstance, asset_graph, assets: Sequence[dg.AssetKey], titles: Sequence[str], reason: str
) -> str:
    backfill = PartitionBackfill.from_asset_partitions(
        backfill_id=make_new_backfill_id(),
        asset_graph=asset_graph,
        partition_names=list(titles),
        asset_selection=list(assets),
        backfill_timestamp=get_current_timestamp(),
        tags={BACKFILL_TAG: reason},
        dynamic_partitions_store=instance,
        all_partitions=False,
        title=f"{reason}: {len(titles)} titles",
        description=f"media-lake backfill ({reason}) of {', '.join(titles[:20])}{' ...' if len(titles) > 20 else ''}",
        run_config=None,
    )
    instance.add_backfill(backfill)
    return backfill.backfill_id
