"""One stage per process, so each benchmark row gets its own wall time and peak memory.

Each run prints `peak_rss_mb=...` and, for shot detectors, `boundaries=[seconds, ...]` on stdout.
"""

import json
import os
import resource
import shutil
import sys
import tempfile
from pathlib import Path

from media_pipelines.core.inspect import inspect_file
from media_pipelines.core.probe import probe_file
from media_pipelines.core.renditions.params import RenditionParams
from media_pipelines.core.renditions.plan import keyframe_interval_frames
from media_pipelines.core.renditions.standardize import render_source
from media_pipelines.core.shots.analyze import ShotParams, analyze_source, scan_proxy
from media_pipelines.core.shots.sheet import contact_sheet
from media_pipelines.lake.originals import store_original
from media_pipelines.lake.store import LocalStore


def ingest(workdir: Path, source: str) -> None:
    inspection = inspect_file(Path(source), Path(source).name)
    assert inspection.error is None, inspection.error
    store_original(LocalStore(workdir), Path(source), inspection.sha256)


def renditions(workdir: Path, source: str, out_dir: str = "") -> None:
    """What the stage does per source: probe, render, verify every rendition, cut the preview still."""
    verified = render_source(Path(source), RenditionParams(), Path(out_dir) if out_dir else workdir)
    assert verified.result.qc.loudness is not None and len(verified.result.renditions) == 3
    assert all(report.ok for report in verified.decoded.values()) and verified.still


def shots(workdir: Path, proxy: str, mezzanine: str) -> None:
    video = probe_file(Path(proxy)).streams[0]
    gop = keyframe_interval_frames(video.avg_frame_rate, RenditionParams().keyframe_interval_s)
    size = (video.width, video.height)
    analysis = analyze_source(Path(proxy), size, Path(mezzanine), video.avg_frame_rate, gop, ShotParams(), workdir)
    keyframes = sorted(analysis.keyframes().items())
    contact_sheet([(f"#{i}", k.keyframe_path) for i, k in keyframes], workdir / "contact_sheet.jpg")
    print("boundaries=" + json.dumps([s.start_s(analysis.fps) for s in analysis.shots[1:]]))


def shots_scan(workdir: Path, proxy: str) -> None:
    video = probe_file(Path(proxy)).streams[0]
    scan = scan_proxy(Path(proxy), video.avg_frame_rate, ShotParams())
    print("boundaries=" + json.dumps([s.start_s(scan.fps) for s in scan.shots[1:]]))


def pyscenedetect(workdir: Path, detector: str, source: str) -> None:
    from scenedetect import AdaptiveDetector, ContentDetector, detect

    scenes = detect(source, {"adaptive": AdaptiveDetector, "content": ContentDetector}[detector]())
    print("boundaries=" + json.dumps([start.seconds for start, _ in scenes[1:]]))


def title(workdir: Path, landing: str) -> None:
    """`media-lake run` for every title in `landing`, from a fresh project folder: its own lake and instance."""
    shutil.copy(Path(__file__).resolve().parents[1] / "dagster.yaml", workdir)
    os.chdir(workdir)
    os.environ.update(MEDIA_LANDING_ROOT=landing, MEDIA_LAKE_ROOT=str(workdir / "lake"))
    os.environ.pop("DAGSTER_HOME", None)
    from media_pipelines.cli import main

    with open(os.devnull, "w") as quiet:
        sys.stdout, stdout = quiet, sys.stdout
        code = main(["run"])
        sys.stdout = stdout
    assert code == 0, f"media-lake run exited {code}"


def peak_rss_mb() -> float:
    """The largest of this process and its finished children (ffmpeg), from the kernel's high-water marks."""
    status = Path("/proc/self/status").read_text().splitlines()
    own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


STAGES = {
    "ingest": ingest,
    "renditions": renditions,
    "shots": shots,
    "shots-scan": shots_scan,
    "pyscenedetect": pyscenedetect,
    "title": title,
}

if __name__ == "__main__":
    stage, *args = sys.argv[1:]
    with tempfile.TemporaryDirectory(prefix=f"bench-{stage}-") as workdir:
        STAGES[stage](Path(workdir), *args)
    print(f"peak_rss_mb={peak_rss_mb():.1f}")
