import dagster as dg

from media_pipelines.core.qc import LoudnessWindow
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


_WINDOW = LoudnessWindow()


class QcSettings(dg.ConfigurableResource):
    """The delivery's QC windows, decided once per deployment (`definitions.py`, from MEDIA_QC_*), so every
    launch path judges titles alike; a run's config may still override each field."""

    loudness_target_lufs: float = _WINDOW.target_lufs
    loudness_tolerance_lu: float = _WINDOW.tolerance_lu
    true_peak_max_dbtp: float = _WINDOW.true_peak_max_dbtp
    max_drift_ms: float = 200.0  # a subtitle file whose median offset from the speech exceeds this is flagged

    def overridden_by(self, config: dg.Config) -> "QcSettings":
        """These windows, with every field the run's config sets (None there: the deployment's)."""
        chosen = {
            name: getattr(config, name) for name in QcSettings.model_fields if getattr(config, name, None) is not None
        }
        return QcSettings(**{**{name: getattr(self, name) for name in QcSettings.model_fields}, **chosen})

    def loudness_window(self) -> LoudnessWindow:
        return LoudnessWindow(self.loudness_target_lufs, self.loudness_tolerance_lu, self.true_peak_max_dbtp)


class SearchSettings(dg.ConfigurableResource):
    """Where the search stage's encoders run, decided once per deployment (`definitions.py`, from
    MEDIA_SEARCH_DEVICE)."""

    device: str = "auto"  # auto: CUDA when present

    def torch_device(self) -> str:
        if self.device != "auto":
            return self.device
        import torch  # only the search stage asks, and it loads torch anyway

        return "cuda" if torch.cuda.is_available() else "cpu"
