"""Broken, hostile and unusual deliveries, each made from scratch with the outcome the lake must give it."""

import gzip
import io
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from media_pipelines.core.tools import run_ffmpeg
from media_pipelines.samples.generate import ClipSpec, SyncSpec, make_audio, make_clip, make_sync_clip, shots_with_cuts


@dataclass(frozen=True)
class Expected:
    kind: str
    status: str = "ok"
    error_type: str | None = None
    rendered: bool | None = None  # True: its renditions are made; False: it renders to a typed error


OK_VIDEO = Expected("video", rendered=True)
OK_AUDIO = Expected("audio", rendered=True)


@dataclass(frozen=True)
class BadInput:
    name: str  # the delivered file name, relative to the title folder
    make: Callable[[Path], None]  # writes the file at the given path
    expected: Expected | None  # None: never listed (hidden partial upload)
    why: str


def _lavfi(source: str, out: Path, *codec: str) -> None:
    run_ffmpeg(["-f", "lavfi", "-i", source, *codec, "-map_metadata", "-1", "-fflags", "+bitexact", str(out)])


def _clip(out: Path, seconds: float = 2.0, **spec) -> None:
    make_clip(
        ClipSpec(
            shots=shots_with_cuts([seconds]), width=spec.pop("width", 160), height=spec.pop("height", 120), **spec
        ),
        out,
    )


def _video(size: str, seconds: float = 1.0, *extra: str) -> Callable[[Path], None]:
    return lambda out: _lavfi(
        f"testsrc2=s={size}:r=25:d={seconds}", out, "-c:v", "libx264", "-preset", "ultrafast", *extra
    )


def _truncated(make: Callable[[Path], None], keep: float) -> Callable[[Path], None]:
    def build(out: Path) -> None:
        make(out)
        data = out.read_bytes()
        out.write_bytes(data[: int(len(data) * keep)])

    return build


def _garbled(make: Callable[[Path], None], start: float, length: float) -> Callable[[Path], None]:
    """Payload bytes overwritten from `start` for `length` (shares of the file), headers left alone."""

    def build(out: Path) -> None:
        make(out)
        data = bytearray(out.read_bytes())
        begin, end = int(len(data) * start), int(len(data) * (start + length))
        data[begin:end] = bytes((b ^ 0x5A) for b in data[begin:end])
        out.write_bytes(bytes(data))

    return build


def _all_payload_garbled(out: Path) -> None:
    """Index intact, every media byte after it overwritten: no packet decodes."""
    _faststart(out)
    data = bytearray(out.read_bytes())
    mdat = data.index(b"mdat") + 4
    data[mdat:] = b"\xff" * (len(data) - mdat)
    out.write_bytes(bytes(data))


def _faststart(out: Path) -> None:
    tmp = out.with_name(f".{out.name}.tmp.mp4")
    _clip(tmp, 3.0)
    run_ffmpeg(["-i", str(tmp), "-c", "copy", "-movflags", "+faststart", str(out)])
    tmp.unlink()


def _renamed(out: Path, real_suffix: str) -> None:
    made = out.with_name(f".{out.stem}{real_suffix}")
    _clip(made, 1.0)
    made.rename(out)


def _ac3_avi(out: Path) -> None:
    inputs = ["-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=3", "-f", "lavfi", "-i", "sine=f=440:r=48000:d=3"]
    run_ffmpeg(
        [
            *inputs,
            "-c:v",
            "mpeg4",
            "-vtag",
            "xvid",
            "-c:a",
            "ac3",
            "-b:a",
            "192k",
            "-fflags",
            "+bitexact",
            str(out),
        ]
    )
    data = bytearray(out.read_bytes())
    frame = data.find(b"\x0b\x77", data.find(b"01wb"))  # the first AC3 sync word after the first audio chunk id
    data[frame + 8 : frame + 400] = bytes(392)
    out.write_bytes(bytes(data))


def xvid_with_a_corrupt_frame(out: Path) -> None:
    """An xvid AVI whose 31st video frame (a P-frame) has its payload flipped: the decoder conceals it."""
    run_ffmpeg(
        ["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=3", "-c:v", "mpeg4", "-vtag", "xvid", "-q:v", "5",
         "-fflags", "+bitexact", str(out)]
    )  # fmt: skip
    with av.open(str(out)) as container:
        packets = [(p.pos, p.size) for p in container.demux(video=0) if p.size]
    data = bytearray(out.read_bytes())
    pos, size = packets[30]
    data[pos + 20 : pos + size] = bytes(b ^ 0xA5 for b in data[pos + 20 : pos + size])
    out.write_bytes(bytes(data))


def _lying_wav(out: Path) -> None:
    """A WAV whose RIFF and data sizes claim ten times the samples it holds."""
    _lavfi("sine=f=440:r=16000:d=1", out, "-c:a", "pcm_s16le")
    data = bytearray(out.read_bytes())
    data[4:8] = struct.pack("<I", len(data) * 10)
    at = data.find(b"data")
    data[at + 4 : at + 8] = struct.pack("<I", (len(data) - at) * 10)
    out.write_bytes(bytes(data))


def _no_streams(out: Path) -> None:
    """An MP4 whose only track had no frames: the muxer writes the file with no stream at all."""
    made = out.with_name(f".{out.stem}.full.mp4")
    _clip(made, 1.0)
    run_ffmpeg(["-i", str(made), "-map", "0:v", "-c", "copy", "-frames:v", "0", "-fflags", "+bitexact", str(out)])
    made.unlink()


def _zero_frame_video_beside_audio(out: Path) -> None:
    """A Matroska file with a video track that never got a frame, and two seconds of audio."""
    container = av.open(str(out), "w")
    video = container.add_stream("mpeg4", rate=25)
    video.width, video.height, video.pix_fmt = 160, 120, "yuv420p"
    audio = container.add_stream("flac", rate=48000)
    audio.layout = "mono"
    tone = (0.3 * np.sin(np.arange(96000) / 48000 * 2 * np.pi * 440)).astype(np.float32)
    for start in range(0, len(tone), 1024):
        frame = av.AudioFrame.from_ndarray(tone[None, start : start + 1024], format="flt", layout="mono")
        frame.sample_rate, frame.pts = 48000, start
        container.mux(audio.encode(frame))
    container.mux(audio.encode(None))
    container.close()


def _subtitle_only_mkv(out: Path) -> None:
    srt = out.with_name(f".{out.name}.srt")
    srt.write_text("1\n00:00:01,000 --> 00:00:02,000\nOnly words here\n")
    run_ffmpeg(["-i", str(srt), "-c:s", "srt", "-fflags", "+bitexact", str(out)])
    srt.unlink()


def _write(data: bytes | str) -> Callable[[Path], None]:
    return lambda out: out.write_bytes(data if isinstance(data, bytes) else data.encode())


def _archive(kind: str) -> Callable[[Path], None]:
    def build(out: Path) -> None:
        if kind == "zip":
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                archive.writestr(zipfile.ZipInfo("reel.mp4", (2020, 1, 1, 0, 0, 0)), b"\x00" * 4096)
            out.write_bytes(buffer.getvalue())
        else:
            out.write_bytes(gzip.compress(b"\x00" * 4096, mtime=0))

    return build


def _png(out: Path) -> None:
    _lavfi("testsrc2=s=64x48:d=1", out, "-frames:v", "1", "-f", "image2", "-c:v", "png")


def _link_outside(out: Path) -> None:
    target = out.parent.parent.parent / "outside-the-landing-zone.mp4"
    target.write_bytes(b"bytes the lake must never read")
    out.symlink_to(target)


def _duplicate_of(name: str) -> Callable[[Path], None]:
    return lambda out: out.write_bytes((out.parent / name).read_bytes())


_SHIFT_JIS_SRT = "1\n00:00:00,500 --> 00:00:01,500\n一晩中どこにいたの？\n\n2\n00:00:02,000 --> 00:00:03,000\nごめん、電車が遅れたんだ。\n"
_RUSSIAN_SRT = "1\n00:00:00,500 --> 00:00:01,500\nГде ты был всю ночь?\n\n2\n00:00:02,000 --> 00:00:03,000\nПрости, поезд опоздал.\n"

CONTROL = "control.mp4"


def _control(out: Path) -> None:
    """The clean source every title's neighbours are measured against: two cuts and a tone."""
    make_clip(ClipSpec(shots=shots_with_cuts([1.5, 1.5, 1.5]), width=320, height=240), out)


BAD_INPUTS: tuple[BadInput, ...] = (
    # Truncations at different points of the file.
    BadInput(
        "cut-mdat.mp4",
        _truncated(lambda o: _clip(o, 3.0), 0.6),
        Expected("other", "quarantined", "truncated"),
        "index at the end, cut before it",
    ),
    BadInput(
        "cut-faststart.mp4",
        _truncated(_faststart, 0.6),
        Expected("other", "quarantined", "truncated"),
        "index first, media cut",
    ),
    BadInput(
        "cut-moov.mp4",
        _truncated(_faststart, 0.02),
        Expected("other", "quarantined", "truncated"),
        "cut inside the index box",
    ),
    BadInput("cut-half.mkv", _truncated(lambda o: _clip(o, 3.0), 0.5), OK_VIDEO, "Matroska plays what it holds"),
    BadInput("cut-half.ts", _truncated(lambda o: _clip(o, 3.0), 0.5), OK_VIDEO, "MPEG-TS plays what it holds"),
    BadInput(
        "cut.flac", _truncated(lambda o: make_audio(o, 4.0), 0.45), OK_AUDIO, "the header's length is not what decodes"
    ),
    BadInput("cut.wav", _truncated(lambda o: make_audio(o, 2.0), 0.5), OK_AUDIO, "a WAV shorter than its header"),
    # Corrupted payload and lying headers.
    BadInput(
        "garbled-middle.mkv", _garbled(lambda o: _clip(o, 3.0), 0.45, 0.05), OK_VIDEO, "5% of the payload flipped"
    ),
    BadInput("garbled-audio.avi", _ac3_avi, OK_VIDEO, "the xvid + AC3 delivery with a corrupt first audio frame"),
    BadInput(
        "garbled-all.mp4",
        _all_payload_garbled,
        Expected("other", "quarantined", "decode_error"),
        "nothing decodes",
    ),
    BadInput("garbled-frame.avi", xvid_with_a_corrupt_frame, OK_VIDEO, "one P-frame's payload flipped"),
    BadInput("lying-header.wav", _lying_wav, OK_AUDIO, "sizes claim ten times the samples"),
    BadInput("mp4-named.mov", lambda o: _clip(o, 1.0), OK_VIDEO, "content decides, not the extension"),
    BadInput("mkv-named.mp4", lambda o: _renamed(o, ".mkv"), OK_VIDEO, "a Matroska file under an MP4 name"),
    # Not media at all.
    BadInput("empty.mp4", _write(b""), Expected("other", "quarantined", "empty_file"), "zero bytes"),
    BadInput(
        "random.mp4", _write(bytes(range(256)) * 32), Expected("other", "quarantined", "unrecognized_format"), "noise"
    ),
    BadInput(
        "text.mov", _write("this is not a movie\n"), Expected("other", "quarantined", "unrecognized_format"), "text"
    ),
    BadInput("poster.mp4", _png, Expected("image"), "an image named as video"),
    BadInput(
        "archive.mov", _archive("zip"), Expected("other", "quarantined", "unrecognized_format"), "a zip named as video"
    ),
    BadInput(
        "archive.mkv",
        _archive("gzip"),
        Expected("other", "quarantined", "unrecognized_format"),
        "a gzip named as video",
    ),
    BadInput("notes.bin", _write(bytes(range(1, 256)) * 4), Expected("other"), "unknown bytes with no media name"),
    # Edge media that must render.
    BadInput("one-frame.mp4", _video("160x120", 0.04), OK_VIDEO, "a single frame"),
    BadInput(
        "no-streams.mp4",
        _no_streams,
        Expected("other", "quarantined", "decode_error"),
        "a zero-frame track, so no stream",
    ),
    BadInput(
        "zero-frame-video.mkv", _zero_frame_video_beside_audio, OK_AUDIO, "a video track with no frame, and audio"
    ),
    BadInput("tiny-2x2.mp4", _video("2x2", 1.0, "-pix_fmt", "yuv444p"), OK_VIDEO, "2x2 pixels"),
    BadInput("wide-1920x16.mp4", _video("1920x16"), OK_VIDEO, "120:1"),
    BadInput("tall-16x1080.mp4", _video("16x1080"), OK_VIDEO, "1:67"),
    BadInput("odd-33x17.mp4", lambda o: _clip(o, 1.0, width=33, height=17), OK_VIDEO, "odd sizes"),
    BadInput("rotated.mp4", lambda o: _clip(o, 1.0, rotation=90), OK_VIDEO, "display rotation"),
    BadInput("10bit.mkv", _video("160x120", 1.0, "-pix_fmt", "yuv420p10le"), OK_VIDEO, "10-bit"),
    BadInput(
        "hdr-pq.mkv",
        _video(
            "160x120",
            1.0,
            "-pix_fmt",
            "yuv420p10le",
            "-color_primaries",
            "bt2020",
            "-color_trc",
            "smpte2084",
            "-colorspace",
            "bt2020nc",
        ),
        OK_VIDEO,
        "HDR10 tags",
    ),
    BadInput("vfr.mkv", lambda o: _clip(o, 2.0, variable_frame_rate=True), OK_VIDEO, "variable frame rate"),
    BadInput("interlaced.mkv", lambda o: _clip(o, 1.0, interlaced=True), OK_VIDEO, "interlaced"),
    BadInput(
        "surround-7.1.mkv",
        lambda o: _lavfi(
            "sine=f=440:r=48000:d=1",
            o,
            "-af",
            "pan=7.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0|c6=c0|c7=c0",
            "-c:a",
            "flac",
        ),
        OK_AUDIO,
        "7.1",
    ),
    BadInput("8khz.wav", lambda o: _lavfi("sine=f=440:r=8000:d=1", o, "-c:a", "pcm_s16le"), OK_AUDIO, "telephone rate"),
    BadInput("silence.flac", lambda o: _lavfi("anullsrc=r=48000:cl=stereo:d=2", o), OK_AUDIO, "digital silence"),
    BadInput(
        "short-50ms.wav",
        lambda o: _lavfi("sine=f=440:r=48000:d=0.05", o, "-c:a", "pcm_s16le"),
        OK_AUDIO,
        "50 ms of audio",
    ),
    BadInput(
        "late-start.ts",
        lambda o: make_sync_clip(SyncSpec(video_start_s=0.5, ts_offset_s=10.0, duration_s=3.0, instant_s=1.5), o),
        OK_VIDEO,
        "MPEG-TS starting at 10 s",
    ),
    BadInput(
        "edit-list.mp4",
        lambda o: make_sync_clip(SyncSpec(trim_s=0.5, duration_s=3.0, instant_s=1.5), o),
        OK_VIDEO,
        "an edit list trims the start",
    ),
    BadInput(
        "audio-late.mp4",
        lambda o: make_sync_clip(SyncSpec(audio_start_s=1.0, duration_s=3.0, instant_s=1.5), o),
        OK_VIDEO,
        "audio starts a second late",
    ),
    BadInput(
        "subtitles-only.mkv", _subtitle_only_mkv, Expected("timed_text"), "a container with only a subtitle stream"
    ),
    # Sidecar files.
    BadInput(
        "broken.en.srt", _write("1\n00:00:01,000 --> nonsense\nHello\n"), Expected("timed_text"), "bad timing line"
    ),
    BadInput("dialogue.ja.srt", _write(_SHIFT_JIS_SRT.encode("shift_jis")), Expected("timed_text"), "Shift-JIS"),
    BadInput(
        "dialogue.ru.srt", _write(_RUSSIAN_SRT.encode("utf-16-le")), Expected("timed_text"), "UTF-16LE without BOM"
    ),
    BadInput(
        "annotations.csv",
        _write("start_s,end_s,label\nabc,2,x\n"),
        Expected("annotations"),
        "a start that is not a number",
    ),
    # Hostile names and places.
    BadInput("$(touch pwned); rm -rf ~ `id`.mp4", lambda o: _clip(o, 1.0), OK_VIDEO, "shell metacharacters"),
    BadInput("-i evil.mp4", lambda o: _clip(o, 1.0), OK_VIDEO, "a leading dash"),
    BadInput(
        "line\nbreak.wav", lambda o: _lavfi("sine=f=440:r=16000:d=1", o, "-c:a", "pcm_s16le"), OK_AUDIO, "a newline"
    ),
    BadInput(
        ("n" * 236) + ".wav",
        lambda o: _lavfi("sine=f=440:r=16000:d=1", o, "-c:a", "pcm_s16le"),
        OK_AUDIO,
        "a 240-byte name",
    ),
    BadInput(
        "linked-outside.mp4",
        _link_outside,
        Expected("other", "quarantined", "outside_landing_zone"),
        "a link out of the zone",
    ),
    BadInput(".reel.mp4.part", _truncated(lambda o: _renamed(o, ".mp4"), 0.5), None, "a hidden partial upload"),
    BadInput("copy-of-control.mp4", _duplicate_of(CONTROL), OK_VIDEO, "the same bytes under two names"),
)


def deliver_bad_inputs(title_folder: Path) -> dict[str, BadInput]:
    """Write every bad input and the control file into one title folder; the control comes first, so a
    duplicate can copy it."""
    title_folder.mkdir(parents=True, exist_ok=True)
    _control(title_folder / CONTROL)
    for case in BAD_INPUTS:
        case.make(title_folder / case.name)
    return {case.name: case for case in BAD_INPUTS}
