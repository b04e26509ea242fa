import json

import pytest

from media_pipelines.core.annotations import AnnotationError, annotations_format, parse_annotations
from media_pipelines.core.media_types import ErrorType

CSV = "start_s,end_s,label,annotator,confidence\n0.5,2.25,explosion,ana,0.9\n3,4,dialogue,ben,\n"


def test_csv_and_json_give_the_same_annotations_with_extra_fields_kept():
    from_csv = parse_annotations(("\ufeff" + CSV).encode(), "annotations.csv")
    records = [
        {"start_s": 0.5, "end_s": 2.25, "label": "explosion", "annotator": "ana", "confidence": "0.9"},
        {"start_s": 3, "end_s": 4, "label": "dialogue", "annotator": "ben", "confidence": ""},
    ]
    from_json = parse_annotations(json.dumps({"annotations": records}).encode(), "shots.annotations.json")
    assert from_csv == from_json
    assert [(a.index, a.start_s, a.end_s, a.label, a.annotator) for a in from_csv] == [
        (0, 0.5, 2.25, "explosion", "ana"),
        (1, 3.0, 4.0, "dialogue", "ben"),
    ]
    assert from_csv[0].attributes == {"confidence": "0.9"}


def test_only_annotation_file_names_are_annotations():
    assert [annotations_format(n) for n in ("annotations.csv", "a/b/film.annotations.JSON", "notes.csv")] == [
        "csv",
        "json",
        None,
    ]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("annotations.csv", "start_s,end_s,label\n1,2,x\n", "lacks annotator"),
        ("annotations.csv", "start_s,end_s,label,annotator\n1,abc,x,ana\n", "must be seconds"),
        ("annotations.csv", "start_s,end_s,label,annotator\n2,1,x,ana\n", "start_s < end_s"),
        ("annotations.csv", "start_s,end_s,label,annotator\n1,2,,ana\n", "missing label"),
        ("annotations.json", '{"start_s": 1}', "list of objects"),
        ("annotations.json", "[{", "invalid JSON"),
    ],
)
def test_malformed_files_raise_a_typed_error(name, data, message):
    with pytest.raises(AnnotationError, match=message) as raised:
        parse_annotations(data.encode(), name)
    assert raised.value.error_type == ErrorType.MALFORMED_ANNOTATIONS
