"""Probe one file: kind by content, container, and per-stream technical facts, via PyAV in-process."""

import statistics
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path, PurePosixPath

import av
import av.error

from media_pipelines.core import sniff
from media_pipelines.core.annotations import annotations_format
from media_pipelines.core.media_types import ErrorType, MediaFileError, MediaKind

# Names as ffmpeg prints them, for the enum values PyAV exposes only as integers.
_COLOR_RANGE = {1: "tv", 2: "pc"}
_COLOR_PRIMARIES = {
    1: "bt709",
    4: "bt470m",
    5: "bt470bg",
    6: "smpte170m",
    7: "smpte240m",
    8: "film",
    9: "bt2020",
    10: "smpte428",
    11: "smpte431",
    12: "smpte432",
    22: "ebu3213",
}
_COLOR_TRANSFER = {
    1: "bt709",
    4: "gamma22",
    5: "gamma28",
    6: "smpte170m",
    7: "smpte240m",
    8: "linear",
    11: "iec61966-2-4",
    12: "bt1361e",
    13: "iec61966-2-1",
    14: "bt2020-10",
    15: "bt2020-12",
    16: "smpte2084",
    17: "smpte428",
    18: "arib-std-b67",
}
_COLOR_SPACE = {
    0: "gbr",
    1: "bt709",
    4: "fcc",
    5: "bt470bg",
    6: "smpte170m",
    7: "smpte240m",
    8: "ycgco",
    9: "bt2020nc",
    10: "bt2020c",
    14: "ictcp",
}
_FIELD_ORDER = {1: "progressive", 2: "tt", 3: "bb", 4: "tb", 5: "bt"}

# Extensions that promise media: text or unknown bytes behind them are a delivery error, not "other".
MEDIA_EXTENSIONS = frozenset(
    ".mp4 .m4v .mov .mkv .webm .avi .mxf .ts .m2ts .mts .mpg .mpeg .flv .wmv .3gp "
    ".wav .flac .mp3 .m4a .aac .ac3 .eac3 .ogg .opus .wma .aif .aiff "
    ".png .jpg .jpeg .webp .tif .tiff .bmp".split()
)

# Enough packets to judge frame timing from the start of a long title.
_TIMING_PACKETS = 600
# A stream that fails this many packets before its first frame is unusable (ffmpeg would skip them all too).
_MAX_ERRORS_BEFORE_FRAME = 200
# Duration spread (relative to the median) above which frame timing counts as variable.
_VFR_TOLERANCE = 0.02


@dataclass(frozen=True)
class StreamInfo:
    index: int
    type: str
    codec: str | None
    # On the title timeline (t = 0 is the source's presentation start): where the stream's first packet is
    # presented and where its last one ends, measured from the packets, never from the header.
    start_s: float | None = None
    end_s: float | None = None
    decode_error: str | None = None  # why the stream yields no frame; None when it decodes
    profile: str | None = None
    language: str | None = None
    duration_s: float | None = None
    bit_rate: int | None = None
    default: bool = False
    attached_pic: bool = False
    width: int | None = None
    height: int | None = None
    pix_fmt: str | None = None
    avg_frame_rate: float | None = None
    real_frame_rate: float | None = None
    variable_frame_rate: bool | None = None
    frame_count: int | None = None
    rotation: int | None = None
    sample_aspect_ratio: str | None = None
    field_order: str | None = None
    interlaced: bool | None = None
    color_range: str | None = None
    color_space: str | None = None
    color_primaries: str | None = None
    color_transfer: str | None = None
    sample_rate: int | None = None
    channels: int | None = None
    channel_layout: str | None = None


@dataclass(frozen=True)
class Probe:
    kind: MediaKind
    container: str
    duration_s: float | None = None
    start_s: float = 0.0
    bit_rate: int | None = None
    streams: tuple[StreamInfo, ...] = field(default_factory=tuple)


def probe_file(path: Path, delivered_name: str | None = None) -> Probe:
    """Probe a file; raises MediaFileError with a typed reason when it cannot be used. delivered_name is
    the file's name as delivered, when `path` is a local copy under another name (an S3 download)."""
    name = PurePosixPath(delivered_name or path.name)
    try:
        size = path.stat().st_size
        if size == 0:
            raise MediaFileError(ErrorType.EMPTY_FILE, "the file has zero bytes")
        head = sniff.read_head(path)
    except OSError as exc:
        raise MediaFileError(ErrorType.UNREADABLE, str(exc)) from exc

    text = sniff.decode_text(head)
    if text is not None:
        return _probe_text(name, text)
    if sniff.is_iso_bmff(head) and (problem := sniff.iso_bmff_problem(path)):
        raise MediaFileError(ErrorType.TRUNCATED, problem)
    try:
        container = av.open(str(path))
    except av.error.FFmpegError as exc:
        if sniff.has_container_signature(head):
            raise MediaFileError(ErrorType.DECODE_ERROR, f"known container, but unreadable: {exc}") from exc
        if name.suffix.lower() in MEDIA_EXTENSIONS:
            raise MediaFileError(ErrorType.UNRECOGNIZED_FORMAT, f"no demuxer recognizes it: {exc}") from exc
        return Probe(kind=MediaKind.OTHER, container="binary")
    with container:
        if not container.streams and name.suffix.lower() in MEDIA_EXTENSIONS:
            raise MediaFileError(ErrorType.DECODE_ERROR, f"a {container.format.name} container with no streams")
        return _probe_container(container)


def _probe_text(name: PurePosixPath, text: str) -> Probe:
    if fmt := sniff.timed_text_format(text):
        return Probe(kind=MediaKind.TIMED_TEXT, container=fmt)
    if fmt := annotations_format(name.name):
        return Probe(kind=MediaKind.ANNOTATIONS, container=fmt)
    if name.suffix.lower() in MEDIA_EXTENSIONS:
        raise MediaFileError(ErrorType.UNRECOGNIZED_FORMAT, f"text content in a file named {name.suffix}, not media")
    return Probe(kind=MediaKind.OTHER, container="text")


def _probe_container(container: av.container.InputContainer) -> Probe:
    media = [s for s in container.streams if s.type in ("video", "audio") and not _is_attached_pic(s)]
    title_start = container.start_time / av.time_base if container.start_time else 0.0
    scans = _scan_packets(container, media)
    usable = [s for s in media if scans[s.index].first_frame is not None]
    if media and not usable:
        reasons = "; ".join(f"stream {s.index}: {scans[s.index].why_no_frame()}" for s in media)
        raise MediaFileError(ErrorType.DECODE_ERROR, f"no stream yields a frame ({reasons})")
    streams = tuple(_stream_info(s, scans.get(s.index), title_start) for s in container.streams)
    ends = [s.end_s for s in streams if s.end_s is not None and s.decode_error is None]
    header_duration = container.duration / av.time_base if container.duration else None
    return Probe(
        kind=_kind(container, usable),
        container=container.format.name,
        duration_s=round(max(ends), 6) if ends else header_duration,
        start_s=title_start,
        bit_rate=container.bit_rate or None,
        streams=streams,
    )


def _kind(container: av.container.InputContainer, media: list) -> MediaKind:
    if container.format.name.endswith("_pipe") or container.format.name == "image2":
        return MediaKind.IMAGE
    if any(s.type == "video" for s in media):
        return MediaKind.VIDEO
    if media:
        return MediaKind.AUDIO
    if any(s.type == "subtitle" for s in container.streams):
        return MediaKind.TIMED_TEXT
    return MediaKind.OTHER


@dataclass
class _StreamScan:
    """What one pass over a stream's packets shows: its real extent, and whether it decodes at all."""

    first_pts: int | None = None
    end_pts: int | None = None
    packets: int = 0
    early_times: list[int] = field(default_factory=list)
    first_frame: av.frame.Frame | None = None
    errors_before_frame: int = 0
    first_error: str | None = None

    def add(self, packet: av.Packet) -> None:
        pts = packet.pts if packet.pts is not None else packet.dts
        if pts is None or packet.is_discard:  # discarded: before the edit list's start, never presented
            return
        self.packets += 1
        self.first_pts = pts if self.first_pts is None else min(self.first_pts, pts)
        end = pts + (packet.duration or 0)
        self.end_pts = end if self.end_pts is None else max(self.end_pts, end)
        if len(self.early_times) < _TIMING_PACKETS:
            self.early_times.append(pts)

    def try_decode(self, stream, packet: av.Packet | None) -> None:
        """Decode until the stream's first frame; a damaged packet is skipped and counted, as ffmpeg does."""
        try:
            for frame in stream.decode(packet):
                self.first_frame = frame
                return
        except av.error.FFmpegError as exc:
            self.errors_before_frame += 1
            self.first_error = self.first_error or str(exc)

    def why_no_frame(self) -> str:
        if not self.packets and not self.errors_before_frame:
            return "no packets"
        return (
            f"{self.errors_before_frame} of {self.packets} packets failed to decode ({self.first_error or 'no error'})"
        )


def _scan_packets(container, media: list) -> dict[int, _StreamScan]:
    """Every packet of the media streams, once: extent from what the file holds (a truncated file's header
    still claims its full length), early frame timing, and the first frame of each stream (proof it decodes)."""
    scans = {s.index: _StreamScan() for s in media}
    if not media:
        return scans
    try:
        for packet in container.demux(*media):
            scan = scans[packet.stream.index]
            if packet.size:
                scan.add(packet)
            if scan.first_frame is None and scan.errors_before_frame < _MAX_ERRORS_BEFORE_FRAME:
                scan.try_decode(packet.stream, packet)
    except av.error.FFmpegError:
        pass  # the demuxer cannot read on (truncated or damaged past here): the packets so far are the file
    for stream in media:
        scan = scans[stream.index]
        if scan.packets and scan.first_frame is None and scan.errors_before_frame < _MAX_ERRORS_BEFORE_FRAME:
            scan.try_decode(stream, None)  # flush: a decoder with frame delay holds its first frame until the end
    return scans


def _stream_info(stream, scan: _StreamScan | None, title_start: float) -> StreamInfo:
    codec = stream.codec_context
    extent = _extent(stream, scan, title_start) if scan else {}
    header_duration = float(stream.duration * stream.time_base) if stream.duration and stream.time_base else None
    measured = extent["end_s"] - extent["start_s"] if extent.get("end_s") is not None else None
    common = dict(
        index=stream.index,
        type=stream.type,
        codec=codec.name if codec else None,
        **extent,
        profile=stream.profile,
        language=stream.metadata.get("language"),
        duration_s=round(measured, 6) if measured is not None else header_duration,
        bit_rate=(codec.bit_rate or None) if codec else None,
        default=bool(stream.disposition & av.stream.Disposition.default),
        attached_pic=_is_attached_pic(stream),
    )
    if stream.type == "video":
        return StreamInfo(**common, **_video_facts(stream, scan))
    if stream.type == "audio":
        return StreamInfo(
            **common,
            sample_rate=codec.sample_rate,
            channels=codec.channels,
            channel_layout=codec.layout.name if codec.layout else None,
        )
    return StreamInfo(**common)


def _extent(stream, scan: _StreamScan, title_start: float) -> dict:
    if scan.first_pts is None:
        return {"decode_error": scan.why_no_frame()}
    base = Fraction(stream.time_base)
    # libavformat's start already applies edit lists (priming and trimmed frames); the first packet is
    # the fallback where it has none.
    start = stream.start_time if stream.start_time is not None else scan.first_pts
    return {
        "start_s": round(float(start * base) - title_start, 6) + 0.0,  # + 0.0: no -0.0 in the tables
        "end_s": round(float(scan.end_pts * base) - title_start, 6) + 0.0,
        "decode_error": None if scan.first_frame is not None else scan.why_no_frame(),
    }


def _video_facts(stream, scan: _StreamScan | None) -> dict:
    codec = stream.codec_context
    first_frame = scan.first_frame if scan else None
    packet_times = scan.early_times if scan else []
    sar = codec.sample_aspect_ratio
    field_order = _FIELD_ORDER.get(int(codec.field_order)) if codec.field_order is not None else None
    return dict(
        width=codec.width,
        height=codec.height,
        pix_fmt=codec.pix_fmt,
        avg_frame_rate=_rate(stream.average_rate),
        real_frame_rate=_rate(stream.base_rate),
        variable_frame_rate=_is_variable_rate(stream, packet_times),
        frame_count=stream.frames or (scan.packets if scan else None) or None,
        rotation=int(first_frame.rotation) if first_frame is not None else None,
        sample_aspect_ratio=f"{sar.numerator}:{sar.denominator}" if sar else None,
        field_order=field_order,
        interlaced=bool(first_frame.interlaced_frame) if first_frame is not None else None,
        color_range=_COLOR_RANGE.get(int(codec.color_range)),
        color_space=_COLOR_SPACE.get(int(codec.colorspace)),
        color_primaries=_COLOR_PRIMARIES.get(int(codec.color_primaries)),
        color_transfer=_COLOR_TRANSFER.get(int(codec.color_trc)),
    )


def _is_variable_rate(stream, packet_times: list[int]) -> bool | None:
    """True when frame durations vary: from the container index, else from early packet times."""
    entries = stream.index_entries
    if _index_covers_frames(stream):
        times = sorted(entries[i].timestamp for i in range(len(entries)))
    else:
        times = sorted(packet_times)
    steps = [b - a for a, b in zip(times, times[1:], strict=False) if b > a]
    if len(steps) < 2:
        return None
    median = statistics.median(steps)
    return (max(steps) - min(steps)) > _VFR_TOLERANCE * median


def _index_covers_frames(stream) -> bool:
    """MP4-style indexes list every frame; Matroska cues list only some keyframes."""
    return bool(stream.frames) and len(stream.index_entries) >= 0.9 * stream.frames


def _rate(rate: Fraction | None) -> float | None:
    return round(float(rate), 6) if rate else None


def _is_attached_pic(stream) -> bool:
    return bool(stream.disposition & av.stream.Disposition.attached_pic)
