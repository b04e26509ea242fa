"""The lake and landing zone on S3, through a real HTTP endpoint (a local moto server)."""

import boto3
import dagster as dg

from media_pipelines.definitions import build_resources
from media_pipelines.defs.ingest.assets import raw_media
from media_pipelines.defs.partitions import titles_partitions
from media_pipelines.lake.originals import original_key
from media_pipelines.lake.query import connect
from media_pipelines.lake.raw_files import RAW_FILES
from media_pipelines.lake.tables import read_title_table


def test_raw_media_round_trip_on_s3(s3_endpoint, media, instance):
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    for bucket in ("studio-landing", "media-lake"):
        client.create_bucket(Bucket=bucket)
    client.upload_file(str(media["bikes"]), "studio-landing", "incoming/bikes/bikes.mp4")
    client.put_object(Bucket="studio-landing", Key="incoming/bikes/broken.mp4", Body=b"")
    # A key with an empty part would be another path on disk: listed, refused, never read.
    client.put_object(Bucket="studio-landing", Key="incoming/bikes//evil.mp4", Body=b"not read")
    resources = build_resources(
        {
            "MEDIA_LANDING_ROOT": "s3://studio-landing/incoming",
            "MEDIA_LAKE_ROOT": "s3://media-lake/prod",
            "MEDIA_S3_ENDPOINT_URL": s3_endpoint,
        }
    )
    instance.add_dynamic_partitions(titles_partitions.name, ["bikes"])
    result = dg.materialize([raw_media], partition_key="bikes", resources=resources, instance=instance)
    assert result.success

    lake = resources["lake"].store()
    table = read_title_table(lake, RAW_FILES, "bikes").to_pylist()
    assert sorted((r["file_name"], r["status"], r["kind"], r["error_type"]) for r in table) == [
        ("/evil.mp4", "quarantined", "other", "outside_landing_zone"),
        ("bikes.mp4", "ok", "video", None),
        ("broken.mp4", "quarantined", "other", "empty_file"),
    ]
    bikes = next(r for r in table if r["file_name"] == "bikes.mp4")
    assert bikes["original_uri"] == original_key(bikes["sha256"])  # lake-relative, whatever the bucket
    stored = client.get_object(Bucket="media-lake", Key=f"prod/{original_key(bikes['sha256'])}")["Body"].read()
    assert stored == media["bikes"].read_bytes()
    keys = {o["Key"] for o in client.list_objects_v2(Bucket="media-lake")["Contents"]}
    assert any(key.startswith("prod/tables/raw_files.lance/_versions/") for key in keys)
    rows = connect(lake).sql("select title_id, file_name, status from raw_files order by file_name").fetchall()
    assert rows == [
        ("bikes", "/evil.mp4", "quarantined"),
        ("bikes", "bikes.mp4", "ok"),
        ("bikes", "broken.mp4", "quarantined"),
    ]
