"""Cues as plain text with their markup kept as structured fields."""

import html
import re
from dataclasses import dataclass, field

from media_pipelines.core.media_types import ErrorType, MediaFileError
from media_pipelines.core.timed_text.clock import parse_clock


class TimedTextError(MediaFileError):
    """A subtitle file that cannot be read: a typed reason and, where known, the line."""

    def __init__(self, message: str, line: int | None = None, error_type: ErrorType = ErrorType.MALFORMED_TIMED_TEXT):
        super().__init__(error_type, f"line {line}: {message}" if line else message)


@dataclass(frozen=True)
class Cue:
    index: int
    start_s: float
    end_s: float
    text: str  # plain: tags removed, lines joined by newlines
    raw_settings: str = ""  # WebVTT cue settings or TTML region/style attributes, as written
    identifier: str = ""
    italic: bool = False
    speakers: tuple[str, ...] = ()
    word_times: tuple[float, ...] = ()  # WebVTT inline timestamps (karaoke-style word timing)


@dataclass(frozen=True)
class TimedText:
    format: str
    encoding: str
    language: str | None
    cues: list[Cue] = field(default_factory=list)
    encoding_confidence: float = 1.0


_TAG = re.compile(r"<[^>]*>")
_SPEAKER = re.compile(r"<v(?:\.[^\s>]+)?\s+([^>]+)>")
_INLINE_TIME = re.compile(r"<((?:\d+:)?\d{2}:\d{2}\.\d{3})>")


def plain_text(raw_text: str) -> str:
    """Tags removed, then HTML entities decoded once (named, decimal and hex); no-break spaces as spaces."""
    return html.unescape(_TAG.sub("", raw_text)).replace("\xa0", " ").strip()


def plain_cue(index: int, start: float, end: float, raw_text: str, settings: str = "", identifier: str = "") -> Cue:
    return Cue(
        index=index,
        start_s=start,
        end_s=end,
        text=plain_text(raw_text),
        raw_settings=settings,
        identifier=identifier,
        italic="<i>" in raw_text.lower() or "{\\i1}" in raw_text,
        speakers=tuple(dict.fromkeys(s.strip() for s in _SPEAKER.findall(raw_text))),
        word_times=tuple(parse_clock(t) for t in _INLINE_TIME.findall(raw_text)),
    )
