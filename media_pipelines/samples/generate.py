"""Deterministic test clips made with ffmpeg, each with the ground truth it was built from."""

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from media_pipelines.core.tools import run_ffmpeg

Transition = Literal["cut", "fade", "dissolve"]
AudioSource = Literal["tone", "noise", "none"] | Path

# Visually distinct lavfi sources, so consecutive shots differ the way real shots do.
PATTERNS = ("testsrc2", "smptebars", "mandelbrot", "rgbtestsrc", "color=c=0x2060c0", "cellauto", "yuvtestsrc")


@dataclass(frozen=True)
class Shot:
    """A shot; a fade spends transition_s/2 of each neighbour going to and from black, a dissolve overlaps them."""

    duration_s: float
    pattern: str
    transition_in: Transition = "cut"
    transition_s: float = 0.0


@dataclass(frozen=True)
class Boundary:
    time_s: float  # a cut's first new frame; a fade's black point; a dissolve's midpoint
    transition: Transition
    transition_s: float


@dataclass(frozen=True)
class ClipSpec:
    shots: tuple[Shot, ...]
    width: int = 320
    height: int = 240
    fps: int = 25
    audio: AudioSource = "tone"
    audio_offset_s: float = 0.0
    channels: int = 2
    variable_frame_rate: bool = False
    rotation: int = 0
    interlaced: bool = False

    @property
    def boundaries(self) -> tuple[Boundary, ...]:
        out, end = [], self.shots[0].duration_s
        for shot in self.shots[1:]:
            if shot.transition_in == "dissolve":
                out.append(Boundary(round(end - shot.transition_s / 2, 6), "dissolve", shot.transition_s))
                end += shot.duration_s - shot.transition_s
            else:
                out.append(Boundary(round(end, 6), shot.transition_in, shot.transition_s))
                end += shot.duration_s
        return tuple(out)

    @property
    def duration_s(self) -> float:
        overlap = sum(s.transition_s for s in self.shots[1:] if s.transition_in == "dissolve")
        return round(sum(s.duration_s for s in self.shots) - overlap, 6)


@dataclass(frozen=True)
class GeneratedClip:
    path: Path
    spec: ClipSpec

    @property
    def boundaries(self) -> tuple[Boundary, ...]:
        return self.spec.boundaries


def shots_with_cuts(durations: list[float]) -> tuple[Shot, ...]:
    return tuple(Shot(d, PATTERNS[i % len(PATTERNS)]) for i, d in enumerate(durations))


def make_clip(spec: ClipSpec, out: Path) -> GeneratedClip:
    """Render spec to out (container from the suffix); rotation is written as display metadata."""
    out.parent.mkdir(parents=True, exist_ok=True)
    args: list[str] = []
    for shot in spec.shots:
        separator = ":" if "=" in shot.pattern else "="
        source = f"{shot.pattern}{separator}size={spec.width}x{spec.height}:rate={spec.fps}"
        args += ["-f", "lavfi", "-t", f"{shot.duration_s}", "-i", source]
    graph, video = _video_graph(spec)
    args += _audio_inputs(spec)
    maps = ["-map", video]
    if spec.audio != "none":
        graph.append(f"[{len(spec.shots)}:a]{_audio_filter(spec)}[a]")
        maps += ["-map", "[a]", "-c:a", "aac", "-b:a", "128k", "-ac", str(spec.channels)]
    pix_fmt = "yuv420p" if spec.width % 2 == 0 and spec.height % 2 == 0 else "yuv444p"
    video_args = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", pix_fmt, "-g", str(spec.fps * 2)]
    if spec.interlaced:
        video_args += ["-flags", "+ildct+ilme", "-field_order", "tt"]
    if spec.variable_frame_rate:
        video_args += ["-fps_mode", "vfr"]
    final = out if not spec.rotation else out.with_name(f".{out.stem}.unrotated{out.suffix}")
    run_ffmpeg(
        [
            *args,
            "-filter_complex",
            ";".join(graph),
            *maps,
            *video_args,
            "-t",
            f"{spec.duration_s}",
            "-map_metadata",
            "-1",
            "-fflags",
            "+bitexact",
            final.as_posix(),
        ]
    )
    if spec.rotation:
        run_ffmpeg(["-display_rotation", str(spec.rotation), "-i", final.as_posix(), "-c", "copy", out.as_posix()])
        final.unlink()
    return GeneratedClip(out, spec)


def _video_graph(spec: ClipSpec) -> tuple[list[str], str]:
    graph = [_shot_chain(spec, i) for i in range(len(spec.shots))]
    current, end = "s0", spec.shots[0].duration_s
    for i, shot in enumerate(spec.shots[1:], start=1):
        if shot.transition_in == "dissolve":
            offset = end - shot.transition_s
            graph.append(f"[{current}][s{i}]xfade=transition=fade:duration={shot.transition_s}:offset={offset}[j{i}]")
            end += shot.duration_s - shot.transition_s
        else:
            graph.append(f"[{current}][s{i}]concat=n=2:v=1:a=0,settb=1/{spec.fps}[j{i}]")
            end += shot.duration_s
        current = f"j{i}"
    if spec.variable_frame_rate:
        # Second half keeps every third frame: real frame durations vary within one stream.
        half = int(spec.duration_s * spec.fps / 2)
        graph.append(f"[{current}]select='lt(n\\,{half})+not(mod(n\\,3))'[vfr]")
        current = "vfr"
    return graph, f"[{current}]"


def _shot_chain(spec: ClipSpec, index: int) -> str:
    shot = spec.shots[index]
    chain = f"[{index}:v]fps={spec.fps},settb=1/{spec.fps},scale={spec.width}:{spec.height},format=yuv444p,setsar=1"
    if shot.transition_in == "fade":
        chain += f",fade=t=in:st=0:d={shot.transition_s / 2}"
    following = spec.shots[index + 1] if index + 1 < len(spec.shots) else None
    if following and following.transition_in == "fade":
        half = following.transition_s / 2
        chain += f",fade=t=out:st={shot.duration_s - half}:d={half}"
    return f"{chain}[s{index}]"


def _audio_inputs(spec: ClipSpec) -> list[str]:
    if spec.audio == "none":
        return []
    if isinstance(spec.audio, Path):
        return ["-i", spec.audio.as_posix()]
    source = (
        "sine=frequency=440:sample_rate=48000"
        if spec.audio == "tone"
        else "anoisesrc=color=pink:sample_rate=48000:seed=7"
    )
    return ["-f", "lavfi", "-t", f"{spec.duration_s}", "-i", source]


def _audio_filter(spec: ClipSpec) -> str:
    delay_ms = int(spec.audio_offset_s * 1000)
    return f"adelay={delay_ms}:all=1,apad,atrim=0:{spec.duration_s},aresample=48000"


def make_audio(
    out: Path,
    duration_s: float,
    source: AudioSource = "tone",
    channels: int = 2,
    offset_s: float = 0.0,
    sample_rate: int | None = None,
) -> Path:
    """An audio-only file (codec from the suffix): a tone, noise, or a speech file placed at offset_s;
    sample_rate None keeps the source's."""
    spec = ClipSpec(shots=(Shot(duration_s, "color"),), audio=source, audio_offset_s=offset_s, channels=channels)
    run_ffmpeg(
        [
            *_audio_inputs(spec),
            "-filter_complex",
            f"[0:a]{_audio_filter(spec)}[a]",
            "-map",
            "[a]",
            "-ac",
            str(channels),
            *(["-ar", str(sample_rate)] if sample_rate else []),
            "-map_metadata",
            "-1",
            "-fflags",
            "+bitexact",
            out.as_posix(),
        ]
    )
    return out


@dataclass(frozen=True)
class SyncSpec:
    """A flash (one white frame on grey) and a beep (40 ms at 1 kHz on silence), both at instant_s of the
    source's timeline; each stream may start late. ts_offset_s shifts the whole file (MPEG-TS style starts),
    and trim_s cuts the video's first seconds through an edit list instead of removing them."""

    instant_s: float = 3.0
    video_start_s: float = 0.0
    audio_start_s: float = 0.0
    ts_offset_s: float = 0.0
    trim_s: float = 0.0
    duration_s: float = 6.0
    fps: int = 25


def make_sync_clip(spec: SyncSpec, out: Path) -> Path:
    """Render spec to out (container from the suffix): streams encoded apart, then muxed with their offsets."""
    work = out.with_name(f".{out.stem}.parts")
    work.mkdir(parents=True, exist_ok=True)
    video, audio = work / "video.mp4", work / "audio.m4a"
    flash = spec.instant_s - spec.video_start_s + spec.trim_s
    beep = spec.instant_s - spec.audio_start_s
    run_ffmpeg(
        [
            "-f", "lavfi", "-i", f"color=c=gray:s=160x120:r={spec.fps}:d={spec.duration_s + spec.trim_s}",
            "-vf", f"drawbox=c=white:t=fill:enable='between(t,{flash - 0.2 / spec.fps},{flash + 0.8 / spec.fps})'",
            "-c:v", "libx264", "-preset", "veryfast", "-g", str(2 * spec.fps), "-pix_fmt", "yuv420p",
            "-fflags", "+bitexact", video.as_posix(),
        ]
    )  # fmt: skip
    tone = f"if(between(t,{beep},{beep + 0.04}),0.8*sin(2*PI*1000*t),0)"
    run_ffmpeg(
        ["-f", "lavfi", "-i", f"aevalsrc='{tone}':s=48000:d={spec.duration_s}", "-c:a", "aac",
         "-fflags", "+bitexact", audio.as_posix()]
    )  # fmt: skip
    ts_args = ["-output_ts_offset", str(spec.ts_offset_s)] if spec.ts_offset_s else []
    audio_codec = ["-c:a", "mp2"] if out.suffix == ".ts" else ["-c:a", "copy"]
    run_ffmpeg(
        [
            "-itsoffset", str(spec.video_start_s - spec.trim_s), "-i", video.as_posix(),
            "-itsoffset", str(spec.audio_start_s), "-i", audio.as_posix(),
            "-map", "0:v", "-map", "1:a", "-c:v", "copy", *audio_codec, *ts_args,
            "-map_metadata", "-1", "-fflags", "+bitexact", out.as_posix(),
        ]
    )  # fmt: skip
    for part in (video, audio):
        part.unlink()
    work.rmdir()
    return out
