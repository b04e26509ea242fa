from pathlib import Path

import dagster as dg

from media_pipelines.lake.store import LocalStore, ObjectStore, S3Store, is_s3_uri, parse_s3_uri


class S3Connection(dg.ConfigurableResource):
    """How to reach S3 or an S3-compatible store; boto3 loads only when a root is on S3, so a local lake's
    processes never carry it."""

    endpoint_url: str | None = None
    region_name: str = "us-east-1"
    max_attempts: int = 5  # botocore's standard retry mode: throttling and connection errors back off

    def client(self):
        import boto3
        from botocore.config import Config

        config = Config(retries={"max_attempts": self.max_attempts, "mode": "standard"})
        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint_url, region_name=self.region_name, config=config
        )


class StorageRoot(dg.ConfigurableResource):
    """A lake or landing root: a local folder or s3://bucket/prefix."""

    root: str
    s3: S3Connection

    def store(self) -> ObjectStore:
        if is_s3_uri(self.root):
            bucket, prefix = parse_s3_uri(self.root)
            return S3Store(self.s3.client(), bucket, prefix)
        return LocalStore(Path(self.root))
