"""Check a rendition against what its encoder vouched for, without decoding it a second time.

ffmpeg reports the frames it encoded into each output. A rendition is whole when the file holds at least
that many packets per stream (a cut-short file holds fewer, whatever its header claims), and when its
first and last keyframe runs decode: the file starts and ends readable. A full decode would repeat the
encoding pass's decode of every frame for nothing those checks do not already prove.
"""

from dataclasses import dataclass, field
from pathlib import Path

import av
import av.error


@dataclass(frozen=True)
class DecodeReport:
    video_frames: int  # video packets the file holds: one frame each
    video_end_s: float | None
    audio_end_s: float | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None


# Every audio packet is a keyframe, and an AAC stream's first one is all encoder priming: decode a few.
_AUDIO_RUN_PACKETS = 8


@dataclass
class _StreamWalk:
    """One stream's packets, keeping only its first and its latest keyframe run (of at least min_run)."""

    min_run: int
    packets: int = 0
    end_s: float | None = None
    head: list[av.Packet] = field(default_factory=list)
    head_done: bool = False
    tail: list[av.Packet] = field(default_factory=list)

    def add(self, packet: av.Packet) -> None:
        self.packets += 1
        if packet.pts is not None and packet.time_base is not None:
            end = float((packet.pts + (packet.duration or 0)) * packet.time_base)
            self.end_s = end if self.end_s is None else max(self.end_s, end)
        if packet.is_keyframe and len(self.tail) >= self.min_run:
            self.head_done = True
            self.tail = []
        if not self.head_done:
            self.head.append(packet)
        self.tail.append(packet)


def verify_rendition(path: Path, frames_encoded: dict[str, int]) -> DecodeReport:
    """frames_encoded: per stream type ("video", "audio"), what ffmpeg reported encoding into this file."""
    walks: dict[str, _StreamWalk] = {}
    try:
        with av.open(str(path)) as container:
            streams = {s.index: s for s in container.streams if s.type in ("video", "audio")}
            walks = {s.type: _StreamWalk(1 if s.type == "video" else _AUDIO_RUN_PACKETS) for s in streams.values()}
            for packet in container.demux(*streams.values()):
                if packet.size:
                    walks[packet.stream.type].add(packet)
            error = _missing(walks, frames_encoded) or next(
                (e for s in streams.values() if (e := _undecodable(s, walks[s.type]))), None
            )
    except (av.error.FFmpegError, OSError) as exc:
        error = str(exc)
    video, audio = walks.get("video"), walks.get("audio")
    return DecodeReport(
        video_frames=video.packets if video else 0,
        video_end_s=video.end_s if video else None,
        audio_end_s=audio.end_s if audio else None,
        error=error,
    )


def _missing(walks: dict[str, _StreamWalk], frames_encoded: dict[str, int]) -> str | None:
    if not frames_encoded:
        return "ffmpeg reported no frames encoded into this file"
    for kind, encoded in frames_encoded.items():
        held = walks[kind].packets if kind in walks else 0
        # An audio encoder's flush may add a packet; no muxer writes fewer packets than frames it was given.
        if held < encoded:
            return f"{kind}: the file holds {held} of the {encoded} frames ffmpeg encoded"
    return None


def _undecodable(stream, walk: _StreamWalk) -> str | None:
    """Decode the first and the last keyframe run; every video packet of each must come out as a frame."""
    for part, packets in (("first", walk.head), ("last", walk.tail)):
        stream.codec_context.flush_buffers()
        try:
            frames = sum(1 for packet in [*packets, None] for _ in stream.codec_context.decode(packet))
        except av.error.FFmpegError as exc:
            return f"{stream.type}: the {part} keyframe run does not decode ({exc})"
        if (stream.type == "video" and frames < len(packets)) or not frames:
            return f"{stream.type}: the {part} keyframe run gave {frames} frames from {len(packets)} packets"
    return None
