"""Damage in a source that still renders: how much of each stream ffmpeg skipped or concealed, and where it began."""

from dataclasses import dataclass
from pathlib import Path

import av
import av.error


@dataclass(frozen=True)
class StreamDamage:
    stream_index: int
    stream_type: str
    decode_errors: int  # packets the decoder refused plus frames it could only conceal
    first_error_s: float | None  # on the title timeline


def first_error_s(path: Path, stream_index: int, title_start_s: float) -> float | None:
    """Where the stream's first refused packet or concealed frame is presented; decodes only that stream,
    and only up to there, so it costs little on a damaged file and is never run on a clean one."""
    with av.open(str(path)) as container:
        stream = container.streams[stream_index]
        stream.thread_type = "NONE"  # frame threads would report an error packets after its cause
        for packet in container.demux(stream):
            try:
                frames = stream.decode(packet)
            except av.error.FFmpegError:
                return _title_time(packet.pts, stream, title_start_s)
            for frame in frames:
                if frame.is_corrupt:
                    return _title_time(frame.pts, stream, title_start_s)
    return None


def _title_time(pts: int | None, stream, title_start_s: float) -> float | None:
    return round(float(pts * stream.time_base) - title_start_s, 6) + 0.0 if pts is not None else None
