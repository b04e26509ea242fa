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


READ_SPEECH_SDIST = ("pocketsphinx", "5.1.1")


def read_speech() -> list[tuple[Path, str]]:
    """Real read speech with reference transcripts: the LibriVox and spoken-cards test recordings shipped in
    the pocketsphinx sdist, plus the JFK clip. Fetched once from the package registry into the cache."""
    from media_pipelines.samples import JFK_TEXT, jfk_audio

    folder = CACHE / "read_speech"
    if not folder.is_dir():
        _extract_read_speech(folder)
    pairs = [(wav, wav.with_suffix(".txt").read_text().strip()) for wav in sorted(folder.glob("*.wav"))]
    return [*pairs, (jfk_audio(), JFK_TEXT)]


def _extract_read_speech(folder: Path) -> None:
    import json
    import re
    import urllib.request

    name, release = READ_SPEECH_SDIST
    with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=60) as response:
        files = json.load(response)["releases"][release]
    [url] = [f["url"] for f in files if f["packagetype"] == "sdist"]
    partial = folder.with_suffix(".partial")
    partial.mkdir(parents=True, exist_ok=True)
    archive = CACHE / f"{name}-{release}.tar.gz"
    with urllib.request.urlopen(url, timeout=600) as response, archive.open("wb") as out:
        shutil.copyfileobj(response, out)
    with tarfile.open(archive) as tar:
        members = {m.name: m for m in tar.getmembers()}
        for member_name, member in members.items():
            if "/test/data/librivox/" in member_name and member_name.endswith((".wav", ".txt")):
                (partial / Path(member_name).name).write_bytes(tar.extractfile(member).read())
        cards = next(m for n, m in members.items() if n.endswith("/test/data/cards/cards.transcription"))
        for line in tar.extractfile(cards).read().decode().splitlines():
            text, utterance = re.match(r"<s>(.*)</s> \((\d+)\)", line).groups()
            wav = next(m for n, m in members.items() if n.endswith(f"/test/data/cards/{utterance}.wav"))
            (partial / f"cards_{utterance}.wav").write_bytes(tar.extractfile(wav).read())
            (partial / f"cards_{utterance}.txt").write_text(text.strip())
    archive.unlink()
    partial.rename(folder)


HOUR_S = 3600


def hour_long_title() -> Path:
    """A generated hour-long title, made once into the cache: a picture whose hue jumps every 20 s (180 shots)
    over test-pattern motion, and a soundtrack repeating each minute JFK's 11 s passage over a quiet tone."""
    from media_pipelines.core.tools import run_ffmpeg
    from media_pipelines.samples import jfk_audio

    target = CACHE / "hour.mp4"
    if target.is_file():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    minute = CACHE / "minute.flac"
    run_ffmpeg([
        "-i", str(jfk_audio()), "-f", "lavfi", "-i", "sine=frequency=220:sample_rate=16000:duration=60",
        "-filter_complex", "[1:a]volume=0.05[tone];[0:a]apad=whole_dur=60[speech];[speech][tone]amix=inputs=2:duration=first",
        "-ac", "1", str(minute),
    ])  # fmt: skip
    partial = target.with_suffix(".partial.mp4")
    run_ffmpeg([
        "-f", "lavfi", "-i", f"testsrc2=size=320x180:rate=25:duration={HOUR_S}",
        "-stream_loop", "-1", "-i", str(minute),
        "-vf", "hue=h='51*floor(t/20)'", "-t", str(HOUR_S),
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "30", "-c:a", "aac", "-b:a", "64k", str(partial),
    ])  # fmt: skip
    minute.unlink()
    partial.rename(target)
    return target
