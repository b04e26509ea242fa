"""Each stage against its floor or peer, measured side by side in one run: x-realtime, ratio, peak memory.

Usage: python benchmarks/run.py [--repeat N] [--only ingest renditions shots title]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.media import CACHE, big_buck_bunny, hour_long_title  # noqa: E402
from media_pipelines.core.probe import probe_file  # noqa: E402
from media_pipelines.core.renditions.params import RenditionParams  # noqa: E402
from media_pipelines.core.renditions.plan import X264_REPRODUCIBLE  # noqa: E402
from media_pipelines.core.tools import ffmpeg_exe, run_ffmpeg  # noqa: E402

SECTIONS = ["ingest", "renditions", "shots", "title"]
MATCH_TOLERANCE_S = 0.5  # boundaries this close are the same boundary when two detectors are compared


@dataclass(frozen=True)
class Timing:
    seconds: float
    peak_rss_mb: float
    boundaries: list[float] = field(default_factory=list)


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants together, now."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        pending += [int(child) for child in children]
    return total / 1024


class TreeSampler(threading.Thread):
    """The highest sum of resident memory over a process tree, sampled every 50 ms: what the run as a whole
    holds at once (one process's high-water mark misses ffmpeg encoding beside its Python parent)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_mb, self.done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.pid))


def timed(commands: list[list[str]]) -> Timing:
    """Wall time of commands run one after another; the highest memory any of them held at once, counting
    their children (sampled sums, and the kernel's high-water marks for any peak between samples)."""
    start, peak, boundaries = time.perf_counter(), 0.0, []
    for command in commands:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        sampler = TreeSampler(process.pid)
        sampler.start()
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        sampler.done.set()
        sampler.join()
        peak = max(peak, sampler.peak_mb)
        code = os.waitstatus_to_exitcode(status)
        # `ffmpeg -i` with no output probes and then exits 1 by design.
        if code and command[1:3] != ["-hide_banner", "-i"]:
            raise RuntimeError(f"{command} exited {code}")
        for line in output.splitlines():
            key, _, value = line.partition("=")
            if key == "peak_rss_mb":
                peak = max(peak, float(value))
            elif key == "boundaries":
                boundaries = json.loads(value)
        peak = max(peak, usage.ru_maxrss / 1024)
    return Timing(time.perf_counter() - start, peak, boundaries)


def stage(*args: str) -> list[str]:
    return [sys.executable, "-m", "benchmarks.stages", *args]


@dataclass(frozen=True)
class Row:
    name: str
    ours: list[list[str]]
    floor_name: str
    floor: list[list[str]]
    media_s: float


def measure(row: Row, repeat: int) -> tuple[Timing, Timing]:
    ours, floor = [], []
    for _ in range(repeat):  # alternate so drift on a shared machine hits both sides
        ours.append(timed(row.ours))
        floor.append(timed(row.floor))

    def median(runs: list[Timing]) -> Timing:
        middle = sorted(runs, key=lambda t: t.seconds)[len(runs) // 2]
        return Timing(statistics.median(t.seconds for t in runs), max(t.peak_rss_mb for t in runs), middle.boundaries)

    return median(ours), median(floor)


def print_row(row: Row, ours: Timing, floor: Timing) -> None:
    ours_part = f"{row.name:<22} {ours.seconds:>8.2f} {row.media_s / ours.seconds:>6.0f}x {ours.peak_rss_mb:>8.0f}"
    floor_part = f"{row.floor_name:<34} {floor.seconds:>8.2f} {row.media_s / floor.seconds:>6.0f}x"
    print(f"{ours_part}  {floor_part}  {ours.seconds / floor.seconds:>6.2f}", flush=True)


def renditions_of(film: Path) -> tuple[Path, Path]:
    """The film's proxy and mezzanine, made once by the renditions stage and cached."""
    out = CACHE / "renditions"
    if not (out / "proxy.mp4").is_file():
        subprocess.run(stage("renditions", str(film), str(out)), check=True, stdout=subprocess.DEVNULL)
    return out / "proxy.mp4", out / "mezzanine.mp4"


def mezzanine_only(film: Path, out: Path) -> list[str]:
    """A plain ffmpeg command writing only the mezzanine, with the renditions stage's encoder settings."""
    p = RenditionParams()
    fps = probe_file(film).streams[0].avg_frame_rate
    gop = str(round(fps * p.keyframe_interval_s))
    return [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-y", "-i", str(film),
        "-vf", f"fps={fps},scale=-2:{p.target_height},setsar=1",
        "-c:v", "libx264", "-preset", p.preset, "-crf", str(p.crf), "-x264-params", X264_REPRODUCIBLE, "-pix_fmt", "yuv420p",
        "-g", gop, "-keyint_min", gop, "-sc_threshold", "0",
        "-c:a", "aac", "-b:a", p.audio_bitrate, "-ac", "2", "-ar", "48000",
        "-movflags", "+faststart", str(out),
    ]  # fmt: skip


def agreement(found: list[float], reference: list[float]) -> tuple[float, float, list[float], list[float]]:
    """Precision and recall of `found` against `reference`, and what each has that the other lacks."""
    matched_found = [f for f in found if any(abs(f - r) <= MATCH_TOLERANCE_S for r in reference)]
    matched_reference = [r for r in reference if any(abs(f - r) <= MATCH_TOLERANCE_S for f in found)]
    only_found = [f for f in found if f not in matched_found]
    only_reference = [r for r in reference if r not in matched_reference]
    precision = len(matched_found) / len(found) if found else 1.0
    recall = len(matched_reference) / len(reference) if reference else 1.0
    return precision, recall, only_found, only_reference


def shots_section(film: Path, media_s: float, tmp: Path, repeat: int) -> None:
    proxy, mezzanine = renditions_of(film)
    decode_floor = [[ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(proxy), "-f", "null", "-"]]
    full = [stage("shots", str(proxy), str(mezzanine))]
    scan_row = Row(
        "shots: proxy scan", [stage("shots-scan", str(proxy))], "ffmpeg -i proxy -f null -", decode_floor, media_s
    )
    print_row(scan_row, *measure(scan_row, repeat))
    full_row = Row("shots: whole stage", full, "ffmpeg -i proxy -f null -", decode_floor, media_s)
    ours, floor = measure(full_row, repeat)
    print_row(full_row, ours, floor)
    runs = {"ours": ours.boundaries}
    # On the source, as a user of PySceneDetect would run it, and on our proxy, the same input ours reads.
    for detector in ("adaptive", "content"):
        for input_name, path in (("source", film), ("proxy", proxy)):
            peer = Row(f"  vs {detector}", full, f"PySceneDetect {detector} ({input_name})",
                       [stage("pyscenedetect", detector, str(path))], media_s)  # fmt: skip
            peer_timing = timed(peer.floor)
            print_row(peer, ours, peer_timing)
            if input_name == "source":
                runs[detector] = peer_timing.boundaries

    print("\nBoundaries: " + ", ".join(f"{name} {len(found)}" for name, found in runs.items()))
    print(
        f"Agreement (same boundary within {MATCH_TOLERANCE_S} s): precision and recall of the first against the second"
    )
    for a, b in (("ours", "adaptive"), ("ours", "content"), ("adaptive", "content")):
        precision, recall, only_a, only_b = agreement(runs[a], runs[b])
        print(f"  {a} vs {b}: precision {precision:.2f}, recall {recall:.2f}")
        print(f"    only {a} ({len(only_a)}): {[round(t, 2) for t in only_a[:12]]}")
        print(f"    only {b} ({len(only_b)}): {[round(t, 2) for t in only_b[:12]]}")

    short_proxy, short_mezzanine = tmp / "proxy_55s.mp4", tmp / "mezzanine_55s.mp4"
    for whole, cut in ((proxy, short_proxy), (mezzanine, short_mezzanine)):
        run_ffmpeg(["-i", str(whole), "-t", "55", "-c", "copy", str(cut)])
    short = timed([stage("shots", str(short_proxy), str(short_mezzanine))])
    ratio = ours.peak_rss_mb / short.peak_rss_mb
    print(f"\nMemory: shots on 596 s {ours.peak_rss_mb:.0f} MB, on 55 s {short.peak_rss_mb:.0f} MB ({ratio:.2f}x)")


def title_section(film: Path, media_s: float, tmp: Path, repeat: int) -> None:
    """Every stage of a title in one `media-lake run`, against the floor of writing the mezzanine alone, and
    its memory on the film, on a 55 s cut of it and on an hour-long title."""
    cut = tmp / "cut" / "bbb_55s" / "bbb_55s.mp4"
    cut.parent.mkdir(parents=True)
    run_ffmpeg(["-i", str(film), "-t", "55", "-c", "copy", str(cut)])
    landings = {"full": tmp / "full", "cut": tmp / "cut", "hour": tmp / "hour"}
    (landings["full"] / "bbb").mkdir(parents=True)
    shutil.copy(film, landings["full"] / "bbb" / film.name)
    row = Row("whole title", [stage("title", str(landings["full"]))], "ffmpeg: mezzanine only",
              [mezzanine_only(film, tmp / "title_floor.mp4")], media_s)  # fmt: skip
    ours, floor = measure(row, repeat)
    print_row(row, ours, floor)
    short = timed([stage("title", str(landings["cut"]))])
    print(f"  peak MB on the 55 s cut {short.peak_rss_mb:.0f} (film/cut {ours.peak_rss_mb / short.peak_rss_mb:.2f}x)")
    hour = hour_long_title()
    (landings["hour"] / "hour").mkdir(parents=True)
    shutil.copy(hour, landings["hour"] / "hour" / hour.name)
    long = timed([stage("title", str(landings["hour"]))])
    hour_s = probe_file(hour).duration_s
    print(f"  hour-long title ({hour_s:.0f} s): {long.seconds:.1f} s, {hour_s / long.seconds:.0f}x, "
          f"peak MB {long.peak_rss_mb:.0f}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side, alternated; medians reported")
    parser.add_argument("--only", nargs="*", choices=SECTIONS, help="default: all")
    args = parser.parse_args()
    only = args.only or SECTIONS

    film = big_buck_bunny()
    media_s = probe_file(film).duration_s
    print(f"Big Buck Bunny: {film} ({media_s:.0f} s, {film.stat().st_size / 1e6:.0f} MB); median of {args.repeat}")
    header = f"{'stage':<22} {'ours s':>8} {'x-rt':>7} {'peak MB':>8}"
    print(f"{header}  {'floor or peer':<34} {'s':>8} {'x-rt':>7}  {'ratio':>6}")
    with tempfile.TemporaryDirectory(prefix="media-bench-") as tmp:
        rows = {
            "ingest": Row("ingest", [stage("ingest", str(film))], "sha256sum + ffmpeg -i + cp",
                          [["sha256sum", str(film)], [ffmpeg_exe(), "-hide_banner", "-i", str(film)],
                           ["cp", str(film), f"{tmp}/copy"]], media_s),
            "renditions": Row("renditions", [stage("renditions", str(film))], "ffmpeg: mezzanine only",
                              [mezzanine_only(film, Path(tmp, "mezzanine_only.mp4"))], media_s),
        }  # fmt: skip
        for name in only:
            if name in rows:
                print_row(rows[name], *measure(rows[name], args.repeat))
        if "shots" in only:
            shots_section(film, media_s, Path(tmp), args.repeat)
        if "title" in only:
            title_section(film, media_s, Path(tmp), args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
