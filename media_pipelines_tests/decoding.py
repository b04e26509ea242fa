"""An independent oracle for tests: decode a file end to end, every frame of every stream."""

from pathlib import Path

import av
import av.error

from media_pipelines.core.renditions.verify import DecodeReport


def decode_fully(path: Path) -> DecodeReport:
    frames, ends = 0, {"video": None, "audio": None}
    try:
        with av.open(str(path)) as container:
            streams = [s for s in container.streams if s.type in ("video", "audio")]
            for stream in streams:
                stream.thread_type = "AUTO"
            for frame in container.decode(*streams):
                kind = "video" if isinstance(frame, av.VideoFrame) else "audio"
                frames += kind == "video"
                if frame.time is not None:
                    length = (
                        frame.samples / frame.sample_rate
                        if kind == "audio"
                        else float(frame.duration * frame.time_base)
                    )
                    ends[kind] = max(ends[kind] or 0.0, frame.time + length)
    except (av.error.FFmpegError, OSError) as exc:
        return DecodeReport(frames, ends["video"], ends["audio"], str(exc))
    return DecodeReport(frames, ends["video"], ends["audio"], None)
