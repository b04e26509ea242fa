"""Benchmark media from the package registry: Big Buck Bunny (596 s, CC-BY 3.0) in the moviepy sdist."""

import shutil
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
    """The film, extracted once into the cache with streamed copies (the runner stays small for memory figures)."""
    target = CACHE / "bbb.mp4"
    if target.is_file():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:", SDIST]
    subprocess.run([*pip, "-d", str(CACHE)], check=True)
    [sdist] = CACHE.glob("moviepy-*.tar.gz")
    inner = CACHE / "moviepy_10_minutes.zip"
    with tarfile.open(sdist) as tar, inner.open("wb") as out:
        member = next(m for m in tar.getmembers() if m.name.endswith(_ZIP_MEMBER))
        shutil.copyfileobj(tar.extractfile(member), out)
    with zipfile.ZipFile(inner) as archive:
        name = next(n for n in archive.namelist() if n.endswith(_BBB_MEMBER))
        partial = target.with_suffix(".partial")
        with archive.open(name) as src, partial.open("wb") as out:
            shutil.copyfileobj(src, out)
        partial.rename(target)
    inner.unlink()
    return target
