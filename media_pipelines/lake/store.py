"""Object stores over a local folder or an S3 prefix, with atomic writes on both."""

import contextlib
import glob
import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from media_pipelines.core.processes import process_exists


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    version: str  # what changes when the content is replaced: mtime for files, ETag on S3
    # Why the object must not be read, when it is listed but its bytes would come from outside its folder.
    refused: str | None = None
    modified: float = 0.0  # seconds since the epoch: clean-up leaves what is younger than its retention


class ObjectStore(Protocol):
    uri: str

    def walk(self, prefix: str = "") -> Iterator[ObjectInfo]: ...
    def exists(self, key: str) -> bool: ...
    def size(self, key: str) -> int | None: ...  # None: no such file
    def put_file(self, local_path: Path, key: str) -> None: ...
    def put_bytes(self, data: bytes, key: str) -> None: ...
    def read_bytes(self, key: str) -> bytes: ...
    def local_copy(self, key: str) -> contextlib.AbstractContextManager[Path]: ...
    def uri_for(self, key: str) -> str: ...
    # A table's reference (a key relative to the lake root, as stages write them) or a full URI in it.
    def key_for(self, uri: str) -> str: ...
    def delete(self, key: str) -> None: ...
    # Where a Lance dataset under key is, and the options its object store needs (None for a folder).
    def dataset_location(self, key: str) -> tuple[str, dict[str, str] | None]: ...


def checked_key(key: str) -> str:
    """A relative POSIX key with no way out of the store's root."""
    if any(part in ("..", ".", "") for part in key.split("/")):
        raise ValueError(f"unsafe object key {key!r}")
    return key


class LocalStore:
    def __init__(self, root: Path):
        self.root = root.resolve()
        self.uri = str(self.root)

    def _path(self, key: str) -> Path:
        return self.root / checked_key(key)

    def walk(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Every visible file under prefix; a link is listed, never followed out of its top-level folder."""
        base = self._path(prefix) if prefix else self.root
        if not base.is_dir() or base.resolve() != base:  # a folder that is itself a link is never read
            return
        for dirpath, dirnames, filenames in os.walk(base):
            visible = sorted(d for d in dirnames if not d.startswith("."))
            dirnames[:] = [d for d in visible if not Path(dirpath, d).is_symlink()]
            links = [d for d in visible if d not in dirnames]
            for name in sorted([*filenames, *links]):
                if name.startswith("."):
                    continue
                yield self._info(Path(dirpath, name))

    def _info(self, path: Path) -> ObjectInfo:
        key = path.relative_to(self.root).as_posix()
        refused = self._link_refusal(path, key) if path.is_symlink() else None
        if refused:
            return ObjectInfo(key=key, size=0, version=f"link:{os.readlink(path)}", refused=refused)
        stat = path.stat()
        return ObjectInfo(key=key, size=stat.st_size, version=str(stat.st_mtime_ns), modified=stat.st_mtime)

    def _link_refusal(self, path: Path, key: str) -> str | None:
        folder = self.root / key.split("/", 1)[0]
        target = path.resolve()
        if not target.exists():
            return f"a link to {os.readlink(path)!r}, which does not exist"
        if target.is_dir():
            return "a link to a folder: folders behind links are not read"
        if not target.is_relative_to(folder):
            return f"a link to {os.readlink(path)!r}, outside its folder {folder.name!r}"
        return None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int | None:
        path = self._path(key)
        return path.stat().st_size if path.is_file() else None

    @contextlib.contextmanager
    def _staged(self, key: str) -> Iterator[Path]:
        """A hidden temp file beside the target, renamed over it: readers see the old or the new file whole.

        The temp's name says which process writes it, so the next write of the same key removes what a
        killed writer left behind, and never a live writer's file."""
        final = self._path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        _remove_dead_writers_temps(final)
        temp = final.with_name(f".{final.name}.{_WRITER}.{uuid.uuid4().hex}.tmp")
        try:
            yield temp
            os.replace(temp, final)
        finally:
            temp.unlink(missing_ok=True)

    def put_file(self, local_path: Path, key: str) -> None:
        with self._staged(key) as temp:
            shutil.copyfile(local_path, temp)

    def put_bytes(self, data: bytes, key: str) -> None:
        with self._staged(key) as temp:
            temp.write_bytes(data)

    def read_bytes(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    @contextlib.contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        yield self._path(key)

    def uri_for(self, key: str) -> str:
        return str(self._path(key))

    def dataset_location(self, key: str) -> tuple[str, dict[str, str] | None]:
        return str(self._path(key)), None

    def key_for(self, uri: str) -> str:
        if not Path(uri).is_absolute():
            return checked_key(uri)
        return checked_key(Path(uri).relative_to(self.root).as_posix())

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        for parent in path.parents:
            if parent == self.root or any(parent.iterdir()):
                break
            parent.rmdir()


_WRITER = f"{socket.gethostname()}-{os.getpid()}"


def _remove_dead_writers_temps(final: Path) -> None:
    for temp in final.parent.glob(f".{glob.escape(final.name)}.*.tmp"):
        writer = temp.name[len(final.name) + 2 :].rsplit(".", 2)[0]
        host, _, pid = writer.rpartition("-")
        if host == socket.gethostname() and pid.isdigit() and not process_exists(int(pid)):
            temp.unlink(missing_ok=True)


class S3Store:
    """A bucket prefix; single PUTs and completed multipart uploads are atomic in S3 itself."""

    def __init__(self, client: Any, bucket: str, prefix: str = "", storage_options: dict[str, str] | None = None):
        self.client = client
        # The same endpoint and region for Lance's own object store, which reads tables in byte ranges.
        self.storage_options = storage_options or {}
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.uri = f"s3://{bucket}/{self.prefix}".rstrip("/")

    def _key(self, key: str) -> str:
        checked_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def walk(self, prefix: str = "") -> Iterator[ObjectInfo]:
        full = self._key(prefix) + "/" if prefix else (self.prefix + "/" if self.prefix else "")
        strip = len(self.prefix) + 1 if self.prefix else 0
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=full):
            for obj in page.get("Contents", []):
                key = obj["Key"][strip:]
                parts = key.split("/")
                if key.endswith("/") or any(p.startswith(".") for p in parts):
                    continue
                # A key with an empty part would name another path on local disk and in our own layout.
                refused = "an object key with an empty path part" if "" in parts else None
                version, modified = obj["ETag"].strip('"'), obj["LastModified"].timestamp()
                yield ObjectInfo(key=key, size=obj["Size"], version=version, refused=refused, modified=modified)

    def exists(self, key: str) -> bool:
        return self.size(key) is not None

    def size(self, key: str) -> int | None:
        # The key itself sorts before every longer key it prefixes, so one listed object says.
        response = self.client.list_objects_v2(Bucket=self.bucket, Prefix=self._key(key), MaxKeys=1)
        return next((obj["Size"] for obj in response.get("Contents", []) if obj["Key"] == self._key(key)), None)

    def put_file(self, local_path: Path, key: str) -> None:
        self.client.upload_file(str(local_path), self.bucket, self._key(key))

    def put_bytes(self, data: bytes, key: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def read_bytes(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()

    @contextlib.contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        suffix = PurePosixPath(key).suffix
        with tempfile.TemporaryDirectory(prefix="media-lake-") as tmp:
            path = Path(tmp, f"object{suffix}")
            self.client.download_file(self.bucket, self._key(key), str(path))
            yield path

    def uri_for(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"

    def dataset_location(self, key: str) -> tuple[str, dict[str, str] | None]:
        return self.uri_for(key), self.storage_options

    def key_for(self, uri: str) -> str:
        if not is_s3_uri(uri):
            return checked_key(uri)
        base = f"s3://{self.bucket}/{self.prefix}/" if self.prefix else f"s3://{self.bucket}/"
        if not uri.startswith(base):
            raise ValueError(f"{uri!r} is not in {self.uri}")
        return checked_key(uri.removeprefix(base))

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))


def parse_s3_uri(uri: str) -> tuple[str, str]:
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    if not bucket:
        raise ValueError(f"no bucket in {uri!r}")
    return bucket, prefix


def is_s3_uri(root: str) -> bool:
    return root.startswith("s3://")
