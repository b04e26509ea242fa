"""Stream the proxy once through ffmpeg: every frame tiny for detection, one per interval at proxy size."""

import os
import queue
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from media_pipelines.core.tools import ffmpeg_exe

ANALYSIS_WIDTH, ANALYSIS_HEIGHT = 32, 18
BATCH_FRAMES = 256


@dataclass(frozen=True)
class Sample:
    frame_index: int
    rgb: np.ndarray  # H x W x 3 uint8, at proxy size


@dataclass(frozen=True)
class Batch:
    first_index: int
    frames: np.ndarray  # N x ANALYSIS_HEIGHT x ANALYSIS_WIDTH x 3 uint8


def stream_proxy(proxy: Path, width: int, height: int, sample_every: int) -> Iterator[Batch | Sample]:
    """Batches of every frame (analysis size) and samples of every `sample_every`-th frame, in frame order.

    The proxy is constant frame rate, so frame index / fps is each frame's presentation time.
    """
    sample_read, sample_write = os.pipe()
    graph = (
        f"[0:v]split=2[all][some];"
        f"[all]scale={ANALYSIS_WIDTH}:{ANALYSIS_HEIGHT}:flags=area,format=rgb24[small];"
        f"[some]select='not(mod(n\\,{sample_every}))',format=rgb24[sampled]"
    )
    argv = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-threads", "1", "-i", str(proxy),
        "-filter_threads", "1", "-filter_complex", graph,
        "-map", "[small]", "-f", "rawvideo", "-fps_mode", "passthrough", "pipe:1",
        "-map", "[sampled]", "-f", "rawvideo", "-fps_mode", "passthrough", f"pipe:{sample_write}",
    ]  # fmt: skip
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(sample_write,))
    os.close(sample_write)
    samples: list[np.ndarray] = []
    sample_size = width * height * 3
    # The two outputs must drain concurrently or ffmpeg blocks on whichever pipe fills first.
    reader = threading.Thread(target=_read_frames, args=(sample_read, sample_size, samples), daemon=True)
    reader.start()
    frame_size = ANALYSIS_WIDTH * ANALYSIS_HEIGHT * 3
    # A bounded queue lets ffmpeg decode ahead while the consumer computes, with memory capped.
    chunks: queue.Queue[bytes] = queue.Queue(maxsize=8)
    threading.Thread(target=_read_chunks, args=(process.stdout, frame_size * BATCH_FRAMES, chunks), daemon=True).start()
    index, sampled = 0, 0
    try:
        while chunk := chunks.get():
            count = len(chunk) // frame_size
            frames = np.frombuffer(chunk[: count * frame_size], np.uint8).reshape(
                count, ANALYSIS_HEIGHT, ANALYSIS_WIDTH, 3
            )
            yield Batch(index, frames)
            index += count
            while sampled * sample_every < index and sampled < len(samples):
                yield Sample(sampled * sample_every, samples[sampled].reshape(height, width, 3))
                samples[sampled] = None  # released once yielded: memory stays flat over a long title
                sampled += 1
        reader.join()
        while sampled < len(samples):
            yield Sample(sampled * sample_every, samples[sampled].reshape(height, width, 3))
            sampled += 1
    finally:
        process.stdout.close()
        stderr = process.stderr.read().decode(errors="replace")
        if process.wait():
            raise RuntimeError(f"ffmpeg could not decode {proxy}: {stderr[-1500:]}")


def _read_chunks(pipe, size: int, out: queue.Queue) -> None:
    while chunk := pipe.read(size):
        out.put(chunk)
    out.put(b"")


def _read_frames(fd: int, size: int, out: list) -> None:
    with os.fdopen(fd, "rb") as pipe:
        while data := pipe.read(size):
            out.append(np.frombuffer(data, np.uint8))
