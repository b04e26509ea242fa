"""Basic TTML / IMSC: <p> elements with begin/end/dur in clock, offset, frame or tick time."""

import re
import xml.etree.ElementTree as ET

from media_pipelines.core.timed_text.model import Cue, TimedTextError

_TT = "{http://www.w3.org/ns/ttml}"
_PARAMETER = "{http://www.w3.org/ns/ttml#parameter}"
_STYLING = "{http://www.w3.org/ns/ttml#styling}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")
_OFFSET = re.compile(r"^([\d.]+)(h|m|s|ms|f|t)$")
_CLOCK = re.compile(r"^(\d+):(\d{2}):(\d{2})(?:\.(\d+)|:(\d+)(?:\.\d+)?)?$")


def parse_ttml(text: str) -> tuple[list[Cue], str | None]:
    try:
        # The text is decoded already: a declaration naming its original encoding must not decode it twice.
        root = ET.fromstring(_XML_DECLARATION.sub("", text.lstrip("\ufeff"), count=1).encode())
    except ET.ParseError as exc:
        raise TimedTextError(f"not well-formed XML: {exc}") from exc
    frame_rate = float(root.get(f"{_PARAMETER}frameRate", "30")) * _multiplier(
        root.get(f"{_PARAMETER}frameRateMultiplier")
    )
    tick_rate = float(root.get(f"{_PARAMETER}tickRate", frame_rate or 1))
    cues = []
    for p in root.iter(f"{_TT}p"):
        begin, end, dur = p.get("begin"), p.get("end"), p.get("dur")
        if begin is None or (end is None and dur is None):
            raise TimedTextError(f"<p> without timing: {ET.tostring(p, encoding='unicode')[:80]}")
        start = _time(begin, frame_rate, tick_rate)
        stop = _time(end, frame_rate, tick_rate) if end is not None else start + _time(dur, frame_rate, tick_rate)
        if stop < start:
            raise TimedTextError(f"cue ends before it starts: begin={begin} end={end}")
        settings = " ".join(
            f"{k.split('}')[-1]}={v}" for k, v in sorted(p.attrib.items()) if k not in ("begin", "end", "dur")
        )
        italic = any(e.get(f"{_STYLING}fontStyle") == "italic" for e in p.iter())
        cues.append(Cue(len(cues), start, round(stop, 3), _text(p).strip(), raw_settings=settings, italic=italic))
    return cues, root.get(_XML_LANG)


def _multiplier(value: str | None) -> float:
    if not value:
        return 1.0
    numerator, denominator = value.split()
    return float(numerator) / float(denominator)


def _time(value: str, frame_rate: float, tick_rate: float) -> float:
    value = value.strip()
    if match := _OFFSET.match(value):
        number, unit = float(match.group(1)), match.group(2)
        scale = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "f": 1 / frame_rate, "t": 1 / tick_rate}[unit]
        return round(number * scale, 3)
    if match := _CLOCK.match(value):
        hours, minutes, seconds, fraction, frames = match.groups()
        total = int(hours) * 3600 + int(minutes) * 60 + int(seconds)
        total += float(f"0.{fraction}") if fraction else (int(frames) / frame_rate if frames else 0)
        return round(total, 3)
    raise TimedTextError(f"unreadable time expression {value!r}")


def _text(element: ET.Element) -> str:
    parts = [element.text or ""]
    for child in element:
        parts.append("\n" if child.tag == f"{_TT}br" else _text(child))
        parts.append(child.tail or "")
    return "".join(parts)
