"""Where the landing zone and the lake are, and which image encoder search uses, from the environment: the
one place that reads them, shared by the code location's resources and by the Dagster-free query path
(`media-lake query`, `media-lake search`, `connect_lake`)."""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from media_pipelines.core.search.images import EFFICIENTNET_LITE0
from media_pipelines.lake.store import LocalStore, ObjectStore, S3Store, is_s3_uri, parse_s3_uri

DEFAULT_LANDING_ROOT = "data/landing"
DEFAULT_LAKE_ROOT = "data/lake"


@dataclass(frozen=True)
class S3Settings:
    endpoint_url: str | None = None
    region_name: str = "us-east-1"
    max_attempts: int = 5  # botocore's standard retry mode: throttling and connection errors back off

    def client(self):
        """boto3 loads here, only when a root is on S3: a local lake's processes never carry it."""
        import boto3
        from botocore.config import Config

        config = Config(retries={"max_attempts": self.max_attempts, "mode": "standard"})
        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint_url, region_name=self.region_name, config=config
        )

    def storage_options(self) -> dict[str, str]:
        """The same settings for Lance's object store; credentials it finds itself, as boto3 does (the
        environment, a profile, the task or instance role)."""
        options = {"aws_region": self.region_name}
        if self.endpoint_url:
            options["aws_endpoint"] = self.endpoint_url
            options["allow_http"] = str(self.endpoint_url.startswith("http://")).lower()
        return options


def s3_settings(env: Mapping[str, str] = os.environ) -> S3Settings:
    return S3Settings(
        endpoint_url=env.get("MEDIA_S3_ENDPOINT_URL") or None,
        region_name=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
    )


def resolve_root(value: str) -> str:
    """An s3:// URI as given; a local path made absolute, so later stages find it from any folder."""
    return value if is_s3_uri(value) else str(Path(value).resolve())


def landing_root(env: Mapping[str, str] = os.environ) -> str:
    return resolve_root(env.get("MEDIA_LANDING_ROOT") or DEFAULT_LANDING_ROOT)


def lake_root(env: Mapping[str, str] = os.environ) -> str:
    return resolve_root(env.get("MEDIA_LAKE_ROOT") or DEFAULT_LAKE_ROOT)


def search_image_model(env: Mapping[str, str] = os.environ) -> str:
    """The image encoder the search stage embeds keyframes with and queries are encoded by
    (MEDIA_SEARCH_IMAGE_MODEL): efficientnet-lite0, or clip:CHECKPOINT (core.search.images)."""
    return env.get("MEDIA_SEARCH_IMAGE_MODEL") or EFFICIENTNET_LITE0


def open_store(root: str, s3: S3Settings) -> ObjectStore:
    if is_s3_uri(root):
        bucket, prefix = parse_s3_uri(root)
        return S3Store(s3.client(), bucket, prefix, s3.storage_options())
    return LocalStore(Path(root))


def lake_store(env: Mapping[str, str] = os.environ) -> ObjectStore:
    """The lake MEDIA_LAKE_ROOT names, local or S3."""
    return open_store(lake_root(env), s3_settings(env))
