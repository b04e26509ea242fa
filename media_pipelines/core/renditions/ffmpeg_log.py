"""QC figures from the log lines of ffmpeg's ebur128, blackdetect and freezedetect filters, and its closing
report of what each decoder read and each encoder wrote."""

import re
from dataclasses import dataclass

_NUMBER = r"(-?(?:\d+(?:\.\d*)?|inf))"
_SUMMARY = re.compile(
    rf"Integrated loudness:\s+I:\s+{_NUMBER} LUFS.*?"
    rf"Loudness range:\s+LRA:\s+{_NUMBER} LU.*?"
    rf"True peak:\s+Peak:\s+{_NUMBER} dBFS",
    re.DOTALL,
)
_BLACK = re.compile(r"black_start:\s*([\d.]+)\s+black_end:\s*([\d.]+)")
_FREEZE = re.compile(r"lavfi\.freezedetect\.freeze_(start|end):\s*([\d.]+)")
# ffmpeg's closing report per input stream, and its line for each frame a decoder had to conceal.
_INPUT_STREAM = re.compile(r"Input stream #0:(\d+) \(\w+\): .*?; (\d+) frames decoded; (\d+) decode errors")
_CONCEALED = re.compile(r"^\[[av]ist#0:(\d+)/[^\]]*\].*corrupt decoded frame", re.MULTILINE)
# ffmpeg's closing report per output file and stream.
_OUTPUT_FILE = re.compile(r"Output file #\d+ \((.*)\):$")
_OUTPUT_STREAM = re.compile(r"Output stream #\d+:\d+ \((\w+)\): (\d+) frames encoded")


@dataclass(frozen=True)
class Loudness:
    integrated_lufs: float | None
    loudness_range_lu: float | None
    true_peak_dbtp: float | None


@dataclass(frozen=True)
class Segment:
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return round(self.end_s - self.start_s, 3)


def _finite(text: str) -> float | None:
    value = float(text)
    return value if abs(value) != float("inf") else None


def parse_loudness(log: str) -> Loudness | None:
    """The last ebur128 summary; silence measures as -inf and is reported as None."""
    matches = _SUMMARY.findall(log)
    if not matches:
        return None
    integrated, lra, peak = matches[-1]
    return Loudness(_finite(integrated), _finite(lra), _finite(peak))


def parse_black(log: str) -> list[Segment]:
    return [Segment(float(start), float(end)) for start, end in _BLACK.findall(log)]


def parse_freezes(log: str, duration_s: float) -> list[Segment]:
    """Freeze segments; one still frozen at the end of the stream closes at duration_s."""
    segments, start = [], None
    for event, value in _FREEZE.findall(log):
        if event == "start":
            start = float(value)
        elif start is not None:
            segments.append(Segment(start, float(value)))
            start = None
    if start is not None:
        segments.append(Segment(start, duration_s))
    return segments


def parse_decode_errors(log: str) -> dict[int, int]:
    """Per input stream index: packets its decoder refused plus frames it decoded only by concealing damage."""
    errors = {int(index): int(refused) for index, _, refused in _INPUT_STREAM.findall(log)}
    for index in _CONCEALED.findall(log):
        errors[int(index)] = errors.get(int(index), 0) + 1
    return errors


def parse_frames_encoded(log: str) -> dict[str, dict[str, int]]:
    """Per output path: the frames ffmpeg encoded into it, by stream type."""
    encoded: dict[str, dict[str, int]] = {}
    current = None
    for line in log.splitlines():
        if file := _OUTPUT_FILE.search(line):
            current = encoded.setdefault(file.group(1), {})
        elif current is not None and (stream := _OUTPUT_STREAM.search(line)):
            kind, frames = stream.groups()
            current[kind] = current.get(kind, 0) + int(frames)
    return encoded
