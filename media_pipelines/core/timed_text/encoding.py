"""Decode subtitle bytes: BOMs, UTF-16/32 by their zero bytes, UTF-8, then the legacy code page that reads
as real text, helped by the file's language; a guess that is not clearly right is an encoding_error."""

import codecs
import re
import unicodedata
from dataclasses import dataclass

from charset_normalizer.md import mess_ratio

from media_pipelines.core.media_types import ErrorType
from media_pipelines.core.sniff import unicode_by_zero_bytes
from media_pipelines.core.timed_text.model import TimedTextError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_WESTERN = ("cp1252", "iso8859_15")
_CENTRAL = ("cp1250", "iso8859_2")
_CYRILLIC = ("cp1251", "koi8_r", "iso8859_5")
# The legacy code pages each language's subtitles are delivered in, most common first.
LANGUAGE_ENCODINGS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys("en fr de es it pt nl sv da no nb nn fi is ca eu gl ga af id ms".split(), _WESTERN),
    **dict.fromkeys("pl cs sk hu ro hr sl bs sq".split(), _CENTRAL),
    **dict.fromkeys("ru bg mk be kk".split(), _CYRILLIC),
    "sr": ("cp1251", "cp1250", "iso8859_5", "iso8859_2"),
    "uk": ("cp1251", "koi8_u", "iso8859_5"),
    "el": ("cp1253", "iso8859_7"),
    "tr": ("cp1254", "iso8859_9"),
    "he": ("cp1255", "iso8859_8"),
    "ar": ("cp1256", "iso8859_6"),
    "fa": ("cp1256",),
    "ur": ("cp1256",),
    "et": ("cp1257", "iso8859_13"),
    "lv": ("cp1257", "iso8859_13"),
    "lt": ("cp1257", "iso8859_13"),
    "vi": ("cp1258",),
    "th": ("cp874",),
    "zh": ("gb18030", "big5"),
    "zh-cn": ("gb18030",),
    "zh-hans": ("gb18030",),
    "zh-tw": ("big5", "gb18030"),
    "zh-hk": ("big5", "gb18030"),
    "zh-hant": ("big5", "gb18030"),
    "ja": ("cp932", "euc_jp"),
    "ko": ("cp949",),
}
# Every code page above, for a file whose language is not known.
ALL_LEGACY = tuple(dict.fromkeys(e for encodings in LANGUAGE_ENCODINGS.values() for e in encodings))

# The letters beyond ASCII that Latin-script languages write with: what tells Latin-1 from Latin-2 or Baltic
# text, where every candidate decodes and reads as letters.
LATIN_ALPHABETS: dict[str, str] = {
    "western": "àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿœšžß",
    "cs": "áčďéěíňóřšťúůýž",
    "sk": "áäčďéíĺľňóôŕšťúýž",
    "pl": "ąćęłńóśźż",
    "hu": "áéíóöőúüű",
    "ro": "ăâîșțşţ",
    "hr": "čćđšž",
    "sl": "čšž",
    "sq": "çë",
    "tr": "çğıöşüâî",
    "baltic": "āčēģīķļņšūžąęėįųõäöü",
    "vi": "àáâãèéêìíòóôõùúýăđĩũơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ",
}
_MAX_MESS = 0.2  # charset-normalizer's own ceiling for text that reads as text
_SAMPLE_BYTES = 16 * 1024
_WORD = re.compile(r"[^\W\d_]+")
_MIN_FIT = 0.9
_NAME_HINT = re.compile(r"\.([a-z]{2,3}(?:-[a-z]{2,4})?)\.[^.]+$", re.IGNORECASE)
_VTT_LANGUAGE = re.compile(r"\A(?:\ufeff)?WEBVTT[^\n]*\n(?:[^\n]+\n)*?Language:\s*([A-Za-z-]+)", re.IGNORECASE)
_XML_LANG = re.compile(r"""xml:lang\s*=\s*["']([A-Za-z-]+)["']""")
_XML_DECLARED = re.compile(r"""\A<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)["']""")


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    confidence: float  # 1.0 for a BOM, UTF-16/32 by zero bytes, UTF-8 or a declared encoding


def language_hint(data: bytes, file_name: str) -> str | None:
    """The language a subtitle file names: WebVTT's Language header, TTML's xml:lang, else `film.ru.srt`."""
    head = data[:4096].decode("latin-1")
    for pattern in (_VTT_LANGUAGE, _XML_LANG):
        if match := pattern.search(head):
            return match.group(1).lower()
    named = _NAME_HINT.search(file_name)
    return named.group(1).lower() if named else None


def decode_subtitle_bytes(data: bytes, hint: str | None = None) -> DecodedText:
    """The text, the encoding used and how sure; TimedTextError(encoding_error) when no encoding is clearly right."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return DecodedText(_strict(data[len(bom) :], encoding), encoding, 1.0)
    if encoding := unicode_by_zero_bytes(data[:4096]):
        return DecodedText(_strict(data, encoding), encoding, 1.0)
    try:
        return DecodedText(data.decode("utf-8"), "utf-8", 1.0)
    except UnicodeDecodeError:
        pass
    if declared := _XML_DECLARED.search(data[:200].decode("latin-1")):
        try:
            encoding = codecs.lookup(declared.group(1)).name
        except LookupError as exc:
            raise TimedTextError(
                f"unknown declared encoding {declared.group(1)!r}", error_type=ErrorType.ENCODING_ERROR
            ) from exc
        return DecodedText(_strict(data, encoding), encoding, 1.0)
    return _legacy(data, hint)


def _legacy(data: bytes, hint: str | None) -> DecodedText:
    candidates = _candidates(hint)
    # Judged on the first lines (pure-Python scoring of a feature's 200 KB in 30 code pages would take
    # seconds); every candidate must still decode the whole file.
    sample = data if len(data) <= _SAMPLE_BYTES else data[: data.rfind(b"\n", 0, _SAMPLE_BYTES) + 1 or _SAMPLE_BYTES]
    scored = []
    for encoding in candidates:
        try:
            data.decode(encoding)
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(unicodedata.category(ch) == "Cc" and ch not in "\r\n\t\f" for ch in text):
            continue  # C1 controls: bytes this code page leaves unassigned in practice
        scored.append((_reads_as_one_language(text), mess_ratio(text, _MAX_MESS + 0.01), encoding, text))
    if not scored:
        raise _unsure(f"none of {', '.join(candidates)} decodes it", hint)
    scored.sort(key=lambda s: (-round(s[0], 2), s[1], candidates.index(s[2])))
    fit, mess, encoding, text = scored[0]
    if mess > _MAX_MESS or fit < _MIN_FIT:
        raise _unsure(f"the best reading, {encoding}, does not read as text", hint)
    rival = next((s for s in scored[1:] if s[3] != text), None)
    if hint is None and rival and round(rival[0], 2) == round(fit, 2) and abs(rival[1] - mess) < 0.01:
        ours, theirs = _case_noise(text), _case_noise(rival[3])
        if ours is None or theirs is None or abs(ours - theirs) < 0.05:
            raise _unsure(f"{encoding} and {rival[2]} read equally well", hint)
        if theirs < ours:
            fit, mess, encoding, text = rival
    return DecodedText(data.decode(encoding), encoding, round(fit * (1 - mess), 3))


def _candidates(hint: str | None) -> tuple[str, ...]:
    if hint:
        for key in (hint, hint.split("-")[0]):
            if key in LANGUAGE_ENCODINGS:
                return LANGUAGE_ENCODINGS[key]
    return ALL_LEGACY


def _reads_as_one_language(text: str) -> float:
    """The share of the text's non-ASCII letters that one language writes with (1.0 with none): letters of
    one script, and for Latin, of one language's alphabet. A wrong code page mixes scripts (French read as
    Arabic) or alphabets (Czech read as Polish); one of the same script swaps case (see _case_noise)."""
    by_script: dict[str, list[str]] = {}
    for ch in text.lower():
        if ord(ch) > 127 and ch.isalpha():
            by_script.setdefault(_script(ch), []).append(ch)
    if not by_script:
        return 1.0
    script, letters = max(by_script.items(), key=lambda item: len(item[1]))
    total = sum(len(group) for group in by_script.values())
    if script != "LATIN":
        return len(letters) / total
    return max(sum(ch in alphabet for ch in letters) for alphabet in LATIN_ALPHABETS.values()) / total


def _case_noise(text: str) -> float | None:
    """Among words with letters beyond ASCII, the share of letters after the first that are capitals, in
    words not written all in capitals; None when those letters have no case (Arabic, CJK). Real text has
    almost none; a sibling code page of the same script swaps case (KOI8-R read as cp1251)."""
    inner = capitals = 0
    for word in _WORD.findall(text):
        if len(word) > 1 and not word.isupper() and any(ord(ch) > 127 and ch.lower() != ch.upper() for ch in word):
            inner += len(word) - 1
            capitals += sum(ch.isupper() for ch in word[1:])
    return capitals / inner if inner else None


def _script(ch: str) -> str:
    script = unicodedata.name(ch, "UNKNOWN").split()[0]
    # Japanese writes kanji with kana, Korean may mix in hanja: one East Asian group.
    return "EAST_ASIAN" if script in ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "HALFWIDTH", "FULLWIDTH") else script


def _unsure(reason: str, hint: str | None) -> TimedTextError:
    advice = "" if hint else "; name the language in the file name (film.ru.srt) to decide"
    return TimedTextError(f"encoding not clear: {reason}{advice}", error_type=ErrorType.ENCODING_ERROR)


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise TimedTextError(f"invalid {encoding}: {exc}", error_type=ErrorType.ENCODING_ERROR) from exc
