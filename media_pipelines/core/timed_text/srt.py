"""SubRip: numbered blocks of a timing line and text, separated by blank lines."""

import re

from media_pipelines.core.timed_text.clock import parse_clock
from media_pipelines.core.timed_text.model import Cue, TimedTextError, plain_cue

_TIMING = re.compile(r"^\s*(\S+)\s*-->\s*(\S+)(.*)$")


def parse_srt(text: str) -> list[Cue]:
    cues: list[Cue] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        block_start = i
        if "-->" not in lines[i]:
            i += 1  # the cue number; an SRT without numbers goes straight to its timing line
            if i >= len(lines) or "-->" not in lines[i]:
                raise TimedTextError("cue without a timing line", block_start + 1)
        match = _TIMING.match(lines[i])
        try:
            start, end = parse_clock(match.group(1)), parse_clock(match.group(2))
        except (AttributeError, ValueError) as exc:
            raise TimedTextError(f"bad timing {lines[i].strip()!r}", i + 1) from exc
        if end < start:
            raise TimedTextError(f"cue ends before it starts: {lines[i].strip()!r}", i + 1)
        body = []
        i += 1
        while i < len(lines) and lines[i].strip():
            body.append(lines[i])
            i += 1
        cues.append(plain_cue(len(cues), start, end, "\n".join(body), settings=match.group(3).strip()))
    return cues
