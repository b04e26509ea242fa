"""Per-frame visual features on RGB arrays: exposure, colour, sharpness, motion, palette, perceptual hash."""

from dataclasses import dataclass

import numpy as np

LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], np.float32)  # BT.601, as swscale's gray
_HASH_SIZE, _HASH_DCT = 32, 8


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
    sharpness: float  # variance of the Laplacian of luma
    phash: str  # 64-bit DCT perceptual hash, 16 hex digits
    dominant_colors: tuple[str, ...]  # up to three '#rrggbb', most common first

    @property
    def is_blank(self) -> bool:
        return self.contrast < 0.04 and (self.brightness < 0.1 or self.brightness > 0.9)


def luma(rgb: np.ndarray) -> np.ndarray:
    return rgb.astype(np.float32) @ LUMA_WEIGHTS


def frame_features(rgb: np.ndarray, y: np.ndarray | None = None) -> FrameFeatures:
    """y: the frame's luma when the caller already has it (it also feeds motion)."""
    y = luma(rgb) if y is None else y
    r, g, b = (rgb[..., c].astype(np.float32) for c in range(3))  # contiguous: faster arithmetic than views
    rg, yb = r - g, 0.5 * (r + g) - b
    colorfulness = np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean())
    laplacian = y[1:-1, :-2] + y[1:-1, 2:] + y[:-2, 1:-1] + y[2:, 1:-1] - 4 * y[1:-1, 1:-1]
    return FrameFeatures(
        brightness=round(float(y.mean()) / 255, 4),
        contrast=round(float(y.std()) / 255, 4),
        colorfulness=round(float(colorfulness), 3),
        sharpness=round(float(laplacian.var()), 3),
        phash=perceptual_hash(y),
        dominant_colors=dominant_colors(rgb),
    )


def motion(previous_luma: np.ndarray, current_luma: np.ndarray) -> float:
    """Mean absolute luma change between two samples of the same size, 0-1."""
    return round(float(np.abs(current_luma - previous_luma).mean()) / 255, 4)


def _area_resize(y: np.ndarray, size: int) -> np.ndarray:
    rows = np.linspace(0, y.shape[0], size + 1).astype(int)
    cols = np.linspace(0, y.shape[1], size + 1).astype(int)
    summed = np.add.reduceat(np.add.reduceat(y, rows[:-1], axis=0), cols[:-1], axis=1)
    return summed / np.outer(np.diff(rows), np.diff(cols))


def perceptual_hash(y: np.ndarray) -> str:
    """pHash: low 8x8 DCT coefficients of a 32x32 area-resized luma, thresholded at their median (DC excluded)."""
    low = (_DCT @ _area_resize(y, _HASH_SIZE).astype(np.float32) @ _DCT.T)[:_HASH_DCT, :_HASH_DCT].ravel()
    return np.packbits(low > np.median(low[1:])).tobytes().hex()


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def dominant_colors(rgb: np.ndarray, count: int = 3) -> tuple[str, ...]:
    """The most common colours after quantizing to 8 levels a channel, as bin centres."""
    q = rgb.reshape(-1, 3) >> 5
    codes = np.bincount((q[:, 0].astype(np.uint16) << 6) | (q[:, 1] << 3) | q[:, 2], minlength=512)
    top = [c for c in np.argsort(codes)[::-1][:count] if codes[c]]
    return tuple(f"#{(c // 64) * 32 + 16:02x}{(c // 8 % 8) * 32 + 16:02x}{(c % 8) * 32 + 16:02x}" for c in top)
