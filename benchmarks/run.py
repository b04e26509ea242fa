"""Each stage against its floor, measured side by side in one run: x-realtime, ratio and peak memory.

Usage: python benchmarks/run.py [--repeat N]
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.media import big_buck_bunny  # noqa: E402
from media_pipelines.core.probe import probe_file  # noqa: E402
from media_pipelines.core.tools import ffmpeg_exe  # noqa: E402


@dataclass(frozen=True)
class Timing:
    seconds: float
    peak_rss_mb: float | None  # reported by our own stage processes only


def timed(commands: list[list[str]]) -> Timing:
    """Wall time of commands run one after another, and the peak RSS a stage process reports."""
    start, peak = time.perf_counter(), None
    for command in commands:
        result = subprocess.run(command, capture_output=True, text=True)
        # `ffmpeg -i` with no output probes and then exits 1 by design.
        if result.returncode and command[0] != ffmpeg_exe():
            raise RuntimeError(f"{command} exited {result.returncode}: {result.stderr[-2000:]}")
        for line in result.stdout.splitlines():
            if line.startswith("peak_rss_mb="):
                peak = max(peak or 0.0, float(line.split("=")[1]))
    return Timing(time.perf_counter() - start, peak)


@dataclass(frozen=True)
class Row:
    stage: str
    ours: list[list[str]]
    floor_name: str
    floor: list[list[str]]


def ingest_row(film: Path, lake: Path) -> Row:
    ours = [sys.executable, "-m", "benchmarks.stages", "ingest", str(film), str(lake)]
    floor = [
        ["sha256sum", str(film)],
        [ffmpeg_exe(), "-hide_banner", "-i", str(film)],
        ["cp", str(film), str(lake / "copy")],
    ]
    return Row("ingest + probe", [ours], "sha256sum + ffmpeg -i + cp", floor)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the median is reported")
    args = parser.parse_args()

    film = big_buck_bunny()
    media_s = probe_file(film).duration_s
    print(f"Big Buck Bunny: {film} ({media_s:.0f} s, {film.stat().st_size / 1e6:.0f} MB); median of {args.repeat} runs")
    print(f"{'stage':<18} {'ours s':>8} {'x-rt':>8} {'floor':<28} {'floor s':>8} {'ratio':>6} {'peak MB':>8}")
    with tempfile.TemporaryDirectory(prefix="media-bench-") as tmp:
        for row in [ingest_row(film, Path(tmp))]:
            ours, floor = [], []
            for _ in range(args.repeat):  # alternate so drift on a shared machine hits both sides
                shutil.rmtree(Path(tmp), ignore_errors=True)
                Path(tmp).mkdir()
                ours.append(timed(row.ours))
                floor.append(timed(row.floor))
            ours_s = statistics.median(t.seconds for t in ours)
            floor_s = statistics.median(t.seconds for t in floor)
            peak = max(t.peak_rss_mb for t in ours)
            print(
                f"{row.stage:<18} {ours_s:>8.2f} {media_s / ours_s:>7.0f}x {row.floor_name:<28}"
                f" {floor_s:>8.2f} {ours_s / floor_s:>6.2f} {peak:>8.0f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
