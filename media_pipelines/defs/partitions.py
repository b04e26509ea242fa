import dagster as dg

from media_pipelines.core.titles import InvalidTitleIdError, validate_title_id

TITLES_PARTITION_NAME = "titles"

# One partition per title, added by the landing sensor or `media-lake run`.
titles_partitions = dg.DynamicPartitionsDefinition(name=TITLES_PARTITION_NAME)


def title_id_of(context: dg.AssetExecutionContext) -> str:
    """The run's title id, validated before it goes near a path; a bad one is final, not retried."""
    try:
        return validate_title_id(context.partition_key)
    except InvalidTitleIdError as exc:
        raise dg.Failure(str(exc), allow_retries=False) from exc


def title_asset_keys(asset_graph) -> list[dg.AssetKey]:
    """Every asset partitioned by title, in name order."""
    keys = (k for k in asset_graph.get_all_asset_keys() if asset_graph.get(k).partitions_def == titles_partitions)
    return sorted(keys, key=lambda k: k.to_user_string())
