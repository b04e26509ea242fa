"""A frame-fed shot boundary detector: hard cuts, fades through black or white, and dissolves.

Fed frames at analysis size in order (a batch is many frames at once, for speed); returns boundaries as
soon as they are certain. It keeps a window of recent frames and their measures, whatever the title's
length.
"""

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from media_pipelines.core.shots.features import LUMA_WEIGHTS


class Transition(StrEnum):
    CUT = "cut"
    FADE = "fade"
    DISSOLVE = "dissolve"


@dataclass(frozen=True)
class Boundary:
    frame_index: int  # the first frame of the new shot (a fade's darkest point, a dissolve's midpoint)
    transition: Transition
    confidence: float
    first_frame: int  # the transition's extent; both equal frame_index for a cut
    last_frame: int


@dataclass(frozen=True)
class DetectorParams:
    cut_min_change: float = 20.0  # mean absolute RGB change (0-255) a cut must reach...
    cut_ratio: float = 3.0  # ...and this multiple of the typical change around it
    neighbourhood_s: float = 0.25
    flash_return_frames: int = 4  # content back to the pre-flash picture within this many frames: not a cut
    flash_return_ratio: float = 0.4
    blank_dark_luma: float = 24.0
    blank_light_luma: float = 232.0
    blank_max_std: float = 12.0
    fade_ramp_frames: int = 3
    dissolve_lengths_s: tuple[float, ...] = (0.4, 0.6, 0.8, 1.0, 1.3, 1.6, 2.0)
    dissolve_min_change: float = 12.0  # on the coarse grid
    # On a coarse grid (motion inside a cell washes out) the middle of a dissolve is the blend of its ends,
    # within this share of the change, at the quarter, half and three-quarter points...
    dissolve_max_residual: float = 0.25
    # ...its ends differ in colour make-up, which a pan within one shot rarely does...
    dissolve_min_histogram_change: float = 0.35
    # ...and the change is concentrated in the window: a zoom or lighting drift changes as much before and after.
    dissolve_concentration: float = 2.0


_GRID = (3, 4)  # analysis rows and columns per coarse cell: 18 x 32 becomes 6 x 8
_BINS = 16


def _coarse(frames: np.ndarray) -> np.ndarray:
    """Cell means, summed as strided slices: numpy's reductions over non-adjacent axes are ten times slower."""
    n, h, w, c = frames.shape
    gh, gw = _GRID
    pixels = frames[:, : h - h % gh, : w - w % gw].astype(np.uint16)
    rows = sum(pixels[:, i::gh] for i in range(gh))
    cells = sum(rows[:, :, j::gw] for j in range(gw))
    return cells.astype(np.float32) / np.float32(gh * gw)


def _histograms(frames: np.ndarray) -> np.ndarray:
    """Per frame, per channel, a normalized 16-bin histogram (N x 48), from every other pixel."""
    frames = frames[:, ::2, ::2]
    n = len(frames)
    codes = (frames // (256 // _BINS)).astype(np.uint32)
    codes += ((np.arange(n)[:, None] * 3 + np.arange(3)) * _BINS).astype(np.uint32)[:, None, None, :]
    counts = np.bincount(codes.ravel(), minlength=n * 3 * _BINS).reshape(n, 3 * _BINS)
    return counts / (frames.shape[1] * frames.shape[2])


def _mad(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mean absolute difference per frame pair, over pixels and channels."""
    if a.dtype == np.uint8:  # |a - b| without widening: max - min
        diff = np.maximum(a, b)
        diff -= np.minimum(a, b)
        return diff.reshape(len(diff), -1).sum(axis=1, dtype=np.uint32) / diff[0].size
    return np.abs(a - b).reshape(len(a), -1).mean(axis=1)


def _steady(values: list[float], steps: int) -> bool:
    """Rising at every step, by more than noise, over the first `steps` steps."""
    rises = np.diff(values[: steps + 1])
    return bool(len(rises) == steps and (rises > 0.5).all())


class ShotDetector:
    def __init__(self, fps: float, params: DetectorParams = DetectorParams()):
        self.fps, self.p = fps, params
        self.lengths = sorted({max(4, round(s * fps)) for s in params.dissolve_lengths_s})
        self.radius = max(2, round(params.neighbourhood_s * fps))
        self.delay = max(self.radius, params.flash_return_frames) + 1
        self.keep = 3 * max(self.lengths) + self.delay + 2
        self.next_end = {length: 2 * length for length in self.lengths}
        self.frames = np.zeros((0, 1, 1, 3), np.uint8)
        self.coarse = np.zeros((0, 1, 1, 3), np.float32)
        self.hists = np.zeros((0, 3 * _BINS))
        self.offset = 0  # absolute index of self.frames[0], and of the first value of each series below
        self.steps: list[float] = [0.0]  # change from the frame before
        self.luma: list[float] = []
        self.luma_std: list[float] = []
        self.decided = 0  # frames before this have been judged
        self.pending: list[Boundary] = []
        # Candidate windows: (change, residual, start, end, whether an end is blank).
        self.dissolves: list[tuple[float, float, int, int, bool]] = []
        self.blank_start: int | None = None
        self.before_blank: list[float] = []  # luma leading into the open blank, its first frame last

    @property
    def count(self) -> int:
        return self.offset + len(self.frames)

    def push(self, frames: np.ndarray) -> list[Boundary]:
        """Feed the next frames (N x H x W x 3 uint8); returns the boundaries that became certain."""
        if not len(frames):
            return []
        joined = np.concatenate([self.frames, frames]) if len(self.frames) else frames
        coarse = _coarse(frames)
        gray = (coarse @ LUMA_WEIGHTS).reshape(len(frames), -1)
        self.luma += gray.mean(axis=1).tolist()
        self.luma_std += gray.std(axis=1).tolist()
        tail = len(joined) - len(frames)
        if len(joined) > 1:
            first = max(tail, 1)
            self.steps += _mad(joined[first:], joined[first - 1 : -1]).tolist()
        self.frames = joined
        self.coarse = np.concatenate([self.coarse, coarse]) if len(self.coarse) else coarse
        hists = _histograms(frames)
        self.hists = np.concatenate([self.hists, hists]) if len(self.hists) else hists
        self._find_dissolves()
        ready = self._judge_until(self.count - self.delay)
        drop = max(0, len(self.frames) - self.keep)
        self.frames, self.coarse, self.hists = self.frames[drop:], self.coarse[drop:], self.hists[drop:]
        del self.steps[:drop], self.luma[:drop], self.luma_std[:drop]
        self.offset += drop
        return ready

    def finish(self) -> list[Boundary]:
        return self._judge_until(self.count, final=True)

    def _frame(self, index: int) -> np.ndarray:
        return self.frames[index - self.offset]

    def _window(self, series: list[float], start: int, stop: int) -> list[float]:
        """series[start:stop] by frame index, from the frames still kept."""
        if start < self.offset:
            raise IndexError(f"frame {start} has left the detector's window (from {self.offset})")
        return series[start - self.offset : stop - self.offset]

    def _find_dissolves(self) -> None:
        """Windows whose middle frames are the straight blend of their ends: a dissolve, not motion.

        A window ending at e is judged once frame e + length has arrived, to compare the change inside it
        with the change over the same length just before and just after.
        """
        p = self.p
        for length in self.lengths:
            ends = np.arange(self.next_end[length], self.count - length)
            if not len(ends):
                continue
            self.next_end[length] = self.count - length
            at = ends - self.offset
            # One lag-`length` change series serves the windows before, at and after each end.
            span = self.coarse[at[0] - 2 * length :]
            lagged = _mad(span[:-length], span[length:])
            n = len(at)
            change = lagged[length : length + n]
            around = np.maximum(lagged[:n], lagged[2 * length : 2 * length + n])
            keep = np.nonzero((change >= p.dissolve_min_change) & (change >= p.dissolve_concentration * around))[0]
            if len(keep):
                colour = np.abs(self.hists[at[keep] - length] - self.hists[at[keep]])
                keep = keep[colour.sum(axis=1) / 3 >= p.dissolve_min_histogram_change]
            if not len(keep):
                continue
            first, last = self.coarse[at[keep] - length], self.coarse[at[keep]]
            coarse_change = change[keep]
            residual = np.zeros(len(keep), np.float32)
            for weight in (0.25, 0.5, 0.75):
                middle = self.coarse[at[keep] - length + round(length * weight)]
                blend = (1 - weight) * first + weight * last
                residual = np.maximum(residual, np.abs(middle - blend).mean(axis=(1, 2, 3)))
            share = residual / np.maximum(coarse_change, 1e-6)
            for i, fit in zip(keep, share, strict=True):
                if fit <= p.dissolve_max_residual:
                    end = int(ends[i])
                    blank_end = self._is_blank(end - length) or self._is_blank(end)
                    self.dissolves.append((float(change[i]), float(fit), end - length, end, blank_end))

    def _is_blank(self, index: int) -> bool:
        luma, std = self.luma[index - self.offset], self.luma_std[index - self.offset]
        return std <= self.p.blank_max_std and (luma <= self.p.blank_dark_luma or luma >= self.p.blank_light_luma)

    def _judge_until(self, limit: int, final: bool = False) -> list[Boundary]:
        found: list[Boundary] = []
        for t in range(self.decided, limit):
            found += self._track_blank(t)
            if self._is_cut(t):
                found.append(Boundary(t, Transition.CUT, self._cut_confidence(t), t, t))
        if final and self.blank_start is not None:
            self.blank_start = None  # a title ending in black ends on a fade-out, not a boundary
        self.decided = max(self.decided, limit)
        found += self._settle_dissolves(self.count if not final else self.count + 3 * max(self.lengths))
        horizon = self.count + 1 if final else self.count - 4 * max(self.lengths)
        if self.blank_start is not None:  # a fade still open may yet absorb the cut into its black
            horizon = min(horizon, self.blank_start - self.p.fade_ramp_frames)
        return self._release(found, horizon)

    def _neighbourhood(self, t: int) -> float:
        around = self._window(self.steps, max(1, t - self.radius), t) + self._window(
            self.steps, t + 1, t + 1 + self.radius
        )
        return float(np.median(around)) if around else 0.0

    def _is_cut(self, t: int) -> bool:
        """A large change that stays: a flash or strobe returns to the picture it interrupted, a cut does not."""
        step = self.steps[t - self.offset]
        if step < self.p.cut_min_change or step < self.p.cut_ratio * max(self._neighbourhood(t), 1.0):
            return False
        reach = self.p.flash_return_frames
        before = [self._frame(t - i) for i in range(1, reach + 1) if t - i >= self.offset]
        after = [self._frame(t + j) for j in range(reach) if t + j < self.count]
        pairs = [(b, a) for i, b in enumerate(before) for j, a in enumerate(after) if i or j]
        if not pairs:
            return True
        returns = _mad(np.stack([b for b, _ in pairs]), np.stack([a for _, a in pairs]))
        return float(returns.min()) > self.p.flash_return_ratio * step

    def _cut_confidence(self, t: int) -> float:
        ratio = self.steps[t - self.offset] / max(self._neighbourhood(t), 1.0)
        return round(float(min(1.0, 0.5 + ratio / 20)), 3)

    def _track_blank(self, t: int) -> list[Boundary]:
        ramp = self.p.fade_ramp_frames
        if self._is_blank(t):
            if self.blank_start is None:  # a blank may last long; keep what judging its start needs
                self.blank_start = t
                self.before_blank = self._window(self.luma, max(0, t - ramp - 1), t + 1)
            return []
        if self.blank_start is None:
            return []
        first, last = self.blank_start, t - 1
        self.blank_start = None
        if first == 0:
            return []  # the title opens from black: nothing before it to fade from
        before, after = self.before_blank, self._window(self.luma, last, t + ramp + 1)
        # A fade moves steadily to the blank level and away from it; a hard cut jumps.
        dark = before[-1] <= self.p.blank_dark_luma
        fades_out = len(before) > ramp + 1 and _steady(before[::-1] if dark else before, steps=ramp + 1)
        fades_in = len(after) > ramp + 1 and _steady(after if dark else after[::-1], steps=ramp + 1)
        if not (fades_out or fades_in):
            return []  # a hard cut to black and back: the cut detector reports those
        extent_first = first - ramp if fades_out else first
        extent_last = t + ramp if fades_in else last
        confidence = 0.95 if fades_out and fades_in else 0.7
        return [Boundary((first + last + 1) // 2, Transition.FADE, confidence, extent_first, extent_last)]

    def _settle_dissolves(self, limit: int) -> list[Boundary]:
        """Overlapping dissolve windows are one dissolve: keep the fullest change, best-fitting blend."""
        groups: list[list[tuple[float, float, int, int, bool]]] = []
        for d in sorted(self.dissolves, key=lambda d: d[2]):
            if groups and d[2] <= max(g[3] for g in groups[-1]):
                groups[-1].append(d)
            else:
                groups.append([d])
        # A group is complete once no window still to be judged could overlap it.
        frontier = limit - 2 * max(self.lengths)
        done, self.dissolves = [], []
        for group in groups:
            if max(d[3] for d in group) < frontier:
                done.append(group)
            else:
                self.dissolves += group
        out = []
        for group in done:
            top = max(g[0] for g in group)
            _, residual, first, last, blank_end = min((g for g in group if g[0] >= 0.9 * top), key=lambda g: g[1])
            if blank_end:
                continue  # one end in black or white: that is a fade, judged by the blank tracker
            confidence = round(float(min(1.0, 1.0 - residual)), 3)
            out.append(Boundary((first + last + 1) // 2, Transition.DISSOLVE, confidence, first, last))
        return out

    def _release(self, found: list[Boundary], horizon: int) -> list[Boundary]:
        """Hold boundaries until nothing later can still claim them; a fade or dissolve absorbs what it overlaps."""
        pending = self.pending + found
        fades = [b for b in pending if b.transition == Transition.FADE]
        gradual = [b for b in pending if b.transition != Transition.CUT]
        margin = self.p.fade_ramp_frames
        pending = [
            b
            for b in pending
            if (
                b.transition == Transition.CUT
                and not any(g.first_frame <= b.frame_index <= g.last_frame + 1 for g in gradual)
            )
            or b.transition == Transition.FADE
            or (
                b.transition == Transition.DISSOLVE
                and not any(
                    f.first_frame - margin <= b.last_frame and b.first_frame <= f.last_frame + margin for f in fades
                )
            )
        ]
        pending.sort(key=lambda b: b.frame_index)
        ready = [b for b in pending if b.frame_index < horizon]
        self.pending = [b for b in pending if b.frame_index >= horizon]
        return ready
