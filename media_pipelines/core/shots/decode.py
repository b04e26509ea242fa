"""Stream the proxy once through ffmpeg: every frame tiny for detection, one per interval at proxy size."""

import os
import queue
import subprocess
import tempfile
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
    """Batches of every frame (analysis size) and samples of every `sample_every`-th frame.

    A sample comes after the batch that holds its frame. The proxy is constant frame rate, so frame
    index / fps is each frame's presentation time.
    """
    sample_read, sample_write = os.pipe()
    graph = (
        f"[0:v]split=2[all][some];"
        f"[all]scale={ANALYSIS_WIDTH}:{ANALYSIS_HEIGHT}:flags=area,format=rgb24[small];"
        f"[some]select='not(mod(n\\,{sample_every}))',format=rgb24[sampled]"
    )
    # One decoder thread leaves the other core to the consumer; on two cores that is faster overall.
    argv = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-threads", "1", "-i", str(proxy),
        "-filter_threads", "1", "-filter_complex", graph,
        "-map", "[small]", "-f", "rawvideo", "-fps_mode", "passthrough", "pipe:1",
        "-map", "[sampled]", "-f", "rawvideo", "-fps_mode", "passthrough", f"pipe:{sample_write}",
    ]  # fmt: skip
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=errors, pass_fds=(sample_write,))
        os.close(sample_write)
        frame_size = ANALYSIS_WIDTH * ANALYSIS_HEIGHT * 3
        # Every output drains on its own thread, or ffmpeg blocks on whichever pipe fills first; the
        # bounded queue lets ffmpeg decode ahead while the consumer computes, with memory capped.
        chunks: queue.Queue[bytes] = queue.Queue(maxsize=8)
        samples: queue.Queue[np.ndarray | None] = queue.Queue()
        readers = [
            threading.Thread(target=_read, args=(process.stdout, frame_size * BATCH_FRAMES, chunks), daemon=True),
            threading.Thread(
                target=_read, args=(os.fdopen(sample_read, "rb"), width * height * 3, samples), daemon=True
            ),
        ]
        for reader in readers:
            reader.start()
        finished = False
        try:
            index, next_sample, samples_open = 0, 0, True
            while chunk := chunks.get():
                count = len(chunk) // frame_size
                frames = np.frombuffer(chunk[: count * frame_size], np.uint8)
                yield Batch(index, frames.reshape(count, ANALYSIS_HEIGHT, ANALYSIS_WIDTH, 3))
                index += count
                while samples_open and next_sample < index:
                    if not (rgb := samples.get()):
                        samples_open = False
                        break
                    yield Sample(next_sample, np.frombuffer(rgb, np.uint8).reshape(height, width, 3))
                    next_sample += sample_every
            finished = True
        finally:
            if not finished:  # the consumer stopped early: stop ffmpeg and unblock the readers
                process.kill()
                while not chunks.empty():
                    chunks.get_nowait()
            code = process.wait()
            for reader in readers:
                reader.join(timeout=5)
        if code:
            errors.seek(0)
            raise RuntimeError(f"ffmpeg could not decode {proxy}: {errors.read()[-1500:].decode(errors='replace')}")


def _read(pipe, size: int, out: queue.Queue) -> None:
    """Fixed-size reads until end of stream, then an empty marker."""
    with pipe:
        while data := pipe.read(size):
            out.put(data)
    out.put(b"")
