import dagster as dg

from media_pipelines.core.transcripts.backend import FASTER_WHISPER
from media_pipelines.lake.roots import S3Settings, open_store
from media_pipelines.lake.store import ObjectStore


class S3Connection(dg.ConfigurableResource):
    """How to reach S3 or an S3-compatible store (see `lake.roots.S3Settings`)."""

    endpoint_url: str | None = None
    region_name: str = "us-east-1"
    max_attempts: int = 5

    def settings(self) -> S3Settings:
        return S3Settings(self.endpoint_url, self.region_name, self.max_attempts)


class StorageRoot(dg.ConfigurableResource):
    """A lake or landing root: a local folder or s3://bucket/prefix."""

    root: str
    s3: S3Connection

    def store(self) -> ObjectStore:
        return open_store(self.root, self.s3.settings())


class AsrSettings(dg.ConfigurableResource):
    """Which speech model transcribes and on what, decided once per deployment (`definitions.py`, from
    MEDIA_ASR_* in the environment), so sensor, automation, reconcile and backfill runs all use it; a
    run's `transcripts` config may still override each field."""

    backend: str = FASTER_WHISPER  # or "openai-whisper" (the `openai` extra)
    model: str = ""  # a name or local path; empty: the offline tiny.en package if installed, else "small"
    device: str = "auto"  # auto: CUDA when present
    compute_type: str = "auto"  # faster-whisper; auto: float16 on CUDA, int8 on CPU
