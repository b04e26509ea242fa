"""Each stage against its floor, measured side by side in one run: x-realtime, ratio and peak memory.

Usage: python benchmarks/run.py [--repeat N] [--only STAGE ...]
"""

import argparse
import os
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
from media_pipelines.core.renditions.params import RenditionParams  # noqa: E402
from media_pipelines.core.tools import ffmpeg_exe  # noqa: E402


@dataclass(frozen=True)
class Timing:
    seconds: float
    peak_rss_mb: float


def timed(commands: list[list[str]]) -> Timing:
    """Wall time of commands run one after another, and the highest peak RSS among them and their children."""
    start, peak = time.perf_counter(), 0.0
    for command in commands:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        # `ffmpeg -i` with no output probes and then exits 1 by design.
        if code and command[1:3] != ["-hide_banner", "-i"]:
            raise RuntimeError(f"{command} exited {code}")
        reported = [float(line.split("=")[1]) for line in output.splitlines() if line.startswith("peak_rss_mb=")]
        peak = max(peak, usage.ru_maxrss / 1024, *reported)
    return Timing(time.perf_counter() - start, peak)


@dataclass(frozen=True)
class Row:
    stage: str
    ours: list[list[str]]
    floor_name: str
    floor: list[list[str]]


def stage_command(stage: str, film: Path) -> list[str]:
    return [sys.executable, "-m", "benchmarks.stages", stage, str(film)]


def ingest_row(film: Path, tmp: Path) -> Row:
    floor = [
        ["sha256sum", str(film)],
        [ffmpeg_exe(), "-hide_banner", "-i", str(film)],
        ["cp", str(film), str(tmp / "copy")],
    ]
    return Row("ingest", [stage_command("ingest", film)], "sha256sum + ffmpeg -i + cp", floor)


def renditions_row(film: Path, tmp: Path) -> Row:
    """The floor writes only the mezzanine, with the same encoder settings, in one plain ffmpeg command."""
    p = RenditionParams()
    fps = probe_file(film).streams[0].avg_frame_rate
    gop = str(round(fps * p.keyframe_interval_s))
    floor = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-y", "-i", str(film),
        "-vf", f"fps={fps},scale=-2:{p.target_height},setsar=1",
        "-c:v", "libx264", "-preset", p.preset, "-crf", str(p.crf), "-pix_fmt", "yuv420p",
        "-g", gop, "-keyint_min", gop, "-sc_threshold", "0",
        "-c:a", "aac", "-b:a", p.audio_bitrate, "-ac", "2", "-ar", "48000",
        "-movflags", "+faststart", str(tmp / "mezzanine_only.mp4"),
    ]  # fmt: skip
    return Row("renditions", [stage_command("renditions", film)], "ffmpeg: mezzanine only", [floor])


ROWS = {"ingest": ingest_row, "renditions": renditions_row}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side, alternated; the median is reported")
    parser.add_argument("--only", nargs="*", choices=sorted(ROWS), help="stages to run (default: all)")
    args = parser.parse_args()

    film = big_buck_bunny()
    media_s = probe_file(film).duration_s
    print(f"Big Buck Bunny: {film} ({media_s:.0f} s, {film.stat().st_size / 1e6:.0f} MB); median of {args.repeat}")
    header = f"{'stage':<12} {'ours s':>8} {'x-rt':>7} {'peak MB':>8}"
    print(f"{header}  {'floor':<28} {'floor s':>8} {'x-rt':>7}  {'ratio':>6}")
    with tempfile.TemporaryDirectory(prefix="media-bench-") as tmp:
        for name in args.only or ROWS:
            row = ROWS[name](film, Path(tmp))
            ours, floor = [], []
            for _ in range(args.repeat):  # alternate so drift on a shared machine hits both sides
                ours.append(timed(row.ours))
                floor.append(timed(row.floor))
            ours_s = statistics.median(t.seconds for t in ours)
            floor_s = statistics.median(t.seconds for t in floor)
            print(
                f"{row.stage:<12} {ours_s:>8.2f} {media_s / ours_s:>6.0f}x {max(t.peak_rss_mb for t in ours):>8.0f}"
                f"  {row.floor_name:<28} {floor_s:>8.2f} {media_s / floor_s:>6.0f}x  {ours_s / floor_s:>6.2f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
