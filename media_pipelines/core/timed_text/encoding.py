"""Decode subtitle bytes by looking at them: BOMs, UTF-16 without BOM, UTF-8, then Windows-1252."""

import codecs

from media_pipelines.core.media_types import ErrorType
from media_pipelines.core.timed_text.model import TimedTextError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_subtitle_bytes(data: bytes) -> tuple[str, str]:
    """(text, encoding); a TimedTextError of type encoding_error when no candidate fits."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode(data[len(bom) :], encoding.removesuffix("-sig")), encoding
    sample = data[:4096]
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4:
        return _decode(data, "utf-16-le"), "utf-16-le"
    if len(sample) >= 4 and sample[0::2].count(0) > len(sample) // 4:
        return _decode(data, "utf-16-be"), "utf-16-be"
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise TimedTextError("neither UTF-8, UTF-16 nor Windows-1252", error_type=ErrorType.ENCODING_ERROR)


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise TimedTextError(f"invalid {encoding}: {exc}", error_type=ErrorType.ENCODING_ERROR) from exc
