"""Expert annotations delivered with a title: `annotations.csv` or `annotations.json` (or `<name>.annotations.*`).

Each annotation has start_s, end_s, label and annotator; any other field is kept as an attribute. JSON is a
list of objects or {"annotations": [...]}; CSV has a header row.
"""

import csv
import io
import json
import math
import re
from dataclasses import dataclass

from media_pipelines.core.media_types import ErrorType, MediaFileError

_NAME = re.compile(r"(^|\.)annotations\.(csv|json)$", re.IGNORECASE)
REQUIRED = ("start_s", "end_s", "label", "annotator")


@dataclass(frozen=True)
class Annotation:
    index: int
    start_s: float
    end_s: float
    label: str
    annotator: str
    attributes: dict[str, str]


class AnnotationError(MediaFileError):
    def __init__(self, message: str):
        super().__init__(ErrorType.MALFORMED_ANNOTATIONS, message)


def annotations_format(file_name: str) -> str | None:
    match = _NAME.search(file_name.rsplit("/", 1)[-1])
    return match.group(2).lower() if match else None


def parse_annotations(data: bytes, file_name: str) -> list[Annotation]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AnnotationError(f"not UTF-8 text: {exc}") from exc
    records = _json_records(text) if annotations_format(file_name) == "json" else _csv_records(text)
    return [_annotation(i, record) for i, record in enumerate(records)]


def _json_records(text: str) -> list[dict]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AnnotationError(f"invalid JSON: {exc}") from exc
    records = data.get("annotations") if isinstance(data, dict) else data
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise AnnotationError('expected a list of objects or {"annotations": [...]}')
    return records


def _csv_records(text: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [f for f in REQUIRED if f not in (reader.fieldnames or [])]
    if missing:
        raise AnnotationError(f"the header lacks {', '.join(missing)}")
    return list(reader)


def _annotation(index: int, record: dict) -> Annotation:
    where = f"annotation {index + 1}"
    missing = [f for f in REQUIRED if record.get(f) in (None, "")]
    if missing:
        raise AnnotationError(f"{where}: missing {', '.join(missing)}")
    try:
        start, end = float(record["start_s"]), float(record["end_s"])
    except (TypeError, ValueError) as exc:
        raise AnnotationError(f"{where}: start_s and end_s must be seconds: {exc}") from exc
    if not (math.isfinite(start) and math.isfinite(end) and 0 <= start < end):
        raise AnnotationError(f"{where}: needs 0 <= start_s < end_s, got {start}..{end}")
    extra = {k: v if isinstance(v, str) else json.dumps(v) for k, v in record.items() if k not in REQUIRED}
    return Annotation(index, start, end, str(record["label"]).strip(), str(record["annotator"]).strip(), extra)
