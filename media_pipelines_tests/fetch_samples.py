"""Real subtitle files for the timed-text tests, fetched once at set-up (tests reach no registry): the
test folders of the webvtt-py and pysrt sdists, from the package registry, kept under .cache/."""

import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

SDISTS = ("webvtt-py==0.6.0", "pysrt==1.1.2")
CACHE = Path(__file__).resolve().parents[1] / ".cache" / "subtitle-samples"


def fetch(cache: Path = CACHE) -> Path:
    """Extract every .srt and .vtt under the sdists' tests/ folders into cache; nothing to do when present."""
    if cache.is_dir() and any(cache.iterdir()):
        return cache
    with tempfile.TemporaryDirectory() as download:
        pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:", "-d", download]
        subprocess.run([*pip, *SDISTS], check=True, capture_output=True)
        staging = cache.with_name(f".{cache.name}.partial")
        staging.mkdir(parents=True, exist_ok=True)
        for archive in Path(download).glob("*.tar.gz"):
            with tarfile.open(archive) as tar:
                for member in tar.getmembers():
                    if member.isfile() and member.name.endswith((".srt", ".vtt")) and "/tests/" in member.name:
                        (staging / Path(member.name).name).write_bytes(tar.extractfile(member).read())
        staging.rename(cache)
    return cache


if __name__ == "__main__":
    print(f"subtitle samples in {fetch()}")
