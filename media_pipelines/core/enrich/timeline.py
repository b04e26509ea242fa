"""A title at a glance: shots, speech, subtitles, annotations and loudness on one time axis, as a PNG."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw

WIDTH, LANE, LABEL_W, AXIS = 1200, 22, 90, 18
FLOOR_DBFS = -60.0
_SHOT_COLORS = ("#4c78a8", "#72b7b2")
_TRANSITION_COLORS = {"cut": "white", "fade": "#f58518", "dissolve": "#e45756"}


@dataclass(frozen=True)
class TimelineData:
    duration_s: float
    shots: Sequence[tuple[float, float, str]] = ()  # start, end, transition in
    speech: Sequence[tuple[float, float]] = ()
    subtitles: Sequence[tuple[float, float]] = ()
    annotations: Sequence[tuple[float, float, str]] = ()
    loudness: Sequence[tuple[float, float | None]] = field(default_factory=tuple)  # (second, dBFS)


def draw_timeline(data: TimelineData, out: Path) -> Path:
    lanes = ("shots", "speech", "subtitles", "annotations", "loudness")
    height = AXIS + LANE * (len(lanes) + 1)
    image = Image.new("RGB", (WIDTH, height), "#1e1e1e")
    draw = ImageDraw.Draw(image)
    scale = (WIDTH - LABEL_W - 36) / max(data.duration_s, 1e-6)

    def x(t: float) -> float:
        return LABEL_W + t * scale

    for n, name in enumerate(lanes):
        draw.text(
            (6, AXIS + n * LANE + 5),
            name if name != "loudness" else f"loudness\n{FLOOR_DBFS:g} to 0 dB",
            fill="#cccccc",
        )
    top = {name: AXIS + n * LANE + 3 for n, name in enumerate(lanes)}
    for n, (start, end, transition) in enumerate(data.shots):
        draw.rectangle(
            [x(start), top["shots"], max(x(end) - 1, x(start)), top["shots"] + LANE - 6], fill=_SHOT_COLORS[n % 2]
        )
        if transition in _TRANSITION_COLORS:
            draw.line(
                [x(start), top["shots"], x(start), top["shots"] + LANE - 6],
                fill=_TRANSITION_COLORS[transition],
                width=2,
            )
    for lane, spans, color in (("speech", data.speech, "#54a24b"), ("subtitles", data.subtitles, "#eeca3b")):
        for start, end in spans:
            draw.rectangle([x(start), top[lane], max(x(end), x(start) + 1), top[lane] + LANE - 6], fill=color)
    for start, end, label in data.annotations:
        draw.rectangle(
            [x(start), top["annotations"], max(x(end), x(start) + 1), top["annotations"] + LANE - 6], outline="#b279a2"
        )
        draw.text((x(start) + 2, top["annotations"] + 3), label[:20], fill="#b279a2")
    base = top["loudness"] + 2 * LANE - 6
    points = [
        (x(s + 0.5), base - (max(db, FLOOR_DBFS) - FLOOR_DBFS) / -FLOOR_DBFS * (2 * LANE - 6))
        for s, db in data.loudness
        if db is not None
    ]
    if len(points) > 1:
        draw.polygon([(points[0][0], base), *points, (points[-1][0], base)], fill="#ff9da6")
    step = _tick_step(data.duration_s)
    for t in range(0, int(data.duration_s) + 1, step):
        draw.line([x(t), AXIS - 4, x(t), AXIS - 1], fill="#888888")
        draw.text((x(t) + 2, 2), f"{t // 60}:{t % 60:02d}", fill="#888888")
    image.save(out, optimize=True)
    return out


def _tick_step(duration_s: float) -> int:
    """A tick interval giving at most about 12 labels."""
    for step in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600):
        if duration_s / step <= 12:
            return step
    return 7200
