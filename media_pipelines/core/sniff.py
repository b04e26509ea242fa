"""Content sniffing from a file's first bytes: text and timed text, container signatures, MP4 box sizes."""

import re
import struct
from pathlib import Path

HEAD_BYTES = 64 * 1024

_SRT_CUE = re.compile(r"^\s*(?:\d+\s*\r?\n)?\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->", re.MULTILINE)
_TTML_ROOT = re.compile(r"<tt[\s>][^>]*http://www\.w3\.org/ns/ttml", re.DOTALL)

_CONTAINER_MAGIC: tuple[tuple[int, bytes], ...] = (
    (4, b"ftyp"),
    (0, b"\x1a\x45\xdf\xa3"),  # EBML: Matroska / WebM
    (0, b"RIFF"),
    (0, b"OggS"),
    (0, b"fLaC"),
    (0, b"ID3"),
    (0, b"\x00\x00\x01\xba"),  # MPEG program stream
    (0, b"FLV"),
)


def read_head(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(HEAD_BYTES)


def unicode_by_zero_bytes(sample: bytes) -> str | None:
    """UTF-16 or UTF-32 without a BOM, told by where the zero bytes of mostly-ASCII text fall."""
    n = len(sample) - len(sample) % 4
    if n < 8:
        return None
    sample = sample[:n]
    lanes = [sample[i::4].count(0) / (n // 4) for i in range(4)]
    # Text in the Basic Multilingual Plane: UTF-32's two high bytes are always zero.
    if lanes[2] > 0.95 and lanes[3] > 0.95 and lanes[0] < 0.05:
        return "utf-32-le"
    if lanes[0] > 0.95 and lanes[1] > 0.95 and lanes[3] < 0.05:
        return "utf-32-be"
    # UTF-16: the high byte of every ASCII character (the digits and arrows of timings at least) is zero.
    odd, even = sample[1::2].count(0) / (n // 2), sample[0::2].count(0) / (n // 2)
    if odd > 0.2 and even < 0.02:
        return "utf-16-le"
    if even > 0.2 and odd < 0.02:
        return "utf-16-be"
    return None


def decode_text(head: bytes) -> str | None:
    """The head as text when it is text (BOM-aware, UTF-16/32 by zero bytes), else None; binary media never
    decodes here."""
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="replace")
    if encoding := unicode_by_zero_bytes(head):
        text = head[: len(head) - len(head) % 4].decode(encoding, errors="replace")
        return text if _mostly_printable(text) else None
    if b"\x00" in head:
        return None
    try:
        # A chunk boundary may split a multi-byte character; strip up to 3 trailing bytes.
        text = head.decode("utf-8", errors="strict") if len(head) < HEAD_BYTES else _decode_prefix(head)
    except UnicodeDecodeError:
        text = head.decode("cp1252", errors="replace")
    return text if _mostly_printable(text) else None


def _mostly_printable(text: str) -> bool:
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t\f")
    return control <= len(text) // 100


def _decode_prefix(head: bytes) -> str:
    for cut in range(4):
        try:
            return head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("utf-8", head, 0, len(head), "not utf-8")


def timed_text_format(text: str) -> str | None:
    stripped = text.lstrip()
    if stripped.startswith("WEBVTT"):
        return "webvtt"
    if _TTML_ROOT.search(stripped[:4096]):
        return "ttml"
    if stripped.startswith("[Script Info]"):
        return "ass"
    if _SRT_CUE.match(stripped):
        return "srt"
    return None


def has_container_signature(head: bytes) -> bool:
    return any(head[offset : offset + len(magic)] == magic for offset, magic in _CONTAINER_MAGIC)


def iso_bmff_problem(path: Path) -> str | None:
    """Why an ISO-BMFF (MP4/MOV) file is incomplete, from its top-level box sizes; None when whole."""
    size = path.stat().st_size
    seen: set[bytes] = set()
    with path.open("rb") as f:
        offset = 0
        while offset + 8 <= size:
            f.seek(offset)
            box_size, box_type = struct.unpack(">I4s", f.read(8))
            if box_size == 1:
                (box_size,) = struct.unpack(">Q", f.read(8))
            elif box_size == 0:
                box_size = size - offset
            if box_size < 8:
                return f"box {box_type!r} at byte {offset} has an invalid size {box_size}"
            if offset + box_size > size:
                return (
                    f"box {box_type.decode('latin-1')!r} at byte {offset} needs"
                    f" {offset + box_size - size} bytes past the end of the file"
                )
            seen.add(box_type)
            offset += box_size
    if b"moov" not in seen:
        return "no 'moov' box: the file ends before its index"
    return None


def is_iso_bmff(head: bytes) -> bool:
    return head[4:8] == b"ftyp"
