from pathlib import Path

import dagster as dg
from dagster_aws.s3 import S3Resource

from media_pipelines.lake.store import LocalStore, ObjectStore, S3Store, is_s3_uri, parse_s3_uri


class StorageRoot(dg.ConfigurableResource):
    """A lake or landing root: a local folder or s3://bucket/prefix."""

    root: str
    s3: S3Resource

    def store(self) -> ObjectStore:
        if is_s3_uri(self.root):
            bucket, prefix = parse_s3_uri(self.root)
            return S3Store(self.s3.get_client(), bucket, prefix)
        return LocalStore(Path(self.root))
