"""Per-frame visual features on RGB arrays: exposure, colour, sharpness, motion, palette, perceptual hash."""

import functools
from dataclasses import dataclass

import numpy as np

LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], np.float32)  # BT.601, as swscale's gray
_HASH_SIZE, _HASH_DCT = 32, 8
# The edge grid: the share of pixels on a strong vertical edge (a luma step of this many levels to the next
# pixel) in each cell of a 16 x 9 grid, in 16 steps of 1/40. Lettering is dense in such edges, so text
# appearing on screen raises its cells (core.search.text_frames reads it).
EDGE_GRID_COLUMNS, EDGE_GRID_ROWS = 16, 9
_EDGE_STEP, _EDGE_LEVEL = 40.0, 1 / 40


def _dct_matrix(n: int) -> np.ndarray:
    k, i = np.arange(n)[:, None], np.arange(n)[None, :]
    m = np.cos(np.pi * (2 * i + 1) * k / (2 * n)) * np.sqrt(2 / n)
    m[0] /= np.sqrt(2)
    return m.astype(np.float32)


_DCT = _dct_matrix(_HASH_SIZE)


@dataclass(frozen=True)
class FrameFeatures:
    brightness: float  # mean luma, 0-1
    contrast: float  # luma standard deviation, 0-1
    colorfulness: float  # Hasler & Suesstrunk (2003), on 0-255 values
    sharpness: float | None  # variance of the Laplacian of luma; None on a frame under 3 pixels across
    phash: str  # 64-bit DCT perceptual hash, 16 hex digits
    dominant_colors: tuple[str, ...]  # up to three '#rrggbb', most common first
    edge_grid: str  # strong-edge density per cell, row by row, one hex digit each (EDGE_GRID_*)

    @property
    def is_blank(self) -> bool:
        return self.contrast < 0.04 and (self.brightness < 0.1 or self.brightness > 0.9)


def luma(rgb: np.ndarray) -> np.ndarray:
    """... x H x W x 3 uint8 to ... x H x W float32."""
    return rgb.astype(np.float32) @ LUMA_WEIGHTS


def frame_features(rgb: np.ndarray) -> FrameFeatures:
    return batch_features(rgb[None], luma(rgb)[None])[0]


def batch_features(frames: np.ndarray, y: np.ndarray) -> list[FrameFeatures]:
    """Features of K frames (K x H x W x 3 uint8) with their luma y (K x H x W), one numpy pass for all K."""
    k = len(frames)
    pixels = frames.astype(np.float32)
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    rg, yb = (r - g).reshape(k, -1), (0.5 * (r + g) - b).reshape(k, -1)
    colorfulness = np.hypot(rg.std(axis=1), yb.std(axis=1)) + 0.3 * np.hypot(rg.mean(axis=1), yb.mean(axis=1))
    laplacian = y[:, 1:-1, :-2] + y[:, 1:-1, 2:] + y[:, :-2, 1:-1] + y[:, 2:, 1:-1] - 4 * y[:, 1:-1, 1:-1]
    # A frame under 3 pixels across has no interior pixel to measure sharpness on: None, not NaN.
    sharpness = laplacian.reshape(k, -1).var(axis=1).tolist() if laplacian.size else [None] * k
    flat = y.reshape(k, -1)
    columns = zip(
        flat.mean(axis=1).tolist(),
        flat.std(axis=1).tolist(),
        colorfulness.tolist(),
        sharpness,
        perceptual_hashes(y),
        dominant_colors(frames),
        edge_grids(y),
        strict=True,
    )
    return [
        FrameFeatures(
            round(mean / 255, 4),
            round(std / 255, 4),
            round(colour, 3),
            round(sharp, 3) if sharp is not None else None,
            phash,
            palette,
            grid,
        )
        for mean, std, colour, sharp, phash, palette, grid in columns
    ]


def motion(previous_luma: np.ndarray | None, y: np.ndarray) -> list[float | None]:
    """Mean absolute luma change of each of K frames (K x H x W) from the one before, 0-1; None for the very first."""
    before = y[:-1] if previous_luma is None else np.concatenate([previous_luma[None], y[:-1]])
    change = np.abs(y[len(y) - len(before) :] - before).mean(axis=(1, 2), dtype=np.float64)
    return [None] * (len(y) - len(before)) + [round(c / 255, 4) for c in change.tolist()]


@functools.cache
def _area_weights(length: int, size: int) -> np.ndarray:
    """size x length: each output cell's share of each input pixel, so area resizing is two small matmuls."""
    edges = np.linspace(0, length, size + 1)
    pixel = np.arange(length)
    overlap = np.minimum(pixel + 1, edges[1:, None]) - np.maximum(pixel, edges[:-1, None])
    return (np.clip(overlap, 0, None) / np.diff(edges)[:, None]).astype(np.float32)


def perceptual_hashes(y: np.ndarray) -> list[str]:
    """pHash of each luma (K x H x W): low 8x8 DCT coefficients of a 32x32 area resize, thresholded at their
    median (DC excluded); 16 hex digits."""
    _, height, width = y.shape
    small = _area_weights(height, _HASH_SIZE) @ y @ _area_weights(width, _HASH_SIZE).T
    low = (_DCT @ small @ _DCT.T)[:, :_HASH_DCT, :_HASH_DCT].reshape(len(y), -1)
    bits = np.packbits(low > np.median(low[:, 1:], axis=1, keepdims=True), axis=1)
    return [row.tobytes().hex() for row in bits]


def edge_grids(y: np.ndarray) -> list[str]:
    """The edge grid of each luma (K x H x W): EDGE_GRID_ROWS x EDGE_GRID_COLUMNS hex digits."""
    _, height, width = y.shape
    if width < 2:
        return ["0" * EDGE_GRID_ROWS * EDGE_GRID_COLUMNS] * len(y)
    edges = (np.abs(np.diff(y, axis=2)) >= _EDGE_STEP).astype(np.float32)
    density = _area_weights(height, EDGE_GRID_ROWS) @ edges @ _area_weights(width - 1, EDGE_GRID_COLUMNS).T
    levels = np.minimum(15, (density / _EDGE_LEVEL).astype(np.int64)).reshape(len(y), -1)
    return ["".join(f"{v:x}" for v in row) for row in levels.tolist()]


def grid_levels(grid: str) -> np.ndarray:
    return np.array([int(c, 16) for c in grid], np.int8)


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def dominant_colors(frames: np.ndarray, count: int = 3) -> list[tuple[str, ...]]:
    """Each frame's most common colours (K x H x W x 3 in) after quantizing to 8 levels a channel, as bin centres.

    Counted on every other pixel each way: a quarter of the work, for a ranking that moves only where two
    colours nearly tie (the top colour of about one frame in fifty of the benchmark film).
    """
    k = len(frames)
    q = frames[:, ::2, ::2] >> 5
    codes = (q[..., 0].astype(np.uint32) << 6) | (q[..., 1] << 3) | q[..., 2]
    codes += (np.arange(k, dtype=np.uint32) * 512)[:, None, None]
    counts = np.bincount(codes.ravel(), minlength=k * 512).reshape(k, 512)
    top = np.argsort(-counts, axis=1, kind="stable")[:, :count]
    return [
        tuple(f"#{(c // 64) * 32 + 16:02x}{(c // 8 % 8) * 32 + 16:02x}{(c % 8) * 32 + 16:02x}" for c in row if n[c])
        for row, n in zip(top.tolist(), counts, strict=True)
    ]
