"""Asset backfills by title, submitted to the instance exactly as the UI submits them; the daemon runs them."""

from collections import defaultdict
from collections.abc import Sequence

import dagster as dg

from media_pipelines.defs.dagster_private import PartitionBackfill, get_current_timestamp, make_new_backfill_id
from media_pipelines.defs.partitions import title_asset_keys, titles_partitions
from media_pipelines.defs.reconcile import Need, title_needs

BACKFILL_TAG = "media/backfill"


class UnknownTitlesError(ValueError):
    """Titles that are not registered partitions cannot be backfilled."""


class UnknownStagesError(ValueError):
    """Only title-partitioned stages can be backfilled by title."""


def plan_backfills(
    instance: dg.DagsterInstance,
    asset_graph,
    titles: Sequence[str] | None,
    need: Need | None,
    stages: Sequence[str] | None = None,
) -> dict[tuple[dg.AssetKey, ...], list[str]]:
    """Titles grouped by the assets to run for them: the named stages and everything below them (every
    title asset when none is named) for named or all titles, or, for --stale / --failed, only what each
    title needs and everything below it. Below is included because a stage left out would be stale the
    moment the backfill wrote its upstream, and automation would then run it and everything below it
    again: a second pass over stages the backfill just did."""
    registered = instance.get_dynamic_partitions(titles_partitions.name)
    if titles is not None:
        unknown = sorted(set(titles) - set(registered))
        if unknown:
            raise UnknownTitlesError(f"not registered titles: {', '.join(unknown)} (see media-lake run or the sensor)")
    candidates = sorted(set(titles if titles is not None else registered))
    if need is None:
        assets = with_downstream(asset_graph, stages) if stages else title_asset_keys(asset_graph)
        return {tuple(assets): candidates} if candidates else {}
    groups: dict[tuple[dg.AssetKey, ...], list[str]] = defaultdict(list)
    for needs in title_needs(instance, asset_graph, candidates, wanted=frozenset({need})):
        groups[tuple(needs.selection(asset_graph))].append(needs.title_id)
    return dict(groups)


def with_downstream(asset_graph, stages: Sequence[str]) -> list[dg.AssetKey]:
    """The named title stages and every title stage below them, in name order."""
    keys = title_asset_keys(asset_graph)
    unknown = sorted(set(stages) - {k.to_user_string() for k in keys})
    if unknown:
        raise UnknownStagesError(
            f"not title stages: {', '.join(unknown)} (one of {', '.join(k.to_user_string() for k in keys)})"
        )
    chosen = dg.AssetSelection.assets(*stages).downstream().resolve(asset_graph)
    return [k for k in keys if k in chosen]


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
