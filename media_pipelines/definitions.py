"""The code location: assets, jobs, sensors, and the one place that decides the environment."""

import dataclasses
import os
from collections.abc import Mapping

import dagster as dg

from media_pipelines.defs.annotations.assets import annotations
from media_pipelines.defs.audio.assets import audio_features
from media_pipelines.defs.automation import title_automation_sensor
from media_pipelines.defs.enrich.assets import media_table
from media_pipelines.defs.enrich.summary import title_summary
from media_pipelines.defs.ingest.assets import raw_media
from media_pipelines.defs.ingest.sensors import landing_sensor
from media_pipelines.defs.jobs import title_job
from media_pipelines.defs.maintenance import lake_maintenance_job, nightly_lake_maintenance
from media_pipelines.defs.renditions.assets import renditions
from media_pipelines.defs.resources import AsrSettings, QcSettings, S3Connection, SearchSettings, StorageRoot
from media_pipelines.defs.schedules import nightly_reconcile
from media_pipelines.defs.search.assets import shot_embeddings_asset, shot_text
from media_pipelines.defs.shots.assets import shots
from media_pipelines.defs.timed_text.alignment import subtitle_alignment
from media_pipelines.defs.timed_text.assets import timed_text
from media_pipelines.defs.transcripts.assets import transcripts
from media_pipelines.lake.roots import lake_root, landing_root, s3_settings, search_image_model

# The speech model settings each MEDIA_ASR_* variable sets for every run (see AsrSettings).
ASR_ENVIRONMENT = {
    "backend": "MEDIA_ASR_BACKEND",
    "model": "MEDIA_ASR_MODEL",
    "device": "MEDIA_ASR_DEVICE",
    "compute_type": "MEDIA_ASR_COMPUTE_TYPE",
}
# The QC windows each MEDIA_QC_* variable sets for every run (see QcSettings).
QC_ENVIRONMENT = {
    "loudness_target_lufs": "MEDIA_QC_LOUDNESS_TARGET_LUFS",
    "loudness_tolerance_lu": "MEDIA_QC_LOUDNESS_TOLERANCE_LU",
    "true_peak_max_dbtp": "MEDIA_QC_TRUE_PEAK_MAX_DBTP",
    "max_drift_ms": "MEDIA_QC_MAX_SUBTITLE_DRIFT_MS",
}


def build_resources(env: Mapping[str, str] = os.environ) -> dict[str, dg.ConfigurableResource]:
    """Landing zone and lake from MEDIA_LANDING_ROOT / MEDIA_LAKE_ROOT (local paths or s3:// URIs), the
    speech model from MEDIA_ASR_*, the QC windows from MEDIA_QC_* and the search encoders' device from
    MEDIA_SEARCH_DEVICE."""
    settings = s3_settings(env)
    s3 = S3Connection(**dataclasses.asdict(settings))
    asr = {field: env[name] for field, name in ASR_ENVIRONMENT.items() if env.get(name)}
    qc = {field: _number(env, name) for field, name in QC_ENVIRONMENT.items() if env.get(name)}
    return {
        "landing": StorageRoot(root=landing_root(env), s3=s3),
        "lake": StorageRoot(root=lake_root(env), s3=s3),
        "asr": AsrSettings(**asr),
        "qc": QcSettings(**qc),
        "search": SearchSettings(**({"device": env["MEDIA_SEARCH_DEVICE"]} if env.get("MEDIA_SEARCH_DEVICE") else {})),
    }


def _number(env: Mapping[str, str], name: str) -> float:
    try:
        return float(env[name])
    except ValueError:
        raise ValueError(f"{name}={env[name]!r} is not a number") from None


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
            shot_text,
            # The image encoder is part of the stage's code version and table schema, so it is chosen here.
            shot_embeddings_asset(search_image_model(env)),
        ],
        jobs=[title_job, lake_maintenance_job],
        sensors=[landing_sensor, title_automation_sensor],
        schedules=[nightly_reconcile, nightly_lake_maintenance],
        resources=build_resources(env),
        # Every run (sensor, automation, schedule, backfill, UI) runs its steps in its own process, as the
        # CLI does: a step process per stage re-imported the code location each time, 5 to 10 times the
        # work of a small title. A title's stages run one after another anyway.
        executor=dg.in_process_executor,
    )


defs = build_definitions()
