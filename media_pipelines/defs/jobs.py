import dagster as dg

from media_pipelines.defs.ingest.assets import raw_media
from media_pipelines.defs.partitions import titles_partitions

TITLE_JOB_NAME = "title_pipeline"

# Every title-partitioned stage, from raw media downstream; later stages join by depending on it.
title_job = dg.define_asset_job(
    TITLE_JOB_NAME,
    selection=dg.AssetSelection.assets(raw_media).downstream(),
    partitions_def=titles_partitions,
    description="Runs every stage of the lake for one title.",
)
