"""The annotations table: expert labels on time ranges of a title, as delivered."""

import json
from typing import TYPE_CHECKING

import pyarrow as pa

from media_pipelines.lake.tables import TableSpec

if TYPE_CHECKING:  # the media types, not their libraries: the query path loads this table module
    from media_pipelines.core.annotations import Annotation


ANNOTATIONS = "annotations"

ANNOTATIONS_SCHEMA = pa.schema(
    [
        ("file_name", pa.string()),
        ("annotation_index", pa.int32()),
        ("start_s", pa.float64()),
        ("end_s", pa.float64()),
        ("label", pa.string()),
        ("annotator", pa.string()),
        ("attributes_json", pa.string()),
        ("source_sha256", pa.string()),
        ("code_version", pa.string()),
    ]
)
ANNOTATIONS_SPEC = TableSpec(
    ANNOTATIONS,
    ANNOTATIONS_SCHEMA,
    row_key=("file_name", "annotation_index"),
    description="expert labels on time ranges of the title, as delivered",
)


def annotation_rows(file_name: str, sha256: str, annotations: list["Annotation"], code_version: str) -> list[dict]:
    return [
        {
            "file_name": file_name,
            "annotation_index": a.index,
            "start_s": a.start_s,
            "end_s": a.end_s,
            "label": a.label,
            "annotator": a.annotator,
            "attributes_json": json.dumps(a.attributes, sort_keys=True),
            "source_sha256": sha256,
            "code_version": code_version,
        }
        for a in annotations
    ]
