"""The whole title pipeline with the landing zone and the lake on S3 (a local moto server), against the
same delivery on local disk: every table must hold the same rows, lake locations aside."""

import boto3
import dagster as dg
import pytest

from media_pipelines.definitions import build_definitions
from media_pipelines.defs.partitions import titles_partitions
from media_pipelines.lake.query import table_names
from media_pipelines.lake.tables import read_title_table
from media_pipelines.samples import jfk_audio
from media_pipelines.samples.demo import jfk_srt
from media_pipelines.samples.generate import ClipSpec, make_clip, shots_with_cuts

TITLE = "speech"
ANNOTATIONS = "start_s,end_s,label,annotator\n1.0,4.0,podium,ana\n"


def run_title(env: dict[str, str]) -> dg.Definitions:
    defs = build_definitions(env)
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(titles_partitions.name, [TITLE])
        assert defs.resolve_job_def("title_pipeline").execute_in_process(partition_key=TITLE, instance=instance).success
    return defs


def rows(defs: dg.Definitions) -> dict[str, list[dict]]:
    """Every table's rows as stored: references are lake-relative, so an S3 lake's equal a local one's."""
    store = defs.resources["lake"].store()
    return {name: read_title_table(store, name, TITLE).to_pylist() for name in table_names(store)}


@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_the_title_pipeline_on_s3_writes_the_same_tables_as_on_local_disk(s3_endpoint, tmp_path):
    clip = make_clip(ClipSpec(shots=shots_with_cuts([2.8, 8.2]), audio=jfk_audio()), tmp_path / "speech.mp4")
    delivery = {"speech.mp4": clip.path.read_bytes(), "speech.en.srt": jfk_srt(0.2).encode(), "annotations.csv": ANNOTATIONS.encode()}  # fmt: skip
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    for bucket in ("studio-landing", "media-lake"):
        client.create_bucket(Bucket=bucket)
    local_landing = tmp_path / "landing" / TITLE
    local_landing.mkdir(parents=True)
    for name, data in delivery.items():
        client.put_object(Bucket="studio-landing", Key=f"incoming/{TITLE}/{name}", Body=data)
        (local_landing / name).write_bytes(data)

    on_s3 = rows(
        run_title(
            {
                "MEDIA_LANDING_ROOT": "s3://studio-landing/incoming",
                "MEDIA_LAKE_ROOT": "s3://media-lake/prod",
                "MEDIA_S3_ENDPOINT_URL": s3_endpoint,
            }
        )
    )
    on_disk = rows(
        run_title({"MEDIA_LANDING_ROOT": str(tmp_path / "landing"), "MEDIA_LAKE_ROOT": str(tmp_path / "lake")})
    )
    assert set(on_s3) == set(on_disk) and {"media_table", "title_summary", "timed_text_alignment"} <= set(on_s3)
    differences = [
        (name, i, key, a.get(key), b.get(key))
        for name in sorted(on_disk)
        for i, (a, b) in enumerate(zip(on_s3[name], on_disk[name], strict=True))
        for key in sorted(set(a) | set(b))
        if a.get(key) != b.get(key)
    ]
    assert differences == []
    assert on_s3["media_table"][0]["keyframe_uri"].startswith("media/speech/shots/")
    assert on_s3["title_summary"][0]["word_count"] == 22
