"""On-screen text: the lines a frame shows (title cards, signs, captions burnt in), with boxes and confidence.

PP-OCRv4 detection and recognition (ONNX models inside the rapidocr-onnxruntime package, run by ONNX
Runtime). Its recogniser, trained mostly on Chinese, often drops the space between Latin words, and its
detector may split one line at wide word gaps; both are mended from the picture: a run of blank columns
in the line, wide for the height of its ink, is a space between words, and boxes side by side on one
baseline are one line."""

import functools
from dataclasses import dataclass
from importlib.metadata import version

import numpy as np

OCR_MODEL = "pp-ocrv4"
# Blank columns wider than this share of the ink's height are a space between words: letters of a word
# stand under a tenth of it apart, a typeset space about a third.
_SPACE_GAP = 0.2
# ... and this many times the line's median gap.
_WORD_GAP_RATIO = 3.0
# A pixel this far (0-255 grey levels) from the line's background is ink.
_INK_CONTRAST = 48
# Boxes on one baseline (overlapping by this share of their height) and closer than this many heights
# are one line.
_SAME_LINE_OVERLAP, _SAME_LINE_GAP = 0.6, 1.5
# Lines read with less confidence than this are noise (textures, foliage), not text.
MIN_CONFIDENCE = 0.7


@dataclass(frozen=True)
class TextLine:
    text: str
    confidence: float
    # the line's box, as shares of the frame's width and height: left, top, right, bottom
    box: tuple[float, float, float, float]


def ocr_model_id() -> str:
    return f"{OCR_MODEL}@rapidocr-onnxruntime-{version('rapidocr-onnxruntime')}"


@functools.cache
def _engine():
    from rapidocr_onnxruntime import RapidOCR

    # One thread per session: a title's steps already share the machine's cores with other stages.
    return RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)


def read_text(rgb: np.ndarray, min_confidence: float = MIN_CONFIDENCE) -> list[TextLine]:
    """The text lines of an RGB frame, top to bottom then left to right."""
    height, width = rgb.shape[:2]
    # RapidOCR takes OpenCV's channel order.
    found, _ = _engine()(np.ascontiguousarray(rgb[:, :, ::-1]), return_word_box=True)
    pieces = []
    for box, text, confidence, char_boxes, chars, _char_scores in found or []:
        if confidence < min_confidence:
            continue
        left, top = min(p[0] for p in box), min(p[1] for p in box)
        right, bottom = max(p[0] for p in box), max(p[1] for p in box)
        if chars:
            crop = rgb[max(int(top), 0) : int(bottom) + 1, max(int(left), 0) : int(right) + 1]
            centres = [(min(p[0] for p in b) + max(p[0] for p in b)) / 2 - max(int(left), 0) for b in char_boxes]
            text = _with_spaces(chars, centres, _word_gaps(crop))
        if text.strip():
            pieces.append(_Piece(text.strip(), float(confidence), left, top, right, bottom))
    lines = [
        TextLine(
            p.text,
            round(p.confidence, 4),
            (
                round(p.left / width, 4),
                round(p.top / height, 4),
                round(p.right / width, 4),
                round(p.bottom / height, 4),
            ),
        )
        for p in _joined(pieces)
    ]
    return sorted(lines, key=lambda line: (round(line.box[1], 2), line.box[0]))


@dataclass(frozen=True)
class _Piece:
    text: str
    confidence: float
    left: float
    top: float
    right: float
    bottom: float


def _joined(pieces: list[_Piece]) -> list[_Piece]:
    """Pieces side by side on one baseline joined into one line, left to right, with a space between."""
    lines: list[_Piece] = []
    for piece in sorted(pieces, key=lambda p: p.left):
        for i, line in enumerate(lines):
            overlap = min(line.bottom, piece.bottom) - max(line.top, piece.top)
            tall = max(line.bottom - line.top, piece.bottom - piece.top)
            if overlap >= _SAME_LINE_OVERLAP * tall and 0 <= piece.left - line.right <= _SAME_LINE_GAP * tall:
                lines[i] = _Piece(
                    f"{line.text} {piece.text}",
                    min(line.confidence, piece.confidence),
                    line.left,
                    min(line.top, piece.top),
                    piece.right,
                    max(line.bottom, piece.bottom),
                )
                break
        else:
            lines.append(piece)
    return lines


def _word_gaps(crop: np.ndarray) -> list[float]:
    """The centres (crop columns) of the blank runs inside a line crop wide enough to be spaces: wide for
    the ink's height, and wide against the line's other gaps (a monospaced i or r stands apart too)."""
    grey = crop.astype(np.float32).mean(axis=2)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    ink = np.abs(grey - np.median(border)) > _INK_CONTRAST
    rows, columns = np.flatnonzero(ink.any(axis=1)), ink.any(axis=0)
    if rows.size == 0:
        return []
    inked = np.flatnonzero(columns)
    runs, run_start = [], None
    for x in range(inked[0], inked[-1] + 1):
        if not columns[x] and run_start is None:
            run_start = x
        elif columns[x] and run_start is not None:
            runs.append((run_start, x))
            run_start = None
    if not runs:
        return []
    widths = np.array([end - start for start, end in runs])
    min_gap = max(_SPACE_GAP * (rows[-1] - rows[0] + 1), _WORD_GAP_RATIO * float(np.median(widths)))
    return [(start + end - 1) / 2 for (start, end), w in zip(runs, widths, strict=True) if w >= min_gap]


def _with_spaces(chars: list[str], centres: list[float], gaps: list[float]) -> str:
    """The characters with a space at every word gap the recogniser left out. Each gap goes to the nearest
    place between two characters (the recogniser's character positions are coarse); a place that already
    holds a space needs none."""
    places = []  # (position, index in chars after which a space would go, already a space)
    for i in range(len(chars) - 1):
        if chars[i] == " ":
            places.append((centres[i], i, True))
        elif chars[i + 1] != " ":
            places.append(((centres[i] + centres[i + 1]) / 2, i, False))
    spaced = {i for i, c in enumerate(chars) if c == " "}
    for gap in gaps:
        if places:
            _, after, taken = min(places, key=lambda p: abs(p[0] - gap))
            if not taken:
                spaced.add(after + 0.5)
    out = []
    for i, char in enumerate(chars):
        if char != " ":
            out.append(char)
        if (i + 0.5 in spaced or (i + 1 in spaced)) and out and out[-1] != " ":
            out.append(" ")
    return "".join(out).strip()
