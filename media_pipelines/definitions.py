"""The code location: assets, jobs, sensors, and the one place that decides the environment."""

import os
from collections.abc import Mapping
from pathlib import Path

import dagster as dg

from media_pipelines.defs.annotations.assets import annotations
from media_pipelines.defs.audio.assets import audio_features
from media_pipelines.defs.automation import title_automation_sensor
from media_pipelines.defs.enrich.assets import media_table
from media_pipelines.defs.enrich.summary import title_summary
from media_pipelines.defs.ingest.assets import raw_media
from media_pipelines.defs.ingest.sensors import landing_sensor
from media_pipelines.defs.jobs import title_job
from media_pipelines.defs.renditions.assets import renditions
from media_pipelines.defs.resources import S3Connection, StorageRoot
from media_pipelines.defs.schedules import nightly_reconcile
from media_pipelines.defs.shots.assets import shots
from media_pipelines.defs.timed_text.alignment import subtitle_alignment
from media_pipelines.defs.timed_text.assets import timed_text
from media_pipelines.defs.transcripts.assets import transcripts
from media_pipelines.lake.store import is_s3_uri

DEFAULT_LANDING_ROOT = "data/landing"
DEFAULT_LAKE_ROOT = "data/lake"


def _root(value: str) -> str:
    return value if is_s3_uri(value) else str(Path(value).resolve())


def build_resources(env: Mapping[str, str] = os.environ) -> dict[str, StorageRoot]:
    """Landing zone and lake from MEDIA_LANDING_ROOT / MEDIA_LAKE_ROOT: local paths or s3:// URIs."""
    s3 = S3Connection(
        endpoint_url=env.get("MEDIA_S3_ENDPOINT_URL") or None,
        region_name=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
    )
    return {
        "landing": StorageRoot(root=_root(env.get("MEDIA_LANDING_ROOT") or DEFAULT_LANDING_ROOT), s3=s3),
        "lake": StorageRoot(root=_root(env.get("MEDIA_LAKE_ROOT") or DEFAULT_LAKE_ROOT), s3=s3),
    }


def build_definitions(env: Mapping[str, str] = os.environ) -> dg.Definitions:
    return dg.Definitions(
        assets=[
            raw_media,
            renditions,
            shots,
            transcripts,
            timed_text,
            subtitle_alignment,
            audio_features,
            annotations,
            media_table,
            title_summary,
        ],
        jobs=[title_job],
        sensors=[landing_sensor, title_automation_sensor],
        schedules=[nightly_reconcile],
        resources=build_resources(env),
    )


defs = build_definitions()
