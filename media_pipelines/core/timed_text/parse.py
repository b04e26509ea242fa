"""Any supported timed text file to cues: the format is sniffed from the content, the language from the
file or its name (e.g. `film.en.srt`)."""

import re
from pathlib import PurePosixPath

from media_pipelines.core.sniff import timed_text_format
from media_pipelines.core.timed_text.encoding import decode_subtitle_bytes, language_hint
from media_pipelines.core.timed_text.model import TimedText, TimedTextError
from media_pipelines.core.timed_text.srt import parse_srt
from media_pipelines.core.timed_text.ttml import parse_ttml
from media_pipelines.core.timed_text.vtt import parse_vtt

_NAME_LANGUAGE = re.compile(r"\.([a-z]{2,3}(?:-[A-Za-z]{2,4})?)\.[^.]+$")


def parse_timed_text(data: bytes, file_name: str) -> TimedText:
    decoded = decode_subtitle_bytes(data, language_hint(data, PurePosixPath(file_name).name))
    text = decoded.text
    fmt = timed_text_format(text)
    if file_name.lower().endswith(".vtt") and fmt != "webvtt" and text.strip():
        raise TimedTextError("a .vtt file without the WEBVTT header", 1)
    if fmt == "srt":
        cues, language = parse_srt(text), None
    elif fmt == "webvtt":
        cues, language = parse_vtt(text)
    elif fmt == "ttml":
        cues, language = parse_ttml(text)
    elif text.strip():
        raise TimedTextError(f"not SRT, WebVTT or TTML{' (' + fmt + ' is not supported)' if fmt else ''}")
    else:
        cues, language = [], None
    named = _NAME_LANGUAGE.search(PurePosixPath(file_name).name)
    language = language or (named.group(1) if named else None)
    return TimedText(fmt or "empty", decoded.encoding, language, cues, decoded.confidence)
