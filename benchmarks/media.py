"""Benchmark media from the package registry: Big Buck Bunny (596 s, CC-BY 3.0) in the moviepy sdist."""

import io
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

CACHE = Path(__file__).parent / ".cache"
SDIST = "moviepy==2.2.1"
_ZIP_MEMBER = "docs/_static/medias/getting_started/moviepy_10_minutes/moviepy_10_minutes.zip"
_BBB_MEMBER = "resources/bbb.mp4"


def big_buck_bunny() -> Path:
    target = CACHE / "bbb.mp4"
    if target.is_file():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            SDIST,
            "-d",
            str(CACHE),
        ],
        check=True,
    )
    [sdist] = CACHE.glob("moviepy-*.tar.gz")
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(_ZIP_MEMBER))
        inner = tar.extractfile(member).read()
    with zipfile.ZipFile(io.BytesIO(inner)) as archive:
        member = next(n for n in archive.namelist() if n.endswith(_BBB_MEMBER))
        partial = target.with_suffix(".partial")
        partial.write_bytes(archive.read(member))
        partial.rename(target)
    return target
