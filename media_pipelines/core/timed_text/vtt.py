"""WebVTT: a WEBVTT header, NOTE/STYLE/REGION blocks, and cues with optional identifiers and settings."""

import re

from media_pipelines.core.timed_text.clock import parse_clock
from media_pipelines.core.timed_text.model import Cue, TimedTextError, plain_cue

_TIMING = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)(.*)$")
_SKIPPED_BLOCKS = ("NOTE", "STYLE", "REGION")


def parse_vtt(text: str) -> tuple[list[Cue], str | None]:
    """Cues and the header's Language, if it names one."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n").strip())
    header = blocks[0].split("\n")
    if not header[0].startswith("WEBVTT"):
        raise TimedTextError("no WEBVTT header", 1)
    language = next(
        (line.split(":", 1)[1].strip() for line in header[1:] if line.lower().startswith("language:")), None
    )
    cues: list[Cue] = []
    line_number = len(header) + 1
    for block in blocks[1:]:
        lines = block.split("\n")
        first = lines[0].strip()
        if first.split(" ", 1)[0] in _SKIPPED_BLOCKS or first in _SKIPPED_BLOCKS:
            line_number += len(lines) + 1
            continue
        identifier = ""
        if "-->" not in lines[0]:
            identifier, lines = lines[0].strip(), lines[1:]
            if not lines or "-->" not in lines[0]:
                raise TimedTextError("cue without a timing line", line_number)
        match = _TIMING.match(lines[0])
        try:
            start, end = parse_clock(match.group(1)), parse_clock(match.group(2))
        except (AttributeError, ValueError) as exc:
            raise TimedTextError(f"bad timing {lines[0].strip()!r}", line_number) from exc
        cues.append(plain_cue(len(cues), start, end, "\n".join(lines[1:]), match.group(3).strip(), identifier))
        line_number += len(lines) + (2 if identifier else 1)
    return cues, language
