"""CLIP-class image encoders: keyframes and text queries in one vector space, so words find pictures.

A deployment that has CLIP weights names them as `clip:CHECKPOINT`, a folder in the transformers layout
(config.json, the weights, the tokenizer and preprocessor_config.json) or a hub name already in the local
Hugging Face cache; nothing is ever downloaded. No CLIP weights ship in a registry package, so the tests
build a tiny randomly initialised checkpoint and run this path on it."""

import functools
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from media_pipelines.core.search.images import ImageAnalysis, UnknownModelError

CLIP_PREFIX = "clip:"
# Sampled from each checkpoint file for its digest: the same architecture retrained differs in every
# tensor, so its first and last bytes differ; hashing a 600 MB file whole would cost every process that
# loads the definitions a second.
_DIGEST_SAMPLE_BYTES = 1 << 20


def is_clip(name: str) -> bool:
    return name.startswith(CLIP_PREFIX)


def checkpoint_folder(name: str) -> Path:
    """The local folder a `clip:` name points at: a path, or a hub name found in the local cache only."""
    where = name.removeprefix(CLIP_PREFIX)
    if Path(where).is_dir():
        return Path(where).resolve()
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return Path(snapshot_download(where, local_files_only=True))
    except (LocalEntryNotFoundError, ValueError) as error:
        raise UnknownModelError(f"{name!r}: no such folder, and not in the local Hugging Face cache") from error


def clip_model_id(name: str) -> str:
    """`clip@DIGEST` of the checkpoint's files, not of its path: the same weights anywhere are the same
    model, and moving them marks nothing stale."""
    folder = checkpoint_folder(name)
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
        size = path.stat().st_size
        digest.update(f"{path.relative_to(folder)}\0{size}\0".encode())
        with path.open("rb") as file:
            digest.update(file.read(_DIGEST_SAMPLE_BYTES))
            if size > 2 * _DIGEST_SAMPLE_BYTES:
                file.seek(-_DIGEST_SAMPLE_BYTES, 2)
                digest.update(file.read())
    return f"clip@{digest.hexdigest()[:16]}"


def clip_dim(name: str) -> int:
    """The joint space's width, from the checkpoint's config, without loading the model."""
    config = json.loads((checkpoint_folder(name) / "config.json").read_text())
    if "projection_dim" not in config:
        raise UnknownModelError(f"{name!r} is not a CLIP checkpoint (its config.json has no projection_dim)")
    return int(config["projection_dim"])


@functools.cache
def clip_encoder(name: str, device: str = "cpu") -> "ClipEncoder":
    return ClipEncoder(checkpoint_folder(name), clip_model_id(name), device)


class ClipEncoder:
    """The image tower's projected embedding per keyframe, the text tower's per query, both unit length.
    Pictures go through the checkpoint's own preprocessing (resize, centre crop, its mean and scale), as it
    was trained. It has no labels, so it gives no visual tags."""

    batch = 16

    def __init__(self, folder: Path, model_id: str, device: str = "cpu"):
        import torch
        from transformers import AutoTokenizer, CLIPImageProcessorPil, CLIPModel
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        self.model_id = model_id
        self._torch = torch
        self._device = device
        self._model = CLIPModel.from_pretrained(folder, local_files_only=True).eval().to(device)
        self._pixels = CLIPImageProcessorPil.from_pretrained(folder, local_files_only=True)
        self._tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        self._max_tokens = self._model.config.text_config.max_position_embeddings
        self.dim = self._model.config.projection_dim

    def analyze(self, images: Sequence[Image.Image], top_k: int) -> ImageAnalysis:
        vectors = [self._images(images[start : start + self.batch]) for start in range(0, len(images), self.batch)]
        stacked = np.concatenate(vectors) if vectors else np.zeros((0, self.dim), np.float32)
        return ImageAnalysis(vectors=stacked, tags=[[] for _ in images])

    def encode_text(self, texts: Sequence[str]) -> np.ndarray:
        tokens = self._tokenizer(
            list(texts), padding=True, truncation=True, max_length=self._max_tokens, return_tensors="pt"
        )
        with self._torch.inference_mode():
            features = self._model.get_text_features(
                input_ids=tokens["input_ids"].to(self._device), attention_mask=tokens["attention_mask"].to(self._device)
            ).pooler_output
        return self._unit(features)

    def _images(self, images: Sequence[Image.Image]) -> np.ndarray:
        pixels = self._pixels(images=[image.convert("RGB") for image in images], return_tensors="pt")["pixel_values"]
        with self._torch.inference_mode():
            features = self._model.get_image_features(pixel_values=pixels.to(self._device)).pooler_output
        return self._unit(features)

    def _unit(self, features) -> np.ndarray:
        return self._torch.nn.functional.normalize(features, dim=1).cpu().numpy().astype(np.float32)
