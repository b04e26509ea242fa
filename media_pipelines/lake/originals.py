"""Originals in the lake, content-addressed so a file delivered twice is stored once."""

from pathlib import Path

from media_pipelines.lake.store import ObjectStore


def original_key(sha256: str) -> str:
    return f"originals/sha256/{sha256[:2]}/{sha256}"


def store_original(store: ObjectStore, local_path: Path, sha256: str) -> str:
    """The original's lake key, which raw_files stores."""
    key = original_key(sha256)
    if not store.exists(key):
        store.put_file(local_path, key)
    return key
