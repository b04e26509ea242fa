"""SRT and WebVTT files from transcript segments."""

from collections.abc import Iterable


def _clock(seconds: float, separator: str) -> str:
    ms = round(seconds * 1000)
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{ms:03d}"


def to_srt(cues: Iterable[tuple[float, float, str]]) -> str:
    blocks = [f"{n}\n{_clock(a, ',')} --> {_clock(b, ',')}\n{text}\n" for n, (a, b, text) in enumerate(cues, start=1)]
    return "\n".join(blocks)


def to_vtt(cues: Iterable[tuple[float, float, str]]) -> str:
    return "WEBVTT\n\n" + "\n".join(f"{_clock(a, '.')} --> {_clock(b, '.')}\n{text}\n" for a, b, text in cues)
